/* elementwise.c — broadcasting binary ops, unary math and activations, and
 * the pure data-movement ops. Each op's scalar semantics is one C expression
 * over `va` (and `vb`), written in terms of type-generic math names (EXP,
 * TANH, ...) that bind to the float or double C functions. */
#include "common.h"

#include <float.h>
#include <math.h>
#include <string.h>

/* ---- scalar semantics ---- */
typedef struct ScalarOp {
    OpKind op;
    const char *float_expr; /* for FLOAT / DOUBLE */
    const char *int_expr;   /* for integer types; NULL if not allowed */
} ScalarOp;

static const ScalarOp scalar_ops[] = {
    {OP_Add, "va + vb", "va + vb"},
    {OP_Sub, "va - vb", "va - vb"},
    {OP_Mul, "va * vb", "va * vb"},
    {OP_Div, "va / vb", "(vb != 0 ? va / vb : 0)"},
    {OP_Pow, "POW(va, (TA)vb)", "(TA)pow((double)va, (double)vb)"},
    {OP_Relu, "(va < 0 ? (T)0 : va)", "(va < 0 ? 0 : va)"},
    {OP_LeakyRelu, "(va < 0 ? ALPHA * va : va)", NULL},
    {OP_Elu, "(va < 0 ? ALPHA * EXPM1(va) : va)", NULL},
    {OP_Sigmoid, "((T)1 / ((T)1 + EXP(-va)))", NULL},
    {OP_Tanh, "TANH(va)", NULL},
    {OP_Erf, "ERF(va)", NULL},
    {OP_Sqrt, "SQRT(va)", NULL},
    {OP_Clip, "(va < LO ? LO : (va > HI ? HI : va))", "(va < LO ? LO : (va > HI ? HI : va))"},
};

static const ScalarOp *scalar_op(const Node *n)
{
    for (size_t i = 0; i < sizeof scalar_ops / sizeof scalar_ops[0]; i++)
        if (scalar_ops[i].op == n->op) return &scalar_ops[i];
    NNC_ASSERT(0);
    return NULL;
}

static void check_type_allowed(const Node *n, DType t)
{
    const ScalarOp *s = scalar_op(n);
    if (t == DT_BOOL || (!dtype_is_float(t) && !s->int_expr))
        nnc_fail_node(n, "element type %s is not supported by this op", dtype_name(t));
}

/* Bind the math names an expression may use to the C functions for type t. */
static void bind_math(Lowering *L, KParams *p, DType t)
{
    static const char *const names[] = {"EXP", "EXPM1", "TANH", "ERF", "SQRT", "POW", "LOGF"};
    static const char *const fns[] = {"exp", "expm1", "tanh", "erf", "sqrt", "pow", "log"};
    for (int i = 0; i < 7; i++)
        kp_str(L, p, names[i], t == DT_FLOAT ? arena_printf(lower_arena(L), "%sf", fns[i]) : fns[i]);
}

/* ---- binary ---- */
void shape_binary(Graph *g, Node *n)
{
    (void)g;
    const Tensor *a = n->in[0], *b = node_input(n, 1);
    if (n->op != OP_Pow) op_same_types(n, 0, 1);
    check_type_allowed(n, a->dtype);
    if (n->op == OP_Pow && b->dtype == DT_BOOL) nnc_fail_node(n, "exponent type BOOL is not supported");
    if (n->opset < 7) {
        if (node_attr_int(n, "broadcast", 0) || node_attr(n, "axis"))
            nnc_fail_node(n, "legacy (opset < 7) broadcast attributes are not supported");
    }
    int64_t dims[NNC_MAX_RANK];
    int r = op_broadcast(n, a, b, dims);
    op_set_output(n, 0, a->dtype, r, dims);
}

void lower_binary(Lowering *L, const Node *n)
{
    const Tensor *a = n->in[0], *b = node_input(n, 1), *y = n->out[0];
    KParams p = {0};
    const ScalarOp *s = scalar_op(n);
    kp_type(L, &p, "TA", a->dtype);
    kp_type(L, &p, "TB", b->dtype);
    kp_type(L, &p, "TY", y->dtype);
    bind_math(L, &p, a->dtype);
    kp_str(L, &p, "EXPR", dtype_is_float(a->dtype) ? s->float_expr : s->int_expr);
    int64_t sa[NNC_MAX_RANK], sb[NNC_MAX_RANK], sy[NNC_MAX_RANK];
    op_broadcast_strides(a, y->rank, y->dims, sa);
    op_broadcast_strides(b, y->rank, y->dims, sb);
    op_dense_strides(y->rank, y->dims, sy);
    static const char *const pre[] = {"AS", "BS", "YS"};
    int64_t *const strides[] = {sa, sb, sy};
    op_bind_loop(L, &p, n, "D", y->rank, y->dims, 3, pre, strides);
    const char *fn = lower_kernel(L, n, "binary", &p);
    Tensor *args[3] = {n->in[0], node_input(n, 1), n->out[0]};
    lower_call(L, fn, 3, args, 0);
}

/* ---- unary ---- */
void shape_unary(Graph *g, Node *n)
{
    (void)g;
    const Tensor *x = n->in[0];
    if (n->op != OP_Identity) check_type_allowed(n, x->dtype);
    if (n->op == OP_Clip) {
        op_same_types(n, 0, 2);
        for (int k = 1; k < n->n_in; k++)
            if (n->in[k] && tensor_numel(n->in[k]) != 1) nnc_fail_node(n, "min and max must be scalars");
    }
    op_set_output(n, 0, x->dtype, x->rank, x->dims);
}

static void clip_bounds(const Node *n, double *lo, double *hi)
{
    DType t = n->in[0]->dtype;
    *lo = t == DT_FLOAT ? -FLT_MAX : t == DT_DOUBLE ? -DBL_MAX : -9.2e18;
    *hi = -*lo;
    if (n->opset < 11) {
        *lo = node_attr_float(n, "min", (float)*lo);
        *hi = node_attr_float(n, "max", (float)*hi);
        if (n->in[0]->dtype == DT_FLOAT) {
            if (!node_attr(n, "min")) *lo = -FLT_MAX;
            if (!node_attr(n, "max")) *hi = FLT_MAX;
        }
        return;
    }
    const Tensor *a = node_input(n, 1), *b = node_input(n, 2);
    if (a && a->data) *lo = tensor_get_double(a, 0);
    if (b && b->data) *hi = tensor_get_double(b, 0);
}

static const char *int_literal(Lowering *L, DType t, double v)
{
    /* clamp integer bounds into the type's range so the literal is valid */
    static const struct { DType t; double lo, hi; } r[] = {
        {DT_INT8, -128, 127}, {DT_UINT8, 0, 255}, {DT_INT16, -32768, 32767}, {DT_UINT16, 0, 65535},
        {DT_INT32, -2147483648.0, 2147483647.0}, {DT_UINT32, 0, 4294967295.0},
        {DT_INT64, -9223372036854775807.0, 9223372036854775807.0}, {DT_UINT64, 0, 18446744073709551615.0}};
    for (size_t i = 0; i < sizeof r / sizeof r[0]; i++)
        if (r[i].t == t) {
            if (v < r[i].lo) v = r[i].lo;
            if (v > r[i].hi) v = r[i].hi;
        }
    if (t == DT_INT64 && v <= -9223372036854775807.0) return "INT64_MIN";
    if (t == DT_INT64 && v >= 9223372036854775807.0) return "INT64_MAX";
    if (t == DT_UINT64 && v >= 18446744073709551615.0) return "UINT64_MAX";
    return arena_printf(lower_arena(L), "((%s)%.0f)", dtype_ctype(t), v);
}

void lower_unary(Lowering *L, const Node *n)
{
    const Tensor *x = n->in[0];
    DType t = x->dtype;
    KParams p = {0};
    const ScalarOp *s = scalar_op(n);
    kp_type(L, &p, "T", t);
    kp_type(L, &p, "TY", t);
    bind_math(L, &p, t);
    kp_int(L, &p, "COUNT", tensor_numel(x));
    kp_str(L, &p, "EXPR", dtype_is_float(t) ? s->float_expr : s->int_expr);
    if (n->op == OP_LeakyRelu) kp_float(L, &p, "ALPHA", node_attr_float(n, "alpha", 0.01f), t);
    if (n->op == OP_Elu) kp_float(L, &p, "ALPHA", node_attr_float(n, "alpha", 1.0f), t);
    if (n->op == OP_Clip) {
        double lo, hi;
        clip_bounds(n, &lo, &hi);
        Arena *a = lower_arena(L);
        const char *lo_s = dtype_is_float(t) ? c_float_literal(a, lo, t) : int_literal(L, t, lo);
        const char *hi_s = dtype_is_float(t) ? c_float_literal(a, hi, t) : int_literal(L, t, hi);
        Tensor *lo_t = node_input(n, 1), *hi_t = node_input(n, 2);
        int lo_rt = lo_t && !lo_t->data, hi_rt = hi_t && !hi_t->data; /* known only at run time */
        kp_str(L, &p, "LO", lo_rt ? "lo[0]" : lo_s);
        kp_str(L, &p, "HI", hi_rt ? "hi[0]" : hi_s);
        if (lo_rt || hi_rt) {
            const char *fn = lower_kernel(L, n, "clip", &p);
            Tensor *args[4] = {n->in[0], lo_rt ? lo_t : NULL, hi_rt ? hi_t : NULL, n->out[0]};
            lower_call(L, fn, 4, args, 0);
            return;
        }
    }
    const char *fn = lower_kernel(L, n, "unary", &p);
    Tensor *args[2] = {n->in[0], n->out[0]};
    lower_call(L, fn, 2, args, 0);
}

/* ---- data movement ---- */
void lower_copy(Lowering *L, const Node *n)
{
    if (n->out[0]->alias) return; /* the output shares the input's bytes */
    KParams p = {0};
    kp_int(L, &p, "BYTES", tensor_bytes(n->out[0]));
    const char *fn = lower_kernel(L, n, "copy", &p);
    Tensor *args[2] = {n->in[0], n->out[0]};
    lower_call(L, fn, 2, args, 0);
}

/* Dropout (inference): output = input; the optional mask is all true. */
void shape_dropout(Graph *g, Node *n)
{
    const Tensor *x = n->in[0];
    if (!dtype_is_float(x->dtype)) nnc_fail_node(n, "input must be a float tensor");
    if (node_input(n, 2) && node_input(n, 2)->data && tensor_get_int(node_input(n, 2), 0))
        nnc_fail_node(n, "training_mode=true is not supported (inference only)");
    if (node_input(n, 2) && !node_input(n, 2)->data) nnc_fail_node(n, "training_mode must be a constant");
    op_set_output(n, 0, x->dtype, x->rank, x->dims);
    if (n->n_out > 1 && n->out[1]) {
        Tensor *m = n->out[1];
        op_set_output(n, 1, DT_BOOL, x->rank, x->dims);
        m->data = arena_alloc(g->arena, (size_t)tensor_numel(m) + 1);
        memset(m->data, 1, (size_t)tensor_numel(m));
    }
}

void lower_dropout(Lowering *L, const Node *n) { lower_copy(L, n); }

void lower_none(Lowering *L, const Node *n)
{
    (void)L;
    (void)n;
}

/* ---- reference semantics (constant folding) ---- */
/* Floating scalar semantics, in double. */
static double eval_float(const Node *n, double a, double b)
{
    switch (n->op) {
    case OP_Add: return a + b;
    case OP_Sub: return a - b;
    case OP_Mul: return a * b;
    case OP_Div: return a / b;
    case OP_Pow: return pow(a, b);
    case OP_Relu: return a < 0 ? 0 : a;
    case OP_LeakyRelu: return a < 0 ? node_attr_float(n, "alpha", 0.01f) * a : a;
    case OP_Elu: return a < 0 ? node_attr_float(n, "alpha", 1.0f) * expm1(a) : a;
    case OP_Sigmoid: return 1 / (1 + exp(-a));
    case OP_Tanh: return tanh(a);
    case OP_Erf: return erf(a);
    case OP_Sqrt: return sqrt(a);
    default: NNC_ASSERT(0); return 0;
    }
}

/* Integer scalar semantics, in int64 (wrapping like the generated C). */
static int64_t eval_int(const Node *n, int64_t a, int64_t b)
{
    switch (n->op) {
    case OP_Add: return (int64_t)((uint64_t)a + (uint64_t)b);
    case OP_Sub: return (int64_t)((uint64_t)a - (uint64_t)b);
    case OP_Mul: return (int64_t)((uint64_t)a * (uint64_t)b);
    case OP_Div: return b == 0 || (a == INT64_MIN && b == -1) ? 0 : a / b;
    case OP_Pow: return (int64_t)pow((double)a, (double)b);
    case OP_Relu: return a < 0 ? 0 : a;
    default: NNC_ASSERT(0); return 0;
    }
}

void eval_binary(Graph *g, Node *n)
{
    (void)g;
    const Tensor *a = n->in[0], *b = n->in[1];
    Tensor *y = n->out[0];
    int64_t cnt = tensor_numel(y);
    for (int64_t o = 0; o < cnt; o++) {
        int64_t ia = op_bcast_offset(a, y, o), ib = op_bcast_offset(b, y, o);
        if (dtype_is_float(a->dtype))
            tensor_set_double(y, o, eval_float(n, tensor_get_double(a, ia), tensor_get_double(b, ib)));
        else
            tensor_set_int(y, o, eval_int(n, tensor_get_int(a, ia), tensor_get_int(b, ib)));
    }
}

void eval_unary(Graph *g, Node *n)
{
    (void)g;
    const Tensor *x = n->in[0];
    Tensor *y = n->out[0];
    double lo = 0, hi = 0;
    if (n->op == OP_Clip) clip_bounds(n, &lo, &hi);
    int64_t cnt = tensor_numel(y);
    for (int64_t i = 0; i < cnt; i++) {
        if (n->op == OP_Clip) {
            double v = tensor_get_double(x, i);
            tensor_set_double(y, i, v < lo ? lo : v > hi ? hi : v);
        } else if (dtype_is_float(x->dtype)) {
            tensor_set_double(y, i, eval_float(n, tensor_get_double(x, i), 0));
        } else {
            tensor_set_int(y, i, eval_int(n, tensor_get_int(x, i), 0));
        }
    }
}
