/* fused.c — ops that only passes create (no ONNX model names them at the
 * opsets nnc reads): Gelu, recognised from its erf formula, and Attention,
 * recognised from MatMul -> scale -> mask -> Softmax -> MatMul.
 *
 * Attention: A[..., Sq, D], B[..., D, Sk] (or K[..., Sk, D] with kt = 1),
 * V[..., Sk, Dv], optional additive mask M broadcast to [..., Sq, Sk], optional
 * select mask C (bool) with fill value -> Y[..., Sq, Dv]:
 *   S = scale_pre * (A B) * scale_post; S = S + M; S = C ? fill : S (or
 *   C ? S : fill with select_keep); Y = softmax(S) V */
#include "common.h"


#include <math.h>
#include <string.h>

/* ---- Gelu: y = x/2 (1 + erf(x / sqrt 2)) ---- */
void shape_gelu(Graph *g, Node *n)
{
    (void)g;
    op_require_float(n, 0);
    op_set_output(n, 0, n->in[0]->dtype, n->in[0]->rank, n->in[0]->dims);
}

void lower_gelu(Lowering *L, const Node *n)
{
    const Tensor *x = n->in[0];
    KParams p = {0};
    kp_type(L, &p, "T", x->dtype);
    kp_type(L, &p, "TY", x->dtype);
    kp_int(L, &p, "COUNT", tensor_numel(x));
    kp_int(L, &p, "PAR_CHUNK", OP_PAR_CHUNK);
    kp_str(L, &p, "EXPR", x->dtype == DT_FLOAT ? "(0.5f * va * (1.0f + erff(va * 0.70710678118654752440f)))"
                                               : "(0.5 * va * (1.0 + erf(va * 0.70710678118654752440)))");
    const char *fn = lower_kernel(L, n, "unary", &p);
    Tensor *args[2] = {n->in[0], n->out[0]};
    op_call_unary(L, fn, args);
}

void eval_gelu(Graph *g, Node *n)
{
    (void)g;
    for (int64_t i = 0; i < tensor_numel(n->out[0]); i++) {
        double v = tensor_get_double(n->in[0], i);
        tensor_set_double(n->out[0], i, 0.5 * v * (1 + erf(v / sqrt(2.0))));
    }
}

/* ---- Attention ---- */
int64_t flops_attention(const Node *n);
enum { ATT_A, ATT_B, ATT_V, ATT_MASK, ATT_COND };

typedef struct AttGeom {
    int64_t sq, sk, d, dv, batch;
    int kt;                       /* B given as K[..., Sk, D] */
    int yrank;
    int64_t ydims[NNC_MAX_RANK];
} AttGeom;

static void attention_geometry(const Node *n, AttGeom *g)
{
    const Tensor *a = n->in[ATT_A], *b = n->in[ATT_B], *v = n->in[ATT_V];
    g->kt = node_attr_int(n, "kt", 0) != 0;
    if (a->rank < 2 || b->rank < 2 || v->rank < 2) nnc_fail_node(n, "operands must have rank 2 or more");
    g->sq = a->dims[a->rank - 2];
    g->d = a->dims[a->rank - 1];
    g->sk = g->kt ? b->dims[b->rank - 2] : b->dims[b->rank - 1];
    int64_t db = g->kt ? b->dims[b->rank - 1] : b->dims[b->rank - 2];
    g->dv = v->dims[v->rank - 1];
    if (db != g->d || v->dims[v->rank - 2] != g->sk) nnc_fail_node(n, "inconsistent attention operands");
    const Tensor *yy = n->out[0];
    if (yy->rank < 2 || yy->dims[yy->rank - 2] != g->sq || yy->dims[yy->rank - 1] != g->dv)
        nnc_fail_node(n, "attention output does not match its operands");
    /* the batch dims follow the output of the original second MatMul */
    const Tensor *y = n->out[0];
    g->yrank = y->rank;
    memcpy(g->ydims, y->dims, sizeof g->ydims);
    g->batch = 1;
    for (int i = 0; i < y->rank - 2; i++) g->batch *= y->dims[i];
}

void shape_attention(Graph *g, Node *n)
{
    (void)g;
    /* created by pattern recognition with its output's shape already known */
    if (n->out[0]->rank < 2) nnc_fail_node(n, "attention output must have rank 2 or more");
    AttGeom a;
    attention_geometry(n, &a);
}

/* Element offset of batch t of tensor x (leading dims broadcast to y's batch). */
static int64_t *batch_offsets(Lowering *L, const Tensor *x, const AttGeom *g, int64_t inner)
{
    int64_t *off = arena_alloc_array(lower_arena(L), (size_t)g->batch + 1, sizeof(int64_t));
    int yb = g->yrank - 2, xb = x->rank - 2;
    for (int64_t t = 0; t < g->batch; t++) {
        int64_t rem = t, o = 0, stride = inner;
        for (int i = yb - 1, j = xb - 1; i >= 0; i--, j--) {
            int64_t idx = rem % g->ydims[i];
            rem /= g->ydims[i];
            if (j < 0) continue;
            if (x->dims[j] != 1) o += idx * stride;
            stride *= x->dims[j];
        }
        off[t] = o;
    }
    return off;
}

/* strides of a mask's last two dims (0 where it broadcasts) */
static void mask_strides(const Tensor *m, int64_t *si, int64_t *sj)
{
    int64_t dj = m->rank >= 1 ? m->dims[m->rank - 1] : 1, di = m->rank >= 2 ? m->dims[m->rank - 2] : 1;
    *sj = dj == 1 ? 0 : 1;
    *si = di == 1 ? 0 : dj;
}

/* two products (2*D and 2*Dv per score), scale and mask (2 per score), and
 * softmax (5 per score) */
int64_t flops_attention(const Node *n)
{
    AttGeom g;
    attention_geometry(n, &g);
    return g.batch * g.sq * g.sk * (2 * g.d + 2 * g.dv + 7);
}

/* Is the score at (batch t, row i, key j) -inf whatever the data, by the
 * constant masks? (C selecting an -inf FILL, or M = -inf not overridden.) */
static int attention_forced_ninf(const Node *n, const AttGeom *g, const int64_t *moff, const int64_t *coff,
                                 int64_t t, int64_t i, int64_t j)
{
    const Tensor *mask = node_input(n, ATT_MASK), *cond = node_input(n, ATT_COND);
    int64_t si = 0, sj = 0;
    (void)g;
    if (cond) {
        mask_strides(cond, &si, &sj);
        int c = tensor_get_int(cond, coff[t] + i * si + j * sj) != 0;
        if (node_attr_int(n, "select_keep", 0) != 0) c = !c;
        if (c) {
            double fill = node_attr_float(n, "fill", 0.0f);
            return isinf(fill) && fill < 0;
        }
    }
    if (!mask) return 0;
    mask_strides(mask, &si, &sj);
    double mv = tensor_get_double(mask, moff[t] + i * si + j * sj);
    return isinf(mv) && mv < 0;
}

/* Causality from constant masks: the smallest OFF such that every key
 * j > i + OFF is -inf for every batch and row i (returns SK - 1 when the
 * masks are absent, not constant, or hide nothing at the end of rows). */
static int64_t attention_causal_offset(const Node *n, const AttGeom *g, const int64_t *moff, const int64_t *coff)
{
    const Tensor *mask = node_input(n, ATT_MASK), *cond = node_input(n, ATT_COND);
    if ((!mask && !cond) || (mask && !mask->data) || (cond && !cond->data)) return g->sk - 1;
    int64_t off = -g->sq - 1;
    for (int64_t t = 0; t < g->batch; t++)
        for (int64_t i = 0; i < g->sq; i++) {
            int64_t j = g->sk - 1;
            while (j >= 0 && attention_forced_ninf(n, g, moff, coff, t, i, j)) j--;
            if (j - i > off) off = j - i;
        }
    return off;
}

/* Bind the vector kernel's blocking (QB query rows, also in *qb_out; DVP
 * padded accumulator rows) and causality; 0 when the target has no vector
 * kernel or its scratch (K tile, scores, accumulators) would pass 64 KB. */
static int attention_vec(Lowering *L, const Node *n, const AttGeom *g, KParams *p, const int64_t *moff,
                         const int64_t *coff, int64_t *qb_out)
{
    if (!lower_isa_has(L, "attention_vec") || n->in[ATT_A]->dtype != DT_FLOAT) return 0;
    int64_t dvp = (g->dv + 15) / 16 * 16, ktb = g->kt ? g->d * 16 * 4 : 0, qb = 8;
    while (qb > 1 && ktb + qb * (dvp * 4 + 64) > 65536) qb /= 2;
    if (ktb + qb * (dvp * 4 + 64) > 65536) return 0;
    if (qb > g->sq) qb = g->sq;
    int64_t off = attention_causal_offset(n, g, moff, coff);
    kp_int(L, p, "QB", qb);
    *qb_out = qb;
    kp_int(L, p, "DVP", dvp);
    kp_int(L, p, "CAUSAL", off < g->sk - 1);
    kp_int(L, p, "CAUSAL_OFF", off);
    return 1;
}

void lower_attention(Lowering *L, const Node *n)
{
    AttGeom g;
    attention_geometry(n, &g);
    DType t = n->in[ATT_A]->dtype;
    Tensor *mask = node_input(n, ATT_MASK), *cond = node_input(n, ATT_COND);
    KParams p = {0};
    kp_type(L, &p, "T", t);
    kp_str(L, &p, "EXP", t == DT_FLOAT ? "expf" : "exp");
    kp_int(L, &p, "BATCH", g.batch);
    kp_int(L, &p, "SQ", g.sq);
    kp_int(L, &p, "SK", g.sk);
    kp_int(L, &p, "D", g.d);
    kp_int(L, &p, "DV", g.dv);
    kp_int(L, &p, "KT", g.kt);
    kp_float(L, &p, "SCALE", (double)node_attr_float(n, "scale", 1.0f), t);
    kp_ints(L, &p, "AOFF", batch_offsets(L, n->in[ATT_A], &g, g.sq * g.d), (int)g.batch);
    kp_ints(L, &p, "BOFF", batch_offsets(L, n->in[ATT_B], &g, g.sk * g.d), (int)g.batch);
    kp_ints(L, &p, "VOFF", batch_offsets(L, n->in[ATT_V], &g, g.sk * g.dv), (int)g.batch);
    int64_t zero = 0, si = 0, sj = 0, ci = 0, cj = 0;
    kp_int(L, &p, "HAS_MASK", mask != NULL);
    if (mask) mask_strides(mask, &si, &sj);
    int64_t *moff = mask ? batch_offsets(L, mask, &g, (mask->rank >= 2 ? mask->dims[mask->rank - 2] : 1) *
                                                          (mask->rank >= 1 ? mask->dims[mask->rank - 1] : 1))
                         : &zero;
    kp_ints(L, &p, "MOFF", moff, mask ? (int)g.batch : 1);
    kp_int(L, &p, "MSI", si);
    kp_int(L, &p, "MSJ", sj);
    kp_int(L, &p, "HAS_COND", cond != NULL);
    if (cond) mask_strides(cond, &ci, &cj);
    int64_t *coff = cond ? batch_offsets(L, cond, &g, (cond->rank >= 2 ? cond->dims[cond->rank - 2] : 1) *
                                                          (cond->rank >= 1 ? cond->dims[cond->rank - 1] : 1))
                         : &zero;
    kp_ints(L, &p, "COFF", coff, cond ? (int)g.batch : 1);
    kp_int(L, &p, "CSI", ci);
    kp_int(L, &p, "CSJ", cj);
    kp_float(L, &p, "FILL", (double)node_attr_float(n, "fill", 0.0f), t);
    kp_int(L, &p, "KEEP", node_attr_int(n, "select_keep", 0) != 0);
    if (g.sk > 65536) nnc_fail_node(n, "attention over more than 65536 keys is not supported");
    int64_t qb = 1; /* units: blocks of qb query rows (attention_vec's QB; generic: rows) */
    int vec = attention_vec(L, n, &g, &p, moff, coff, &qb);
    const char *fn = lower_kernel(L, n, vec ? "attention_vec" : "attention", &p);
    Tensor *args[6] = {n->in[ATT_A], n->in[ATT_B], n->in[ATT_V], mask, cond, n->out[0]};
    op_call_par(L, fn, 6, args, g.batch * op_ceil_div(g.sq, qb > 0 ? qb : 1), flops_attention(n));
}
