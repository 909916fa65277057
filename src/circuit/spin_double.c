/* spin_double.c — the SPIN_DOUBLE gate of circuit.h: the exact exponential of a spin-adapted (spin-free)
 * double excitation, U(θ) = exp(θ(T − T†)), T = E_ai E_bj, E_pq = Σ_σ a†_{pσ} a_{qσ}, on the interleaved
 * register (α of an orbital on qubit q, β on q + 1). Used by the gate table (gates.c) and, through it, by
 * the spin-adapted UCCSD ansatz (ansatz.h).
 *
 * Method. T acts on at most 8 spin orbitals (k = 4, 6 or 8 modes). Reorder the register so these modes
 * come first: in that order T is a fixed 2^k×2^k real matrix A_loc (local Jordan–Wigner signs only) and
 * the reordering itself is the diagonal sign D(ℓ, o) = (−1)^{Σ_{t ∈ ℓ} n_out(below mode t)}, where ℓ is
 * the local occupation and o the occupation of the other qubits. So A = D (A_loc ⊗ 1) D and
 * exp(θA) = D (exp(θ A_loc) ⊗ 1) D: one gather / multiply / scatter per configuration of the other
 * qubits, the JW strings costing one popcount per mode. A_loc splits into small connected components
 * (at most 6 configurations; 35 of them for k = 8), and on each component c the spectrum of i·A_c is
 * {0, ±λ_c} or {±λ_c} (checked when the component table is built), so A_c³ = −λ_c² A_c and
 * exp(θA_c) = 1 + sin(λ_c θ)/λ_c A_c + (1 − cos(λ_c θ))/λ_c² A_c² — no eigensolver, exact to rounding.
 *
 * Spectral parts. Components with the same λ form one part; the parts commute (they act on disjoint
 * configurations), so U(θ) = Π_p exp(θ A_p). The frequencies are λ ∈ {2} (i = j, a = b), {1, √2}
 * (i = j or a = b) and {1, √2, 2, 2√2} (four distinct orbitals). A part has the eigenvalue differences
 * λ_p·{1, 2}, so each part alone obeys the four-term shift rule with ω0 = λ_p (Wierichs et al.,
 * Quantum 6, 677 (2022)); the parameter-shift gradient shifts the parts one at a time.
 *
 * The local tables depend only on the relative order of the orbitals a, b, j, i; they are built once per
 * order on first use (thread-safe) and kept for the life of the process. */
#include "circuit/circ_internal.h"
#include <math.h>
#include <stdatomic.h>
#include <string.h>

#define SD_MAX_MODES 8
#define SD_MAX_COMP 64
#define SD_MAX_PARTS 4

typedef struct {
  int k;                          /* local modes */
  int nc;                         /* components with at least two configurations */
  int start[SD_MAX_COMP + 1];     /* component c: cfg[start[c] .. start[c+1]) */
  uint8_t cfg[256];               /* local configurations (bit t = local mode t) */
  int moff[SD_MAX_COMP];          /* component c's d×d matrices at A + moff[c], A2 + moff[c] */
  double A[256 * 6], A2[256 * 6]; /* A_c and A_c², row-major */
  double lam[SD_MAX_COMP];        /* λ_c */
  int part[SD_MAX_COMP];          /* spectral part of c */
  int n_parts;
  double part_lam[SD_MAX_PARTS];  /* ascending */
  int ok;                         /* 1: every component has the {0, ±λ} spectrum */
} sd_table;

static sd_table tables[256];
static atomic_int ready[256];

/* Relative order (rank among the distinct orbitals) of a, b, j, i: the cache key. */
static int sd_key(const int *q, int *ranks, int *n_orb)
{
  int d[4], nd = 0;
  for (int t = 0; t < 4; t++) {
    int seen = 0;
    for (int u = 0; u < nd; u++) seen |= d[u] == q[t];
    if (!seen) d[nd++] = q[t];
  }
  for (int t = 0; t < 4; t++) {
    int r = 0;
    for (int u = 0; u < nd; u++) r += d[u] < q[t];
    ranks[t] = r;
  }
  *n_orb = nd;
  return ranks[0] | ranks[1] << 2 | ranks[2] << 4 | ranks[3] << 6;
}

/* Apply the ladder operator (mode t, create or annihilate) to local configuration *l; returns the
 * sign (local Jordan–Wigner string), 0 if the result vanishes. */
static int ladder(unsigned *l, int t, int create)
{
  const unsigned b = 1u << t;
  if (!!(*l & b) == !!create) return 0;
  const int s = (__builtin_popcount(*l & (b - 1)) & 1) ? -1 : 1;
  *l ^= b;
  return s;
}

static void sd_build(sd_table *tb, const int *ranks, int n_orb)
{
  memset(tb, 0, sizeof *tb);
  const int k = 2 * n_orb, dim = 1 << k;
  tb->k = k;
  /* T = Σ_{στ} a†_{aσ} a_{iσ} a†_{bτ} a_{jτ}, applied right to left; T[to][from]. Static: sd_build
   * runs only inside the critical section of sd_get. */
  static double T[256][256];
  memset(T, 0, sizeof T);
  const int ra = ranks[0], rb = ranks[1], rj = ranks[2], ri = ranks[3];
  for (int from = 0; from < dim; from++)
    for (int s = 0; s < 2; s++)
      for (int u = 0; u < 2; u++) {
        unsigned l = (unsigned)from;
        int sg = ladder(&l, 2 * rj + u, 0);
        if (sg) sg *= ladder(&l, 2 * rb + u, 1);
        if (sg) sg *= ladder(&l, 2 * ri + s, 0);
        if (sg) sg *= ladder(&l, 2 * ra + s, 1);
        if (sg) T[l][from] += sg;
      }
  /* A = T − Tᵀ; components of its nonzero pattern */
  int comp[256];
  for (int l = 0; l < dim; l++) comp[l] = -1;
  int off = 0, pos = 0;
  tb->ok = 1;
  for (int seed = 0; seed < dim; seed++) {
    if (comp[seed] >= 0) continue;
    int member[256], nm = 0, has_edge = 0;
    member[nm++] = seed;
    comp[seed] = -2;
    for (int h = 0; h < nm; h++)
      for (int l = 0; l < dim; l++)
        if (T[l][member[h]] - T[member[h]][l] != 0.0) {
          has_edge = 1;
          if (comp[l] == -1) { comp[l] = -2; member[nm++] = l; }
        }
    if (!has_edge) { comp[seed] = SD_MAX_COMP; continue; }
    if (tb->nc == SD_MAX_COMP || nm > 6) { tb->ok = 0; return; }
    const int c = tb->nc++;
    /* members in ascending order (deterministic tables) */
    for (int x = 1; x < nm; x++)
      for (int y = x; y > 0 && member[y - 1] > member[y]; y--) { int t = member[y]; member[y] = member[y - 1]; member[y - 1] = t; }
    tb->start[c] = pos;
    tb->moff[c] = off;
    for (int x = 0; x < nm; x++) { tb->cfg[pos++] = (uint8_t)member[x]; comp[member[x]] = c; }
    double *A = tb->A + off, *A2 = tb->A2 + off, tr = 0.0;
    for (int x = 0; x < nm; x++)
      for (int y = 0; y < nm; y++) A[x * nm + y] = T[member[x]][member[y]] - T[member[y]][member[x]];
    for (int x = 0; x < nm; x++)
      for (int y = 0; y < nm; y++) {
        double s = 0.0;
        for (int z = 0; z < nm; z++) s += A[x * nm + z] * A[z * nm + y];
        A2[x * nm + y] = s;
      }
    for (int x = 0; x < nm; x++) tr += A2[x * nm + x];
    const double l2 = -0.5 * tr;   /* tr(A_c²) = −2λ² for the spectra {0, ±λ}, {±λ} */
    tb->lam[c] = sqrt(l2);
    /* check A³ = −λ² A */
    for (int x = 0; x < nm; x++)
      for (int y = 0; y < nm; y++) {
        double s = 0.0;
        for (int z = 0; z < nm; z++) s += A2[x * nm + z] * A[z * nm + y];
        if (fabs(s + l2 * A[x * nm + y]) > 1e-12) tb->ok = 0;
      }
    off += nm * nm;
  }
  tb->start[tb->nc] = pos;
  /* parts: distinct λ ascending */
  for (int c = 0; c < tb->nc; c++) {
    int p = 0;
    while (p < tb->n_parts && fabs(tb->part_lam[p] - tb->lam[c]) > 1e-9) p++;
    if (p == tb->n_parts) {
      if (tb->n_parts == SD_MAX_PARTS) { tb->ok = 0; return; }
      tb->part_lam[tb->n_parts++] = tb->lam[c];
    }
  }
  for (int x = 1; x < tb->n_parts; x++)
    for (int y = x; y > 0 && tb->part_lam[y - 1] > tb->part_lam[y]; y--) {
      double t = tb->part_lam[y]; tb->part_lam[y] = tb->part_lam[y - 1]; tb->part_lam[y - 1] = t;
    }
  for (int c = 0; c < tb->nc; c++)
    for (int p = 0; p < tb->n_parts; p++)
      if (fabs(tb->part_lam[p] - tb->lam[c]) <= 1e-9) tb->part[c] = p;
}

static const sd_table *sd_get(const int *q, int *pos)
{
  int ranks[4], n_orb;
  const int key = sd_key(q, ranks, &n_orb);
  if (!atomic_load_explicit(&ready[key], memory_order_acquire)) {
#pragma omp critical(vqe_spin_double_tables)
    {
      if (!atomic_load_explicit(&ready[key], memory_order_relaxed)) {
        sd_build(&tables[key], ranks, n_orb);
        atomic_store_explicit(&ready[key], 1, memory_order_release);
      }
    }
  }
  if (pos) {
    /* local mode 2r + σ = qubit (orbital of rank r) + σ */
    for (int t = 0; t < 4; t++) { pos[2 * ranks[t]] = q[t]; pos[2 * ranks[t] + 1] = q[t] + 1; }
  }
  return &tables[key];
}

vqe_status circ_spin_double_check(const int *q, uint64_t parts, int n, vqe_error *err)
{
  for (int t = 0; t < 4; t++)
    if (q[t] < 0 || q[t] + 1 >= n)
      return vqe_error_set(err, VQE_ERR_INPUT, "SPIN_DOUBLE: orbital at qubits %d,%d is outside the circuit's %d qubits (allowed: alpha qubit 0 to %d)",
                           q[t], q[t] + 1, n, n - 2);
  for (int t = 0; t < 4; t++)
    for (int u = 0; u < t; u++) {
      const int same_side = (t < 2) == (u < 2);
      if (q[t] == q[u] && same_side) continue;          /* a = b or i = j */
      if (q[t] == q[u])
        return vqe_error_set(err, VQE_ERR_INPUT, "SPIN_DOUBLE: orbital at qubit %d is both created and annihilated (the creation orbitals a, b and annihilation orbitals j, i must differ)", q[t]);
      if (abs(q[t] - q[u]) < 2)
        return vqe_error_set(err, VQE_ERR_INPUT, "SPIN_DOUBLE: orbitals at qubits %d and %d overlap (each orbital takes its alpha qubit q and beta qubit q+1)",
                             q[u], q[t]);
    }
  const sd_table *tb = sd_get(q, NULL);
  if (!tb->ok)
    return vqe_error_set(err, VQE_ERR_INTERNAL, "SPIN_DOUBLE: local spectrum outside the {0, +-lambda} form (internal error)");
  if (parts >> tb->n_parts)
    return vqe_error_set(err, VQE_ERR_INPUT, "SPIN_DOUBLE: part mask 0x%llx, but this gate has %d spectral part%s (allowed: 0 = all, or bits 0..%d)",
                         (unsigned long long)parts, tb->n_parts, tb->n_parts > 1 ? "s" : "", tb->n_parts - 1);
  return VQE_OK;
}

int vqe_spin_double_parts(const int *q, double *lam) { return circ_spin_double_parts(q, lam); }

int circ_spin_double_parts(const int *q, double *lam)
{
  const sd_table *tb = sd_get(q, NULL);
  if (lam) for (int p = 0; p < tb->n_parts; p++) lam[p] = tb->part_lam[p];
  return tb->n_parts;
}

/* a ← D (M ⊗ 1) D a on the components of the selected parts (parts = 0: all), M_c given per component
 * at M + moff[c], times `factor`; with zero_rest the configurations outside the selected components are
 * set to zero (the generator), otherwise left alone (the exponential is the identity there). */
static void sd_kernel(const sd_table *tb, const int *pos, uint64_t parts, const double *M,
                      vqe_complex factor, int zero_rest, vqe_complex *a, int n, int par)
{
  const int k = tb->k;
  uint64_t off[256], below[SD_MAX_MODES];
  for (int t = 0; t < k; t++) below[t] = (UINT64_C(1) << pos[t]) - 1;
  for (int l = 0; l < (1 << k); l++) {
    uint64_t o = 0;
    for (int t = 0; t < k; t++) if (l >> t & 1) o |= UINT64_C(1) << pos[t];
    off[l] = o;
  }
  int sel[SD_MAX_COMP], ns = 0;
  for (int c = 0; c < tb->nc; c++)
    if (!parts || (parts >> tb->part[c] & 1)) sel[ns++] = c;
  uint8_t rest[256];
  int nr = 0;
  if (zero_rest) {
    uint8_t in[256] = { 0 };
    for (int s = 0; s < ns; s++)
      for (int x = tb->start[sel[s]]; x < tb->start[sel[s] + 1]; x++) in[tb->cfg[x]] = 1;
    for (int l = 0; l < (1 << k); l++) if (!in[l]) rest[nr++] = (uint8_t)l;
  }
  const int unit = factor == 1;
  const int64_t n_out = (int64_t)1 << (n - k), n_blk = (n_out + 63) / 64;
  uint64_t pm = 0;
  for (int t = 0; t < k; t++) pm |= UINT64_C(1) << pos[t];
  /* blocks of 64 groups: the zero-bit inserts once per block (pos[] is ascending), then the next group's
   * base is the next index with the mode bits clear */
#pragma omp parallel for schedule(static) if (par)
  for (int64_t ob = 0; ob < n_blk; ob++) {
    const int64_t o_end = (ob + 1) * 64 < n_out ? (ob + 1) * 64 : n_out;
    uint64_t base = sv_insert0n((uint64_t)(ob * 64), pos, k);
    for (int64_t o = ob * 64; o < o_end; o++, base = ((base | pm) + 1) & ~pm) {
      unsigned gm = 0;   /* bit t: parity of the occupied outside qubits below local mode t */
      for (int t = 0; t < k; t++) gm |= (unsigned)(__builtin_popcountll(base & below[t]) & 1) << t;
      for (int s = 0; s < ns; s++) {
        const int c = sel[s], d = tb->start[c + 1] - tb->start[c];
        const uint8_t *cf = tb->cfg + tb->start[c];
        const double *m = M + tb->moff[c];
        vqe_complex v[6];
        for (int x = 0; x < d; x++) {
          const vqe_complex z = a[base | off[cf[x]]];
          v[x] = (__builtin_popcount(cf[x] & gm) & 1) ? -z : z;
        }
        for (int x = 0; x < d; x++) {
          double re = 0.0, im = 0.0;
          for (int y = 0; y < d; y++) { re += m[x * d + y] * creal(v[y]); im += m[x * d + y] * cimag(v[y]); }
          const vqe_complex w = unit ? CMPLX(re, im) : sv_cmul(factor, CMPLX(re, im));
          a[base | off[cf[x]]] = (__builtin_popcount(cf[x] & gm) & 1) ? -w : w;
        }
      }
      for (int r = 0; r < nr; r++) a[base | off[rest[r]]] = 0;
    }
  }
}

void circ_spin_double_apply(const int *q, uint64_t parts, double angle, vqe_complex *a, int n, int par)
{
  int pos[SD_MAX_MODES];
  const sd_table *tb = sd_get(q, pos);
  double M[256 * 6];
  for (int c = 0; c < tb->nc; c++) {
    /* exp(θA_c) = 1 + sin(λθ)/λ A_c + (1 − cos(λθ))/λ² A_c² */
    const int d = tb->start[c + 1] - tb->start[c], mo = tb->moff[c];
    const double l = tb->lam[c], c2 = sin(l * angle) / l, c3 = (1.0 - cos(l * angle)) / (l * l);
    for (int x = 0; x < d * d; x++) M[mo + x] = c2 * tb->A[mo + x] + c3 * tb->A2[mo + x];
    for (int x = 0; x < d; x++) M[mo + x * d + x] += 1.0;
  }
  sd_kernel(tb, pos, parts, M, 1.0, 0, a, n, par);
}

void circ_spin_double_generator(const int *q, uint64_t parts, vqe_complex *a, int n, int par)
{
  /* G = i(T − T†) = iA */
  int pos[SD_MAX_MODES];
  const sd_table *tb = sd_get(q, pos);
  sd_kernel(tb, pos, parts, tb->A, I, 1, a, n, par);
}
