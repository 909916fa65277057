/* vqe.h — umbrella header of libvqe: include this to use the whole library. */
#ifndef VQE_VQE_H
#define VQE_VQE_H
#include "vqe/common.h"
#include "vqe/molecule.h"
#include "vqe/basis.h"
#include "vqe/integrals.h"
#include "vqe/scf.h"
#include "vqe/pauli.h"
#include "vqe/hamiltonian.h"
#if __has_include("vqe/fci.h")
#include "vqe/fci.h"
#endif
#if __has_include("vqe/statevec.h")
#include "vqe/statevec.h"
#endif
#if __has_include("vqe/circuit.h")
#include "vqe/circuit.h"
#endif
#if __has_include("vqe/ansatz.h")
#include "vqe/ansatz.h"
#endif
#if __has_include("vqe/optimizer.h")
#include "vqe/optimizer.h"
#endif
#if __has_include("vqe/vqe_run.h")
#include "vqe/vqe_run.h"
#endif
#if __has_include("vqe/plateau.h")
#include "vqe/plateau.h"
#endif
#if __has_include("vqe/study.h")
#include "vqe/study.h"
#endif
#endif
