# Generator of psi4_h2_scan_sto3g.json (the H2 / STO-3G dissociation curve, psi4 1.3.2).
# Run: PYTHONPATH=/usr/lib/x86_64-linux-gnu python3 psi4_h2_scan_sto3g.py
import psi4, json
psi4.set_memory('2 GB')
psi4.core.set_output_file('scan.out', False)
psi4.set_options({'basis':'sto-3g','scf_type':'pk','e_convergence':1e-10,'d_convergence':1e-10,'r_convergence':1e-8})
pts=[]
for i in range(26):
    r = round(0.5 + 0.1*i, 10)
    mol = psi4.geometry("""
0 1
H 0.0 0.0 0.0
H 0.0 0.0 %.10f
symmetry c1
no_reorient
no_com
""" % r)
    e_scf, wfn = psi4.energy('scf', return_wfn=True)
    e_fci = psi4.energy('fci', ref_wfn=wfn)
    pts.append({'bond_length': r, 'e_scf': e_scf, 'e_fci': e_fci, 'e_nuc': mol.nuclear_repulsion_energy()})
    psi4.core.clean()
json.dump({'molecule':'H2','basis':'sto-3g','program':'psi4 1.3.2','options':'scf_type pk, e/d_convergence 1e-10, r_convergence 1e-8, symmetry c1','points':pts}, open('h2_scan.json','w'), indent=1)
