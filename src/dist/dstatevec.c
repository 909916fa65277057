/* dstatevec.c — the distributed state vector of dstatevec.h: chunk layout, the pair exchange with the
 * partner rank, gates as two-level operations (local ones on the single-process kernels), Pauli sums,
 * reductions and the adjoint gradient. MPI calls only in d_exchange and the reductions (dist.h), so
 * the file also builds without MPI, where the state is one chunk on rank 0 of 1. */
#include "vqe_config.h"
#include "vqe/dstatevec.h"
#include "vqe/dist.h"
#include "circuit/circ_internal.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#if VQE_HAVE_MPI
#include <mpi.h>
#endif

#define BIT(q) (UINT64_C(1) << (q))
/* Largest message: 2^24 amplitudes = 2^28 bytes (MPI counts are int). VQE_MPI_MESSAGE_BYTES lowers
 * it (tests use it to exercise the chunking on small states). */
#define D_MSG_AMPS_MAX (UINT64_C(1) << 24)

#if VQE_HAVE_MPI
static uint64_t d_msg_amps(void)
{
  const char *e = getenv("VQE_MPI_MESSAGE_BYTES");
  if (e && *e) {
    const unsigned long long b = strtoull(e, NULL, 10) / 16u;
    if (b >= 1 && b < D_MSG_AMPS_MAX) return b;
  }
  return D_MSG_AMPS_MAX;
}
#endif

static vqe_dstatevec_comm d_comm;   /* counters for bench_mpi (diagnostic only) */

void vqe_dstatevec_comm_get(vqe_dstatevec_comm *c) { *c = d_comm; }
void vqe_dstatevec_comm_reset(void) { memset(&d_comm, 0, sizeof d_comm); }

/* ---- sizes and checks --------------------------------------------------------------------------- */

static int log2_exact(int v)
{
  int k = 0;
  while ((1 << k) < v) k++;
  return k;
}

uint64_t vqe_dstatevec_bytes_per_rank(int n, int count, int ranks)
{
  if (n < 1 || n > 62 || count < 1 || ranks < 1) return UINT64_MAX;
  const int k = log2_exact(ranks);
  if (k >= n) return UINT64_MAX;
  const uint64_t chunk = UINT64_C(16) << (n - k);
  const uint64_t nvec = (uint64_t)count + (ranks > 1 ? 1u : 0u);
  if (chunk > UINT64_MAX / nvec) return UINT64_MAX;
  return chunk * nvec;
}

vqe_status vqe_dstatevec_check_ranks(vqe_error *err)
{
  const int size = vqe_dist_size();
  if (size & (size - 1))
    return vqe_error_set(err, VQE_ERR_INPUT,
                         "a distributed state vector needs a power-of-two number of ranks (got %d; allowed: 1, 2, 4, 8, ...)", size);
  return VQE_OK;
}

vqe_status vqe_dstatevec_check(int n, int count, vqe_error *err)
{
  const int size = vqe_dist_size();
  if (n < 1 || n > VQE_STATEVEC_MAX_QUBITS)
    return vqe_error_set(err, VQE_ERR_INPUT, "state of %d qubits (allowed: 1 to %d)", n, VQE_STATEVEC_MAX_QUBITS);
  vqe_status rs = vqe_dstatevec_check_ranks(err);
  if (rs) return rs;
  const int k = log2_exact(size);
  if (k > n - 1)
    return vqe_error_set(err, VQE_ERR_INPUT,
                         "%d ranks are too many for a distributed state of %d qubits: each rank must hold at least 2 "
                         "amplitudes (allowed: at most 2^(n-1) = %d ranks)", size, n, 1 << (n - 1));
  const int per_node = vqe_dist_node_ranks();
  const uint64_t need = vqe_dstatevec_bytes_per_rank(n, count, size);
  const uint64_t avail = vqe_mem_available();
  vqe_status st = VQE_OK;
  if (avail && need > avail / (uint64_t)per_node) {
    const uint64_t share = avail / (uint64_t)per_node;
    int m = n;
    while (m > k + 1 && vqe_dstatevec_bytes_per_rank(m, count, size) > share) m--;
    char b1[32], b2[32];
    st = vqe_error_set(err, VQE_ERR_RESOURCE,
                       "%d state vectors of %d qubits over %d ranks need %s per rank (%d chunks of 2^%d amplitudes%s) but "
                       "only %s is available per rank (%d ranks on this node); the largest that fits is n = %d — use more "
                       "nodes or fewer ranks per node",
                       count, n, size, vqe_format_bytes(need, b1), count, n - k, size > 1 ? " plus an exchange buffer" : "",
                       vqe_format_bytes(share, b2), per_node, m);
  }
  return vqe_dist_agree(st, err);
}

/* ---- life cycle ------------------------------------------------------------------------------------ */

vqe_status vqe_dstatevec_init_many(vqe_dstatevec *s, int count, int n, vqe_error *err)
{
  for (int v = 0; v < count; v++) memset(&s[v], 0, sizeof s[v]);
  vqe_status st = vqe_dstatevec_check(n, count, err);
  if (st) return st;
  const int size = vqe_dist_size(), k = log2_exact(size);
  vqe_complex *buf = NULL;
  for (int v = 0; v < count && !st; v++) {
    s[v].n_qubits = n;
    s[v].n_global = k;
    s[v].n_local = n - k;
    s[v].rank = vqe_dist_rank();
    s[v].size = size;
    st = vqe_statevec_init(&s[v].local, n - k, err);
  }
  if (!st && size > 1) {
    buf = vqe_aligned_alloc((size_t)1 << (n - k), sizeof *buf);
    if (!buf) st = vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory for the exchange buffer (2^%d amplitudes)", n - k);
  }
  if (!st) {
    for (int v = 0; v < count; v++) s[v].buf = buf;
    s[0].owns_buf = buf != NULL;
    if (s[0].rank != 0) s[0].local.amp[0] = 0;   /* |0…0⟩ lives on rank 0 */
    for (int v = 1; v < count; v++)
      if (s[v].rank != 0) s[v].local.amp[0] = 0;
  }
  st = vqe_dist_agree(st, err);
  if (st) {
    vqe_free(buf);
    for (int v = 0; v < count; v++) { s[v].buf = NULL; s[v].owns_buf = 0; vqe_statevec_free(&s[v].local); }
  }
  return st;
}

vqe_status vqe_dstatevec_init(vqe_dstatevec *s, int n, vqe_error *err)
{
  return vqe_dstatevec_init_many(s, 1, n, err);
}

void vqe_dstatevec_free(vqe_dstatevec *s)
{
  if (!s) return;
  vqe_statevec_free(&s->local);
  if (s->owns_buf) vqe_free(s->buf);
  s->buf = NULL;
  s->owns_buf = 0;
}

void vqe_dstatevec_free_many(vqe_dstatevec *s, int count)
{
  for (int v = count; v-- > 0;) vqe_dstatevec_free(&s[v]);
}

vqe_status vqe_dstatevec_set_basis(vqe_dstatevec *s, uint64_t b, vqe_error *err)
{
  if (s->n_qubits < 64 && (b >> s->n_qubits))
    return vqe_error_set(err, VQE_ERR_INPUT, "basis state %llu outside a register of %d qubits",
                         (unsigned long long)b, s->n_qubits);
  const uint64_t dim = s->local.dim;
  memset(s->local.amp, 0, dim * sizeof *s->local.amp);
  if ((b >> s->n_local) == (uint64_t)s->rank) s->local.amp[b & (dim - 1)] = 1;
  return VQE_OK;
}

vqe_status vqe_dstatevec_copy(vqe_dstatevec *dst, const vqe_dstatevec *src, vqe_error *err)
{
  if (dst->n_qubits != src->n_qubits)
    return vqe_error_set(err, VQE_ERR_INPUT, "copy between distributed states of %d and %d qubits", src->n_qubits, dst->n_qubits);
  return vqe_statevec_copy(&dst->local, &src->local, err);
}

vqe_status vqe_dstatevec_scatter(vqe_dstatevec *s, const vqe_statevec *full, vqe_error *err)
{
  if (full->n_qubits != s->n_qubits)
    return vqe_error_set(err, VQE_ERR_INPUT, "scatter of a %d-qubit state into a distributed state of %d qubits",
                         full->n_qubits, s->n_qubits);
  memcpy(s->local.amp, full->amp + ((uint64_t)s->rank << s->n_local), s->local.dim * sizeof *s->local.amp);
  return VQE_OK;
}

vqe_status vqe_dstatevec_gather(const vqe_dstatevec *s, vqe_statevec *full, vqe_error *err)
{
  if (full->n_qubits != s->n_qubits)
    return vqe_error_set(err, VQE_ERR_INPUT, "gather of a distributed state of %d qubits into a %d-qubit state",
                         s->n_qubits, full->n_qubits);
  memset(full->amp, 0, full->dim * sizeof *full->amp);
  memcpy(full->amp + ((uint64_t)s->rank << s->n_local), s->local.amp, s->local.dim * sizeof *s->local.amp);
  /* every entry has one contributor: the sum is exact */
  vqe_dist_sum((double *)full->amp, 2 * full->dim);
  return VQE_OK;
}

/* ---- reductions --------------------------------------------------------------------------------- */

static vqe_complex d_allreduce_c(vqe_complex v)
{
  double t[2] = { creal(v), cimag(v) };
  if (vqe_dist_size() > 1) {
    vqe_dist_sum(t, 2);
    d_comm.reductions++;
  }
  return CMPLX(t[0], t[1]);
}

double vqe_dstatevec_norm2(const vqe_dstatevec *s)
{
  return creal(d_allreduce_c(vqe_statevec_norm2(&s->local)));
}

vqe_complex vqe_dstatevec_inner(const vqe_dstatevec *a, const vqe_dstatevec *b)
{
  return d_allreduce_c(vqe_statevec_inner(&a->local, &b->local));
}

vqe_complex vqe_dstatevec_amplitude(const vqe_dstatevec *s, uint64_t b)
{
  vqe_complex v = 0;
  if ((b >> s->n_local) == (uint64_t)s->rank) v = s->local.amp[b & (s->local.dim - 1)];
  return d_allreduce_c(v);
}

/* ---- the pair exchange ------------------------------------------------------------------------------- */

/* recv[0..m) ← the partner's send[0..m) (both ranks call this with each other as partner), in
 * messages of at most 2^28 bytes. */
static void d_exchange_n(const vqe_complex *send, vqe_complex *recv, uint64_t m, int partner)
{
#if VQE_HAVE_MPI
  const uint64_t piece = d_msg_amps();
  for (uint64_t o = 0; o < m; o += piece) {
    const int cnt = (int)(2 * (m - o < piece ? m - o : piece));
    MPI_Sendrecv(send + o, cnt, MPI_DOUBLE, partner, 17, recv + o, cnt, MPI_DOUBLE, partner, 17, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE);
    d_comm.messages++;
    d_comm.bytes_sent += (uint64_t)cnt * 8u;
  }
  d_comm.exchanges++;
#else
  (void)send; (void)recv; (void)m; (void)partner;
#endif
}

/* buf ← the partner rank's whole chunk `a`. */
static void d_exchange(const vqe_dstatevec *s, const vqe_complex *a, int partner)
{
  d_exchange_n(a, s->buf, s->local.dim, partner);
}

/* ---- two-level operations ---------------------------------------------------------------------------
 * For every b with (b & cmask) == cval, b' = b ⊕ flip (flip ⊆ cmask), σ = sign0·(−1)^{|b ∧ smask|}:
 *   a[b] ← u0 a[b] + σ u1 a[b'],   a[b'] ← σ u2 a[b] + u3 a[b'];
 * every amplitude in no pair is multiplied by `other` (1 for gates, 0 for generators). */
typedef struct {
  uint64_t cmask, cval, flip, smask;
  int sign0;
  vqe_complex u[4];
  vqe_complex other;
} d_op;

static void d_scale(vqe_complex *a, uint64_t dim, vqe_complex f, int par)
{
  if (f == 1) return;
  sv_k_scale(a, dim, f, par);
}

static void d_two_level(const vqe_dstatevec *s, vqe_complex *a, const d_op *op)
{
  const int nl = s->n_local, par = SV_PAR(nl);
  const uint64_t lm = BIT(nl) - 1, dim = s->local.dim, R = (uint64_t)s->rank;
  const uint64_t cm = op->cmask & lm, cv = op->cval & lm, fl = op->flip & lm, sm = op->smask & lm;
  const uint64_t cmg = op->cmask >> nl, cvg = op->cval >> nl, flg = op->flip >> nl, smg = op->smask >> nl;
  const vqe_complex u0 = op->u[0], u1 = op->u[1], u2 = op->u[2], u3 = op->u[3], ot = op->other;
  if (flg == 0) {
    if ((R & cmg) != cvg) { d_scale(a, dim, ot, par); return; }
    const int sg = sv_parity(R & smg) ? -op->sign0 : op->sign0;
#pragma omp parallel for schedule(static) if (par)
    for (int64_t i = 0; i < (int64_t)dim; i++) {
      const uint64_t b = (uint64_t)i;
      if ((b & cm) == cv) {
        const uint64_t b2 = b ^ fl;
        const double sig = sv_parity(b & sm) ? -sg : sg;
        const vqe_complex x = a[b], y = a[b2];
        a[b] = sv_cmul(u0, x) + sig * sv_cmul(u1, y);
        a[b2] = sig * sv_cmul(u2, x) + sv_cmul(u3, y);
      } else if ((b & cm) != (cv ^ fl) && ot != 1) {
        a[b] = sv_cmul(ot, a[b]);
      }
    }
    return;
  }
  int side;
  if ((R & cmg) == cvg) side = 0;
  else if ((R & cmg) == (cvg ^ flg)) side = 1;
  else { d_scale(a, dim, ot, par); return; }   /* the partner is outside every pair too */
  if (u1 == 0 && u2 == 0) {
    /* diagonal on the pairs (RZ, PHASE, CZ, … on a global qubit): no partner data needed */
    const uint64_t want = side ? cv ^ fl : cv;
    const vqe_complex f = side ? u3 : u0;
#pragma omp parallel for schedule(static) if (par)
    for (int64_t i = 0; i < (int64_t)dim; i++)
      a[i] = sv_cmul(((uint64_t)i & cm) == want ? f : ot, a[i]);
    return;
  }
  /* Each side needs the partner's amplitudes of the partner's own pair members: the local indices
   * with (b & cm) == want (cv on side 0, cv ⊕ fl on side 1), 2^(nl − |cm|) of them. b ↦ b ⊕ fl maps
   * one side's set onto the other's in increasing order, so both sides send their set packed in
   * index order (i ↦ insert the cm bits into i) and the i-th received amplitude pairs with the i-th
   * own one. With local condition bits (controls, occupations) that is half the chunk or less. */
  const uint64_t want = side ? cv ^ fl : cv;
  int pos[64];
  const int kc = sv_mask_positions(cm, pos);
  const uint64_t m = dim >> kc;
  vqe_complex *w = s->buf;
  if (kc == 0) {
    d_exchange(s, a, (int)(R ^ flg));
  } else {
    vqe_complex *pack = s->buf + m;                   /* m <= dim/2: the buffer holds both halves */
#pragma omp parallel for schedule(static) if (par)
    for (int64_t i = 0; i < (int64_t)m; i++) pack[i] = a[sv_insert0n((uint64_t)i, pos, kc) | want];
    d_exchange_n(pack, w, m, (int)(R ^ flg));
  }
  /* σ is that of the b side: its global bits are R (side 0) or R ⊕ flg (side 1) */
  const uint64_t Rb = side ? R ^ flg : R;
  const int sg = sv_parity(Rb & smg) ? -op->sign0 : op->sign0;
  if (ot != 1) {
#pragma omp parallel for schedule(static) if (par)
    for (int64_t i = 0; i < (int64_t)dim; i++)
      if (((uint64_t)i & cm) != want) a[i] = sv_cmul(ot, a[i]);
  }
#pragma omp parallel for schedule(static) if (par)
  for (int64_t i = 0; i < (int64_t)m; i++) {
    const uint64_t b = sv_insert0n((uint64_t)i, pos, kc) | want;
    const uint64_t bb = side ? b ^ fl : b;            /* local bits of the b side */
    const double sig = sv_parity(bb & sm) ? -sg : sg;
    if (!side) a[b] = sv_cmul(u0, a[b]) + sig * sv_cmul(u1, w[i]);
    else a[b] = sig * sv_cmul(u2, w[i]) + sv_cmul(u3, a[b]);
  }
}

/* a ← α a + β P a for P = i^{|x∧z|} X^x Z^z: (P a)[b] = i^{|x∧z|} (−1)^{|(b⊕x)∧z|} a[b⊕x]. */
static void d_pauli_comb(const vqe_dstatevec *s, vqe_complex *a, uint64_t x, uint64_t z, vqe_complex alpha,
                         vqe_complex beta)
{
  const int nl = s->n_local, par = SV_PAR(nl);
  const uint64_t lm = BIT(nl) - 1, dim = s->local.dim, R = (uint64_t)s->rank;
  const uint64_t xl = x & lm, zl = z & lm, xg = x >> nl, zg = z >> nl;
  if (xg == 0) {
    /* the global Z bits are a sign per rank; the phase i^{|x∧z|} only involves local bits */
    sv_k_pauli_comb(a, nl, xl, zl, alpha, sv_parity(R & zg) ? -beta : beta, par);
    return;
  }
  static const vqe_complex ip[4] = { 1, I, -1, -I };
  const vqe_complex bp = sv_cmul(beta, ip[__builtin_popcountll(x & z) & 3]);
  const vqe_complex bs = sv_parity((R ^ xg) & zg) ? -bp : bp;
  d_exchange(s, a, (int)(R ^ xg));
  const vqe_complex *w = s->buf;
#pragma omp parallel for schedule(static) if (par)
  for (int64_t i = 0; i < (int64_t)dim; i++) {
    const uint64_t b2 = (uint64_t)i ^ xl;
    a[i] = sv_cmul(alpha, a[i]) + (sv_parity(b2 & zl) ? -1.0 : 1.0) * sv_cmul(bs, w[b2]);
  }
}

/* ---- gates ------------------------------------------------------------------------------------------ */

enum { D_APPLY = 0, D_INVERSE = 1, D_GENERATOR = 2 };

/* The primitive's matrix (apply, inverse or generator) in its own k-qubit register (bit j = q[j]). */
static vqe_status prim_matrix(const circ_prim *p, int k, int mode, vqe_complex *m, vqe_error *err)
{
  circ_prim lp = *p;
  for (int j = 0; j < k; j++) lp.q[j] = j;
  const int d = 1 << k;
  vqe_complex col[16];
  for (int c = 0; c < d; c++) {
    for (int i = 0; i < d; i++) col[i] = (i == c);
    if (mode == D_APPLY) circ_prim_apply(&lp, col, k, 0);
    else if (mode == D_INVERSE) circ_prim_apply_inverse(&lp, col, k, 0);
    else {
      vqe_status st = circ_row_of(lp.kind)->generator(&lp, col, k, 0, err);
      if (st) return st;
    }
    for (int i = 0; i < d; i++) m[i * d + c] = col[i];
  }
  return VQE_OK;
}

static uint64_t map_mask(uint64_t local, const int *q, int k)
{
  uint64_t m = 0;
  for (int j = 0; j < k; j++)
    if (local >> j & 1) m |= BIT(q[j]);
  return m;
}

/* The two-level form of a fermionic excitation (pair rotation of statevec.h) at angle t. */
static void fermi_op(int single, const int *q, int mode, double t, double gen_scale, d_op *op)
{
  uint64_t zero, one, sm;
  int s0;
  if (single) sv_fermi_single_masks(q[0], q[1], &zero, &one, &sm, &s0);
  else sv_fermi_double_masks(q[0], q[1], q[2], q[3], &zero, &one, &sm, &s0);
  op->cmask = zero | one;
  op->cval = one;
  op->flip = zero | one;
  op->smask = sm;
  op->sign0 = s0;
  if (mode == D_GENERATOR) {
    op->u[0] = 0; op->u[1] = CMPLX(0.0, -gen_scale); op->u[2] = CMPLX(0.0, gen_scale); op->u[3] = 0;
    op->other = 0;
  } else {
    if (mode == D_INVERSE) t = -t;
    op->u[0] = cos(t); op->u[1] = -sin(t); op->u[2] = sin(t); op->u[3] = cos(t);
    op->other = 1;
  }
}

static vqe_status no_dist_form(size_t i, const vqe_gate *g, const vqe_dstatevec *s, vqe_error *err)
{
  return vqe_error_set(err, VQE_ERR_INPUT, "%s (gate %zu) acts on qubits up to %d, but with %d ranks only qubits 0..%d are local "
                       "and this gate has no distributed form: use fewer ranks, or an ansatz of two-level gates "
                       "(uccsd, kupccgsd, gatefabric, hea) instead of sa-uccsd",
                       vqe_gate_info_of(g->kind)->name, i, 63 - __builtin_clzll(circ_gate_support(g)), 1 << (s->n_qubits - s->n_local),
                       s->n_local - 1);
}

vqe_status vqe_dstatevec_check_circuit(const vqe_circuit *c, const vqe_dstatevec *s, vqe_error *err)
{
  for (size_t i = 0; i < c->n_gates; i++)
    if (c->gates[i].kind == VQE_GATE_SPIN_DOUBLE && (circ_gate_support(&c->gates[i]) >> s->n_local))
      return no_dist_form(i, &c->gates[i], s, err);
  return VQE_OK;
}

static vqe_status d_prim(const circ_prim *p, vqe_dstatevec *s, int mode, vqe_error *err)
{
  const int nl = s->n_local;
  vqe_complex *a = s->local.amp;
  if ((circ_prim_support(p) >> nl) == 0) {
    /* all local: the single-process kernels on the chunk */
    const int par = SV_PAR(nl);
    if (mode == D_APPLY) circ_prim_apply(p, a, nl, par);
    else if (mode == D_INVERSE) circ_prim_apply_inverse(p, a, nl, par);
    else return circ_row_of(p->kind)->generator(p, a, nl, par, err);
    return VQE_OK;
  }
  d_op op;
  memset(&op, 0, sizeof op);
  op.sign0 = 1;
  switch (p->kind) {
  case VQE_GATE_PAULI_ROT: {
    if (mode == D_GENERATOR) d_pauli_comb(s, a, p->x, p->z, 0, 0.5);
    else {
      const double t = mode == D_INVERSE ? -p->angle : p->angle;
      d_pauli_comb(s, a, p->x, p->z, cos(0.5 * t), CMPLX(0.0, -sin(0.5 * t)));
    }
    return VQE_OK;
  }
  case VQE_GATE_FERMI_SINGLE: case VQE_GATE_FERMI_DOUBLE:
    fermi_op(p->kind == VQE_GATE_FERMI_SINGLE, p->q, mode, p->angle, 1.0, &op);
    d_two_level(s, a, &op);
    return VQE_OK;
  case VQE_GATE_ORBITAL_ROT: {
    /* = FERMI_SINGLE(φ/2; q0,q2)·FERMI_SINGLE(φ/2; q1,q3); generator: the sum of the two halves */
    const int qa[2] = { p->q[0], p->q[2] }, qb[2] = { p->q[1], p->q[3] };
    d_op ob;
    fermi_op(1, qa, mode, 0.5 * p->angle, 0.5, &op);
    fermi_op(1, qb, mode, 0.5 * p->angle, 0.5, &ob);
    if (mode != D_GENERATOR) {
      d_two_level(s, a, &op);
      d_two_level(s, a, &ob);
      return VQE_OK;
    }
    vqe_statevec t;
    vqe_status st = vqe_dist_agree(vqe_statevec_init(&t, nl, err), err);
    if (st) { vqe_statevec_free(&t); return st; }
    memcpy(t.amp, a, s->local.dim * sizeof *a);
    d_two_level(s, a, &op);
    d_two_level(s, t.amp, &ob);
    const int par = SV_PAR(nl);
#pragma omp parallel for schedule(static) if (par)
    for (int64_t b = 0; b < (int64_t)s->local.dim; b++) a[b] += t.amp[b];
    vqe_statevec_free(&t);
    return VQE_OK;
  }
  case VQE_GATE_SPIN_DOUBLE: {
    vqe_gate g;
    memset(&g, 0, sizeof g);
    g.kind = p->kind;
    memcpy(g.q, p->q, sizeof g.q);
    return no_dist_form(0, &g, s, err);
  }
  default: break;
  }
  /* non-fermionic gates on q[]: the pair pattern in the gate's own register, then its matrix */
  const circ_row *r = circ_row_of(p->kind);
  const int k = r->info.n_qubits;
  uint64_t lcm, lcv, lfl;
  switch (p->kind) {
  case VQE_GATE_CNOT: case VQE_GATE_CZ: case VQE_GATE_CRX: case VQE_GATE_CRY: case VQE_GATE_CRZ: case VQE_GATE_CPHASE:
    lcm = 3; lcv = 1; lfl = 2; break;                   /* control q0 = 1, pair on the target */
  case VQE_GATE_SWAP: lcm = 3; lcv = 1; lfl = 3; break;   /* |q0=1,q1=0⟩ ↔ |q0=0,q1=1⟩ */
  case VQE_GATE_SINGLE_EXC: lcm = 3; lcv = 2; lfl = 3; break;
  case VQE_GATE_DOUBLE_EXC: lcm = 15; lcv = 12; lfl = 15; break;
  default:
    if (k != 1) return vqe_error_set(err, VQE_ERR_INTERNAL, "gate %s has no distributed form", r->info.name);
    lcm = 1; lcv = 0; lfl = 1; break;                   /* any 1-qubit gate */
  }
  vqe_complex m[256];
  vqe_status st = prim_matrix(p, k, mode, m, err);
  if (st) return st;
  const int d = 1 << k;
  const uint64_t iv = lcv, iw = lcv ^ lfl;
  op.cmask = map_mask(lcm, p->q, k);
  op.cval = map_mask(lcv, p->q, k);
  op.flip = map_mask(lfl, p->q, k);
  op.u[0] = m[iv * d + iv]; op.u[1] = m[iv * d + iw]; op.u[2] = m[iw * d + iv]; op.u[3] = m[iw * d + iw];
  op.other = 1;
  for (uint64_t io = 0; io < (uint64_t)d; io++)
    if ((io & lcm) != lcv && (io & lcm) != iw) { op.other = m[io * d + io]; break; }
  d_two_level(s, a, &op);
  return VQE_OK;
}

static vqe_status check_run(const vqe_circuit *c, const double *theta, const vqe_dstatevec *s, vqe_error *err)
{
  if (!s || !s->local.amp)
    return vqe_error_set(err, VQE_ERR_INPUT, "distributed state is not initialised (use vqe_dstatevec_init)");
  if (c->n_qubits != s->n_qubits)
    return vqe_error_set(err, VQE_ERR_INPUT, "circuit of %d qubits run on a distributed state of %d qubits", c->n_qubits, s->n_qubits);
  if (c->n_params > 0 && !theta)
    return vqe_error_set(err, VQE_ERR_INPUT, "circuit has %d parameters but no parameter vector was given", c->n_params);
  return VQE_OK;
}

static vqe_status d_gate(const vqe_circuit *c, size_t i, const double *theta, vqe_dstatevec *s, int inverse,
                         vqe_error *err)
{
  double v[3];
  circ_prim f[4];
  int amap[4];
  circ_gate_values(&c->gates[i], theta, v);
  const int nf = circ_prims(&c->gates[i], v, f, amap);
  vqe_status st = VQE_OK;
  if (!inverse)
    for (int j = 0; j < nf && !st; j++) st = d_prim(&f[j], s, D_APPLY, err);
  else
    for (int j = nf - 1; j >= 0 && !st; j--) st = d_prim(&f[j], s, D_INVERSE, err);
  return st;
}

vqe_status vqe_dstatevec_apply_circuit(const vqe_circuit *c, const double *theta, vqe_dstatevec *s, vqe_error *err)
{
  vqe_status st = check_run(c, theta, s, err);
  for (size_t i = 0; i < c->n_gates && !st; i++) st = d_gate(c, i, theta, s, 0, err);
  return st;
}

vqe_status vqe_dstatevec_apply_gate(const vqe_circuit *c, size_t i, const double *theta, vqe_dstatevec *s,
                                    vqe_error *err)
{
  vqe_status st = check_run(c, theta, s, err);
  if (!st && i >= c->n_gates)
    st = vqe_error_set(err, VQE_ERR_INPUT, "gate index %zu outside a circuit of %zu gates", i, c->n_gates);
  return st ? st : d_gate(c, i, theta, s, 0, err);
}

vqe_status vqe_dstatevec_apply_gate_inverse(const vqe_circuit *c, size_t i, const double *theta,
                                            vqe_dstatevec *s, vqe_error *err)
{
  vqe_status st = check_run(c, theta, s, err);
  if (!st && i >= c->n_gates)
    st = vqe_error_set(err, VQE_ERR_INPUT, "gate index %zu outside a circuit of %zu gates", i, c->n_gates);
  return st ? st : d_gate(c, i, theta, s, 1, err);
}

vqe_status vqe_dstatevec_apply_generator(const vqe_circuit *c, size_t i, int a, const double *theta,
                                         vqe_dstatevec *s, vqe_error *err)
{
  vqe_status st = check_run(c, theta, s, err);
  if (!st && i >= c->n_gates)
    st = vqe_error_set(err, VQE_ERR_INPUT, "gate index %zu outside a circuit of %zu gates", i, c->n_gates);
  if (st) return st;
  const vqe_gate *g = &c->gates[i];
  const circ_row *r = circ_row_of(g->kind);
  if (a < 0 || a >= r->info.n_angles)
    return vqe_error_set(err, VQE_ERR_INPUT, "gate %zu (%s) has no angle %d (it has %d)", i, r->info.name, a, r->info.n_angles);
  double v[3];
  circ_prim f[4];
  int amap[4];
  circ_gate_values(g, theta, v);
  const int nf = circ_prims(g, v, f, amap);
  int j = 0;
  while (j < nf && amap[j] != a) j++;
  /* G̃ = F_m⋯F_{j+1} G_j (F_m⋯F_{j+1})^†, as circuit.c */
  for (int k = nf - 1; k > j && !st; k--) st = d_prim(&f[k], s, D_INVERSE, err);
  if (!st) st = d_prim(&f[j], s, D_GENERATOR, err);
  for (int k = j + 1; k < nf && !st; k++) st = d_prim(&f[k], s, D_APPLY, err);
  return st;
}

/* ---- Pauli sums --------------------------------------------------------------------------------------- */

typedef struct { uint64_t xg, xl, z; double c; } d_term;

static int cmp_term(const void *pa, const void *pb)
{
  const d_term *a = pa, *b = pb;
  if (a->xg != b->xg) return a->xg < b->xg ? -1 : 1;
  if (a->xl != b->xl) return a->xl < b->xl ? -1 : 1;
  return (a->z > b->z) - (a->z < b->z);
}

/* Visit the sum grouped by the global part of x (one exchange each) and then by the local part:
 * for each (xg, xl) group call fn with the source chunk (own or the partner's) and the group's
 * per-term factors κ_t = c_t i^{|x∧z_t|} (−1)^{|(R⊕xg) ∧ z_t,global|} and local z masks. */
typedef void (*d_group_fn)(void *ctx, const vqe_dstatevec *s, const vqe_complex *src, uint64_t xl,
                           int nt, const vqe_complex *kappa, const uint64_t *zl);

static vqe_status d_pauli_groups(const vqe_dstatevec *s, const vqe_pauli_sum *h, d_group_fn fn, void *ctx,
                                 vqe_error *err)
{
  if (h->n_qubits != s->n_qubits)
    return vqe_error_set(err, VQE_ERR_INPUT, "Pauli sum of %d qubits on a distributed state of %d qubits", h->n_qubits, s->n_qubits);
  const int nl = s->n_local;
  const uint64_t lm = BIT(nl) - 1, R = (uint64_t)s->rank;
  const size_t T = h->n_terms;
  d_term *t = malloc((T ? T : 1) * sizeof *t);
  vqe_complex *kappa = malloc((T ? T : 1) * sizeof *kappa);
  uint64_t *zl = malloc((T ? T : 1) * sizeof *zl);
  vqe_status st = (!t || !kappa || !zl) ? vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory sorting %zu Pauli terms", T) : VQE_OK;
  if ((st = vqe_dist_agree(st, err))) goto out;
  for (size_t i = 0; i < T; i++) {
    const vqe_pauli_term *p = &h->terms[i];
    t[i] = (d_term){ p->x >> nl, p->x & lm, p->z, p->coeff };
  }
  qsort(t, T, sizeof *t, cmp_term);
  static const vqe_complex ip[4] = { 1, I, -1, -I };
  for (size_t g0 = 0; g0 < T;) {
    size_t g1 = g0;
    while (g1 < T && t[g1].xg == t[g0].xg) g1++;
    const uint64_t xg = t[g0].xg;
    const vqe_complex *src = s->local.amp;
    if (xg) {
      d_exchange(s, s->local.amp, (int)(R ^ xg));
      src = s->buf;
    }
    for (size_t s0 = g0; s0 < g1;) {
      size_t s1 = s0;
      while (s1 < g1 && t[s1].xl == t[s0].xl) s1++;
      for (size_t i = s0; i < s1; i++) {
        const uint64_t x = (xg << nl) | t[i].xl;
        const vqe_complex k = t[i].c * ip[__builtin_popcountll(x & t[i].z) & 3];
        kappa[i - s0] = sv_parity((R ^ xg) & (t[i].z >> nl)) ? -k : k;
        zl[i - s0] = t[i].z & lm;
      }
      fn(ctx, s, src, t[s0].xl, (int)(s1 - s0), kappa, zl);
      s0 = s1;
    }
    g0 = g1;
  }
out:
  free(t); free(kappa); free(zl);
  return st;
}

/* f(b) = Σ_t κ_t (−1)^{|(b⊕xl) ∧ zl_t|} */
static inline vqe_complex d_factor(uint64_t b2, int nt, const vqe_complex *kappa, const uint64_t *zl)
{
  vqe_complex f = 0;
  for (int t = 0; t < nt; t++) f += sv_parity(b2 & zl[t]) ? -kappa[t] : kappa[t];
  return f;
}

typedef struct { vqe_complex sum; } d_expect_ctx;

static void d_expect_group(void *vctx, const vqe_dstatevec *s, const vqe_complex *src, uint64_t xl, int nt,
                           const vqe_complex *kappa, const uint64_t *zl)
{
  d_expect_ctx *ctx = vctx;
  const uint64_t dim = s->local.dim;
  const int cq = s->n_local < SV_REDUCE_CHUNK_QUBITS ? s->n_local : SV_REDUCE_CHUNK_QUBITS;
  const int64_t nch = (int64_t)(dim >> cq), clen = (int64_t)1 << cq;
  vqe_complex *part = malloc((size_t)nch * sizeof *part);
  const vqe_complex *a = s->local.amp;
  vqe_complex total = 0;
  /* fixed chunks summed in order: independent of the thread count */
#pragma omp parallel for schedule(static) if (SV_PAR(s->n_local) && part)
  for (int64_t ch = 0; ch < nch; ch++) {
    vqe_complex acc = 0;
    for (int64_t i = ch * clen; i < (ch + 1) * clen; i++) {
      const uint64_t b2 = (uint64_t)i ^ xl;
      acc += sv_cmul(conj(a[i]), sv_cmul(src[b2], d_factor(b2, nt, kappa, zl)));
    }
    if (part) part[ch] = acc;
    else {
#pragma omp critical
      total += acc;
    }
  }
  if (part) for (int64_t ch = 0; ch < nch; ch++) total += part[ch];
  free(part);
  ctx->sum += total;
}

vqe_status vqe_dstatevec_expect_pauli_sum(const vqe_dstatevec *s, const vqe_pauli_sum *h, double projector,
                                          double *e, vqe_error *err)
{
  d_expect_ctx ctx = { 0 };
  vqe_status st = d_pauli_groups(s, h, d_expect_group, &ctx, err);
  if (st) return st;
  if (projector != 0.0 && s->rank == 0) {
    const double a0 = cabs(s->local.amp[0]);
    ctx.sum += projector * a0 * a0;
  }
  *e = creal(d_allreduce_c(ctx.sum));
  return VQE_OK;
}

typedef struct { vqe_complex *out; } d_apply_ctx;

static void d_apply_group(void *vctx, const vqe_dstatevec *s, const vqe_complex *src, uint64_t xl, int nt,
                          const vqe_complex *kappa, const uint64_t *zl)
{
  vqe_complex *out = ((d_apply_ctx *)vctx)->out;
#pragma omp parallel for schedule(static) if (SV_PAR(s->n_local))
  for (int64_t i = 0; i < (int64_t)s->local.dim; i++) {
    const uint64_t b2 = (uint64_t)i ^ xl;
    out[i] += sv_cmul(src[b2], d_factor(b2, nt, kappa, zl));
  }
}

vqe_status vqe_dstatevec_apply_pauli_sum(const vqe_dstatevec *in, const vqe_pauli_sum *h, double projector,
                                         vqe_dstatevec *out, vqe_error *err)
{
  if (in == out || in->local.amp == out->local.amp)
    return vqe_error_set(err, VQE_ERR_INPUT, "H|psi>: the output must be another state than the input");
  if (out->n_qubits != in->n_qubits)
    return vqe_error_set(err, VQE_ERR_INPUT, "H|psi>: states of %d and %d qubits", in->n_qubits, out->n_qubits);
  memset(out->local.amp, 0, out->local.dim * sizeof *out->local.amp);
  d_apply_ctx ctx = { out->local.amp };
  vqe_status st = d_pauli_groups(in, h, d_apply_group, &ctx, err);
  if (!st && projector != 0.0 && in->rank == 0) out->local.amp[0] += projector * in->local.amp[0];
  return st;
}

/* ---- adjoint gradient --------------------------------------------------------------------------------- */

vqe_status vqe_dstatevec_gradient(const vqe_circuit *c, const vqe_pauli_sum *h, double projector,
                                  uint64_t reference, const double *theta, vqe_dstatevec work[3],
                                  double *energy, double *grad, vqe_error *err)
{
  vqe_dstatevec *phi = &work[0], *lam = &work[1], *mu = &work[2];
  vqe_status st = vqe_dstatevec_set_basis(phi, reference, err);
  if (!st) st = vqe_dstatevec_apply_circuit(c, theta, phi, err);
  if (!st) st = vqe_dstatevec_apply_pauli_sum(phi, h, projector, lam, err);
  if (st) return st;
  *energy = creal(vqe_dstatevec_inner(phi, lam));
  memset(grad, 0, (size_t)c->n_params * sizeof *grad);
  for (size_t i = c->n_gates; i-- > 0;) {
    const vqe_gate *g = &c->gates[i];
    const int na = vqe_gate_info_of(g->kind)->n_angles;
    for (int a = 0; a < na; a++) {
      if (g->angle[a].param < 0) continue;
      if ((st = vqe_dstatevec_copy(mu, phi, err))) return st;
      if ((st = vqe_dstatevec_apply_generator(c, i, a, theta, mu, err))) return st;
      /* ∂E/∂α = 2 Im⟨λ|G̃|φ⟩ */
      grad[g->angle[a].param] += g->angle[a].coeff * 2.0 * cimag(vqe_dstatevec_inner(lam, mu));
    }
    if ((st = vqe_dstatevec_apply_gate_inverse(c, i, theta, phi, err))) return st;
    if ((st = vqe_dstatevec_apply_gate_inverse(c, i, theta, lam, err))) return st;
  }
  return VQE_OK;
}

/* ---- spin observables ---------------------------------------------------------------------------- */

vqe_status vqe_dstatevec_spin_observables(const vqe_dstatevec *s, vqe_dstatevec scratch[2], vqe_spin_observables *o,
                                          vqe_error *err)
{
  const int n = s->n_qubits;
  if (n % 2)
    return vqe_error_set(err, VQE_ERR_INPUT, "spin observables need interleaved spin orbitals (an even qubit count, got %d)", n);
  const uint64_t alpha = UINT64_C(0x5555555555555555) & ((n < 64 ? BIT(n) : 0) - 1), beta = alpha << 1;
  const uint64_t hi = (uint64_t)s->rank << s->n_local;
  const vqe_complex *a = s->local.amp;
  double m[4] = { 0, 0, 0, 0 };   /* norm, N, S_z, S_z² */
  /* fixed chunks summed in order: independent of the thread count */
  const int cq = s->n_local < SV_REDUCE_CHUNK_QUBITS ? s->n_local : SV_REDUCE_CHUNK_QUBITS;
  const int64_t nch = (int64_t)(s->local.dim >> cq), clen = (int64_t)1 << cq;
  double *part = malloc((size_t)nch * 4 * sizeof *part);
  const vqe_status ast = vqe_dist_agree(part ? VQE_OK : vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory"), err);
  if (ast) { free(part); return ast; }
#pragma omp parallel for schedule(static) if (SV_PAR(s->n_local))
  for (int64_t ch = 0; ch < nch; ch++) {
    double acc[4] = { 0, 0, 0, 0 };
    for (int64_t i = ch * clen; i < (ch + 1) * clen; i++) {
      const uint64_t b = hi | (uint64_t)i;
      const double p = creal(a[i]) * creal(a[i]) + cimag(a[i]) * cimag(a[i]);
      const double sz = 0.5 * (__builtin_popcountll(b & alpha) - __builtin_popcountll(b & beta));
      acc[0] += p;
      acc[1] += p * __builtin_popcountll(b);
      acc[2] += p * sz;
      acc[3] += p * sz * sz;
    }
    for (int j = 0; j < 4; j++) part[4 * ch + j] = acc[j];
  }
  for (int64_t ch = 0; ch < nch; ch++)
    for (int j = 0; j < 4; j++) m[j] += part[4 * ch + j];
  free(part);
  /* S_+ψ = Σ_p a†_{pα} a_{pβ} ψ: amplitude of b (β of p occupied, α empty) moves to b ⊕ (3 << 2p) */
  vqe_dstatevec *acc = &scratch[0], *t = &scratch[1];
  memset(acc->local.amp, 0, acc->local.dim * sizeof *acc->local.amp);
  for (int p = 0; 2 * p + 1 < n; p++) {
    vqe_status st = vqe_dstatevec_copy(t, s, err);
    if (st) return st;
    const d_op op = { UINT64_C(3) << (2 * p), UINT64_C(2) << (2 * p), UINT64_C(3) << (2 * p), 0, 1, { 0, 0, 1, 0 }, 0 };
    d_two_level(t, t->local.amp, &op);
#pragma omp parallel for schedule(static) if (SV_PAR(s->n_local))
    for (int64_t i = 0; i < (int64_t)acc->local.dim; i++) acc->local.amp[i] += t->local.amp[i];
  }
  vqe_dist_sum(m, 4);
  if (vqe_dist_size() > 1) d_comm.reductions++;
  const double smsp = vqe_dstatevec_norm2(acc);
  if (!(m[0] > 0)) return vqe_error_set(err, VQE_ERR_COMPUTE, "spin observables of a zero state");
  o->n = m[1] / m[0];
  o->sz = m[2] / m[0];
  o->s2 = (smsp + m[3] + m[2]) / m[0];
  return VQE_OK;
}
