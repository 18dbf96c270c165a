/* reduce.c — the softmax family (Softmax, LogSoftmax, Hardmax), the Reduce*
 * family, ArgMax/ArgMin and CumSum: axis handling (including the opset < 13
 * coercion of softmax-like ops to 2-D), element-type rules, lowering, and
 * the reference semantics used for constant folding.
 *
 * Integer sums and products wrap (they are computed in uint64_t, as numpy
 * does modulo the type's width); results computed in double (ReduceL2,
 * ReduceLogSum, ReduceLogSumExp of integers) saturate to the type's range
 * instead of hitting undefined float-to-integer conversions. */
#include "common.h"


#include <math.h>
#include <string.h>

/* ---- element-type helpers ---- */
static int dtype_is_signed_int(DType t)
{
    return t == DT_INT8 || t == DT_INT16 || t == DT_INT32 || t == DT_INT64;
}

/* C names of the smallest and largest value of integer type t. */
static const char *int_min_name(DType t)
{
    switch (t) {
    case DT_INT8: return "INT8_MIN";
    case DT_INT16: return "INT16_MIN";
    case DT_INT32: return "INT32_MIN";
    case DT_INT64: return "INT64_MIN";
    default: return "0";
    }
}

static const char *int_max_name(DType t)
{
    switch (t) {
    case DT_INT8: return "INT8_MAX";
    case DT_INT16: return "INT16_MAX";
    case DT_INT32: return "INT32_MAX";
    case DT_INT64: return "INT64_MAX";
    case DT_UINT8: case DT_BOOL: return "UINT8_MAX";
    case DT_UINT16: return "UINT16_MAX";
    case DT_UINT32: return "UINT32_MAX";
    default: return "UINT64_MAX";
    }
}

static void int_range(DType t, double *lo, double *hi)
{
    static const struct { DType t; double lo, hi; } r[] = {
        {DT_INT8, -128.0, 127.0}, {DT_UINT8, 0, 255.0}, {DT_INT16, -32768.0, 32767.0}, {DT_UINT16, 0, 65535.0},
        {DT_INT32, -2147483648.0, 2147483647.0}, {DT_UINT32, 0, 4294967295.0},
        {DT_INT64, -9223372036854775808.0, 9223372036854775808.0}, {DT_UINT64, 0, 18446744073709551616.0}};
    *lo = 0;
    *hi = 1;
    for (size_t i = 0; i < sizeof r / sizeof r[0]; i++)
        if (r[i].t == t) {
            *lo = r[i].lo;
            *hi = r[i].hi;
        }
}

/* Store v into integer element i the way the kernels' saturating CONV does. */
static void store_saturated(Tensor *t, int64_t i, double v)
{
    double lo, hi;
    int_range(t->dtype, &lo, &hi);
    if (v != v) v = 0;
    if (t->dtype == DT_UINT64 && v >= hi) ((uint64_t *)t->data)[i] = UINT64_MAX;
    else if (v >= hi) tensor_set_int(t, i, t->dtype == DT_INT64 ? INT64_MAX : (int64_t)hi);
    else if (v <= lo) tensor_set_int(t, i, t->dtype == DT_INT64 ? INT64_MIN : (int64_t)lo);
    else tensor_set_double(t, i, v);
}

/* The saturating conversion of a double `r` to integer type t, as C. */
static const char *saturating_conv(Lowering *L, DType t)
{
    const char *mn = int_min_name(t), *mx = int_max_name(t);
    return arena_printf(lower_arena(L), "(r != r ? (T)0 : r <= (double)%s ? (T)%s : r >= (double)%s ? (T)%s : (T)r)",
                        mn, mn, mx, mx);
}

/* ---- softmax family ---- */
/* Softmax, LogSoftmax, Hardmax: X -> Y of the same shape; opset < 13 views X
 * as 2-D [prod(dims[:axis]), prod(dims[axis:])], opset 13 works along axis. */
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
    if (tensor_numel(x) == 0) return; /* nothing to compute */
    KParams p = {0};
    kp_type(L, &p, "T", x->dtype);
    kp_str(L, &p, "EXP", x->dtype == DT_FLOAT ? "expf" : "exp");
    kp_str(L, &p, "LOGF", x->dtype == DT_FLOAT ? "logf" : "log");
    kp_int(L, &p, "OUTER", outer);
    kp_int(L, &p, "AXIS_N", mid);
    kp_int(L, &p, "INNER", inner);
    kp_int(L, &p, "LOG", n->op == OP_LogSoftmax);
    Tensor *args[2] = {n->in[0], n->out[0]};
    if (n->op == OP_Hardmax) {
        lower_call(L, lower_kernel(L, n, "hardmax", &p), 2, args, 0);
        return;
    }
    kp_int(L, &p, "PAR_CHUNK", OP_PAR_CHUNK);
    int vec = x->dtype == DT_FLOAT && lower_isa_has(L, "softmax_vec"); /* FLOAT only */
    const char *fn = lower_kernel(L, n, vec ? "softmax_vec" : "softmax", &p);
    /* units: chunks of columns of each [AXIS_N, INNER] block (INNER == 1: rows) */
    op_call_par(L, fn, 2, args, outer * op_ceil_div(inner, OP_PAR_CHUNK), flops_softmax(n));
}

/* ---- reductions ---- */
/* The axes of a Reduce* node: the `axes` input (ReduceSum from opset 13,
 * every reduction from opset 18) or the `axes` attribute (before). */
static const int64_t *reduce_axes_list(Graph *g, const Node *n, int *count)
{
    int input_axes = n->opset >= 18 || (n->op == OP_ReduceSum && n->opset >= 13);
    const int64_t *ax = NULL;
    if (node_input(n, 1)) {
        if (!input_axes) nnc_fail_node(n, "the axes input needs opset %d", n->op == OP_ReduceSum ? 13 : 18);
        if (node_attr(n, "axes")) nnc_fail_node(n, "axes is given both as an attribute and as an input");
        return op_const_ints(g, n, 1, count);
    }
    if (node_attr(n, "axes") && input_axes)
        nnc_fail_node(n, "axes is an input, not an attribute, from opset %d", n->op == OP_ReduceSum ? 13 : 18);
    *count = node_attr_ints(n, "axes", &ax);
    return ax;
}

/* Marks reduced axes in `red`; returns the output rank and shape. */
static int reduce_axes(Graph *g, const Node *n, char *red, int64_t *dims)
{
    const Tensor *x = n->in[0];
    int nax = -1;
    const int64_t *ax = reduce_axes_list(g, n, &nax);
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

/* ReduceX: data -> reduced (same type; reduced dims kept as 1 or dropped) */
void shape_reduce(Graph *g, Node *n)
{
    const Tensor *x = n->in[0];
    if (x->dtype == DT_BOOL) nnc_fail_node(n, "BOOL input is not supported");
    char red[NNC_MAX_RANK];
    int64_t dims[NNC_MAX_RANK];
    int r = reduce_axes(g, n, red, dims);
    op_set_output(n, 0, x->dtype, r, dims);
}

/* Binds T, TV, TACC, TR, INIT, ACC, FINAL, CONV and the two-pass keys for
 * n's op and element type; `count` is the number of reduced elements. */
static void reduce_semantics(Lowering *L, KParams *p, const Node *n, int64_t count)
{
    Arena *a = lower_arena(L);
    DType t = n->in[0]->dtype;
    int fl = dtype_is_float(t), sg = dtype_is_signed_int(t);
    const char *wide = fl ? "double" : sg ? "int64_t" : "uint64_t"; /* exact value of an element */
    kp_type(L, p, "T", t);
    kp_int(L, p, "TWO_PASS", 0);
    kp_str(L, p, "MX_INIT", "0");
    kp_str(L, p, "MX_ACC", "(void)v");
    kp_str(L, p, "INIT", "0");
    kp_str(L, p, "FINAL", "acc");
    kp_str(L, p, "CONV", "(T)r");
    /* sums and products: double for floats, wrapping uint64_t for integers */
    kp_str(L, p, "TV", wide);
    kp_str(L, p, "TACC", fl ? "double" : "uint64_t");
    kp_str(L, p, "TR", fl ? "double" : "uint64_t");
    const char *u = fl ? "v" : "(uint64_t)v";
    switch (n->op) {
    case OP_ReduceSum: kp_str(L, p, "ACC", arena_printf(a, "acc += %s", u)); break;
    case OP_ReduceProd:
        kp_str(L, p, "INIT", "1");
        kp_str(L, p, "ACC", arena_printf(a, "acc *= %s", u));
        break;
    case OP_ReduceSumSquare: kp_str(L, p, "ACC", arena_printf(a, "acc += %s * %s", u, u)); break;
    case OP_ReduceL1:
        kp_str(L, p, "ACC", fl ? "acc += fabs(v)" : sg ? "acc += v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v"
                                                        : "acc += v");
        break;
    case OP_ReduceMean:
        kp_str(L, p, "ACC", arena_printf(a, "acc += %s", u));
        if (fl) {
            kp_str(L, p, "FINAL", count ? arena_printf(a, "acc / %lld.0", (long long)count) : "NAN");
        } else if (sg) {
            kp_str(L, p, "TR", "int64_t");
            kp_str(L, p, "FINAL", count ? arena_printf(a, "(int64_t)acc / %lld", (long long)count) : "0");
        } else {
            kp_str(L, p, "FINAL", count ? arena_printf(a, "acc / %lld", (long long)count) : "0");
        }
        break;
    case OP_ReduceMax:
    case OP_ReduceMin: {
        int mx = n->op == OP_ReduceMax;
        const char *cmp = mx ? ">" : "<";
        kp_str(L, p, "TV", fl ? "T" : wide);
        kp_str(L, p, "TACC", fl ? "T" : wide);
        kp_str(L, p, "TR", fl ? "T" : wide);
        if (fl) kp_str(L, p, "INIT", arena_printf(a, "%s%s", mx ? "-" : "", t == DT_FLOAT ? "HUGE_VALF" : "HUGE_VAL"));
        else kp_str(L, p, "INIT", mx ? int_min_name(t) : int_max_name(t));
        kp_str(L, p, "ACC", arena_printf(a, fl ? "if (v %s acc || v != v) acc = v" : "if (v %s acc) acc = v", cmp));
        break;
    }
    case OP_ReduceL2:
    case OP_ReduceLogSum:
    case OP_ReduceLogSumExp:
        /* in double for every type; integers saturate */
        kp_str(L, p, "TV", "double");
        kp_str(L, p, "TACC", "double");
        kp_str(L, p, "TR", "double");
        if (!fl) kp_str(L, p, "CONV", saturating_conv(L, t));
        if (n->op == OP_ReduceL2) {
            kp_str(L, p, "ACC", "acc += v * v");
            kp_str(L, p, "FINAL", "sqrt(acc)");
        } else if (n->op == OP_ReduceLogSum) {
            kp_str(L, p, "ACC", "acc += v");
            kp_str(L, p, "FINAL", "log(acc)");
        } else { /* max-shifted, so large inputs do not overflow exp() */
            kp_int(L, p, "TWO_PASS", 1);
            kp_str(L, p, "MX_INIT", "(-HUGE_VAL)");
            kp_str(L, p, "MX_ACC", "if (v > mx || v != v) mx = v");
            kp_str(L, p, "ACC", "acc += exp(v - mx)");
            kp_str(L, p, "FINAL", "(isfinite(mx) ? mx + log(acc) : mx)");
        }
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
    if (tensor_numel(n->out[0]) == 0) return;
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

/* ---- ArgMax / ArgMin ---- */
/* ArgMax/ArgMin: data -> int64 indices along axis (kept as 1 or dropped). */
void shape_argmax(Graph *g, Node *n)
{
    (void)g;
    const Tensor *x = n->in[0];
    if (x->dtype == DT_BOOL) nnc_fail_node(n, "BOOL input is not supported");
    if (n->opset < 12 && node_attr(n, "select_last_index"))
        nnc_fail_node(n, "select_last_index needs opset 12");
    int axis = op_axis(n, node_attr_int(n, "axis", 0), x->rank, 0);
    if (x->dims[axis] == 0)
        nnc_fail_node(n, "cannot take the arg%s of an empty axis", n->op == OP_ArgMax ? "max" : "min");
    int keep = node_attr_int(n, "keepdims", 1) != 0, r = 0;
    int64_t dims[NNC_MAX_RANK];
    for (int i = 0; i < x->rank; i++) {
        if (i != axis) dims[r++] = x->dims[i];
        else if (keep) dims[r++] = 1;
    }
    op_set_output(n, 0, DT_INT64, r, dims);
}

/* [outer, axis, inner] view of x around `axis`. */
static void split_at_axis(const Tensor *x, int axis, int64_t *outer, int64_t *mid, int64_t *inner)
{
    *outer = *mid = *inner = 1;
    for (int i = 0; i < x->rank; i++) {
        if (i < axis) *outer *= x->dims[i];
        else if (i == axis) *mid = x->dims[i];
        else *inner *= x->dims[i];
    }
}

void lower_argmax(Lowering *L, const Node *n)
{
    const Tensor *x = n->in[0];
    int axis = op_axis(n, node_attr_int(n, "axis", 0), x->rank, 0);
    int last = node_attr_int(n, "select_last_index", 0) != 0, fl = dtype_is_float(x->dtype);
    int64_t outer, mid, inner;
    split_at_axis(x, axis, &outer, &mid, &inner);
    if (tensor_numel(n->out[0]) == 0) return;
    const char *cmp = n->op == OP_ArgMax ? (last ? ">=" : ">") : (last ? "<=" : "<");
    const char *better;
    if (!fl) better = arena_printf(lower_arena(L), "(v %s best)", cmp);
    else if (last) better = arena_printf(lower_arena(L), "(best == best ? (v %s best || v != v) : v != v)", cmp);
    else better = arena_printf(lower_arena(L), "(best == best && (v %s best || v != v))", cmp);
    KParams p = {0};
    kp_type(L, &p, "T", x->dtype);
    kp_int(L, &p, "OUTER", outer);
    kp_int(L, &p, "AXIS_N", mid);
    kp_int(L, &p, "INNER", inner);
    kp_str(L, &p, "BETTER", better);
    const char *fn = lower_kernel(L, n, "argmax", &p);
    Tensor *args[2] = {n->in[0], n->out[0]};
    lower_call(L, fn, 2, args, 0);
}

/* ---- CumSum ---- */
static int cumsum_axis(Graph *g, const Node *n)
{
    const Tensor *a = n->in[1];
    if (!a->data) nnc_fail_node(n, "input '%s' (axis) must be a constant (computed at compile time)", a->name);
    if (a->dtype != DT_INT32 && a->dtype != DT_INT64) nnc_fail_node(n, "axis must be an INT32 or INT64 tensor");
    if (a->rank > 1 || tensor_numel(a) != 1) nnc_fail_node(n, "axis must hold one value");
    int cnt;
    const int64_t *v = op_const_ints(g, n, 1, &cnt);
    return op_axis(n, v[0], n->in[0]->rank, 0);
}

/* CumSum: x, axis (constant scalar) -> y of x's shape. */
void shape_cumsum(Graph *g, Node *n)
{
    const Tensor *x = n->in[0];
    if (x->dtype == DT_BOOL) nnc_fail_node(n, "BOOL input is not supported");
    if (x->rank < 1) nnc_fail_node(n, "input must have rank 1 or more");
    cumsum_axis(g, n);
    op_set_output(n, 0, x->dtype, x->rank, x->dims);
}

void lower_cumsum(Lowering *L, const Node *n)
{
    const Tensor *x = n->in[0];
    int64_t outer, mid, inner;
    split_at_axis(x, cumsum_axis(lower_graph(L), n), &outer, &mid, &inner);
    if (tensor_numel(x) == 0) return;
    KParams p = {0};
    kp_type(L, &p, "T", x->dtype);
    kp_str(L, &p, "TACC", dtype_is_float(x->dtype) ? "T" : "uint64_t");
    kp_int(L, &p, "OUTER", outer);
    kp_int(L, &p, "AXIS_N", mid);
    kp_int(L, &p, "INNER", inner);
    kp_int(L, &p, "EXCLUSIVE", node_attr_int(n, "exclusive", 0) != 0);
    kp_int(L, &p, "REVERSE", node_attr_int(n, "reverse", 0) != 0);
    const char *fn = lower_kernel(L, n, "cumsum", &p);
    Tensor *args[2] = {n->in[0], n->out[0]};
    lower_call(L, fn, 2, args, 0);
}

/* ---- reference semantics (constant folding) ---- */
/* Index of the output element that input element i reduces into. */
static int64_t reduced_index(const Tensor *x, const char *red, int64_t i)
{
    int64_t o = 0, stride = 1;
    for (int d = x->rank - 1; d >= 0; d--) {
        int64_t c = i % x->dims[d];
        i /= x->dims[d];
        if (red[d]) continue;
        o += c * stride;
        stride *= x->dims[d];
    }
    return o;
}

/* Element i as a double (UINT64 above INT64_MAX included). */
static double elem_double(const Tensor *t, int64_t i)
{
    return t->dtype == DT_UINT64 ? (double)((const uint64_t *)t->data)[i] : tensor_get_double(t, i);
}

/* Running state of one output of a folded reduction: the double value
 * (floats, and the ops integers compute in double), the wrapping integer
 * value, the log-sum-exp shift and the count of elements seen. */
typedef struct ReduceAcc {
    double acc, mx;
    uint64_t iacc;
    int64_t hits;
} ReduceAcc;

/* Fold element (v as double, s as integer) of type t into r. */
static void reduce_fold(const Node *n, DType t, ReduceAcc *r, double v, int64_t s)
{
    uint64_t w = (uint64_t)s; /* wrapping value of an integer element */
    int sg = dtype_is_signed_int(t), is_max = n->op == OP_ReduceMax, first = r->hits++ == 0;
    switch (n->op) {
    case OP_ReduceSum: case OP_ReduceMean: r->acc += v; r->iacc += w; break;
    case OP_ReduceProd: r->acc *= v; r->iacc *= w; break;
    case OP_ReduceSumSquare: r->acc += v * v; r->iacc += w * w; break;
    case OP_ReduceL1: r->acc += fabs(v); r->iacc += sg && s < 0 ? (uint64_t)0 - w : w; break;
    case OP_ReduceL2: r->acc += v * v; break;
    case OP_ReduceLogSum: r->acc += v; break;
    case OP_ReduceLogSumExp: r->acc += exp(v - r->mx); break;
    case OP_ReduceMax:
    case OP_ReduceMin:
        if (dtype_is_float(t)) {
            if ((is_max ? v > r->acc : v < r->acc) || v != v) r->acc = v; /* a NaN sticks */
        } else {
            int better = sg ? (is_max ? s > (int64_t)r->iacc : s < (int64_t)r->iacc)
                            : (is_max ? w > r->iacc : w < r->iacc);
            if (first || better) r->iacc = w;
        }
        break;
    default: NNC_ASSERT(0);
    }
}

/* Store the result of r (over `count` elements) as output element o. */
static void reduce_store(const Node *n, Tensor *y, int64_t o, const ReduceAcc *r, int64_t count)
{
    DType t = y->dtype;
    int is_max = n->op == OP_ReduceMax, is_min = n->op == OP_ReduceMin;
    double v = r->acc;
    switch (n->op) {
    case OP_ReduceMean: v = count ? v / (double)count : NAN; break;
    case OP_ReduceL2: v = sqrt(v); break;
    case OP_ReduceLogSum: v = log(v); break;
    case OP_ReduceLogSumExp: v = isfinite(r->mx) ? r->mx + log(v) : r->mx; break;
    default: break;
    }
    if (dtype_is_float(t)) {
        tensor_set_double(y, o, v);
    } else if (n->op == OP_ReduceL2 || n->op == OP_ReduceLogSum || n->op == OP_ReduceLogSumExp) {
        store_saturated(y, o, v);
    } else if ((is_max || is_min) && r->hits == 0) { /* empty: the identity of max or min */
        store_saturated(y, o, is_max ? -HUGE_VAL : HUGE_VAL);
    } else if (n->op == OP_ReduceMean) {
        uint64_t q = count == 0 ? 0
                   : dtype_is_signed_int(t) ? (uint64_t)((int64_t)r->iacc / count) : r->iacc / (uint64_t)count;
        tensor_set_int(y, o, (int64_t)q);
    } else {
        tensor_set_int(y, o, (int64_t)r->iacc); /* wraps into the type like the kernels' cast */
    }
}

/* Folds every reduction like the kernels: in double (floats; L2, LogSum and
 * LogSumExp of integers, saturated) or in wrapping 64-bit integers. */
void eval_reduce(Graph *g, Node *n)
{
    const Tensor *x = n->in[0];
    Tensor *y = n->out[0];
    char red[NNC_MAX_RANK];
    int64_t dims[NNC_MAX_RANK];
    reduce_axes(g, n, red, dims);
    int64_t cnt = tensor_numel(y), xn = tensor_numel(x), count = cnt ? xn / cnt : 0;
    ReduceAcc *r = arena_alloc_array(g->arena, (size_t)cnt + 1, sizeof *r);
    for (int64_t o = 0; o < cnt; o++) {
        int prod = n->op == OP_ReduceProd;
        r[o].acc = prod ? 1 : n->op == OP_ReduceMax ? -HUGE_VAL : n->op == OP_ReduceMin ? HUGE_VAL : 0;
        r[o].iacc = prod ? 1 : 0;
        r[o].mx = -HUGE_VAL;
    }
    for (int64_t i = 0; i < xn && n->op == OP_ReduceLogSumExp; i++) { /* the shift of log-sum-exp */
        ReduceAcc *ro = &r[reduced_index(x, red, i)];
        double v = elem_double(x, i);
        if (v > ro->mx || v != v) ro->mx = v;
    }
    for (int64_t i = 0; i < xn; i++)
        reduce_fold(n, x->dtype, &r[reduced_index(x, red, i)], elem_double(x, i),
                    dtype_is_float(x->dtype) ? 0 : tensor_get_int(x, i));
    for (int64_t o = 0; o < cnt; o++) reduce_store(n, y, o, &r[o], count);
}

void eval_argmax(Graph *g, Node *n)
{
    (void)g;
    const Tensor *x = n->in[0];
    Tensor *y = n->out[0];
    int axis = op_axis(n, node_attr_int(n, "axis", 0), x->rank, 0);
    int last = node_attr_int(n, "select_last_index", 0) != 0, is_max = n->op == OP_ArgMax;
    int fl = dtype_is_float(x->dtype), uns = x->dtype == DT_UINT64;
    int64_t outer, mid, inner;
    split_at_axis(x, axis, &outer, &mid, &inner);
    for (int64_t o = 0; o < outer; o++)
        for (int64_t i = 0; i < inner; i++) {
            int64_t base = o * mid * inner + i, at = 0;
            for (int64_t k = 1; k < mid; k++) {
                int64_t ib = base + at * inner, iv = base + k * inner;
                int better;
                if (fl) {
                    double b = tensor_get_double(x, ib), v = tensor_get_double(x, iv);
                    int gt = is_max ? (last ? v >= b : v > b) : (last ? v <= b : v < b);
                    better = b != b ? (last && v != v) : (gt || v != v);
                } else {
                    int64_t b = tensor_get_int(x, ib), v = tensor_get_int(x, iv);
                    int c = uns ? ((uint64_t)v > (uint64_t)b) - ((uint64_t)v < (uint64_t)b) : (v > b) - (v < b);
                    if (!is_max) c = -c;
                    better = c > 0 || (last && c == 0);
                }
                if (better) at = k;
            }
            tensor_set_int(y, o * inner + i, at);
        }
}

/* a + b rounded to t, as the kernel's running sum in t */
static double sum_as(DType t, double a, double b) { return t == DT_FLOAT ? (double)(float)(a + b) : a + b; }

void eval_cumsum(Graph *g, Node *n)
{
    const Tensor *x = n->in[0];
    Tensor *y = n->out[0];
    int64_t outer, mid, inner;
    split_at_axis(x, cumsum_axis(g, n), &outer, &mid, &inner);
    int excl = node_attr_int(n, "exclusive", 0) != 0, rev = node_attr_int(n, "reverse", 0) != 0;
    int fl = dtype_is_float(x->dtype);
    for (int64_t o = 0; o < outer; o++)
        for (int64_t i = 0; i < inner; i++) {
            double acc = 0;
            uint64_t iacc = 0;
            for (int64_t k = 0; k < mid; k++) {
                int64_t at = o * mid * inner + (rev ? mid - 1 - k : k) * inner + i;
                double v = fl ? tensor_get_double(x, at) : 0;
                uint64_t w = fl ? 0 : (uint64_t)tensor_get_int(x, at);
                if (!excl) {
                    acc = sum_as(x->dtype, acc, v);
                    iacc += w;
                }
                if (fl) tensor_set_double(y, at, acc);
                else tensor_set_int(y, at, (int64_t)iacc);
                if (excl) {
                    acc = sum_as(x->dtype, acc, v);
                    iacc += w;
                }
            }
        }
}
