/* chemtest.h — helpers for the basis / integrals / SCF suites: molecules from the psi4 reference
 * cases (tests/data/psi4_reference.json). Header-only; included by test_basis.c, test_integrals.c,
 * test_scf.c. */
#ifndef VQE_CHEMTEST_H
#define VQE_CHEMTEST_H

#include "testutil.h"
#include <stdlib.h>
#include <string.h>

/* Build the molecule of reference case `name` (charge and multiplicity from the case). Returns 0 on
 * failure (reported as a failed assert). */
static inline int ct_case_molecule(const char *name, vqe_molecule *mol)
{
  const cJSON *c = tu_psi4_case(name);
  CU_ASSERT_PTR_NOT_NULL_FATAL(c);
  const cJSON *atoms = cJSON_GetObjectItemCaseSensitive(c, "atoms");
  int n = cJSON_GetArraySize(atoms);
  int Z[64];
  double xyz[3 * 64];
  for (int a = 0; a < n && a < 64; a++) {
    const cJSON *at = cJSON_GetArrayItem(atoms, a);
    Z[a] = vqe_element_z(cJSON_GetArrayItem(at, 0)->valuestring);
    for (int k = 0; k < 3; k++) xyz[3 * a + k] = cJSON_GetArrayItem(at, k + 1)->valuedouble;
  }
  vqe_error err = {0};
  vqe_status st = vqe_molecule_from_atoms(n, Z, xyz, (int)tu_json_num(c, "charge"),
                                          (int)tu_json_num(c, "multiplicity"), mol, &err);
  if (st) fprintf(stderr, "\n  molecule for %s: %s\n", name, err.msg);
  CU_ASSERT_EQUAL(st, VQE_OK);
  return st == VQE_OK;
}

static inline const char *ct_case_str(const char *name, const char *key)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(tu_psi4_case(name), key);
  return cJSON_IsString(v) ? v->valuestring : "";
}

#endif
