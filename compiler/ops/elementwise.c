/* elementwise.c — the elementwise ops: unary math and activations, Cast,
 * broadcasting binary, comparison and logical ops, the n-ary Max/Min/Sum/Mean,
 * Where, Clip, and the pure data-movement ops. Each op's scalar semantics is
 * one C expression over `va` (and `vb`) per class of element type (float,
 * signed, unsigned, bool), written with type-generic math names (EXP, TANH,
 * ...) that bind to the float or double C functions. Integer arithmetic is
 * done in uint64_t and converted back (wrapping like numpy, never signed
 * overflow); division by zero gives 0; float-to-integer conversions saturate
 * (NaN gives 0). The eval functions below are the same semantics in the
 * compiler, for constant folding. */
#include "common.h"

#include "../backend/template.h"

#include <ctype.h>
#include <math.h>
#include <string.h>

/* ---- element type classes ---- */
#define TM(t) (1u << (t))
#define M_FLOAT (TM(DT_FLOAT) | TM(DT_DOUBLE))
#define M_SINT (TM(DT_INT8) | TM(DT_INT16) | TM(DT_INT32) | TM(DT_INT64))
#define M_UINT (TM(DT_UINT8) | TM(DT_UINT16) | TM(DT_UINT32) | TM(DT_UINT64))
#define M_BOOL TM(DT_BOOL)
#define M_NUM (M_FLOAT | M_SINT | M_UINT)
#define M_ALL (M_NUM | M_BOOL)
#define M_POW_BASE (M_FLOAT | TM(DT_INT32) | TM(DT_INT64))
#define M_PRELU (M_FLOAT | TM(DT_INT32) | TM(DT_INT64) | TM(DT_UINT32) | TM(DT_UINT64))

typedef enum Cls { C_FLOAT, C_SINT, C_UINT, C_BOOL } Cls;

static Cls cls_of(DType t)
{
    if (dtype_is_float(t)) return C_FLOAT;
    if (t == DT_BOOL) return C_BOOL;
    return TM(t) & M_SINT ? C_SINT : C_UINT;
}

/* ---- scalar semantics ---- */
typedef struct ScalarOp {
    OpKind op;
    unsigned types;      /* allowed element types of input 0 */
    int bool_out;        /* the output is BOOL */
    const char *expr[4]; /* per Cls; NULL: built by the lower function */
} ScalarOp;

#define HSIG "(ALPHA * va + BETA < 0 ? (T)0 : ALPHA * va + BETA > 1 ? (T)1 : ALPHA * va + BETA)"
#define IOP(o) "(T)((uint64_t)va " o " (uint64_t)vb)"
#define SAME3(e) {e, e, e, NULL}
#define ALL4(e) {e, e, e, e}

static const ScalarOp scalar_ops[] = {
    /* unary math */
    {OP_Abs, M_NUM, 0, {"FABS(va)", "(va < 0 ? (T)(0 - (uint64_t)va) : va)", "va", NULL}},
    {OP_Neg, M_FLOAT | M_SINT, 0, {"-va", "(T)(0 - (uint64_t)va)", NULL, NULL}},
    {OP_Exp, M_FLOAT, 0, {"EXP(va)"}},
    {OP_Log, M_FLOAT, 0, {"LOG(va)"}},
    {OP_Reciprocal, M_FLOAT, 0, {"(T)1 / va"}},
    {OP_Floor, M_FLOAT, 0, {"FLOOR(va)"}},
    {OP_Ceil, M_FLOAT, 0, {"CEIL(va)"}},
    {OP_Round, M_FLOAT, 0, {"NEARBYINT(va)"}},
    {OP_Sign, M_NUM, 0, {"(va > 0 ? (T)1 : va < 0 ? (T)-1 : va)", "((va > 0) - (va < 0))", "(va > 0)", NULL}},
    {OP_Sin, M_FLOAT, 0, {"SIN(va)"}},
    {OP_Cos, M_FLOAT, 0, {"COS(va)"}},
    {OP_Tan, M_FLOAT, 0, {"TAN(va)"}},
    {OP_Asin, M_FLOAT, 0, {"ASIN(va)"}},
    {OP_Acos, M_FLOAT, 0, {"ACOS(va)"}},
    {OP_Atan, M_FLOAT, 0, {"ATAN(va)"}},
    {OP_Sinh, M_FLOAT, 0, {"SINH(va)"}},
    {OP_Cosh, M_FLOAT, 0, {"COSH(va)"}},
    {OP_Asinh, M_FLOAT, 0, {"ASINH(va)"}},
    {OP_Acosh, M_FLOAT, 0, {"ACOSH(va)"}},
    {OP_Atanh, M_FLOAT, 0, {"ATANH(va)"}},
    {OP_Sqrt, M_FLOAT, 0, {"SQRT(va)"}},
    {OP_Erf, M_NUM, 0, {"ERF(va)", "erf((double)va)", "erf((double)va)", NULL}},
    {OP_Not, M_BOOL, 0, {NULL, NULL, NULL, "!va"}},
    {OP_IsNaN, M_FLOAT, 1, {"(isnan(va) != 0)"}},
    {OP_IsInf, M_FLOAT, 1, {NULL}},
    {OP_Cast, M_ALL, 0, {NULL}},
    {OP_CastLike, M_ALL, 0, {NULL}},
    /* activations */
    {OP_Relu, M_FLOAT | M_SINT, 0, {"(va < 0 ? (T)0 : va)", "(va < 0 ? 0 : va)", NULL, NULL}},
    {OP_LeakyRelu, M_FLOAT, 0, {"(va < 0 ? ALPHA * va : va)"}},
    {OP_Elu, M_FLOAT, 0, {"(va < 0 ? ALPHA * EXPM1(va) : va)"}},
    {OP_Sigmoid, M_FLOAT, 0, {"((T)1 / ((T)1 + EXP(-va)))"}},
    {OP_Tanh, M_FLOAT, 0, {"TANH(va)"}},
    {OP_HardSigmoid, M_FLOAT, 0, {HSIG}},
    {OP_HardSwish, M_FLOAT, 0, {"va * " HSIG}},
    {OP_Selu, M_FLOAT, 0, {"(va > 0 ? GAMMA * va : GAMMA * (ALPHA * EXP(va) - ALPHA))"}},
    {OP_Celu, TM(DT_FLOAT), 0, {"(va > 0 ? va : ALPHA * EXPM1(va / ALPHA))"}},
    {OP_Softplus, M_FLOAT, 0, {"(va > 0 ? va + LOG1P(EXP(-va)) : LOG1P(EXP(va)))"}},
    {OP_Softsign, M_FLOAT, 0, {"va / ((T)1 + FABS(va))"}},
    {OP_ThresholdedRelu, M_FLOAT, 0, {"(va > ALPHA ? va : (T)0)"}},
    {OP_Clip, M_NUM, 0, {NULL}},
    /* binary arithmetic */
    {OP_Add, M_NUM, 0, {"va + vb", IOP("+"), IOP("+"), NULL}},
    {OP_Sub, M_NUM, 0, {"va - vb", IOP("-"), IOP("-"), NULL}},
    {OP_Mul, M_NUM, 0, {"va * vb", IOP("*"), IOP("*"), NULL}},
    {OP_Div, M_NUM, 0,
     {"va / vb", "(vb == 0 ? 0 : vb == -1 ? (T)(0 - (uint64_t)va) : va / vb)", "(vb == 0 ? 0 : va / vb)", NULL}},
    {OP_Pow, M_POW_BASE, 0, {NULL}},
    {OP_Mod, M_NUM, 0, {NULL}},
    {OP_PRelu, M_PRELU, 0,
     {"(va < 0 ? vb * va : va)", "(va < 0 ? (T)((uint64_t)va * (uint64_t)vb) : va)", "((void)vb, va)", NULL}},
    /* comparison and logic */
    {OP_Equal, M_ALL, 1, ALL4("(va == vb)")},
    {OP_Less, M_NUM, 1, SAME3("(va < vb)")},
    {OP_Greater, M_NUM, 1, SAME3("(va > vb)")},
    {OP_LessOrEqual, M_NUM, 1, SAME3("(va <= vb)")},
    {OP_GreaterOrEqual, M_NUM, 1, SAME3("(va >= vb)")},
    {OP_And, M_BOOL, 1, {NULL, NULL, NULL, "(va && vb)"}},
    {OP_Or, M_BOOL, 1, {NULL, NULL, NULL, "(va || vb)"}},
    {OP_Xor, M_BOOL, 1, {NULL, NULL, NULL, "(!va != !vb)"}},
    /* n-ary */
    {OP_Max, M_NUM, 0, {"((va > vb || va != va) ? va : vb)", "(va > vb ? va : vb)", "(va > vb ? va : vb)", NULL}},
    {OP_Min, M_NUM, 0, {"((va < vb || va != va) ? va : vb)", "(va < vb ? va : vb)", "(va < vb ? va : vb)", NULL}},
    {OP_Sum, M_FLOAT, 0, {"va + vb"}},
    {OP_Mean, M_FLOAT, 0, {"va + vb"}},
    {OP_Where, M_ALL, 0, {NULL}},
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
    if (!(TM(t) & scalar_op(n)->types))
        nnc_fail_node(n, "element type %s is not supported by this op", dtype_name(t));
}

/* A legacy (opset < 7) binary op may only broadcast the numpy way. */
static void check_legacy_broadcast(const Node *n)
{
    if (n->opset < 7 && (node_attr_int(n, "broadcast", 0) || node_attr(n, "axis")))
        nnc_fail_node(n, "legacy (opset < 7) broadcast attributes are not supported");
}

/* ---- attributes ---- */
static double attr_alpha(const Node *n)
{
    switch (n->op) {
    case OP_LeakyRelu: return node_attr_float(n, "alpha", 0.01f);
    case OP_HardSigmoid: return node_attr_float(n, "alpha", 0.2f);
    case OP_HardSwish: return 1.0 / 6.0;
    case OP_Selu: return node_attr_float(n, "alpha", 1.67326319217681884765625f);
    default: return node_attr_float(n, "alpha", 1.0f); /* Elu, Celu, ThresholdedRelu */
    }
}

static double attr_beta(const Node *n) { return n->op == OP_HardSwish ? 0.5 : node_attr_float(n, "beta", 0.5f); }
static double attr_gamma(const Node *n) { return node_attr_float(n, "gamma", 1.05070102214813232421875f); }

static int attr_fmod(const Node *n)
{
    int64_t f = node_attr_int(n, "fmod", 0);
    if (f != 0 && f != 1) nnc_fail_node(n, "fmod must be 0 or 1, not %lld", (long long)f);
    if (f == 0 && dtype_is_float(n->in[0]->dtype)) nnc_fail_node(n, "fmod must be 1 for floating-point inputs");
    return (int)f;
}

/* Cast's `to` (an int, or a type name before opset 6), or CastLike's input 1. */
static DType cast_target(const Node *n)
{
    if (n->op == OP_CastLike) return n->in[1]->dtype;
    const Attr *a = node_attr(n, "to");
    if (!a) nnc_fail_node(n, "attribute 'to' is required");
    int64_t to = -1;
    if (a->type == ATTR_STRING) {
        for (int t = 1; t < DT_COUNT_; t++)
            if (a->s && strcmp(a->s, dtype_name((DType)t)) == 0) to = t;
        if (to < 0) nnc_fail_node(n, "attribute 'to' names an unknown type '%s'", a->s ? a->s : "");
    } else {
        to = node_attr_int(n, "to", 0);
    }
    if (to <= 0 || to >= DT_COUNT_) nnc_fail_node(n, "attribute 'to' = %lld is not a tensor type", (long long)to);
    if (!dtype_supported((DType)to)) nnc_fail_node(n, "casting to %s is not supported", dtype_name((DType)to));
    return (DType)to;
}

/* ---- C fragments ---- */
/* Bind the math names an expression uses to the C functions for type t
 * (the float variants for FLOAT, the double ones otherwise). */
static void bind_math(Lowering *L, KParams *p, DType t, const char *expr)
{
    static const char *const fns[] = {"exp",   "expm1", "log",  "log1p", "tanh",  "erf",  "sqrt", "pow",
                                      "fabs",  "floor", "ceil", "nearbyint", "sin", "cos", "tan", "asin",
                                      "acos",  "atan",  "sinh", "cosh",  "asinh", "acosh", "atanh", "fmod"};
    Arena *a = lower_arena(L);
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
        char *name = arena_strdup(a, fns[i]);
        for (char *c = name; *c; c++) *c = (char)toupper((unsigned char)*c);
        size_t len = strlen(name);
        int used = 0;
        for (const char *s = strstr(expr, name); s && !used; s = strstr(s + 1, name))
            used = (s == expr || !(isalnum((unsigned char)s[-1]) || s[-1] == '_')) &&
                   !(isalnum((unsigned char)s[len]) || s[len] == '_');
        if (used) kp_str(L, p, name, t == DT_FLOAT ? arena_printf(a, "%sf", fns[i]) : fns[i]);
    }
}

/* Exact C99 literal of integer value v (uint64 bit pattern for UINT64) in type t. */
static const char *int_literal(Lowering *L, DType t, int64_t v)
{
    Arena *a = lower_arena(L);
    if (t == DT_UINT64) return arena_printf(a, "UINT64_C(%llu)", (unsigned long long)(uint64_t)v);
    if (v == INT64_MIN) return "INT64_MIN";
    return arena_printf(a, v < 0 ? "((%s)(%lld))" : "((%s)%lld)", dtype_ctype(t), (long long)v);
}

/* The <stdint.h> names of integer type t's lowest and highest values. */
static const char *int_limit(DType t, int highest)
{
    static const struct { DType t; const char *lo, *hi; } r[] = {
        {DT_INT8, "INT8_MIN", "INT8_MAX"},     {DT_UINT8, "0", "UINT8_MAX"},
        {DT_INT16, "INT16_MIN", "INT16_MAX"},  {DT_UINT16, "0", "UINT16_MAX"},
        {DT_INT32, "INT32_MIN", "INT32_MAX"},  {DT_UINT32, "0", "UINT32_MAX"},
        {DT_INT64, "INT64_MIN", "INT64_MAX"},  {DT_UINT64, "0", "UINT64_MAX"},
        {DT_BOOL, "0", "1"}};
    for (size_t i = 0; i < sizeof r / sizeof r[0]; i++)
        if (r[i].t == t) return highest ? r[i].hi : r[i].lo;
    NNC_ASSERT(0);
    return NULL;
}

/* Instantiate the saturating double -> integer type t helper; returns its name. */
static const char *satcast_helper(Lowering *L, const Node *n, DType t)
{
    KParams p = {0};
    int bits = 8 * dtype_size(t), sgn = cls_of(t) == C_SINT;
    kp_type(L, &p, "TY", t);
    kp_str(L, &p, "LOWEST", int_limit(t, 0));
    kp_str(L, &p, "HIGHEST", int_limit(t, 1));
    kp_str(L, &p, "LOWEST_F", arena_printf(lower_arena(L), "(%.1f)", sgn ? -ldexp(1, bits - 1) : 0.0));
    kp_str(L, &p, "HIGHEST_P1", arena_printf(lower_arena(L), "%.1f", ldexp(1, sgn ? bits - 1 : bits)));
    return lower_kernel(L, n, "ew_satcast", &p);
}

/* Cast from s to d: C conversion, but != 0 into BOOL and saturating from floats to integers. */
static const char *cast_expr(Lowering *L, KParams *p, const Node *n, DType s, DType d)
{
    if (s == d) return "va";
    if (d == DT_BOOL) return "(va != 0)";
    if (dtype_is_float(s) && !dtype_is_float(d)) {
        kp_str(L, p, "SATCAST", satcast_helper(L, n, d));
        return "SATCAST((double)va)";
    }
    return "va";
}

static const char *isinf_expr(const Node *n)
{
    int neg = node_attr_int(n, "detect_negative", 1) != 0, pos = node_attr_int(n, "detect_positive", 1) != 0;
    if (neg && pos) return "(isinf(va) != 0)";
    if (pos) return "(isinf(va) && va > 0)";
    if (neg) return "(isinf(va) && va < 0)";
    return "((void)va, 0)";
}

static const char *mod_expr(const Node *n, Cls c)
{
    int fmod_ = attr_fmod(n);
    if (c == C_FLOAT) return "FMOD(va, vb)";
    if (c == C_UINT) return "(vb == 0 ? 0 : va % vb)";
    if (fmod_) return "((vb == 0 || vb == -1) ? 0 : va % vb)";
    return "((vb == 0 || vb == -1) ? 0 : (va % vb != 0 && ((va % vb < 0) != (vb < 0))) ? va % vb + vb : va % vb)";
}

static const char *pow_expr(Lowering *L, KParams *p, const Node *n, DType ta, DType tb)
{
    if (dtype_is_float(ta)) return "POW(va, (T)vb)";
    if (dtype_is_float(tb)) {
        kp_str(L, p, "SATCAST", satcast_helper(L, n, ta));
        return "SATCAST(pow((double)va, (double)vb))";
    }
    KParams h = {0};
    kp_str(L, p, "IPOW", lower_kernel(L, n, "ew_ipow", &h));
    if (cls_of(tb) == C_SINT) return "(T)IPOW((int64_t)va, (uint64_t)(int64_t)vb, vb < 0)";
    return "(T)IPOW((int64_t)va, (uint64_t)vb, 0)";
}

/* The scalar expression of node n over input types ta (and tb); binds the
 * op's constants and helpers into p. */
static const char *scalar_expr(Lowering *L, KParams *p, const Node *n, DType ta, DType tb)
{
    const ScalarOp *s = scalar_op(n);
    DType t = ta;
    switch (n->op) {
    case OP_Cast: case OP_CastLike: return cast_expr(L, p, n, ta, n->out[0]->dtype);
    case OP_IsInf: return isinf_expr(n);
    case OP_Mod: return mod_expr(n, cls_of(ta));
    case OP_Pow: return pow_expr(L, p, n, ta, tb);
    case OP_LeakyRelu: case OP_Elu: case OP_Celu: case OP_ThresholdedRelu: kp_float(L, p, "ALPHA", attr_alpha(n), t); break;
    case OP_HardSigmoid: case OP_HardSwish:
        kp_float(L, p, "ALPHA", attr_alpha(n), t);
        kp_float(L, p, "BETA", attr_beta(n), t);
        break;
    case OP_Selu:
        kp_float(L, p, "ALPHA", attr_alpha(n), t);
        kp_float(L, p, "GAMMA", attr_gamma(n), t);
        break;
    default: break;
    }
    NNC_ASSERT(s->expr[cls_of(ta)]);
    return s->expr[cls_of(ta)];
}

/* ---- vector semantics (FLOAT on SIMD targets) ----
 * The same ops as vector expressions over `va` (and `vb`), vectors of floats,
 * written in a small vocabulary of V-words: VSET(s) broadcasts a scalar,
 * VADD VSUB VMUL VDIV, VMAX(a, b) = a > b ? a : b and VMIN(a, b) = a < b ? a : b
 * (lane-wise, like the scalar ?: forms, so NaN and signed zeros come out the
 * same), VSEL_LT(a, b, x, y) = a < b ? x : y, VSEL_GT, VABS VNEG VSQRT VFLOOR
 * VCEIL VROUND, and the vector math VEXP VEXPM1 VTANH VSIGMOID VERF. Each ISA
 * implements the words it has as macros in its vector layer (template vops,
 * which the shared unary_vec and binary_vec kernels are instantiated with);
 * an op is vectorised only when the layer defines every word of its
 * expression, otherwise it keeps the scalar kernel. */
typedef struct VectorOp {
    OpKind op;
    const char *vexpr;
} VectorOp;

static const VectorOp vector_ops[] = {
    {OP_Abs, "VABS(va)"},
    {OP_Neg, "VNEG(va)"},
    {OP_Reciprocal, "VDIV(VSET(1.0f), va)"},
    {OP_Floor, "VFLOOR(va)"},
    {OP_Ceil, "VCEIL(va)"},
    {OP_Round, "VROUND(va)"},
    {OP_Sqrt, "VSQRT(va)"},
    {OP_Exp, "VEXP(va)"},
    {OP_Erf, "VERF(va)"},
    {OP_Relu, "VMAX(VSET(0.0f), va)"},
    {OP_LeakyRelu, "VSEL_LT(va, VSET(0.0f), VMUL(VSET(ALPHA), va), va)"},
    {OP_Elu, "VSEL_LT(va, VSET(0.0f), VMUL(VSET(ALPHA), VEXPM1(va)), va)"},
    {OP_Sigmoid, "VSIGMOID(va)"},
    {OP_Tanh, "VTANH(va)"},
    {OP_Softsign, "VDIV(va, VADD(VSET(1.0f), VABS(va)))"},
    {OP_ThresholdedRelu, "VSEL_GT(va, VSET(ALPHA), va, VSET(0.0f))"},
    {OP_HardSigmoid, "VMIN(VSET(1.0f), VMAX(VSET(0.0f), VADD(VMUL(VSET(ALPHA), va), VSET(BETA))))"},
    {OP_HardSwish, "VMUL(va, VMIN(VSET(1.0f), VMAX(VSET(0.0f), VADD(VMUL(VSET(ALPHA), va), VSET(BETA)))))"},
    {OP_Add, "VADD(va, vb)"},
    {OP_Sub, "VSUB(va, vb)"},
    {OP_Mul, "VMUL(va, vb)"},
    {OP_Div, "VDIV(va, vb)"},
    {OP_PRelu, "VSEL_LT(va, VSET(0.0f), VMUL(vb, va), va)"},
    {OP_Sum, "VADD(va, vb)"},
};

/* Does the target's vector layer (template vops) define V-word w? */
static int vops_has(Lowering *L, const char *w, size_t len)
{
    const char *text = template_find_in(lower_target(L), "vops");
    for (const char *s = text ? strstr(text, "#define V") : NULL; s; s = strstr(s + 1, "#define V")) {
        s += strlen("#define ");
        if (strncmp(s, w, len) == 0 && s[len] == '(') return 1;
    }
    return 0;
}

/* The vector expression of n for FLOAT operands on this target, or NULL
 * (scalar kernel) unless the target's vector layer defines each of its words
 * (the shared vector kernels are instantiated with that layer). */
static const char *vector_expr(Lowering *L, const Node *n, const char *vexpr)
{
    if (!vexpr)
        for (size_t i = 0; i < sizeof vector_ops / sizeof vector_ops[0]; i++)
            if (vector_ops[i].op == n->op) vexpr = vector_ops[i].vexpr;
    if (!vexpr) return NULL;
    for (const char *s = vexpr; *s;) {
        if (!(isalpha((unsigned char)*s) || *s == '_')) {
            s++;
            continue;
        }
        const char *e = s;
        while (isalnum((unsigned char)*e) || *e == '_') e++;
        if (s[0] == 'V' && e - s > 1 && isupper((unsigned char)s[1]) && (s == vexpr || !isalnum((unsigned char)s[-1])) &&
            !vops_has(L, s, (size_t)(e - s)))
            return NULL;
        s = e;
    }
    return vexpr;
}

/* ---- unary ---- */
/* Unary: X -> Y of X's shape (BOOL for IsNaN/IsInf, `to` for Cast). */
void shape_unary(Graph *g, Node *n)
{
    (void)g;
    const Tensor *x = n->in[0];
    DType out = x->dtype;
    if (n->op != OP_Identity) {
        const ScalarOp *s = scalar_op(n);
        check_type_allowed(n, x->dtype);
        if (s->bool_out) out = DT_BOOL;
        if (n->op == OP_Cast || n->op == OP_CastLike) out = cast_target(n);
        if (n->op == OP_Celu && attr_alpha(n) == 0) nnc_fail_node(n, "alpha must not be 0");
        if (n->op == OP_IsInf) (void)isinf_expr(n); /* checks the attributes' types */
        if (n->op == OP_Clip) {
            if (n->opset < 11 && !dtype_is_float(x->dtype))
                nnc_fail_node(n, "element type %s needs opset 12 or later (min and max are inputs)", dtype_name(x->dtype));
            op_same_types(n, 0, 2);
            for (int k = 1; k < n->n_in; k++)
                if (n->in[k] && tensor_numel(n->in[k]) != 1) nnc_fail_node(n, "min and max must be scalars");
        }
        /* read the attributes now: a wrong type is an error here, not in lowering */
        if (n->op == OP_LeakyRelu || n->op == OP_Elu || n->op == OP_HardSigmoid || n->op == OP_Selu ||
            n->op == OP_ThresholdedRelu)
            (void)attr_alpha(n);
        if (n->op == OP_HardSigmoid) (void)attr_beta(n);
        if (n->op == OP_Selu) (void)attr_gamma(n);
    }
    op_set_output(n, 0, out, x->rank, x->dims);
}

/* One Clip bound (k = 0: min, 1: max): attribute (opset < 11) or scalar input. */
typedef struct Bound {
    int present;   /* given */
    int runtime;   /* an input known only at run time */
    double f;      /* value, float types */
    int64_t i;     /* value, integer types (uint64 bit pattern) */
} Bound;

static Bound clip_bound(const Node *n, int k)
{
    Bound b = {0};
    if (n->opset < 11) {
        const char *name = k ? "max" : "min";
        b.present = node_attr(n, name) != NULL;
        b.f = node_attr_float(n, name, 0);
        return b;
    }
    const Tensor *t = node_input(n, k + 1);
    if (!t) return b;
    b.present = 1;
    b.runtime = t->data == NULL;
    if (!b.runtime) {
        if (dtype_is_float(t->dtype)) b.f = tensor_get_double(t, 0);
        else b.i = tensor_get_int(t, 0);
    }
    return b;
}

static const char *clip_literal(Lowering *L, DType t, const Bound *b, int k)
{
    if (b->runtime) return k ? "hi[0]" : "lo[0]";
    if (dtype_is_float(t)) return c_float_literal(lower_arena(L), b->present ? b->f : (k ? HUGE_VAL : -HUGE_VAL), t);
    return b->present ? int_literal(L, t, b->i) : int_limit(t, k);
}

static void lower_clip(Lowering *L, const Node *n)
{
    DType t = n->in[0]->dtype;
    KParams p = {0};
    kp_type(L, &p, "T", t);
    kp_int(L, &p, "COUNT", tensor_numel(n->in[0]));
    kp_int(L, &p, "PAR_CHUNK", OP_PAR_CHUNK);
    Bound lo = clip_bound(n, 0), hi = clip_bound(n, 1);
    kp_str(L, &p, "LO", clip_literal(L, t, &lo, 0));
    kp_str(L, &p, "HI", clip_literal(L, t, &hi, 1));
    const char *vexpr = t == DT_FLOAT && !lo.runtime && !hi.runtime && lower_isa_has(L, "unary_vec")
                            ? vector_expr(L, n, "VMIN(VSET(HI), VMAX(VSET(LO), va))") : NULL;
    if (vexpr) {
        kp_str(L, &p, "VEXPR", vexpr);
        const char *fn = lower_kernel(L, n, "unary_vec", &p);
        Tensor *args[2] = {n->in[0], n->out[0]};
        op_call_unary(L, fn, args);
        return;
    }
    const char *fn = lower_kernel(L, n, "ew_clip", &p);
    Tensor *args[4] = {n->in[0], lo.runtime ? n->in[1] : NULL, hi.runtime ? n->in[2] : NULL, n->out[0]};
    lower_call(L, fn, 4, args, 0);
}

void lower_unary(Lowering *L, const Node *n)
{
    if (n->op == OP_Clip) {
        lower_clip(L, n);
        return;
    }
    DType t = n->in[0]->dtype;
    KParams p = {0};
    kp_type(L, &p, "T", t);
    kp_type(L, &p, "TY", n->out[0]->dtype);
    kp_int(L, &p, "COUNT", tensor_numel(n->in[0]));
    kp_int(L, &p, "PAR_CHUNK", OP_PAR_CHUNK);
    const char *expr = scalar_expr(L, &p, n, t, t);
    bind_math(L, &p, t, expr);
    kp_str(L, &p, "EXPR", expr);
    const char *vexpr = t == DT_FLOAT && n->out[0]->dtype == DT_FLOAT && lower_isa_has(L, "unary_vec")
                            ? vector_expr(L, n, NULL) : NULL;
    if (vexpr) kp_str(L, &p, "VEXPR", vexpr);
    const char *fn = lower_kernel(L, n, vexpr ? "unary_vec" : "unary", &p);
    Tensor *args[2] = {n->in[0], n->out[0]};
    op_call_unary(L, fn, args);
}

/* ---- binary ---- */
/* Binary: A, B -> numpy broadcast of both (PRelu: slope B broadcasts to A). */
void shape_binary(Graph *g, Node *n)
{
    (void)g;
    const Tensor *a = n->in[0], *b = node_input(n, 1);
    if (n->op != OP_Pow) op_same_types(n, 0, 1);
    check_type_allowed(n, a->dtype);
    if (n->op == OP_Pow && !(TM(b->dtype) & M_NUM))
        nnc_fail_node(n, "exponent type %s is not supported", dtype_name(b->dtype));
    if (n->op == OP_Mod) (void)attr_fmod(n);
    check_legacy_broadcast(n);
    int64_t dims[NNC_MAX_RANK];
    int r = op_broadcast(n, a, b, dims);
    if (n->op == OP_PRelu) {
        int same = r == a->rank;
        for (int i = 0; same && i < r; i++) same = dims[i] == a->dims[i];
        if (!same) nnc_fail_node(n, "slope '%s' %s does not broadcast to X %s", b->name,
                                 shape_str(g->arena, b), shape_str(g->arena, a));
    }
    op_set_output(n, 0, scalar_op(n)->bool_out ? DT_BOOL : a->dtype, r, dims);
}

/* Bind the six-dim strided loop of a kernel reading a and b (either may be
 * NULL) broadcast to y's shape, under stride prefixes AS and BS; returns
 * the innermost extent D5. */
static int64_t bind_bcast_loop(Lowering *L, KParams *p, const Node *n, const Tensor *a, const Tensor *b,
                               const Tensor *y)
{
    int64_t sa[NNC_MAX_RANK], sb[NNC_MAX_RANK], sy[NNC_MAX_RANK];
    op_dense_strides(y->rank, y->dims, sy);
    op_broadcast_strides(a ? a : y, y->rank, y->dims, sa);
    op_broadcast_strides(b ? b : y, y->rank, y->dims, sb);
    static const char *const pre[] = {"AS", "BS", "YS"};
    int64_t *const strides[] = {sa, sb, sy};
    return op_bind_loop(L, p, n, "D", y->rank, y->dims, 3, pre, strides);
}

/* binary, binary_vec: units are chunks of OP_PAR_CHUNK elements of each
 * row of d5 (a row's last chunk may be short). */
static void call_binary(Lowering *L, const char *fn, Tensor *a, Tensor *b, Tensor *y, int64_t d5)
{
    Tensor *args[3] = {a, b, y};
    int64_t count = tensor_numel(y);
    op_call_par(L, fn, 3, args, d5 ? count / d5 * op_ceil_div(d5, OP_PAR_CHUNK) : 0, count);
}

/* y = expr(a, b) with broadcasting (template binary; binary_vec with the
 * vector form vexpr when given and the target has one). */
static void emit_binary(Lowering *L, const Node *n, Tensor *a, Tensor *b, Tensor *y, KParams *p, const char *expr,
                        const char *vexpr)
{
    if (a->dtype == DT_FLOAT && b->dtype == DT_FLOAT && y->dtype == DT_FLOAT && lower_isa_has(L, "binary_vec") &&
        (vexpr = vector_expr(L, n, vexpr)) != NULL) {
        kp_str(L, p, "VEXPR", vexpr);
        kp_int(L, p, "PAR_CHUNK", OP_PAR_CHUNK);
        int64_t d5 = bind_bcast_loop(L, p, n, a, b, y);
        call_binary(L, lower_kernel(L, n, "binary_vec", p), a, b, y, d5);
        return;
    }
    kp_type(L, p, "T", a->dtype);
    kp_type(L, p, "TA", a->dtype);
    kp_type(L, p, "TB", b->dtype);
    kp_type(L, p, "TY", y->dtype);
    bind_math(L, p, a->dtype, expr);
    kp_str(L, p, "EXPR", expr);
    kp_int(L, p, "PAR_CHUNK", OP_PAR_CHUNK);
    int64_t d5 = bind_bcast_loop(L, p, n, a, b, y);
    call_binary(L, lower_kernel(L, n, "binary", p), a, b, y, d5);
}

void lower_binary(Lowering *L, const Node *n)
{
    KParams p = {0};
    const char *expr = scalar_expr(L, &p, n, n->in[0]->dtype, n->in[1]->dtype);
    emit_binary(L, n, n->in[0], n->in[1], n->out[0], &p, expr, NULL);
}

/* ---- n-ary: Max, Min, Sum, Mean ---- */
/* numpy broadcast of all of n's inputs into dims; returns the rank. */
static int broadcast_all(Graph *g, const Node *n, int64_t *dims)
{
    int r = 0;
    for (int k = 0; k < n->n_in; k++)
        if (n->in[k] && n->in[k]->rank > r) r = n->in[k]->rank;
    for (int i = 0; i < r; i++) dims[i] = 1;
    for (int k = 0; k < n->n_in; k++) {
        const Tensor *t = n->in[k];
        if (!t) nnc_fail_node(n, "input %d is missing", k);
        for (int i = 0, j = r - t->rank; i < t->rank; i++, j++) {
            if (t->dims[i] == dims[j] || t->dims[i] == 1) continue;
            if (dims[j] != 1)
                nnc_fail_node(n, "cannot broadcast input '%s' %s (dimension %d: %lld vs %lld)", t->name,
                              shape_str(g->arena, t), j, (long long)t->dims[i], (long long)dims[j]);
            dims[j] = t->dims[i];
        }
    }
    return r;
}

/* Max/Min/Sum/Mean: X0..Xk -> numpy broadcast of all of them. */
void shape_variadic(Graph *g, Node *n)
{
    op_same_types(n, 0, n->n_in - 1);
    check_type_allowed(n, n->in[0]->dtype);
    int64_t dims[NNC_MAX_RANK];
    int r = broadcast_all(g, n, dims);
    op_set_output(n, 0, n->in[0]->dtype, r, dims);
}

/* The first two inputs combine into y (template binary), each further one
 * folds into y in place (template ew_accum); Mean divides in the last step. */
void lower_variadic(Lowering *L, const Node *n)
{
    Tensor *y = n->out[0];
    DType t = y->dtype;
    const char *expr = scalar_op(n)->expr[cls_of(t)];
    const char *last = expr;
    if (n->op == OP_Mean)
        last = arena_printf(lower_arena(L), "(va + vb) / %s", c_float_literal(lower_arena(L), n->n_in, t));
    if (n->n_in == 1) {
        KParams p = {0};
        kp_type(L, &p, "T", t);
        kp_type(L, &p, "TY", t);
        kp_int(L, &p, "COUNT", tensor_numel(y));
        kp_int(L, &p, "PAR_CHUNK", OP_PAR_CHUNK);
        kp_str(L, &p, "EXPR", "va");
        const char *fn = lower_kernel(L, n, "unary", &p);
        Tensor *args[2] = {n->in[0], y};
        op_call_unary(L, fn, args);
        return;
    }
    KParams p = {0};
    const char *vlast = NULL;
    if (n->op == OP_Mean && n->n_in == 2)
        vlast = arena_printf(lower_arena(L), "VDIV(VADD(va, vb), VSET(%s))", c_float_literal(lower_arena(L), 2, t));
    else if (n->op == OP_Sum)
        vlast = "VADD(va, vb)";
    emit_binary(L, n, n->in[0], n->in[1], y, &p, n->n_in == 2 ? last : expr, n->n_in == 2 || n->op == OP_Sum ? vlast : NULL);
    for (int k = 2; k < n->n_in; k++) {
        KParams q = {0};
        const char *e = k == n->n_in - 1 ? last : expr;
        kp_type(L, &q, "T", t);
        kp_type(L, &q, "TB", t);
        kp_type(L, &q, "TY", t);
        kp_str(L, &q, "EXPR", e);
        bind_bcast_loop(L, &q, n, NULL, n->in[k], y);
        const char *fn = lower_kernel(L, n, "ew_accum", &q);
        Tensor *args[2] = {n->in[k], y};
        lower_call(L, fn, 2, args, 0);
    }
}

/* ---- Where ---- */
/* Where: C (BOOL), X, Y (same type) -> numpy broadcast of all three. */
void shape_where(Graph *g, Node *n)
{
    if (n->in[0]->dtype != DT_BOOL)
        nnc_fail_node(n, "condition '%s' must be BOOL, not %s", n->in[0]->name, dtype_name(n->in[0]->dtype));
    op_same_types(n, 1, 2);
    check_type_allowed(n, n->in[1]->dtype);
    int64_t dims[NNC_MAX_RANK];
    int r = broadcast_all(g, n, dims);
    op_set_output(n, 0, n->in[1]->dtype, r, dims);
}

void lower_where(Lowering *L, const Node *n)
{
    Tensor *y = n->out[0];
    KParams p = {0};
    kp_type(L, &p, "T", y->dtype);
    int64_t s[4][NNC_MAX_RANK];
    for (int k = 0; k < 3; k++) op_broadcast_strides(n->in[k], y->rank, y->dims, s[k]);
    op_dense_strides(y->rank, y->dims, s[3]);
    static const char *const pre[] = {"CS", "XS", "ZS", "YS"};
    int64_t *const strides[] = {s[0], s[1], s[2], s[3]};
    op_bind_loop(L, &p, n, "D", y->rank, y->dims, 4, pre, strides);
    const char *fn = lower_kernel(L, n, "ew_where", &p);
    Tensor *args[4] = {n->in[0], n->in[1], n->in[2], y};
    lower_call(L, fn, 4, args, 0);
}

/* ---- data movement ---- */
void lower_copy(Lowering *L, const Node *n)
{
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

/* ---- reference semantics (constant folding) ----
 * The same scalar semantics as the C expressions above, on a Val: a float
 * element's value in f, an integer or bool element's in i (UINT64 as its
 * bit pattern) with f its (unsigned-correct) double value. */
typedef struct Val {
    double f;
    int64_t i;
} Val;

static Val val_get(const Tensor *t, int64_t k)
{
    Val v = {0, 0};
    if (dtype_is_float(t->dtype)) {
        v.f = tensor_get_double(t, k);
    } else {
        v.i = tensor_get_int(t, k);
        v.f = t->dtype == DT_UINT64 ? (double)(uint64_t)v.i : (double)v.i;
    }
    return v;
}

static void val_set(Tensor *t, int64_t k, Val v)
{
    if (dtype_is_float(t->dtype)) tensor_set_double(t, k, v.f);
    else tensor_set_int(t, k, v.i);
}

static Val fval(double f) { return (Val){f, 0}; }
static Val ival(int64_t i) { return (Val){(double)i, i}; }

/* Saturating conversion of v to integer type t (NaN: 0), as ew_satcast. */
static int64_t sat_to_int(double v, DType t)
{
    int bits = 8 * dtype_size(t), sgn = cls_of(t) == C_SINT;
    if (t == DT_BOOL) return v != 0;
    if (v != v) return 0;
    if (v <= (sgn ? -ldexp(1, bits - 1) : 0)) return sgn ? -(int64_t)((UINT64_C(1) << (bits - 1)) - 1) - 1 : 0;
    if (v >= ldexp(1, sgn ? bits - 1 : bits))
        return sgn ? (int64_t)((UINT64_C(1) << (bits - 1)) - 1)
                   : (int64_t)(bits == 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1);
    if (v >= 9223372036854775808.0) return (int64_t)(uint64_t)v;
    return (int64_t)v;
}

static int64_t ipow(int64_t base, uint64_t e, int neg)
{
    uint64_t r = 1, b = (uint64_t)base;
    if (neg) return base == 1 ? 1 : base == -1 ? ((e & 1u) ? -1 : 1) : 0;
    for (; e; e >>= 1, b *= b)
        if (e & 1u) r *= b;
    return (int64_t)r;
}

static int64_t wrap_neg(int64_t a) { return (int64_t)(0 - (uint64_t)a); }

/* Unary float semantics, in double. */
static double eval_float_unary(const Node *n, double a)
{
    switch (n->op) {
    case OP_Abs: return fabs(a);
    case OP_Neg: return -a;
    case OP_Exp: return exp(a);
    case OP_Log: return log(a);
    case OP_Reciprocal: return 1 / a;
    case OP_Floor: return floor(a);
    case OP_Ceil: return ceil(a);
    case OP_Round: return nearbyint(a);
    case OP_Sign: return a > 0 ? 1 : a < 0 ? -1 : a;
    case OP_Sin: return sin(a);
    case OP_Cos: return cos(a);
    case OP_Tan: return tan(a);
    case OP_Asin: return asin(a);
    case OP_Acos: return acos(a);
    case OP_Atan: return atan(a);
    case OP_Sinh: return sinh(a);
    case OP_Cosh: return cosh(a);
    case OP_Asinh: return asinh(a);
    case OP_Acosh: return acosh(a);
    case OP_Atanh: return atanh(a);
    case OP_Sqrt: return sqrt(a);
    case OP_Erf: return erf(a);
    case OP_Relu: return a < 0 ? 0 : a;
    case OP_LeakyRelu: return a < 0 ? attr_alpha(n) * a : a;
    case OP_Elu: return a < 0 ? attr_alpha(n) * expm1(a) : a;
    case OP_Sigmoid: return 1 / (1 + exp(-a));
    case OP_Tanh: return tanh(a);
    case OP_Selu: return a > 0 ? attr_gamma(n) * a : attr_gamma(n) * (attr_alpha(n) * exp(a) - attr_alpha(n));
    case OP_Celu: return a > 0 ? a : attr_alpha(n) * expm1(a / attr_alpha(n));
    case OP_Softplus: return a > 0 ? a + log1p(exp(-a)) : log1p(exp(a));
    case OP_Softsign: return a / (1 + fabs(a));
    case OP_ThresholdedRelu: return a > attr_alpha(n) ? a : 0;
    case OP_HardSigmoid: case OP_HardSwish: {
        double h = attr_alpha(n) * a + attr_beta(n);
        h = h < 0 ? 0 : h > 1 ? 1 : h;
        return n->op == OP_HardSwish ? a * h : h;
    }
    default: NNC_ASSERT(0); return 0;
    }
}

/* Unary integer and bool semantics (t: the element type). */
static int64_t eval_int_unary(const Node *n, DType t, int64_t a)
{
    int u = cls_of(t) == C_UINT;
    switch (n->op) {
    case OP_Abs: return !u && a < 0 ? wrap_neg(a) : a;
    case OP_Neg: return wrap_neg(a);
    case OP_Sign: return u ? a != 0 : (a > 0) - (a < 0);
    case OP_Relu: return a < 0 ? 0 : a;
    case OP_Erf: return (int64_t)erf(u ? (double)(uint64_t)a : (double)a);
    case OP_Not: return !a;
    default: NNC_ASSERT(0); return 0;
    }
}

static Val eval_cast(Val v, DType s, DType d)
{
    if (dtype_is_float(s)) return dtype_is_float(d) ? fval(v.f) : ival(sat_to_int(v.f, d));
    if (d == DT_BOOL) return ival(v.i != 0);
    return (Val){v.f, v.i}; /* integer to float: v.f; integer to integer: wraps in tensor_set_int */
}

static Val eval_scalar_unary(const Node *n, DType t, Val v, const Bound *lo, const Bound *hi)
{
    switch (n->op) {
    case OP_IsNaN: return ival(isnan(v.f) != 0);
    case OP_IsInf: {
        int neg = node_attr_int(n, "detect_negative", 1) != 0, pos = node_attr_int(n, "detect_positive", 1) != 0;
        return ival(isinf(v.f) && (v.f > 0 ? pos : neg));
    }
    case OP_Cast: case OP_CastLike: return eval_cast(v, t, n->out[0]->dtype);
    case OP_Clip:
        if (dtype_is_float(t)) {
            double lf = lo->present ? lo->f : -HUGE_VAL, hf = hi->present ? hi->f : HUGE_VAL;
            double r = v.f < lf ? lf : v.f;
            return fval(r > hf ? hf : r);
        } else {
            int u64 = t == DT_UINT64;
#define LT(a, b) (u64 ? (uint64_t)(a) < (uint64_t)(b) : (a) < (b))
            int64_t r = lo->present && LT(v.i, lo->i) ? lo->i : v.i;
            return ival(hi->present && LT(hi->i, r) ? hi->i : r);
#undef LT
        }
    default:
        return dtype_is_float(t) ? fval(eval_float_unary(n, v.f)) : ival(eval_int_unary(n, t, v.i));
    }
}

void eval_unary(Graph *g, Node *n)
{
    (void)g;
    const Tensor *x = n->in[0];
    Tensor *y = n->out[0];
    Bound lo = {0}, hi = {0};
    if (n->op == OP_Clip) lo = clip_bound(n, 0), hi = clip_bound(n, 1);
    int64_t cnt = tensor_numel(y);
    for (int64_t i = 0; i < cnt; i++) {
        Val r = eval_scalar_unary(n, x->dtype, val_get(x, i), &lo, &hi);
        if (y->dtype == DT_FLOAT && !dtype_is_float(x->dtype)) /* int -> float rounds once, like C */
            ((float *)y->data)[i] = x->dtype == DT_UINT64 ? (float)(uint64_t)r.i : (float)r.i;
        else
            val_set(y, i, r);
    }
}

/* Compare two integers of type t (UINT64 unsigned): -1, 0, 1. */
static int icmp(DType t, int64_t a, int64_t b)
{
    if (t == DT_UINT64) return (uint64_t)a < (uint64_t)b ? -1 : (uint64_t)a > (uint64_t)b;
    return a < b ? -1 : a > b;
}

static double eval_float_binary(const Node *n, DType ta, double a, double b)
{
    switch (n->op) {
    case OP_Add: case OP_Sum: case OP_Mean: return a + b;
    case OP_Sub: return a - b;
    case OP_Mul: return a * b;
    case OP_Div: return a / b;
    case OP_Pow: return pow(a, ta == DT_FLOAT ? (float)b : b);
    case OP_Mod: return fmod(a, b);
    case OP_PRelu: return a < 0 ? b * a : a;
    case OP_Max: return (a > b || a != a) ? a : b;
    case OP_Min: return (a < b || a != a) ? a : b;
    default: NNC_ASSERT(0); return 0;
    }
}

static int64_t eval_int_div_mod(const Node *n, DType t, int64_t a, int64_t b)
{
    if (b == 0) return 0;
    if (t == DT_UINT64) return n->op == OP_Div ? (int64_t)((uint64_t)a / (uint64_t)b) : (int64_t)((uint64_t)a % (uint64_t)b);
    if (b == -1) return n->op == OP_Div ? wrap_neg(a) : 0;
    if (n->op == OP_Div) return a / b;
    int64_t r = a % b;
    if (!node_attr_int(n, "fmod", 0) && r != 0 && (r < 0) != (b < 0)) r += b;
    return r;
}

static int64_t eval_int_binary(const Node *n, DType ta, DType tb, Val a, Val b)
{
    int64_t x = a.i, y = b.i;
    switch (n->op) {
    case OP_Add: return (int64_t)((uint64_t)x + (uint64_t)y);
    case OP_Sub: return (int64_t)((uint64_t)x - (uint64_t)y);
    case OP_Mul: return (int64_t)((uint64_t)x * (uint64_t)y);
    case OP_Div: case OP_Mod: return eval_int_div_mod(n, ta, x, y);
    case OP_Pow:
        if (dtype_is_float(tb)) return sat_to_int(pow((double)x, b.f), ta);
        return ipow(x, (uint64_t)y, cls_of(tb) == C_SINT && y < 0);
    case OP_PRelu: return cls_of(ta) == C_SINT && x < 0 ? (int64_t)((uint64_t)x * (uint64_t)y) : x;
    case OP_Max: return icmp(ta, x, y) > 0 ? x : y;
    case OP_Min: return icmp(ta, x, y) < 0 ? x : y;
    default: NNC_ASSERT(0); return 0;
    }
}

/* Comparison and logic: the BOOL result of a op b. */
static int eval_predicate(const Node *n, DType t, Val a, Val b)
{
    int c = dtype_is_float(t) ? (a.f < b.f ? -1 : a.f > b.f ? 1 : a.f == b.f ? 0 : 2) : icmp(t, a.i, b.i);
    switch (n->op) {
    case OP_Equal: return c == 0;
    case OP_Less: return c == -1;
    case OP_Greater: return c == 1;
    case OP_LessOrEqual: return c == -1 || c == 0;
    case OP_GreaterOrEqual: return c == 1 || c == 0;
    case OP_And: return a.i && b.i;
    case OP_Or: return a.i || b.i;
    case OP_Xor: return !a.i != !b.i;
    default: NNC_ASSERT(0); return 0;
    }
}

/* a op b, the result in the output's class; a float result is rounded to
 * the element type like the generated code's. */
static Val eval_scalar_binary(const Node *n, DType ta, DType tb, Val a, Val b)
{
    if (scalar_op(n)->bool_out) return ival(eval_predicate(n, ta, a, b));
    if (!dtype_is_float(ta)) return ival(eval_int_binary(n, ta, tb, a, b));
    double r = eval_float_binary(n, ta, a.f, b.f);
    return fval(ta == DT_FLOAT ? (float)r : r);
}

void eval_binary(Graph *g, Node *n)
{
    (void)g;
    const Tensor *a = n->in[0], *b = n->in[1];
    Tensor *y = n->out[0];
    int64_t cnt = tensor_numel(y);
    for (int64_t o = 0; o < cnt; o++) {
        Val va = val_get(a, op_bcast_offset(a, y, o)), vb = val_get(b, op_bcast_offset(b, y, o));
        val_set(y, o, eval_scalar_binary(n, a->dtype, b->dtype, va, vb));
    }
}

void eval_variadic(Graph *g, Node *n)
{
    (void)g;
    Tensor *y = n->out[0];
    DType t = y->dtype;
    int64_t cnt = tensor_numel(y);
    for (int64_t o = 0; o < cnt; o++) {
        Val acc = val_get(n->in[0], op_bcast_offset(n->in[0], y, o));
        for (int k = 1; k < n->n_in; k++)
            acc = eval_scalar_binary(n, t, t, acc, val_get(n->in[k], op_bcast_offset(n->in[k], y, o)));
        if (n->op == OP_Mean) acc.f /= n->n_in;
        val_set(y, o, acc);
    }
}

void eval_where(Graph *g, Node *n)
{
    (void)g;
    Tensor *y = n->out[0];
    size_t sz = (size_t)dtype_size(y->dtype);
    int64_t cnt = tensor_numel(y);
    for (int64_t o = 0; o < cnt; o++) {
        const Tensor *src = tensor_get_int(n->in[0], op_bcast_offset(n->in[0], y, o)) ? n->in[1] : n->in[2];
        memcpy((char *)y->data + (size_t)o * sz, (const char *)src->data + (size_t)op_bcast_offset(src, y, o) * sz,
               sz);
    }
}
