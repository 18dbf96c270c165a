/* common.c — see common.h. */
#include "common.h"

#include <string.h>

int op_axis(const Node *n, int64_t axis, int rank, int inclusive)
{
    int64_t lim = rank + (inclusive ? 1 : 0);
    if (axis < -(int64_t)rank || axis >= lim)
        nnc_fail_node(n, "axis %lld is out of range for rank %d", (long long)axis, rank);
    return (int)(axis < 0 ? axis + rank : axis);
}

int64_t *op_const_ints(Graph *g, const Node *n, int k, int *count)
{
    const Tensor *t = k < n->n_in ? n->in[k] : NULL;
    if (!t) nnc_fail_node(n, "input %d is required", k);
    if (!t->data) nnc_fail_node(n, "input '%s' must be a constant (computed at compile time)", t->name);
    if (dtype_is_float(t->dtype) || t->rank > 1)
        nnc_fail_node(n, "input '%s' must be a 1-D integer tensor", t->name);
    int64_t cnt = tensor_numel(t);
    int64_t *v = arena_alloc_array(g->arena, (size_t)cnt + 1, sizeof(int64_t));
    for (int64_t i = 0; i < cnt; i++) v[i] = tensor_get_int(t, i);
    *count = (int)cnt;
    return v;
}

int64_t *op_opt_const_ints(Graph *g, const Node *n, int k, int *count)
{
    if (k >= n->n_in || !n->in[k]) {
        *count = -1;
        return NULL;
    }
    return op_const_ints(g, n, k, count);
}

void op_same_types(const Node *n, int first, int last)
{
    for (int k = first; k <= last && k < n->n_in; k++)
        if (n->in[k] && n->in[k]->dtype != n->in[first]->dtype)
            nnc_fail_node(n, "input '%s' is %s but input '%s' is %s", n->in[k]->name, dtype_name(n->in[k]->dtype),
                          n->in[first]->name, dtype_name(n->in[first]->dtype));
}

void op_require_float(const Node *n, int k)
{
    if (!dtype_is_float(n->in[k]->dtype))
        nnc_fail_node(n, "input '%s' must be a float tensor, not %s", n->in[k]->name, dtype_name(n->in[k]->dtype));
}

int op_broadcast(const Node *n, const Tensor *a, const Tensor *b, int64_t *out)
{
    int r = a->rank > b->rank ? a->rank : b->rank;
    for (int i = 0; i < r; i++) {
        int ia = i - (r - a->rank), ib = i - (r - b->rank);
        int64_t da = ia >= 0 ? a->dims[ia] : 1, db = ib >= 0 ? b->dims[ib] : 1;
        if (da != db && da != 1 && db != 1)
            nnc_fail_node(n, "cannot broadcast '%s' and '%s' (dimension %d: %lld vs %lld)", a->name, b->name, i,
                          (long long)da, (long long)db);
        out[i] = da == 1 ? db : da;
    }
    return r;
}

void op_set_output(const Node *n, int k, DType dt, int rank, const int64_t *dims)
{
    if (k >= n->n_out || !n->out[k]) return;
    if (rank > NNC_MAX_RANK) nnc_fail_node(n, "output rank %d exceeds %d", rank, NNC_MAX_RANK);
    for (int i = 0; i < rank; i++)
        if (dims[i] < 0) nnc_fail_node(n, "output dimension %d is negative (%lld)", i, (long long)dims[i]);
    int64_t cnt = 1;
    for (int i = 0; i < rank; i++)
        if (!checked_mul_i64(cnt, dims[i], &cnt) || cnt > NNC_MAX_ELEMS)
            nnc_fail_node(n, "output '%s' is too large", n->out[k]->name);
    tensor_set_shape(n->out[k], dt, rank, dims);
}

void op_dense_strides(int rank, const int64_t *dims, int64_t *strides)
{
    int64_t s = 1;
    for (int i = rank - 1; i >= 0; i--) {
        strides[i] = s;
        s *= dims[i];
    }
}

void op_broadcast_strides(const Tensor *t, int rank, const int64_t *out, int64_t *strides)
{
    int64_t dense[NNC_MAX_RANK];
    op_dense_strides(t->rank, t->dims, dense);
    for (int i = 0; i < rank; i++) {
        int it = i - (rank - t->rank);
        strides[i] = (it < 0 || (t->dims[it] == 1 && out[i] != 1)) ? 0 : dense[it];
    }
}

static const char *activation_expr(Lowering *L, const Epilogue *e, DType t, const char *x)
{
    Arena *a = lower_arena(L);
    const char *f = t == DT_FLOAT ? "f" : "", *T = dtype_ctype(t);
    switch (e->act) {
    case EPI_ACT_NONE: return x;
    case EPI_ACT_RELU: return arena_printf(a, "(%s < 0 ? (%s)0 : %s)", x, T, x);
    case EPI_ACT_LEAKY_RELU:
        return arena_printf(a, "(%s < 0 ? %s * %s : %s)", x, c_float_literal(a, e->alpha, t), x, x);
    case EPI_ACT_CLIP:
        return arena_printf(a, "(%s < %s ? %s : (%s > %s ? %s : %s))", x, c_float_literal(a, e->alpha, t),
                            c_float_literal(a, e->alpha, t), x, c_float_literal(a, e->beta, t),
                            c_float_literal(a, e->beta, t), x);
    case EPI_ACT_SIGMOID: return arena_printf(a, "((%s)1 / ((%s)1 + exp%s(-%s)))", T, T, f, x);
    case EPI_ACT_TANH: return arena_printf(a, "tanh%s(%s)", f, x);
    case EPI_ACT_ELU: return arena_printf(a, "(%s < 0 ? %s * expm1%s(%s) : %s)", x, c_float_literal(a, e->alpha, t), f, x, x);
    case EPI_ACT_GELU: return arena_printf(a, "((%s)0.5 * %s * ((%s)1 + erf%s(%s * (%s)0.70710678118654752440)))", T, x, T, f, x, T);
    case EPI_ACT_SILU: return arena_printf(a, "(%s / ((%s)1 + exp%s(-%s)))", x, T, f, x);
    }
    NNC_ASSERT(0);
    return x;
}

Tensor *op_bind_epilogue(Lowering *L, KParams *p, const Node *n, DType t)
{
    const Epilogue *e = &n->epi;
    Tensor *res = e->residual ? n->in[e->residual] : NULL;
    const char *x;
    if (!res) x = activation_expr(L, e, t, "v");
    else if (e->act_first) x = arena_printf(lower_arena(L), "(%s + r)", activation_expr(L, e, t, "v"));
    else x = activation_expr(L, e, t, "(v + r)");
    kp_int(L, p, "HAS_EPI", e->act != EPI_ACT_NONE || res);
    kp_int(L, p, "HAS_RES", res != NULL);
    kp_str(L, p, "EPI_EXPR", x);
    return res;
}

int64_t flops_zero(const Node *n)
{
    (void)n;
    return 0;
}

static const Tensor *first_output(const Node *n)
{
    for (int k = 0; k < n->n_out; k++)
        if (n->out[k]) return n->out[k];
    return NULL;
}

int64_t flops_per_output(const Node *n)
{
    int64_t f = 0;
    for (int k = 0; k < n->n_out; k++)
        if (n->out[k]) f += tensor_numel(n->out[k]);
    return f;
}

int64_t flops_per_input(const Node *n) { return tensor_numel(n->in[0]); }
int64_t flops_softmax(const Node *n) { return 5 * tensor_numel(n->in[0]); }
int64_t flops_norm(const Node *n) { return 8 * tensor_numel(n->in[0]); }

int64_t flops_epilogue(const Node *n)
{
    const Tensor *y = first_output(n);
    int per = (n->epi.bias != 0) + (n->epi.residual != 0) + (n->epi.act != EPI_ACT_NONE);
    return y ? per * tensor_numel(y) : 0;
}

int64_t op_bcast_offset(const Tensor *in, const Tensor *out, int64_t o)
{
    int64_t off = 0, stride = 1;
    for (int i = out->rank - 1, j = in->rank - 1; i >= 0; i--, j--) {
        int64_t idx = o % out->dims[i];
        o /= out->dims[i];
        if (j < 0) continue;
        if (in->dims[j] != 1) off += idx * stride;
        stride *= in->dims[j];
    }
    return off;
}

void eval_copy(Graph *g, Node *n)
{
    (void)g;
    memcpy(n->out[0]->data, n->in[0]->data, (size_t)tensor_bytes(n->out[0]));
}

int64_t op_bind_loop(Lowering *L, KParams *p, const Node *n, const char *dprefix, int rank, const int64_t *dims,
                     int nstr, const char *const *prefixes, int64_t *const *strides)
{
    /* merge dim i into i-1 when every operand is contiguous across them */
    int64_t d[NNC_MAX_RANK], s[4][NNC_MAX_RANK];
    int r = 0;
    for (int i = 0; i < rank; i++) {
        if (dims[i] == 1) continue; /* size-1 dims vanish */
        int merge = r > 0;
        for (int k = 0; k < nstr && merge; k++) merge = s[k][r - 1] == strides[k][i] * dims[i];
        if (merge) {
            d[r - 1] *= dims[i];
            for (int k = 0; k < nstr; k++) s[k][r - 1] = strides[k][i];
        } else {
            d[r] = dims[i];
            for (int k = 0; k < nstr; k++) s[k][r] = strides[k][i];
            r++;
        }
    }
    if (r > LOOP_RANK) nnc_fail_node(n, "needs a %d-dimensional strided loop; at most %d are supported", r, LOOP_RANK);
    int pad = LOOP_RANK - r;
    for (int i = 0; i < LOOP_RANK; i++) {
        int src = i - pad;
        kp_int(L, p, arena_printf(lower_arena(L), "%s%d", dprefix, i), src >= 0 ? d[src] : 1);
        for (int k = 0; k < nstr; k++)
            kp_int(L, p, arena_printf(lower_arena(L), "%s%d", prefixes[k], i), src >= 0 ? s[k][src] : 0);
    }
    return r > 0 ? d[r - 1] : 1;
}

int64_t op_ceil_div(int64_t a, int64_t b)
{
    NNC_ASSERT(a >= 0 && b > 0);
    return a / b + (a % b != 0);
}

void op_call_par(Lowering *L, const char *fn, int nargs, Tensor *const *args, int64_t units, int64_t cost)
{
    NNC_ASSERT(nargs <= 16 && units >= 0);
    if (units == 0) return;
    const char *refs[16];
    for (int i = 0; i < nargs; i++) refs[i] = args[i] ? lower_ref(L, args[i]) : NULL;
    lower_call_par(L, fn, nargs, refs, units, cost);
}

void op_call_unary(Lowering *L, const char *fn, Tensor *const *args)
{
    int64_t count = tensor_numel(args[1]);
    op_call_par(L, fn, 2, args, op_ceil_div(count, OP_PAR_CHUNK), count);
}

void op_call_transpose(Lowering *L, const Node *n, KParams *p, int64_t d5)
{
    kp_int(L, p, "PAR_CHUNK", OP_PAR_CHUNK);
    const char *fn = lower_kernel(L, n, "transpose", p);
    Tensor *args[2] = {n->in[0], n->out[0]};
    int64_t count = tensor_numel(n->out[0]);
    op_call_par(L, fn, 2, args, d5 ? count / d5 * op_ceil_div(d5, OP_PAR_CHUNK) : 0, count);
}
