/* norm.c — InstanceNormalization, LayerNormalization and LRN: attribute and
 * shape checks and lowering. (BatchNormalization lives with the pools.)
 * Statistics are computed in double by the kernels; inputs are float types. */
#include "common.h"


/* ---- InstanceNormalization ---- */
/* InstanceNormalization: input[N, C, D1...], scale[C], B[C] -> output like input */
void shape_instancenorm(Graph *g, Node *n)
{
    (void)g;
    const Tensor *x = n->in[0];
    op_require_float(n, 0);
    op_same_types(n, 0, 2);
    if (x->rank < 2) nnc_fail_node(n, "input must have rank 2 or more ([N, C, ...])");
    for (int k = 1; k < 3; k++) {
        const Tensor *t = n->in[k];
        if (t->rank != 1 || t->dims[0] != x->dims[1])
            nnc_fail_node(n, "input '%s' must have shape [%lld]", t->name, (long long)x->dims[1]);
    }
    if (!(node_attr_float(n, "epsilon", 1e-5f) >= 0)) nnc_fail_node(n, "epsilon must not be negative");
    op_set_output(n, 0, x->dtype, x->rank, x->dims);
}

void lower_instancenorm(Lowering *L, const Node *n)
{
    const Tensor *x = n->in[0];
    if (tensor_numel(x) == 0) return;
    KParams p = {0};
    kp_type(L, &p, "T", x->dtype);
    kp_int(L, &p, "N", x->dims[0]);
    kp_int(L, &p, "C", x->dims[1]);
    kp_int(L, &p, "INNER", tensor_numel(x) / (x->dims[0] * x->dims[1]));
    kp_float(L, &p, "EPS", node_attr_float(n, "epsilon", 1e-5f), DT_DOUBLE);
    const char *fn = lower_kernel(L, n, "instancenorm", &p);
    Tensor *args[4] = {n->in[0], n->in[1], n->in[2], n->out[0]};
    op_call_par(L, fn, 4, args, x->dims[0] * x->dims[1], flops_norm(n)); /* units: (n, c) slices */
}

/* ---- LayerNormalization ---- */
/* Normalised axis and the stash type (type of Mean and InvStdDev). */
static int layernorm_axis(const Node *n, DType *stash)
{
    int64_t st = node_attr_int(n, "stash_type", DT_FLOAT);
    if (st != DT_FLOAT && st != DT_DOUBLE)
        nnc_fail_node(n, "stash_type %lld is not supported (FLOAT or DOUBLE)", (long long)st);
    *stash = (DType)st;
    return op_axis(n, node_attr_int(n, "axis", -1), n->in[0]->rank, 0);
}

/* Scale or B must broadcast to X's shape without changing it. */
static void check_broadcasts_to(Graph *g, const Node *n, const Tensor *t, const Tensor *x)
{
    int ok = t->rank <= x->rank;
    for (int i = 0; ok && i < t->rank; i++) {
        int64_t d = t->dims[i], xd = x->dims[x->rank - t->rank + i];
        ok = d == 1 || d == xd;
    }
    if (!ok)
        nnc_fail_node(n, "input '%s' %s does not broadcast to X's shape %s", t->name, shape_str(g->arena, t),
                      shape_str(g->arena, x));
}

/* LayerNormalization: X, Scale, [B] -> Y like X, [Mean], [InvStdDev] of shape
 * X.dims[:axis] + [1] * (rank - axis) and the stash type. */
void shape_layernorm(Graph *g, Node *n)
{
    const Tensor *x = n->in[0];
    op_require_float(n, 0);
    op_same_types(n, 0, 2);
    if (x->rank < 1) nnc_fail_node(n, "X must have rank 1 or more");
    DType stash;
    int axis = layernorm_axis(n, &stash);
    check_broadcasts_to(g, n, n->in[1], x);
    if (node_input(n, 2)) check_broadcasts_to(g, n, n->in[2], x);
    if (!(node_attr_float(n, "epsilon", 1e-5f) >= 0)) nnc_fail_node(n, "epsilon must not be negative");
    int64_t dims[NNC_MAX_RANK];
    for (int i = 0; i < x->rank; i++) dims[i] = i < axis ? x->dims[i] : 1;
    op_set_output(n, 0, x->dtype, x->rank, x->dims);
    op_set_output(n, 1, stash, x->rank, dims);
    op_set_output(n, 2, stash, x->rank, dims);
}

/* Does t (Scale or B) hold exactly the normalised dims x.dims[axis:] (with
 * leading 1s), so that every row reads the same dense vector? */
static int layernorm_per_row(const Tensor *t, const Tensor *x, int axis)
{
    if (!t) return 1;
    for (int i = 0; i < t->rank; i++) {
        int xi = x->rank - t->rank + i;
        if (t->dims[i] != (xi >= axis ? x->dims[xi] : 1)) return 0;
    }
    return t->rank >= x->rank - axis;
}

/* The target's vector kernel: FLOAT data, float stash, per-row Scale and B. */
static int layernorm_vec(Lowering *L, const Node *n, int axis, DType stash)
{
    const Tensor *x = n->in[0];
    if (!lower_isa_has(L, "layernorm_vec") || x->dtype != DT_FLOAT || stash != DT_FLOAT) return 0;
    return layernorm_per_row(n->in[1], x, axis) && layernorm_per_row(node_input(n, 2), x, axis);
}

void lower_layernorm(Lowering *L, const Node *n)
{
    const Tensor *x = n->in[0], *y = n->out[0], *b = node_input(n, 2);
    if (tensor_numel(x) == 0) return;
    DType stash;
    int axis = layernorm_axis(n, &stash);
    int64_t outer = 1;
    for (int i = 0; i < axis; i++) outer *= x->dims[i];
    KParams p = {0};
    kp_type(L, &p, "T", x->dtype);
    kp_type(L, &p, "TU", stash);
    kp_int(L, &p, "OUTER", outer);
    kp_int(L, &p, "INNER", tensor_numel(x) / outer);
    kp_float(L, &p, "EPS", node_attr_float(n, "epsilon", 1e-5f), DT_DOUBLE);
    kp_int(L, &p, "HAS_B", b != NULL);
    Tensor *mean = n->n_out > 1 ? n->out[1] : NULL, *inv = n->n_out > 2 ? n->out[2] : NULL;
    kp_int(L, &p, "HAS_MEAN", mean != NULL);
    kp_int(L, &p, "HAS_INV", inv != NULL);
    if (layernorm_vec(L, n, axis, stash)) {
        const char *fn = lower_kernel(L, n, "layernorm_vec", &p);
        Tensor *args[6] = {n->in[0], n->in[1], node_input(n, 2), n->out[0], mean, inv};
        op_call_par(L, fn, 6, args, outer, flops_norm(n)); /* units: rows */
        return;
    }
    int64_t ss[NNC_MAX_RANK], bs[NNC_MAX_RANK] = {0}, ys[NNC_MAX_RANK];
    op_broadcast_strides(n->in[1], y->rank, y->dims, ss);
    if (b) op_broadcast_strides(b, y->rank, y->dims, bs);
    op_dense_strides(y->rank, y->dims, ys);
    static const char *const pre[] = {"YS", "SS", "BS"};
    int64_t *const st[] = {ys, ss, bs};
    op_bind_loop(L, &p, n, "D", y->rank, y->dims, 3, pre, st);
    const char *fn = lower_kernel(L, n, "layernorm", &p);
    Tensor *args[6] = {n->in[0], n->in[1], node_input(n, 2), n->out[0], mean, inv};
    op_call_par(L, fn, 6, args, outer, flops_norm(n)); /* units: rows */
}

/* ---- LRN ---- */
/* LRN: X[N, C, ...] -> Y like X; size (required) >= 1. */
void shape_lrn(Graph *g, Node *n)
{
    (void)g;
    const Tensor *x = n->in[0];
    op_require_float(n, 0);
    if (x->rank < 2) nnc_fail_node(n, "input must have rank 2 or more ([N, C, ...])");
    if (!node_attr(n, "size")) nnc_fail_node(n, "attribute 'size' is required");
    int64_t size = node_attr_int(n, "size", 1);
    if (size < 1 || size > NNC_MAX_ELEMS) nnc_fail_node(n, "size must be at least 1, got %lld", (long long)size);
    node_attr_float(n, "alpha", 1e-4f); /* type checks */
    node_attr_float(n, "beta", 0.75f);
    node_attr_float(n, "bias", 1.0f);
    op_set_output(n, 0, x->dtype, x->rank, x->dims);
}

void lower_lrn(Lowering *L, const Node *n)
{
    const Tensor *x = n->in[0];
    if (tensor_numel(x) == 0) return;
    int64_t size = node_attr_int(n, "size", 1);
    KParams p = {0};
    kp_type(L, &p, "T", x->dtype);
    kp_int(L, &p, "N", x->dims[0]);
    kp_int(L, &p, "C", x->dims[1]);
    kp_int(L, &p, "INNER", tensor_numel(x) / (x->dims[0] * x->dims[1]));
    kp_int(L, &p, "LO", (size - 1) / 2);
    kp_int(L, &p, "HI", size / 2); /* ceil((size - 1) / 2) */
    kp_float(L, &p, "ALPHA_N", (double)node_attr_float(n, "alpha", 1e-4f) / (double)size, DT_DOUBLE);
    kp_float(L, &p, "BETA", node_attr_float(n, "beta", 0.75f), DT_DOUBLE);
    kp_float(L, &p, "BIAS", node_attr_float(n, "bias", 1.0f), DT_DOUBLE);
    const char *fn = lower_kernel(L, n, "lrn", &p);
    Tensor *args[2] = {n->in[0], n->out[0]};
    lower_call(L, fn, 2, args, 0);
}
