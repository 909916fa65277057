#!/bin/sh
# Basis-set comparison for H2: STO-3G, 6-31G and cc-pVDZ (4, 8 and 20 qubits), HF and FCI
# in each. Add --ansatz uccsd (or gatefabric ...) for a VQE per basis and the share of the correlation
# energy it recovers (the 20-qubit cc-pVDZ VQE takes minutes). Writes h2_basis.csv and h2_basis.svg.
# Usage: examples/compare_basis_h2.sh [path/to/vqe]
set -eu
VQE=${1:-build/src/cli/vqe}
cd "$(dirname "$0")/.."
"$VQE" basis molecules/h2.xyz --basis sto-3g,6-31g,cc-pvdz --csv h2_basis.csv --plot h2_basis.svg
