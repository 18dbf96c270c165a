/* reduce.c — Softmax, LogSoftmax and the Reduce* family: axis handling
 * (including the opset < 13 softmax coercion to 2-D) and lowering. */
#include "common.h"

#include <string.h>

/* ---- softmax ---- */
void shape_softmax(Graph *g, Node *n)
{
    (void)g;
    const Tensor *x = n->in[0];
    op_require_float(n, 0);
    if (x->rank < 1) nnc_fail_node(n, "input must have rank 1 or more");
    op_axis(n, node_attr_int(n, "axis", n->opset < 13 ? 1 : -1), x->rank, 0);
    op_set_output(n, 0, x->dtype, x->rank, x->dims);
}

void lower_softmax(Lowering *L, const Node *n)
{
    const Tensor *x = n->in[0];
    int axis = op_axis(n, node_attr_int(n, "axis", n->opset < 13 ? 1 : -1), x->rank, 0);
    int64_t outer = 1, mid = 1, inner = 1;
    for (int i = 0; i < x->rank; i++) {
        if (i < axis) outer *= x->dims[i];
        else if (i == axis || n->opset < 13) mid *= x->dims[i]; /* opset < 13: [outer, rest] */
        else inner *= x->dims[i];
    }
    KParams p = {0};
    kp_type(L, &p, "T", x->dtype);
    kp_str(L, &p, "EXP", x->dtype == DT_FLOAT ? "expf" : "exp");
    kp_str(L, &p, "LOGF", x->dtype == DT_FLOAT ? "logf" : "log");
    kp_int(L, &p, "OUTER", outer);
    kp_int(L, &p, "AXIS_N", mid);
    kp_int(L, &p, "INNER", inner);
    kp_int(L, &p, "LOG", n->op == OP_LogSoftmax);
    if (tensor_numel(x) == 0) nnc_fail_node(n, "empty input");
    const char *fn = lower_kernel(L, n, "softmax", &p);
    Tensor *args[2] = {n->in[0], n->out[0]};
    lower_call(L, fn, 2, args, 0);
}

/* ---- reductions ---- */
/* Marks reduced axes in `red`; returns the output rank and shape. */
static int reduce_axes(Graph *g, const Node *n, char *red, int64_t *dims)
{
    const Tensor *x = n->in[0];
    const int64_t *ax = NULL;
    int nax = -1;
    if (node_input(n, 1)) {
        ax = op_const_ints(g, n, 1, &nax);
    } else {
        nax = node_attr_ints(n, "axes", &ax);
    }
    int noop = node_attr_int(n, "noop_with_empty_axes", 0) != 0;
    memset(red, 0, NNC_MAX_RANK);
    if (nax <= 0) {
        if (!noop)
            for (int i = 0; i < x->rank; i++) red[i] = 1;
    } else {
        for (int i = 0; i < nax; i++) {
            int a = op_axis(n, ax[i], x->rank, 0);
            if (red[a]) nnc_fail_node(n, "axis %lld is repeated", (long long)ax[i]);
            red[a] = 1;
        }
    }
    int keep = node_attr_int(n, "keepdims", 1) != 0, r = 0;
    for (int i = 0; i < x->rank; i++) {
        if (!red[i]) dims[r++] = x->dims[i];
        else if (keep) dims[r++] = 1;
    }
    return r;
}

void shape_reduce(Graph *g, Node *n)
{
    const Tensor *x = n->in[0];
    if (x->dtype == DT_BOOL) nnc_fail_node(n, "BOOL input is not supported");
    char red[NNC_MAX_RANK];
    int64_t dims[NNC_MAX_RANK];
    int r = reduce_axes(g, n, red, dims);
    for (int i = 0; i < x->rank; i++)
        if (red[i] && x->dims[i] == 0 && n->op == OP_ReduceMax)
            nnc_fail_node(n, "cannot take the maximum over an empty axis");
    op_set_output(n, 0, x->dtype, r, dims);
}

static void reduce_semantics(Lowering *L, KParams *p, const Node *n, int64_t count)
{
    DType t = n->in[0]->dtype;
    int fl = dtype_is_float(t);
    kp_type(L, p, "T", t);
    kp_str(L, p, "TACC", fl ? dtype_ctype(t) : (t == DT_UINT64 ? "uint64_t" : "int64_t"));
    switch (n->op) {
    case OP_ReduceMean:
        kp_str(L, p, "INIT", "0");
        kp_str(L, p, "ACC", "acc += v");
        kp_str(L, p, "FINAL", arena_printf(lower_arena(L), "acc / (TACC)%lld", (long long)(count ? count : 1)));
        break;
    case OP_ReduceMax:
        kp_str(L, p, "INIT", fl ? (t == DT_FLOAT ? "(-HUGE_VALF)" : "(-HUGE_VAL)") : "INT64_MIN");
        kp_str(L, p, "ACC", fl ? "if (v > acc || v != v) acc = v" : "if (v > acc) acc = v");
        kp_str(L, p, "FINAL", "acc");
        break;
    default: NNC_ASSERT(0);
    }
}

void lower_reduce(Lowering *L, const Node *n)
{
    const Tensor *x = n->in[0];
    char red[NNC_MAX_RANK];
    int64_t dims[NNC_MAX_RANK];
    reduce_axes(lower_graph(L), n, red, dims);
    int64_t str[NNC_MAX_RANK], kd[NNC_MAX_RANK], ks[NNC_MAX_RANK], rd[NNC_MAX_RANK], rs[NNC_MAX_RANK];
    op_dense_strides(x->rank, x->dims, str);
    int nk = 0, nr = 0;
    int64_t count = 1;
    for (int i = 0; i < x->rank; i++) {
        if (red[i]) {
            rd[nr] = x->dims[i];
            rs[nr++] = str[i];
            count *= x->dims[i];
        } else {
            kd[nk] = x->dims[i];
            ks[nk++] = str[i];
        }
    }
    KParams p = {0};
    reduce_semantics(L, &p, n, count);
    static const char *const sp[] = {"S"}, *const qp[] = {"Q"};
    int64_t *const sk[] = {ks}, *const sr[] = {rs};
    op_bind_loop(L, &p, n, "D", nk, kd, 1, sp, sk);
    op_bind_loop(L, &p, n, "R", nr, rd, 1, qp, sr);
    const char *fn = lower_kernel(L, n, "reduce", &p);
    Tensor *args[2] = {n->in[0], n->out[0]};
    lower_call(L, fn, 2, args, 0);
}

/* ---- reference semantics (constant folding) ---- */
void eval_reduce(Graph *g, Node *n)
{
    const Tensor *x = n->in[0];
    Tensor *y = n->out[0];
    char red[NNC_MAX_RANK];
    int64_t dims[NNC_MAX_RANK];
    reduce_axes(g, n, red, dims);
    int64_t cnt = tensor_numel(y), xn = tensor_numel(x);
    double *acc = arena_alloc_array(g->arena, (size_t)cnt + 1, sizeof(double));
    int64_t *hits = arena_alloc_array(g->arena, (size_t)cnt + 1, sizeof(int64_t));
    for (int64_t i = 0; i < xn; i++) {
        /* output index: the input index with reduced coordinates dropped */
        int64_t rem = i, o = 0, stride = 1;
        for (int d = x->rank - 1; d >= 0; d--) {
            int64_t c = rem % x->dims[d];
            rem /= x->dims[d];
            if (red[d]) continue;
            o += c * stride;
            stride *= x->dims[d];
        }
        double v = tensor_get_double(x, i);
        if (n->op == OP_ReduceMax) acc[o] = hits[o] == 0 || v > acc[o] || v != v ? v : acc[o];
        else acc[o] += v;
        hits[o]++;
    }
    for (int64_t o = 0; o < cnt; o++)
        tensor_set_double(y, o, n->op == OP_ReduceMean ? acc[o] / (double)(hits[o] ? hits[o] : 1) : acc[o]);
}
