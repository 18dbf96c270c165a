/* gemm.c — Gemm and MatMul: shapes (with MatMul's numpy batch broadcasting
 * and 1-D promotion) and lowering to the gemm / matmul templates. */
#include "common.h"
#include "gemm_tile.h"

#include <stdlib.h>
#include <string.h>

/* Gemm: A[M,K] (transA: [K,M]), B[K,N] (transB: [N,K]), C ~ [M,N] -> Y[M,N] */
static void gemm_dims(const Node *n, int64_t *m, int64_t *k, int64_t *nn)
{
    const Tensor *a = n->in[0], *b = node_input(n, 1);
    if (a->rank != 2 || b->rank != 2) nnc_fail_node(n, "A and B must be 2-D (got rank %d and %d)", a->rank, b->rank);
    int ta = node_attr_int(n, "transA", 0) != 0, tb = node_attr_int(n, "transB", 0) != 0;
    *m = a->dims[ta ? 1 : 0];
    *k = a->dims[ta ? 0 : 1];
    int64_t kb = b->dims[tb ? 1 : 0];
    *nn = b->dims[tb ? 0 : 1];
    if (kb != *k) nnc_fail_node(n, "inner dimensions differ: %lld vs %lld", (long long)*k, (long long)kb);
}

void shape_gemm(Graph *g, Node *n)
{
    (void)g;
    op_require_float(n, 0);
    op_same_types(n, 0, 2);
    int64_t m, k, nn;
    gemm_dims(n, &m, &k, &nn);
    int64_t dims[2] = {m, nn};
    if (node_input(n, 2)) {
        const Tensor *c = node_input(n, 2);
        if (c->rank > 2) nnc_fail_node(n, "C must have rank 2 or less");
        for (int i = 0; i < c->rank; i++) {
            int64_t want = dims[2 - c->rank + i];
            if (c->dims[i] != 1 && c->dims[i] != want)
                nnc_fail_node(n, "C %s does not broadcast to [%lld,%lld]", shape_str(g->arena, c), (long long)m,
                              (long long)nn);
        }
    }
    op_set_output(n, 0, n->in[0]->dtype, 2, dims);
}

/* Gemm: K multiplies and K-1 adds per output, one more add for C, and a
 * multiply each for alpha and beta when they are not 1. */
int64_t flops_gemm(const Node *n)
{
    int64_t m, k, nn;
    gemm_dims(n, &m, &k, &nn);
    int has_c = node_input(n, 2) != NULL;
    int64_t per = 2 * k - 1 + has_c + (node_attr_float(n, "alpha", 1.0f) != 1.0f) +
                  (has_c && node_attr_float(n, "beta", 1.0f) != 1.0f);
    return per * m * nn + flops_epilogue(n);
}

/* SIMD targets: float Gemm on the packed-GEMM tile. */
static int lower_gemm_simd(Lowering *L, const Node *n, KParams *p, int64_t m, int64_t k, int64_t nn)
{
    TileShape ts;
    if (!tile_shape(L, &ts) || n->in[0]->dtype != DT_FLOAT) return 0;
    const Tensor *b = node_input(n, 1), *c = node_input(n, 2);
    float alpha = node_attr_float(n, "alpha", 1.0f), beta = node_attr_float(n, "beta", 1.0f);
    int64_t csm = 0, csn = 0;
    for (int i = 0; i < p->n; i++) {
        if (strcmp(p->key[i], "CSM") == 0) csm = strtoll(p->val[i], NULL, 10);
        if (strcmp(p->key[i], "CSN") == 0) csn = strtoll(p->val[i], NULL, 10);
    }
    int mode = !c ? 0 : beta == 1.0f && csm == 0 && csn == 1 ? 1 : beta == 1.0f && csm == 1 && csn == 0 ? 2 : 3;
    kp_int(L, p, "C_MODE", mode);
    int tb = node_attr_int(n, "transB", 0) != 0;
    const char *bref = NULL;
    if (b->data) bref = tile_pack_b(L, n, b->data, k, nn, tb ? 1 : nn, tb ? k : 1, alpha, ts.nr);
    kp_int(L, p, "B_PACKED", bref != NULL);
    Tensor *res = tile_bind(L, p, n, &ts);
    const char *fn = lower_kernel(L, n, "gemm_packed", p);
    const char *args[6] = {lower_ref(L, n->in[0]), bref ? bref : lower_ref(L, b), c ? lower_ref(L, c) : NULL,
                           res ? lower_ref(L, res) : NULL, lower_ref(L, n->out[0]),
                           bref ? NULL : lower_scratch(L, (int64_t)ts.kc * ts.nc * (int64_t)sizeof(float))};
    lower_call_par(L, fn, 6, args, tile_units(&ts, m, nn), 2 * m * k * nn);
    return 1;
}

/* Columns per work unit of the generic gemm template (a multiple of 4, its
 * dot products' group): a batch-1 linear layer splits too. */
#define GEMM_NCH 64

void lower_gemm(Lowering *L, const Node *n)
{
    int64_t m, k, nn;
    gemm_dims(n, &m, &k, &nn);
    DType t = n->in[0]->dtype;
    const Tensor *c = node_input(n, 2);
    KParams p = {0};
    kp_type(L, &p, "T", t);
    kp_int(L, &p, "M", m);
    kp_int(L, &p, "N", nn);
    kp_int(L, &p, "K", k);
    kp_int(L, &p, "TRANS_A", node_attr_int(n, "transA", 0) != 0);
    kp_int(L, &p, "TRANS_B", node_attr_int(n, "transB", 0) != 0);
    kp_float(L, &p, "ALPHA", node_attr_float(n, "alpha", 1.0f), t);
    kp_float(L, &p, "BETA", node_attr_float(n, "beta", 1.0f), t);
    kp_int(L, &p, "HAS_C", c != NULL);
    int64_t ys[2] = {m, nn}, cs[2] = {0, 0};
    if (c) op_broadcast_strides(c, 2, ys, cs);
    kp_int(L, &p, "CSM", cs[0]);
    kp_int(L, &p, "CSN", cs[1]);
    if (lower_gemm_simd(L, n, &p, m, k, nn)) return;
    kp_int(L, &p, "NCH", GEMM_NCH);
    Tensor *res = op_bind_epilogue(L, &p, n, t);
    const char *fn = lower_kernel(L, n, "gemm", &p);
    const char *args[5] = {lower_ref(L, n->in[0]), lower_ref(L, n->in[1]), c ? lower_ref(L, c) : NULL,
                           res ? lower_ref(L, res) : NULL, lower_ref(L, n->out[0])};
    lower_call_par(L, fn, 5, args, m * ((nn + GEMM_NCH - 1) / GEMM_NCH), 2 * m * k * nn);
}

/* MatMul: A[..., M, K] x B[..., K, N] -> Y[broadcast(...), M, N]; a 1-D A is
 * [1, K] with M dropped from Y, a 1-D B is [K, 1] with N dropped. */
typedef struct MatMulGeom {
    int64_t m, k, n;
    int brank;                      /* batch rank of Y */
    int64_t bdims[NNC_MAX_RANK];    /* batch dims of Y */
    int64_t astr[NNC_MAX_RANK], bstr[NNC_MAX_RANK]; /* batch strides (elements) */
} MatMulGeom;

static void matmul_geometry(const Node *n, MatMulGeom *g, int *yrank, int64_t *ydims)
{
    const Tensor *a = n->in[0], *b = node_input(n, 1);
    if (a->rank < 1 || b->rank < 1) nnc_fail_node(n, "operands must have rank 1 or more");
    g->m = a->rank == 1 ? 1 : a->dims[a->rank - 2];
    g->k = a->dims[a->rank - 1];
    int64_t kb = b->rank == 1 ? b->dims[0] : b->dims[b->rank - 2];
    g->n = b->rank == 1 ? 1 : b->dims[b->rank - 1];
    if (kb != g->k) nnc_fail_node(n, "inner dimensions differ: %lld vs %lld", (long long)g->k, (long long)kb);
    int ra = a->rank > 2 ? a->rank - 2 : 0, rb = b->rank > 2 ? b->rank - 2 : 0;
    g->brank = ra > rb ? ra : rb;
    int64_t sa = g->m * g->k, sb = g->k * g->n;
    for (int i = g->brank - 1; i >= 0; i--) {
        int ia = i - (g->brank - ra), ib = i - (g->brank - rb);
        int64_t da = ia >= 0 ? a->dims[ia] : 1, db = ib >= 0 ? b->dims[ib] : 1;
        if (da != db && da != 1 && db != 1)
            nnc_fail_node(n, "batch dimensions %lld and %lld do not broadcast", (long long)da, (long long)db);
        g->bdims[i] = da == 1 ? db : da;
        g->astr[i] = da == 1 ? 0 : sa;
        g->bstr[i] = db == 1 ? 0 : sb;
        sa *= da;
        sb *= db;
    }
    *yrank = 0;
    for (int i = 0; i < g->brank; i++) ydims[(*yrank)++] = g->bdims[i];
    if (a->rank > 1) ydims[(*yrank)++] = g->m;
    if (b->rank > 1) ydims[(*yrank)++] = g->n;
}

void shape_matmul(Graph *gr, Node *n)
{
    (void)gr;
    op_same_types(n, 0, 1);
    DType t = n->in[0]->dtype;
    if (t == DT_BOOL) nnc_fail_node(n, "BOOL operands are not supported");
    MatMulGeom g;
    int r;
    int64_t dims[NNC_MAX_RANK + 2];
    matmul_geometry(n, &g, &r, dims);
    op_set_output(n, 0, t, r, dims);
}

/* MatMul: K multiplies and K-1 adds per output element. */
int64_t flops_matmul(const Node *n)
{
    const Tensor *a = n->in[0];
    int64_t k = a->dims[a->rank - 1];
    return (2 * k - 1) * tensor_numel(n->out[0]) + flops_epilogue(n);
}

/* SIMD targets: float MatMul on the packed-GEMM tile; a constant B shared
 * by every batch is packed at compile time, and then batches of A that
 * follow one another in memory are one taller product. */
static int lower_matmul_simd(Lowering *L, const Node *n, const MatMulGeom *g, int64_t batch, int64_t *ao,
                             int64_t *bo)
{
    TileShape ts;
    if (!tile_shape(L, &ts) || n->in[0]->dtype != DT_FLOAT) return 0;
    const Tensor *b = node_input(n, 1);
    int shared_b = 1, dense_a = 1;
    for (int64_t t = 0; t < batch; t++) {
        shared_b &= bo[t] == 0;
        dense_a &= ao[t] == t * g->m * g->k;
    }
    const char *bref = NULL;
    if (b->data && shared_b) bref = tile_pack_b(L, n, b->data, g->k, g->n, g->n, 1, 1.0f, ts.nr);
    int64_t m = g->m;
    if (bref && dense_a) {
        m *= batch;
        batch = 1;
    }
    KParams p = {0};
    kp_type(L, &p, "T", DT_FLOAT);
    kp_int(L, &p, "BATCH", batch);
    kp_int(L, &p, "M", m);
    kp_int(L, &p, "N", g->n);
    kp_int(L, &p, "K", g->k);
    kp_ints(L, &p, "AOFF", ao, (int)batch);
    kp_ints(L, &p, "BOFF", bo, (int)batch);
    Tensor *bias = n->epi.bias ? n->in[n->epi.bias] : NULL;
    kp_int(L, &p, "HAS_BIAS", bias != NULL);
    kp_int(L, &p, "B_PACKED", bref != NULL);
    Tensor *res = tile_bind(L, &p, n, &ts);
    const char *fn = lower_kernel(L, n, "matmul_packed", &p);
    const char *args[6] = {lower_ref(L, n->in[0]), bref ? bref : lower_ref(L, b), bias ? lower_ref(L, bias) : NULL,
                           res ? lower_ref(L, res) : NULL, lower_ref(L, n->out[0]),
                           bref ? NULL : lower_scratch(L, (int64_t)ts.kc * ts.nc * (int64_t)sizeof(float))};
    lower_call_par(L, fn, 6, args, batch * tile_units(&ts, m, g->n), 2 * batch * m * g->k * g->n);
    return 1;
}

void lower_matmul(Lowering *L, const Node *n)
{
    MatMulGeom g;
    int r;
    int64_t dims[NNC_MAX_RANK + 2];
    matmul_geometry(n, &g, &r, dims);
    int64_t batch = 1;
    for (int i = 0; i < g.brank; i++) batch *= g.bdims[i];
    Arena *a = lower_arena(L);
    int64_t *ao = arena_alloc_array(a, (size_t)batch + 1, sizeof(int64_t));
    int64_t *bo = arena_alloc_array(a, (size_t)batch + 1, sizeof(int64_t));
    for (int64_t t = 0; t < batch; t++) {
        int64_t rem = t;
        for (int i = g.brank - 1; i >= 0; i--) {
            int64_t idx = rem % g.bdims[i];
            rem /= g.bdims[i];
            ao[t] += idx * g.astr[i];
            bo[t] += idx * g.bstr[i];
        }
    }
    KParams p = {0};
    if (lower_matmul_simd(L, n, &g, batch, ao, bo)) return;
    kp_type(L, &p, "T", n->in[0]->dtype);
    kp_int(L, &p, "BATCH", batch);
    kp_int(L, &p, "M", g.m);
    kp_int(L, &p, "N", g.n);
    kp_int(L, &p, "K", g.k);
    kp_ints(L, &p, "AOFF", ao, (int)batch);
    kp_ints(L, &p, "BOFF", bo, (int)batch);
    Tensor *bias = n->epi.bias ? n->in[n->epi.bias] : NULL;
    kp_int(L, &p, "HAS_BIAS", bias != NULL);
    Tensor *res = op_bind_epilogue(L, &p, n, n->in[0]->dtype);
    const char *fn = lower_kernel(L, n, "matmul", &p);
    const char *args[5] = {lower_ref(L, n->in[0]), lower_ref(L, n->in[1]), bias ? lower_ref(L, bias) : NULL,
                           res ? lower_ref(L, res) : NULL, lower_ref(L, n->out[0])};
    lower_call_par(L, fn, 5, args, batch * g.m, 2 * batch * g.m * g.k * g.n);
}
