/* pool.c — MaxPool, AveragePool, the global pools and BatchNormalization:
 * shapes (auto_pad, ceil_mode, dilations) and lowering. 2-D float pools whose
 * input is channel-blocked (NCHW[c], Tensor.layout) stay blocked: the pools
 * read and write that layout (pool_nchwc), the global pools read it and
 * write the plain [N, C, 1, 1] output (global_pool_nchwc). */
#include "common.h"


#include <string.h>

/* The resolved window geometry per spatial dim (the same for shape
 * inference and every kernel): extents, kernel, stride, dilation, and the
 * pads at the beginning (pb) and end (pe), auto_pad applied. */
typedef struct PoolGeom {
    int nsp;
    int64_t in[3], out[3], k[3], stride[3], dil[3], pb[3], pe[3];
} PoolGeom;

static void pool_geometry(const Node *n, PoolGeom *g)
{
    const Tensor *x = n->in[0];
    if (x->rank < 3 || x->rank > 5) nnc_fail_node(n, "input must have 1 to 3 spatial dims, got rank %d", x->rank);
    memset(g, 0, sizeof *g);
    g->nsp = x->rank - 2;
    const int64_t *ks, *st, *dl, *pd;
    int nk = node_attr_ints(n, "kernel_shape", &ks), ns = node_attr_ints(n, "strides", &st);
    int nd = node_attr_ints(n, "dilations", &dl), np = node_attr_ints(n, "pads", &pd);
    if (nk != g->nsp) nnc_fail_node(n, "kernel_shape must have %d values", g->nsp);
    if ((ns >= 0 && ns != g->nsp) || (nd >= 0 && nd != g->nsp) || (np >= 0 && np != 2 * g->nsp))
        nnc_fail_node(n, "strides, dilations and pads must match the %d spatial dims", g->nsp);
    int ceil_mode = node_attr_int(n, "ceil_mode", 0) != 0;
    const char *ap = node_attr_str(n, "auto_pad", "NOTSET");
    int mode = strcmp(ap, "NOTSET") == 0 ? 0 : strcmp(ap, "SAME_UPPER") == 0 ? 1
             : strcmp(ap, "SAME_LOWER") == 0 ? 2 : strcmp(ap, "VALID") == 0 ? 3 : -1;
    if (mode < 0) nnc_fail_node(n, "unknown auto_pad '%s'", ap);
    for (int i = 0; i < g->nsp; i++) {
        g->in[i] = x->dims[2 + i];
        g->k[i] = ks[i];
        g->stride[i] = ns >= 0 ? st[i] : 1;
        g->dil[i] = nd >= 0 ? dl[i] : 1;
        g->pb[i] = np >= 0 ? pd[i] : 0;
        g->pe[i] = np >= 0 ? pd[g->nsp + i] : 0;
        if (g->k[i] < 1 || g->stride[i] < 1 || g->dil[i] < 1)
            nnc_fail_node(n, "kernel_shape, strides and dilations must be at least 1");
        if (g->pb[i] < 0 || g->pe[i] < 0) nnc_fail_node(n, "pads must not be negative");
        if (g->pb[i] >= (g->k[i] - 1) * g->dil[i] + 1 || g->pe[i] >= (g->k[i] - 1) * g->dil[i] + 1)
            nnc_fail_node(n, "pads must be smaller than the pooling window");
        if (g->k[i] > NNC_MAX_ELEMS / 4 || g->stride[i] > NNC_MAX_ELEMS / 4 || g->dil[i] > NNC_MAX_ELEMS / 4 / g->k[i] ||
            g->pb[i] > NNC_MAX_ELEMS / 4 || g->pe[i] > NNC_MAX_ELEMS / 4)
            nnc_fail_node(n, "sizes out of range");
        int64_t eff = (g->k[i] - 1) * g->dil[i] + 1;
        if (mode == 1 || mode == 2) {
            g->out[i] = (g->in[i] + g->stride[i] - 1) / g->stride[i];
            int64_t total = (g->out[i] - 1) * g->stride[i] + eff - g->in[i];
            if (total < 0) total = 0;
            g->pb[i] = mode == 1 ? total / 2 : total - total / 2;
            g->pe[i] = total - g->pb[i];
            continue;
        }
        if (mode == 3) g->pb[i] = g->pe[i] = 0;
        int64_t span = g->in[i] + g->pb[i] + g->pe[i] - eff;
        if (span < 0) nnc_fail_node(n, "the pooling window is larger than the padded input");
        g->out[i] = (ceil_mode ? span + g->stride[i] - 1 : span) / g->stride[i] + 1;
        /* a window must start inside the image or its leading padding */
        if (ceil_mode && (g->out[i] - 1) * g->stride[i] >= g->in[i] + g->pb[i]) g->out[i]--;
    }
}

void shape_pool(Graph *gr, Node *n)
{
    (void)gr;
    const Tensor *x = n->in[0];
    if (n->op == OP_AveragePool) op_require_float(n, 0);
    if (x->dtype == DT_BOOL) nnc_fail_node(n, "BOOL input is not supported");
    if (n->op == OP_MaxPool && node_attr_int(n, "storage_order", 0) && x->rank != 4)
        nnc_fail_node(n, "storage_order=1 needs a 2-D pooling");
    PoolGeom g;
    pool_geometry(n, &g);
    int64_t dims[5] = {x->dims[0], x->dims[1]};
    for (int i = 0; i < g.nsp; i++) dims[2 + i] = g.out[i];
    op_set_output(n, 0, x->dtype, x->rank, dims);
    if (n->n_out > 1) op_set_output(n, 1, DT_INT64, x->rank, dims);
}

static const char *lowest_literal(DType t)
{
    switch (t) {
    case DT_FLOAT: return "(-HUGE_VALF)";
    case DT_DOUBLE: return "(-HUGE_VAL)";
    case DT_INT8: return "INT8_MIN";
    case DT_INT16: return "INT16_MIN";
    case DT_INT32: return "INT32_MIN";
    case DT_INT64: return "INT64_MIN";
    default: return "0"; /* unsigned */
    }
}

/* AveragePool: one add per window element and a divide per output;
 * MaxPool: comparisons only (counted as one per window element). */
int64_t flops_pool(const Node *n)
{
    PoolGeom g;
    pool_geometry(n, &g);
    int64_t win = 1;
    for (int i = 0; i < g.nsp; i++) win *= g.k[i];
    return (win + (n->op == OP_AveragePool)) * tensor_numel(n->out[0]);
}

/* OW_LO, OW_HI: the outputs along the last spatial dim whose window lies
 * inside the row: ow*SW - PW >= 0 and ow*SW - PW + (KW-1)*DW <= IW-1. */
static void pool_bind_interior(Lowering *L, KParams *p, const PoolGeom *g)
{
    int w = g->nsp - 1;
    int64_t lo = (g->pb[w] + g->stride[w] - 1) / g->stride[w];
    int64_t last = g->in[w] - 1 + g->pb[w] - (g->k[w] - 1) * g->dil[w];
    int64_t hi = last < 0 ? 0 : last / g->stride[w] + 1;
    if (lo > g->out[w]) lo = g->out[w];
    if (hi > g->out[w]) hi = g->out[w];
    if (hi < lo) hi = lo;
    kp_int(L, p, "OW_LO", lo);
    kp_int(L, p, "OW_HI", hi);
}

/* 2-D pool in the blocked layout (see layout_pool): X[N][CB][IH][IW][c] ->
 * Y[N][CB][OH][OW][c], c = VLANES of the target. */
static void lower_pool_nchwc(Lowering *L, const Node *n, const PoolGeom *g)
{
    const Tensor *x = n->in[0];
    NNC_ASSERT(x->layout > 0 && n->out[0]->layout == x->layout && g->nsp == 2);
    int64_t cb = (x->dims[1] + x->layout - 1) / x->layout;
    KParams p = {0};
    kp_int(L, &p, "NB", x->dims[0] * cb);
    kp_int(L, &p, "C", x->dims[1]);
    kp_int(L, &p, "CB", cb);
    static const char *const nm[2][7] = {{"IH", "OH", "KH", "SH", "DH", "PH", "EH"},
                                         {"IW", "OW", "KW", "SW", "DW", "PW", "EW"}};
    for (int i = 0; i < 2; i++) {
        const int64_t v[7] = {g->in[i], g->out[i], g->k[i], g->stride[i], g->dil[i], g->pb[i], g->pe[i]};
        for (int k = 0; k < 7; k++) kp_int(L, &p, nm[i][k], v[k]);
    }
    pool_bind_interior(L, &p, g);
    int is_max = n->op == OP_MaxPool;
    kp_int(L, &p, "IS_MAX", is_max);
    kp_int(L, &p, "COUNT_PAD", !is_max && node_attr_int(n, "count_include_pad", 0) != 0);
    kp_str(L, &p, "LOWEST", lowest_literal(DT_FLOAT));
    const char *fn = lower_kernel(L, n, "pool_nchwc", &p);
    Tensor *args[2] = {n->in[0], n->out[0]};
    op_call_par(L, fn, 2, args, x->dims[0] * cb * g->out[0], flops_pool(n)); /* units: output rows */
}

void lower_pool(Lowering *L, const Node *n)
{
    static const char *const nm[][9] = {{"ID", "OD", "KD", "SD", "DD", "PD", "ED"},
                                        {"IH", "OH", "KH", "SH", "DH", "PH", "EH"},
                                        {"IW", "OW", "KW", "SW", "DW", "PW", "EW"}};
    const Tensor *x = n->in[0];
    PoolGeom g;
    pool_geometry(n, &g);
    if (x->layout > 0) {
        lower_pool_nchwc(L, n, &g);
        return;
    }
    KParams p = {0};
    kp_type(L, &p, "T", x->dtype);
    kp_int(L, &p, "NC", x->dims[0] * x->dims[1]);
    for (int d = 0; d < 3; d++) {
        int i = d - (3 - g.nsp);
        int64_t v[7] = {1, 1, 1, 1, 1, 0, 0};
        if (i >= 0) {
            int64_t w[7] = {g.in[i], g.out[i], g.k[i], g.stride[i], g.dil[i], g.pb[i], g.pe[i]};
            memcpy(v, w, sizeof v);
        }
        for (int k = 0; k < 7; k++) kp_int(L, &p, nm[d][k], v[k]);
    }
    int is_max = n->op == OP_MaxPool;
    kp_int(L, &p, "IS_MAX", is_max);
    kp_int(L, &p, "COUNT_PAD", !is_max && node_attr_int(n, "count_include_pad", 0) != 0);
    kp_int(L, &p, "HAS_IDX", n->n_out > 1 && n->out[1]);
    kp_int(L, &p, "COL_MAJOR", is_max && node_attr_int(n, "storage_order", 0) != 0);
    kp_str(L, &p, "LOWEST", lowest_literal(x->dtype));
    const char *tmpl = "pool";
    int has_idx = n->n_out > 1 && n->out[1];
    if (x->dtype == DT_FLOAT && g.nsp <= 2 && !has_idx && lower_isa_has(L, "pool2d_vec")) {
        pool_bind_interior(L, &p, &g);
        tmpl = "pool2d_vec";
    }
    const char *fn = lower_kernel(L, n, tmpl, &p);
    Tensor *args[3] = {n->in[0], n->out[0], n->n_out > 1 ? n->out[1] : NULL};
    int64_t rows = x->dims[0] * x->dims[1]; /* units: output rows (pool2d_vec: OD = 1) */
    for (int i = 0; i + 1 < g.nsp; i++) rows *= g.out[i];
    op_call_par(L, fn, 3, args, rows, flops_pool(n));
}

/* Global pools: X[N, C, spatial...] -> Y[N, C, 1, ...] */
void shape_global_pool(Graph *g, Node *n)
{
    (void)g;
    const Tensor *x = n->in[0];
    op_require_float(n, 0);
    if (x->rank < 3) nnc_fail_node(n, "input must have rank 3 or more");
    int64_t dims[NNC_MAX_RANK];
    for (int i = 0; i < x->rank; i++) dims[i] = i < 2 ? x->dims[i] : 1;
    op_set_output(n, 0, x->dtype, x->rank, dims);
}

void lower_global_pool(Lowering *L, const Node *n)
{
    const Tensor *x = n->in[0];
    KParams p = {0};
    if (tensor_numel(x) == 0) nnc_fail_node(n, "empty input");
    if (x->layout > 0) { /* X[N][CB][H][W][c] -> Y[N, C, 1, 1] (see layout_global_pool) */
        NNC_ASSERT(x->rank == 4 && n->out[0]->layout == 0);
        kp_int(L, &p, "N", x->dims[0]);
        kp_int(L, &p, "C", x->dims[1]);
        kp_int(L, &p, "CB", (x->dims[1] + x->layout - 1) / x->layout);
        kp_int(L, &p, "SPATIAL", x->dims[2] * x->dims[3]);
        kp_int(L, &p, "IS_MAX", n->op == OP_GlobalMaxPool);
        const char *fn = lower_kernel(L, n, "global_pool_nchwc", &p);
        Tensor *args[2] = {n->in[0], n->out[0]};
        op_call_par(L, fn, 2, args, x->dims[0] * ((x->dims[1] + x->layout - 1) / x->layout), tensor_numel(x));
        return;
    }
    kp_type(L, &p, "T", x->dtype);
    kp_int(L, &p, "NC", x->dims[0] * x->dims[1]);
    kp_int(L, &p, "SPATIAL", tensor_numel(x) / (x->dims[0] * x->dims[1]));
    kp_int(L, &p, "IS_MAX", n->op == OP_GlobalMaxPool);
    int vec = x->dtype == DT_FLOAT && lower_isa_has(L, "global_pool_vec");
    const char *fn = lower_kernel(L, n, vec ? "global_pool_vec" : "global_pool", &p);
    Tensor *args[2] = {n->in[0], n->out[0]};
    op_call_par(L, fn, 2, args, x->dims[0] * x->dims[1], tensor_numel(x)); /* units: channels */
}

/* BatchNormalization (inference): X[N, C, ...], scale/B/mean/var [C] */
void shape_batchnorm(Graph *g, Node *n)
{
    (void)g;
    const Tensor *x = n->in[0];
    op_require_float(n, 0);
    if (x->rank < 2) nnc_fail_node(n, "input must have rank 2 or more");
    if (node_attr_int(n, "training_mode", 0)) nnc_fail_node(n, "training_mode=1 is not supported (inference only)");
    if (n->n_out > 1) nnc_fail_node(n, "training outputs (running mean and variance) are not supported");
    for (int k = 1; k < 5; k++) {
        const Tensor *t = n->in[k];
        if (!dtype_is_float(t->dtype)) nnc_fail_node(n, "input '%s' must be a float tensor", t->name);
        if (t->rank != 1 || t->dims[0] != x->dims[1])
            nnc_fail_node(n, "input '%s' must have shape [%lld]", t->name, (long long)x->dims[1]);
    }
    op_same_types(n, 0, 4);
    op_set_output(n, 0, x->dtype, x->rank, x->dims);
}

void lower_batchnorm(Lowering *L, const Node *n)
{
    const Tensor *x = n->in[0];
    KParams p = {0};
    kp_type(L, &p, "T", x->dtype);
    kp_str(L, &p, "SQRT", x->dtype == DT_FLOAT ? "sqrtf" : "sqrt");
    kp_int(L, &p, "N", x->dims[0]);
    kp_int(L, &p, "C", x->dims[1]);
    int64_t inner = 1;
    for (int i = 2; i < x->rank; i++) inner *= x->dims[i];
    kp_int(L, &p, "INNER", inner);
    kp_float(L, &p, "EPS", node_attr_float(n, "epsilon", 1e-5f), x->dtype);
    kp_int(L, &p, "PAR_CHUNK", OP_PAR_CHUNK);
    int vec = x->dtype == DT_FLOAT && lower_isa_has(L, "batchnorm_vec");
    const char *fn = lower_kernel(L, n, vec ? "batchnorm_vec" : "batchnorm", &p);
    Tensor *args[6] = {n->in[0], node_input(n, 1), node_input(n, 2), node_input(n, 3), node_input(n, 4), n->out[0]};
    /* units: chunks of rows */
    op_call_par(L, fn, 6, args, x->dims[0] * x->dims[1] * op_ceil_div(inner, OP_PAR_CHUNK), tensor_numel(x));
}

/* BatchNormalization: a multiply and an add per element (the per-channel
 * factors are computed once per channel and not counted). */
int64_t flops_batchnorm(const Node *n) { return 2 * tensor_numel(n->in[0]); }

/* Layout pass (see LayoutUse in ir/ops.h): a 2-D float MaxPool (without
 * Indices) or AveragePool whose input is already blocked stays blocked on a
 * SIMD target (c > 0): every attribute works there (pool_nchwc). */
LayoutUse layout_pool(const Graph *gr, const Node *n, int c)
{
    (void)gr;
    const Tensor *x = n->in[0];
    int has_idx = n->n_out > 1 && n->out[1];
    if (c <= 0 || x->layout != c || x->rank != 4 || x->dtype != DT_FLOAT || has_idx) return (LayoutUse){0, 0, 0};
    return (LayoutUse){1, 0, 1};
}

/* The global pools read a blocked rank-4 float input as it is and write the
 * plain [N, C, 1, 1] output (global_pool_nchwc). */
LayoutUse layout_global_pool(const Graph *gr, const Node *n, int c)
{
    (void)gr;
    const Tensor *x = n->in[0];
    if (c <= 0 || x->layout != c || x->rank != 4 || x->dtype != DT_FLOAT) return (LayoutUse){0, 0, 0};
    return (LayoutUse){1, 0, 0};
}
