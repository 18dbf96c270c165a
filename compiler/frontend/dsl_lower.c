/* dsl_lower.c — the model language's builtins, each lowered to registry ops
 * (Conv, Gemm, BatchNormalization, LSTM, ...) with the weight layouts ONNX
 * uses, so every pass, target and kernel is shared with the ONNX frontend.
 * Each builtin has a signature with PyTorch's argument names and defaults
 * (the table at the end; docs/language.md lists them with their PyTorch
 * equivalents). Parameters are named like PyTorch's state_dict keys (the
 * layer's name, '.', weight / bias / running_mean ...) and come from the
 * safetensors file, matched by name and checked for shape and type, or from a
 * seeded random initialisation (PyTorch's default distributions). Each node's
 * shape is inferred as it is made, so a shape error points at its call. */
#include "dsl_eval.h"

#include "../ir/infer.h"
#include "../ir/ops.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef Value (*BuiltinFn)(Call *c);
typedef struct Builtin {
    const char *name;
    const char *sig;      /* "x, out, kernel, stride=1, ..." (no default: required) */
    BuiltinFn fn;
    int has_params;
} Builtin;

static const Builtin builtins[];
static const int n_builtins;

_Noreturn static void call_error(Call *c, const Token *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void call_error(Call *c, const Token *at, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    Dsl *P = c->P;
    ErrorTrap trap;
    if (setjmp(trap.env) == 0) {
        nnc_trap_push(&trap);
        dsl_error(&P->src, at->line, at->col, "%s", msg);
    }
    nnc_trap_pop(&trap);
    for (int d = P->depth; d > 0; d--) dsl_note(&P->src, P->call_line[d], P->call_col[d], "in the block called here");
    nnc_unwind();
}
#define FAIL(...) call_error(c, c->tok, __VA_ARGS__)

static const char *shp(Call *c, const Tensor *t) { return shape_str(c->P->a, t); }

/* ---- argument binding ---- */
typedef struct Sig {
    int n;
    char names[24][24];
    char defs[24][48];   /* default as text; "" = required */
} Sig;

static void sig_parse(const char *s, Sig *g)
{
    g->n = 0;
    while (*s) {
        while (*s == ' ' || *s == ',') s++;
        if (!*s) break;
        int k = 0;
        while (*s && *s != '=' && *s != ',' && k < 23) g->names[g->n][k++] = *s++;
        g->names[g->n][k] = 0;
        k = 0;
        if (*s == '=') {
            s++;
            int depth = 0;
            while (*s && (depth || *s != ',') && k < 47) {
                depth += *s == '[' ? 1 : *s == ']' ? -1 : 0;
                g->defs[g->n][k++] = *s++;
            }
        }
        g->defs[g->n][k] = 0;
        g->n++;
    }
}

static int sig_index(const Sig *g, const char *name)
{
    for (int i = 0; i < g->n; i++)
        if (strcmp(g->names[i], name) == 0) return i;
    return -1;
}

static void bind(Call *c)
{
    Sig g;
    sig_parse(c->b->sig, &g);
    c->bound = arena_alloc_array(c->P->a, (size_t)g.n + 1, sizeof(Value));
    int *have = arena_alloc_array(c->P->a, (size_t)g.n + 1, sizeof(int));
    if (c->n_pos > g.n) call_error(c, c->pos_tok[g.n], "%s() takes at most %d arguments", c->fn, g.n);
    for (int i = 0; i < c->n_pos; i++) c->bound[i] = c->pos[i], have[i] = 1;
    for (int k = 0; k < c->n_kw; k++) {
        int i = sig_index(&g, c->kw_names[k]);
        if (i < 0) { /* a parameter literal (weight=[...]), or a misspelling: said now, before "needs" */
            const char *names[24];
            for (int j = 0; j < g.n; j++) names[j] = g.names[j];
            const char *near = dsl_nearest(c->kw_names[k], names, g.n);
            if (near) call_error(c, c->kw_tok[k], "%s() has no argument '%s'; did you mean '%s'?", c->fn, c->kw_names[k], near);
            continue;
        }
        if (have[i]) call_error(c, c->kw_tok[k], "argument '%s' is given twice", c->kw_names[k]);
        c->bound[i] = c->kw[k], have[i] = 1;
        c->kw_used |= 1u << k;
    }
    for (int i = 0; i < g.n; i++) {
        if (have[i]) continue;
        if (!g.defs[i][0]) FAIL("%s() needs argument '%s'", c->fn, g.names[i]);
        c->bound[i].k = (VKind)-1; /* default */
    }
}

static void check_unused_kw(Call *c)
{
    Sig g;
    sig_parse(c->b->sig, &g);
    for (int k = 0; k < c->n_kw; k++) {
        if (c->kw_used & (1u << k)) continue;
        const char *names[24];
        for (int i = 0; i < g.n; i++) names[i] = g.names[i];
        const char *near = dsl_nearest(c->kw_names[k], names, g.n);
        call_error(c, c->kw_tok[k], "%s() has no argument '%s'%s%s%s", c->fn, c->kw_names[k],
                   near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
    }
}

/* The bound value of argument `name` (its default parsed when absent). */
static Value arg(Call *c, const char *name)
{
    Sig g;
    sig_parse(c->b->sig, &g);
    int i = sig_index(&g, name);
    NNC_ASSERT(i >= 0);
    if ((int)c->bound[i].k != -1) return c->bound[i];
    const char *d = g.defs[i];
    if (strcmp(d, "none") == 0) return (Value){0};
    if (strcmp(d, "true") == 0 || strcmp(d, "false") == 0) return (Value){.k = V_BOOL, .i = d[0] == 't'};
    if (d[0] == '\'') return (Value){.k = V_STR, .s = arena_printf(c->P->a, "%.*s", (int)strlen(d) - 2, d + 1)};
    if (strchr(d, '.') || strchr(d, 'e')) return (Value){.k = V_FLOAT, .f = strtod(d, NULL)};
    return (Value){.k = V_INT, .i = strtoll(d, NULL, 10)};
}

static const Token *arg_tok(Call *c, const char *name)
{
    for (int k = 0; k < c->n_kw; k++)
        if (strcmp(c->kw_names[k], name) == 0) return c->kw_tok[k];
    Sig g;
    sig_parse(c->b->sig, &g);
    int i = sig_index(&g, name);
    return i >= 0 && i < c->n_pos ? c->pos_tok[i] : c->tok;
}

static Tensor *arg_tensor(Call *c, const char *name)
{
    Value v = arg(c, name);
    if (v.k == V_LIST || v.k == V_INT || v.k == V_FLOAT) return dsl_const_from_value(c->P, arg_tok(c, name), &v, DT_FLOAT);
    if (v.k != V_TENSOR) call_error(c, arg_tok(c, name), "%s(): '%s' must be a tensor, not %s", c->fn, name, value_kind_name(v.k));
    return v.t;
}

static int64_t arg_int(Call *c, const char *name)
{
    Value v = arg(c, name);
    if (v.k != V_INT && v.k != V_BOOL) call_error(c, arg_tok(c, name), "%s(): '%s' must be an integer, not %s", c->fn, name, value_kind_name(v.k));
    return v.i;
}

static double arg_float(Call *c, const char *name)
{
    Value v = arg(c, name);
    if (v.k == V_INT) return (double)v.i;
    if (v.k != V_FLOAT) call_error(c, arg_tok(c, name), "%s(): '%s' must be a number, not %s", c->fn, name, value_kind_name(v.k));
    return v.f;
}

static int arg_bool(Call *c, const char *name)
{
    Value v = arg(c, name);
    if (v.k != V_BOOL && v.k != V_INT) call_error(c, arg_tok(c, name), "%s(): '%s' must be true or false", c->fn, name);
    return v.i != 0;
}

/* An int or a list of n ints (kernel=3 or kernel=[3, 5]). */
static void arg_ints(Call *c, const char *name, int n, int64_t *out, int64_t lo)
{
    Value v = arg(c, name);
    const Token *at = arg_tok(c, name);
    if (v.k == V_INT) {
        for (int i = 0; i < n; i++) out[i] = v.i;
    } else if (v.k == V_LIST && v.n == n) {
        for (int i = 0; i < n; i++) {
            if (v.items[i].k != V_INT) call_error(c, at, "%s(): '%s' must hold integers", c->fn, name);
            out[i] = v.items[i].i;
        }
    } else {
        call_error(c, at, "%s(): '%s' must be an integer or a list of %d integers", c->fn, name, n);
    }
    for (int i = 0; i < n; i++)
        if (out[i] < lo || out[i] > (1 << 24)) call_error(c, at, "%s(): '%s' is %lld, out of range", c->fn, name, (long long)out[i]);
}

/* A list of integers of any length (shapes, permutations). */
static int arg_list(Call *c, const char *name, int64_t *out, int cap)
{
    Value v = arg(c, name);
    const Token *at = arg_tok(c, name);
    if (v.k == V_INT) { out[0] = v.i; return 1; }
    if (v.k != V_LIST || v.n > cap) call_error(c, at, "%s(): '%s' must be a list of at most %d integers", c->fn, name, cap);
    for (int i = 0; i < v.n; i++) {
        if (v.items[i].k != V_INT) call_error(c, at, "%s(): '%s' must hold integers", c->fn, name);
        out[i] = v.items[i].i;
    }
    return v.n;
}

/* bias=true/false, or the bias itself as a literal list (then true) */
static int bias_flag(Call *c)
{
    Value v = arg(c, "bias");
    return v.k == V_LIST ? 1 : arg_bool(c, "bias");
}

static int norm_dim(Call *c, const char *name, int64_t d, int rank)
{
    if (d < -rank || d >= rank) call_error(c, arg_tok(c, name), "%s(): dim %lld is out of range for rank %d", c->fn, (long long)d, rank);
    return (int)(d < 0 ? d + rank : d);
}

/* ---- nodes ---- */
static const char *unique_name(Dsl *P, const char *base)
{
    if (P->names_n * 2 + 2 >= P->names_cap) {
        int ncap = P->names_cap ? P->names_cap * 2 : 1024;
        const char **nn = arena_alloc_array(P->a, (size_t)ncap, sizeof(char *));
        for (int i = 0; i < P->names_cap; i++) {
            const char *s = P->names[i];
            if (!s) continue;
            uint32_t h = 2166136261u;
            for (const char *q = s; *q; q++) h = (h ^ (unsigned char)*q) * 16777619u;
            uint32_t j = h & (uint32_t)(ncap - 1);
            while (nn[j]) j = (j + 1) & (uint32_t)(ncap - 1);
            nn[j] = s;
        }
        P->names = nn;
        P->names_cap = ncap;
    }
    const char *name = base;
    for (int k = 1;; k++) {
        uint32_t h = 2166136261u;
        for (const char *q = name; *q; q++) h = (h ^ (unsigned char)*q) * 16777619u;
        uint32_t j = h & (uint32_t)(P->names_cap - 1);
        while (P->names[j] && strcmp(P->names[j], name) != 0) j = (j + 1) & (uint32_t)(P->names_cap - 1);
        if (!P->names[j]) {
            P->names[j] = name;
            P->names_n++;
            return name;
        }
        name = arena_printf(P->a, "%s_%d", base, k);
    }
}

static Node *new_node(Call *c, OpKind op, int n_in, int n_out, const char *suffix)
{
    Dsl *P = c->P;
    if (P->g->n_nodes >= DSL_MAX_NODES) FAIL("the model has more than %d layers", DSL_MAX_NODES);
    const char *name = unique_name(P, suffix ? arena_printf(P->a, "%s/%s", c->layer, suffix) : c->layer);
    Node *n = graph_add_node(P->g, name, op_info(op)->name, n_in, n_out);
    n->op = op;
    n->opset = P->g->opset;
    n->src_line = c->tok->line, n->src_col = c->tok->col;
    n->attrs = arena_alloc_array(P->a, 16, sizeof(Attr));
    for (int k = 0; k < n_out; k++) {
        n->out[k] = graph_add_tensor(P->g, k ? arena_printf(P->a, "%s:%d", name, k) : name);
        n->out[k]->producer = n;
    }
    return n;
}

static Attr *new_attr(Call *c, Node *n, const char *name, AttrType t)
{
    if (n->n_attrs == 16) FAIL("too many attributes");
    Attr *a = &n->attrs[n->n_attrs++];
    a->name = arena_strdup(c->P->a, name);
    a->type = t;
    return a;
}
static void set_int(Call *c, Node *n, const char *name, int64_t v) { new_attr(c, n, name, ATTR_INT)->i = v; }
static void set_float(Call *c, Node *n, const char *name, double v) { new_attr(c, n, name, ATTR_FLOAT)->f = (float)v; }
static void set_str(Call *c, Node *n, const char *name, const char *v) { new_attr(c, n, name, ATTR_STRING)->s = v; }
static void set_ints(Call *c, Node *n, const char *name, int k, const int64_t *v)
{
    Attr *a = new_attr(c, n, name, ATTR_INTS);
    a->n = k;
    a->ints = arena_alloc_array(c->P->a, (size_t)k + 1, sizeof(int64_t));
    memcpy(a->ints, v, (size_t)k * sizeof(int64_t));
}

/* Infer the node's shapes now; a failure becomes an error at the call, with
 * the input shapes. */
static Tensor *finish(Call *c, Node *n)
{
    ErrorTrap trap;
    int quiet = nnc_error_quiet();
    nnc_error_set_quiet(1);
    if (setjmp(trap.env)) {
        nnc_trap_pop(&trap);
        nnc_error_set_quiet(quiet);
        const char *m = nnc_last_error(), *p = strstr(m, "): ");
        Buf b = {0};
        for (int k = 0; k < n->n_in; k++)
            if (n->in[k]) buf_printf(&b, "%s%s", b.len ? ", " : "", shp(c, n->in[k]));
        char *shapes = arena_strdup(c->P->a, b.data ? b.data : "");
        buf_free(&b);
        FAIL("%s(): %s (inputs %s)", c->fn, p ? p + 3 : m, shapes);
    }
    nnc_trap_push(&trap);
    infer_node(c->P->g, n);
    nnc_trap_pop(&trap);
    nnc_error_set_quiet(quiet);
    return n->out[0];
}

static Tensor *op1(Call *c, OpKind op, Tensor *x, const char *suffix)
{
    Node *n = new_node(c, op, 1, 1, suffix);
    n->in[0] = x;
    return finish(c, n);
}

static Tensor *op2(Call *c, OpKind op, Tensor *x, Tensor *y, const char *suffix)
{
    Node *n = new_node(c, op, 2, 1, suffix);
    n->in[0] = x;
    n->in[1] = y;
    return finish(c, n);
}

/* A constant the lowering computes (a mask, a scale, a shape): not a
 * parameter; param_const() makes one that holds parameters. */
static Tensor *new_const(Dsl *P, const char *name, DType dt, int rank, const int64_t *dims)
{
    Tensor *t = graph_add_tensor(P->g, unique_name(P, name));
    tensor_set_shape(t, dt, rank, dims);
    t->data = arena_alloc(P->a, (size_t)tensor_bytes(t) + 1);
    t->lowering_const = 1;
    return t;
}

/* A constant holding parameters: one of the state_dict, or its values
 * rearranged (a transposed weight, LSTM gates in ONNX's order). */
static Tensor *param_const(Dsl *P, const char *name, int rank, const int64_t *dims)
{
    Tensor *t = new_const(P, name, DT_FLOAT, rank, dims);
    t->lowering_const = 0;
    return t;
}

static Tensor *const_i64(Call *c, const char *what, int n, const int64_t *v)
{
    int64_t d = n;
    Tensor *t = new_const(c->P, arena_printf(c->P->a, "%s.%s", c->layer, what), DT_INT64, 1, &d);
    memcpy(t->data, v, (size_t)n * sizeof(int64_t));
    return t;
}

static Tensor *reshape(Call *c, Tensor *x, int rank, const int64_t *dims, const char *suffix)
{
    return op2(c, OP_Reshape, x, const_i64(c, suffix ? arena_printf(c->P->a, "%s_shape", suffix) : "shape", rank, dims), suffix);
}

static Tensor *transpose(Call *c, Tensor *x, int rank, const int64_t *perm, const char *suffix)
{
    Node *n = new_node(c, OP_Transpose, 1, 1, suffix);
    n->in[0] = x;
    set_ints(c, n, "perm", rank, perm);
    return finish(c, n);
}

static Value tv(Tensor *t) { return (Value){.k = V_TENSOR, .t = t}; }

/* ---- parameters ---- */
typedef enum Init { INIT_UNIFORM, INIT_NORMAL, INIT_ONES, INIT_ZEROS } Init;

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void random_fill(Dsl *P, Tensor *t, const char *name, Init init, double bound)
{
    uint64_t s = P->seed * 0x9E3779B97F4A7C15ull;
    for (const char *q = name; *q; q++) s = (s ^ (unsigned char)*q) * 1099511628211ull;
    float *d = t->data;
    int64_t n = tensor_numel(t);
    for (int64_t i = 0; i < n; i++) {
        double u = (double)(splitmix(&s) >> 11) / 9007199254740992.0;
        if (init == INIT_UNIFORM) d[i] = (float)((2 * u - 1) * bound);
        else if (init == INIT_NORMAL) {
            double v = (double)(splitmix(&s) >> 11) / 9007199254740992.0;
            d[i] = (float)(sqrt(-2 * log(u + 1e-300)) * cos(2 * M_PI * v) * bound);
        } else d[i] = init == INIT_ONES ? 1.0f : 0.0f;
    }
}

static void note_param(Call *c, const char *name)
{
    Dsl *P = c->P;
    for (int i = 0; i < P->n_params; i++)
        if (strcmp(P->params[i].name, name) == 0)
            FAIL("parameter '%s' is already used by the layer on line %d; give this call its own name with 'as NAME'", name, P->params[i].line);
    if (P->n_params == P->cap_params) {
        int ncap = P->cap_params ? P->cap_params * 2 : 64;
        ParamUse *np = arena_alloc_array(P->a, (size_t)ncap, sizeof(ParamUse));
        if (P->n_params) memcpy(np, P->params, (size_t)P->n_params * sizeof(ParamUse));
        P->params = np;
        P->cap_params = ncap;
    }
    P->params[P->n_params++] = (ParamUse){name, c->tok->line};
}

static char *dims_str(Arena *a, int rank, const int64_t *d)
{
    Tensor t = {0};
    t.rank = rank;
    memcpy(t.dims, d, (size_t)rank * sizeof(int64_t));
    return shape_str(a, &t);
}

/* The float parameter `name` of shape dims: from a literal argument
 * (kw=[...]), the weights file, or seeded random values. */
static Tensor *param_named(Call *c, const char *name, const char *kw, int rank, const int64_t *dims, Init init, double bound)
{
    Dsl *P = c->P;
    note_param(c, name);
    Tensor *t = param_const(P, name, rank, dims);
    for (int k = 0; k < c->n_kw; k++) {
        if (strcmp(c->kw_names[k], kw) != 0) continue;
        c->kw_used |= 1u << k;
        Tensor *lit = dsl_const_from_value(P, c->kw_tok[k], &c->kw[k], DT_FLOAT);
        if (tensor_numel(lit) != tensor_numel(t))
            call_error(c, c->kw_tok[k], "%s(): '%s' has %lld values but the layer needs %s", c->fn, kw,
                       (long long)tensor_numel(lit), dims_str(P->a, rank, dims));
        memcpy(t->data, lit->data, (size_t)tensor_bytes(t));
        return t;
    }
    if (!P->weights) {
        random_fill(P, t, name, init, bound);
        return t;
    }
    StTensor *s = safetensors_find(P->weights, name);
    if (!s) {
        const char **known = arena_alloc_array(P->a, (size_t)P->weights->n + 1, sizeof(char *));
        for (int i = 0; i < P->weights->n; i++) known[i] = P->weights->t[i].name;
        const char *near = dsl_nearest(name, known, P->weights->n);
        FAIL("%s(): '%s' is not in %s%s%s%s", c->fn, name, P->weights->path, near ? "; nearest is '" : "",
             near ? near : "", near ? "'" : "");
    }
    s->used = 1;
    if (s->dtype != ST_F32 && s->dtype != ST_F16 && s->dtype != ST_BF16 && s->dtype != ST_F64)
        FAIL("%s(): '%s' in %s is %s; a float tensor (F32, F16, BF16, F64) is needed", c->fn, name, P->weights->path,
             safetensors_dtype_name(s->dtype));
    int same = s->rank == rank;
    for (int i = 0; same && i < rank; i++) same = s->dims[i] == dims[i];
    if (!same)
        FAIL("%s(): '%s' in %s has shape %s but the layer needs %s", c->fn, name, P->weights->path,
             dims_str(P->a, s->rank, s->dims), dims_str(P->a, rank, dims));
    float *d = t->data;
    for (int64_t i = 0, n = tensor_numel(t); i < n; i++) d[i] = safetensors_get(s, i);
    return t;
}

static Tensor *param(Call *c, const char *shortname, int rank, const int64_t *dims, Init init, double bound)
{
    return param_named(c, arena_printf(c->P->a, "%s.%s", c->layer, shortname), shortname, rank, dims, init, bound);
}

void dsl_check_unused(Dsl *P)
{
    if (!P->weights) return;
    for (int i = 0; i < P->weights->n; i++) {
        const StTensor *s = &P->weights->t[i];
        const char *tail = strrchr(s->name, '.');
        if (s->used || (tail && strcmp(tail, ".num_batches_tracked") == 0)) continue;
        Buf b = {0};
        buf_printf(&b, "%s: warning: tensor '%s' in %s is not used by any layer\n", P->src.path, s->name, P->weights->path);
        if (!nnc_error_quiet()) fputs(b.data, stderr);
        buf_free(&b);
    }
}

/* ---- constants from literals ---- */
static void literal_shape(Dsl *P, const Token *at, const Value *v, int depth, int *rank, int64_t *dims)
{
    if (v->k != V_LIST) return;
    if (depth >= NNC_MAX_RANK) dsl_error(&P->src, at->line, at->col, "literal tensor has rank above %d", NNC_MAX_RANK);
    if (depth + 1 > *rank) *rank = depth + 1, dims[depth] = v->n;
    if (v->n) literal_shape(P, at, &v->items[0], depth + 1, rank, dims);
}

static void literal_fill(Dsl *P, const Token *at, const Value *v, int depth, int rank, const int64_t *dims, Tensor *t, int64_t *k)
{
    if (depth == rank) {
        double x = v->k == V_FLOAT ? v->f : (double)v->i;
        if (v->k != V_FLOAT && v->k != V_INT && v->k != V_BOOL)
            dsl_error(&P->src, at->line, at->col, "a literal tensor holds numbers, not %s", value_kind_name(v->k));
        if (dtype_is_float(t->dtype)) tensor_set_double(t, (*k)++, x);
        else tensor_set_int(t, (*k)++, (int64_t)x);
        return;
    }
    if (v->k != V_LIST || v->n != dims[depth])
        dsl_error(&P->src, at->line, at->col, "literal tensor is ragged: every row at depth %d needs %lld elements", depth,
                  (long long)dims[depth]);
    for (int i = 0; i < v->n; i++) literal_fill(P, at, &v->items[i], depth + 1, rank, dims, t, k);
}

Tensor *dsl_const_from_value(Dsl *P, const Token *at, const Value *v, DType dt)
{
    if (v->k == V_TENSOR) return v->t;
    if (v->k != V_LIST && v->k != V_INT && v->k != V_FLOAT && v->k != V_BOOL)
        dsl_error(&P->src, at->line, at->col, "expected a tensor or a number, not %s", value_kind_name(v->k));
    int rank = 0;
    int64_t dims[NNC_MAX_RANK], n = 1;
    literal_shape(P, at, v, 0, &rank, dims);
    for (int i = 0; i < rank; i++)
        if (!checked_mul_i64(n, dims[i], &n) || n > DSL_MAX_LIST)
            dsl_error(&P->src, at->line, at->col, "literal tensor is too large");
    Tensor *t = new_const(P, arena_printf(P->a, "const_%d_%d", at->line, at->col), dt, rank, dims);
    int64_t k = 0;
    literal_fill(P, at, v, 0, rank, dims, t, &k);
    return t;
}

Tensor *dsl_binary(Dsl *P, const Token *at, OpKind op, Tensor *x, Tensor *y)
{
    static const Builtin b = {"", "", NULL, 0};
    Call c = {P, at, y ? op_info(op)->name : "Neg", NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, 0, NULL, &b};
    c.layer = arena_printf(P->a, "%s%s", P->prefix, op_info(op)->name);
    if (!y) return op1(&c, op, x, NULL);
    if (op == OP_Add || op == OP_Sub || op == OP_Mul || op == OP_Div) {
        /* numpy broadcasting; a mismatch names both shapes */
        int r = x->rank > y->rank ? x->rank : y->rank;
        for (int i = 1; i <= r; i++) {
            int64_t a = i <= x->rank ? x->dims[x->rank - i] : 1, e = i <= y->rank ? y->dims[y->rank - i] : 1;
            if (a != e && a != 1 && e != 1)
                dsl_error(&P->src, at->line, at->col, "'%s': shapes %s and %s do not broadcast", op_info(op)->name,
                          shape_str(P->a, x), shape_str(P->a, y));
        }
    }
    return op2(&c, op, x, y, NULL);
}

Tensor *dsl_subscript(Dsl *P, const Token *at, Tensor *x, int n, const SliceSpec *s)
{
    static const Builtin b = {"", "", NULL, 0};
    Call c = {P, at, "index", NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, 0, NULL, &b};
    c.layer = arena_printf(P->a, "%sindex_%d", P->prefix, P->auto_id++);
    if (n > x->rank) call_error(&c, at, "%d indices for a tensor of rank %d (shape %s)", n, x->rank, shp(&c, x));
    int64_t st[NNC_MAX_RANK], en[NNC_MAX_RANK], ax[NNC_MAX_RANK], sp[NNC_MAX_RANK], out[NNC_MAX_RANK];
    int k = 0, r = 0;
    for (int i = 0; i < x->rank; i++) {
        if (i >= n) { out[r++] = x->dims[i]; continue; }
        int64_t d = x->dims[i], a = s[i].start, e = s[i].end;
        if (s[i].is_index) {
            if (a < -d || a >= d) call_error(&c, at, "index %lld is out of range for dimension %d of %s", (long long)a, i, shp(&c, x));
            a = a < 0 ? a + d : a;
            e = a + 1;
        } else {
            if (s[i].step == 0) call_error(&c, at, "slice step cannot be zero");
            if (!s[i].has_start) a = s[i].step > 0 ? 0 : d - 1;
            if (!s[i].has_end) e = s[i].step > 0 ? d : -d - 1;
            if (!s[i].has_start && !s[i].has_end && s[i].step == 1) { out[r++] = d; continue; }
        }
        st[k] = a, en[k] = e, ax[k] = i, sp[k] = s[i].is_index ? 1 : s[i].step;
        k++;
        if (!s[i].is_index) out[r++] = -1; /* filled from the Slice's shape */
    }
    Tensor *y = x;
    if (k) {
        Node *nd = new_node(&c, OP_Slice, 5, 1, NULL);
        nd->in[0] = x;
        nd->in[1] = const_i64(&c, "starts", k, st);
        nd->in[2] = const_i64(&c, "ends", k, en);
        nd->in[3] = const_i64(&c, "axes", k, ax);
        nd->in[4] = const_i64(&c, "steps", k, sp);
        y = finish(&c, nd);
    }
    if (r == x->rank) return y;
    for (int i = 0, j = 0; i < x->rank; i++)
        if (i >= n || !s[i].is_index) out[j++] = y->dims[i];
    return reshape(&c, y, r, out, "squeeze");
}

/* ---- builtins: products and convolutions ---- */
static Tensor *x_arg(Call *c, int min_rank, int max_rank, const char *layout)
{
    Tensor *x = arg_tensor(c, "x");
    if (x->rank < min_rank || x->rank > max_rank || !dtype_is_float(x->dtype))
        call_error(c, arg_tok(c, "x"), "%s() needs a float input of shape %s, got %s %s", c->fn, layout,
                   dtype_name(x->dtype), shp(c, x));
    return x;
}

static Value b_linear(Call *c)
{
    Tensor *x = x_arg(c, 1, 8, "[..., in_features]");
    int64_t out = arg_int(c, "out"), in = x->dims[x->rank - 1];
    if (out < 1) FAIL("linear(): out must be positive");
    int bias = bias_flag(c);
    double bound = 1 / sqrt((double)in);
    int64_t wd[2] = {out, in};
    Tensor *w = param(c, "weight", 2, wd, INIT_UNIFORM, bound);
    Tensor *b = bias ? param(c, "bias", 1, &out, INIT_UNIFORM, bound) : NULL;
    if (x->rank == 2) {
        Node *n = new_node(c, OP_Gemm, bias ? 3 : 2, 1, NULL);
        n->in[0] = x, n->in[1] = w;
        if (bias) n->in[2] = b;
        set_int(c, n, "transB", 1);
        return tv(finish(c, n));
    }
    Tensor *wt = param_const(c->P, arena_printf(c->P->a, "%s.weight_t", c->layer), 2, (int64_t[]){in, out});
    for (int64_t i = 0; i < out; i++)
        for (int64_t j = 0; j < in; j++) ((float *)wt->data)[j * out + i] = ((float *)w->data)[i * in + j];
    Tensor *y = op2(c, OP_MatMul, x, wt, NULL);
    return tv(bias ? op2(c, OP_Add, y, b, "bias") : y);
}

/* The input layout of an nd-d convolution or pool, for messages. */
static const char *spatial_layout(int nd)
{
    return nd == 1 ? "[N, C, L]" : nd == 2 ? "[N, C, H, W]" : "[N, C, D, H, W]";
}

/* padding=P, [P1, .., Pnd], 'valid' or (convolutions) 'same' -> ONNX pads
 * (begins, then ends) */
static void conv_pads(Call *c, int nd, int transpose, const int64_t *k, const int64_t *st, const int64_t *dil, int64_t *pad)
{
    Value pv = arg(c, "padding");
    if (pv.k == V_STR && strcmp(pv.s, "same") == 0 && !transpose) {
        for (int i = 0; i < nd; i++) {
            if (st[i] != 1) call_error(c, arg_tok(c, "padding"), "%s(): padding='same' needs stride 1", c->fn);
            int64_t total = dil[i] * (k[i] - 1);
            pad[i] = total / 2, pad[nd + i] = total - total / 2;
        }
    } else if (pv.k == V_STR && strcmp(pv.s, "valid") == 0) {
        for (int i = 0; i < 2 * nd; i++) pad[i] = 0;
    } else if (pv.k == V_STR) {
        call_error(c, arg_tok(c, "padding"), "%s(): padding must be an integer, a list%s", c->fn,
                   transpose ? " or 'valid'" : ", 'same' or 'valid'");
    } else {
        arg_ints(c, "padding", nd, pad, 0);
        for (int i = 0; i < nd; i++) pad[nd + i] = pad[i];
    }
}

/* conv1d/2d/3d and conv_transpose1d/2d: nn.ConvNd / nn.ConvTransposeNd with
 * ONNX's weight layouts (which are PyTorch's): [out, in/groups, k...] and,
 * transposed, [in, out/groups, k...]. */
static Value conv_common(Call *c, int nd, int transpose)
{
    Tensor *x = x_arg(c, nd + 2, nd + 2, spatial_layout(nd));
    int64_t out = arg_int(c, "out"), cin = x->dims[1], groups = arg_int(c, "groups");
    int64_t k[3], st[3], dil[3], pad[6], opad[3] = {0, 0, 0};
    arg_ints(c, "kernel", nd, k, 1);
    arg_ints(c, "stride", nd, st, 1);
    arg_ints(c, "dilation", nd, dil, 1);
    if (out < 1) FAIL("%s(): out must be positive", c->fn);
    if (groups < 1 || cin % groups || out % groups)
        FAIL("%s(): groups=%lld must divide the input's %lld channels and out=%lld", c->fn, (long long)groups,
             (long long)cin, (long long)out);
    conv_pads(c, nd, transpose, k, st, dil, pad);
    if (transpose) {
        arg_ints(c, "output_padding", nd, opad, 0);
        for (int i = 0; i < nd; i++)
            if (opad[i] >= st[i] && opad[i] >= dil[i])
                call_error(c, arg_tok(c, "output_padding"),
                           "%s(): output_padding %lld must be smaller than the stride (%lld) or the dilation (%lld)",
                           c->fn, (long long)opad[i], (long long)st[i], (long long)dil[i]);
    }
    int64_t wd[5] = {transpose ? cin : out, transpose ? out / groups : cin / groups}, fan_in = wd[1];
    for (int i = 0; i < nd; i++) wd[2 + i] = k[i], fan_in *= k[i];
    double bound = 1 / sqrt((double)fan_in);
    Tensor *w = param(c, "weight", nd + 2, wd, INIT_UNIFORM, bound);
    int bias = bias_flag(c);
    Tensor *b = bias ? param(c, "bias", 1, &out, INIT_UNIFORM, bound) : NULL;
    Node *n = new_node(c, transpose ? OP_ConvTranspose : OP_Conv, bias ? 3 : 2, 1, NULL);
    n->in[0] = x, n->in[1] = w;
    if (bias) n->in[2] = b;
    set_ints(c, n, "kernel_shape", nd, k);
    set_ints(c, n, "strides", nd, st);
    set_ints(c, n, "dilations", nd, dil);
    set_ints(c, n, "pads", 2 * nd, pad);
    set_int(c, n, "group", groups);
    if (transpose) set_ints(c, n, "output_padding", nd, opad);
    return tv(finish(c, n));
}
static Value b_conv1d(Call *c) { return conv_common(c, 1, 0); }
static Value b_conv2d(Call *c) { return conv_common(c, 2, 0); }
static Value b_conv3d(Call *c) { return conv_common(c, 3, 0); }
static Value b_conv_transpose1d(Call *c) { return conv_common(c, 1, 1); }
static Value b_conv_transpose2d(Call *c) { return conv_common(c, 2, 1); }

/* patch_embed(x, dim, patch): ViT's Conv2d(kernel = stride = patch), then
 * flatten(2).transpose(1, 2): [N, C, H, W] -> [N, (H/p)*(W/p), dim] */
static Value b_patch_embed(Call *c)
{
    Tensor *x = x_arg(c, 4, 4, "[N, C, H, W]");
    int64_t dim = arg_int(c, "dim"), p = arg_int(c, "patch");
    if (p < 1 || x->dims[2] % p || x->dims[3] % p) FAIL("patch_embed(): patch %lld must divide the image %s", (long long)p, shp(c, x));
    int64_t wd[4] = {dim, x->dims[1], p, p}, k[2] = {p, p}, pads[4] = {0};
    double bound = 1 / sqrt((double)(x->dims[1] * p * p));
    Node *n = new_node(c, OP_Conv, 3, 1, NULL);
    n->in[0] = x;
    n->in[1] = param(c, "weight", 4, wd, INIT_UNIFORM, bound);
    n->in[2] = param(c, "bias", 1, &dim, INIT_UNIFORM, bound);
    set_ints(c, n, "kernel_shape", 2, k);
    set_ints(c, n, "strides", 2, k);
    set_ints(c, n, "pads", 4, pads);
    Tensor *y = finish(c, n);
    int64_t flat[3] = {y->dims[0], dim, y->dims[2] * y->dims[3]}, perm[3] = {0, 2, 1};
    return tv(transpose(c, reshape(c, y, 3, flat, "flatten"), 3, perm, "transpose"));
}

/* ---- normalisation ---- */
static Value b_batchnorm(Call *c)
{
    Tensor *x = x_arg(c, 2, 5, "[N, C, ...]");
    int64_t ch = x->dims[1];
    Node *n = new_node(c, OP_BatchNormalization, 5, 1, NULL);
    n->in[0] = x;
    n->in[1] = param(c, "weight", 1, &ch, INIT_ONES, 0);
    n->in[2] = param(c, "bias", 1, &ch, INIT_ZEROS, 0);
    n->in[3] = param(c, "running_mean", 1, &ch, INIT_ZEROS, 0);
    n->in[4] = param(c, "running_var", 1, &ch, INIT_ONES, 0);
    set_float(c, n, "epsilon", arg_float(c, "eps"));
    return tv(finish(c, n));
}

static Value b_layernorm(Call *c)
{
    Tensor *x = x_arg(c, 1, 8, "[..., D]");
    int64_t d = x->dims[x->rank - 1];
    Node *n = new_node(c, OP_LayerNormalization, 3, 1, NULL);
    n->in[0] = x;
    n->in[1] = param(c, "weight", 1, &d, INIT_ONES, 0);
    n->in[2] = param(c, "bias", 1, &d, INIT_ZEROS, 0);
    set_int(c, n, "axis", -1);
    set_float(c, n, "epsilon", arg_float(c, "eps"));
    return tv(finish(c, n));
}

/* ---- pooling ---- */
/* max/avg_pool1d/2d/3d: F.max_pool / F.avg_pool (stride defaults to the kernel) */
static Value pool_common(Call *c, int nd, OpKind op)
{
    Tensor *x = x_arg(c, nd + 2, nd + 2, spatial_layout(nd));
    int64_t k[3], st[3], pad[6], dil[3] = {1, 1, 1};
    arg_ints(c, "kernel", nd, k, 1);
    if (arg(c, "stride").k == V_NONE) memcpy(st, k, sizeof k);
    else arg_ints(c, "stride", nd, st, 1);
    if (op == OP_MaxPool) arg_ints(c, "dilation", nd, dil, 1);
    arg_ints(c, "padding", nd, pad, 0);
    for (int i = 0; i < nd; i++) {
        int64_t span = dil[i] * (k[i] - 1) + 1; /* as torch: at most half the (dilated) kernel */
        if (2 * pad[i] > span)
            call_error(c, arg_tok(c, "padding"), "%s(): padding %lld must be at most half the kernel (%lld)", c->fn,
                       (long long)pad[i], (long long)span);
        pad[nd + i] = pad[i];
    }
    Node *n = new_node(c, op, 1, 1, NULL);
    n->in[0] = x;
    set_ints(c, n, "kernel_shape", nd, k);
    set_ints(c, n, "strides", nd, st);
    set_ints(c, n, "pads", 2 * nd, pad);
    set_int(c, n, "ceil_mode", arg_bool(c, "ceil_mode"));
    if (op == OP_AveragePool) set_int(c, n, "count_include_pad", arg_bool(c, "count_include_pad"));
    else set_ints(c, n, "dilations", nd, dil);
    return tv(finish(c, n));
}
static Value b_max_pool1d(Call *c) { return pool_common(c, 1, OP_MaxPool); }
static Value b_max_pool2d(Call *c) { return pool_common(c, 2, OP_MaxPool); }
static Value b_max_pool3d(Call *c) { return pool_common(c, 3, OP_MaxPool); }
static Value b_avg_pool1d(Call *c) { return pool_common(c, 1, OP_AveragePool); }
static Value b_avg_pool2d(Call *c) { return pool_common(c, 2, OP_AveragePool); }
static Value b_avg_pool3d(Call *c) { return pool_common(c, 3, OP_AveragePool); }

static Value b_global_avg_pool(Call *c) { return tv(op1(c, OP_GlobalAveragePool, x_arg(c, 3, 5, "[N, C, ...]"), NULL)); }
static Value b_global_max_pool(Call *c) { return tv(op1(c, OP_GlobalMaxPool, x_arg(c, 3, 5, "[N, C, ...]"), NULL)); }

/* adaptive_avg_pool2d(x, size): an AveragePool when the input divides evenly */
static Value b_adaptive_avg_pool2d(Call *c)
{
    Tensor *x = x_arg(c, 4, 4, "[N, C, H, W]");
    int64_t o[2], k[2], pad[4] = {0};
    arg_ints(c, "size", 2, o, 1);
    if (o[0] == 1 && o[1] == 1) return tv(op1(c, OP_GlobalAveragePool, x, NULL));
    for (int i = 0; i < 2; i++) {
        if (x->dims[2 + i] % o[i]) FAIL("adaptive_avg_pool2d(): output %lldx%lld must divide the input %s", (long long)o[0], (long long)o[1], shp(c, x));
        k[i] = x->dims[2 + i] / o[i];
    }
    Node *n = new_node(c, OP_AveragePool, 1, 1, NULL);
    n->in[0] = x;
    set_ints(c, n, "kernel_shape", 2, k);
    set_ints(c, n, "strides", 2, k);
    set_ints(c, n, "pads", 4, pad);
    return tv(finish(c, n));
}

/* ---- activations ---- */
static Value unary_op(Call *c, OpKind op) { return tv(op1(c, op, arg_tensor(c, "x"), NULL)); }
static Value b_relu(Call *c) { return unary_op(c, OP_Relu); }
static Value b_sigmoid(Call *c) { return unary_op(c, OP_Sigmoid); }
static Value b_tanh(Call *c) { return unary_op(c, OP_Tanh); }
static Value b_exp(Call *c) { return unary_op(c, OP_Exp); }
static Value b_sqrt(Call *c)
{
    Value v = arg(c, "x");
    if (v.k == V_INT || v.k == V_FLOAT) { /* a number: sqrt(head_dim) */
        double f = v.k == V_INT ? (double)v.i : v.f;
        if (f < 0) FAIL("sqrt() of a negative number");
        return (Value){.k = V_FLOAT, .f = sqrt(f)};
    }
    return unary_op(c, OP_Sqrt);
}
static Value b_leaky_relu(Call *c)
{
    Node *n = new_node(c, OP_LeakyRelu, 1, 1, NULL);
    n->in[0] = arg_tensor(c, "x");
    set_float(c, n, "alpha", arg_float(c, "negative_slope"));
    return tv(finish(c, n));
}
static Value b_elu(Call *c)
{
    Node *n = new_node(c, OP_Elu, 1, 1, NULL);
    n->in[0] = arg_tensor(c, "x");
    set_float(c, n, "alpha", arg_float(c, "alpha"));
    return tv(finish(c, n));
}
static Tensor *scalar(Call *c, Tensor *like, double v)
{
    Tensor *t = new_const(c->P, arena_printf(c->P->a, "%s.c", c->layer), like->dtype, 0, NULL);
    tensor_set_double(t, 0, v);
    return t;
}
/* gelu: x * 0.5 * (1 + erf(x / sqrt(2))), the form the recognition pass fuses into one Gelu */
static Value b_gelu(Call *c)
{
    Tensor *x = arg_tensor(c, "x");
    Tensor *e = op1(c, OP_Erf, op2(c, OP_Div, x, scalar(c, x, sqrt(2.0)), "div"), "erf");
    Tensor *h = op2(c, OP_Add, e, scalar(c, x, 1.0), "add");
    return tv(op2(c, OP_Mul, op2(c, OP_Mul, x, h, "mul"), scalar(c, x, 0.5), "half"));
}
static Value b_silu(Call *c)
{
    Tensor *x = arg_tensor(c, "x");
    return tv(op2(c, OP_Mul, x, op1(c, OP_Sigmoid, x, "sigmoid"), NULL));
}
static Value softmax_op(Call *c, OpKind op)
{
    Tensor *x = arg_tensor(c, "x");
    Node *n = new_node(c, op, 1, 1, NULL);
    n->in[0] = x;
    set_int(c, n, "axis", norm_dim(c, "dim", arg_int(c, "dim"), x->rank));
    return tv(finish(c, n));
}
static Tensor *softmax_of(Call *c, Tensor *x)
{
    Node *n = new_node(c, OP_Softmax, 1, 1, "softmax");
    n->in[0] = x;
    set_int(c, n, "axis", x->rank - 1);
    return finish(c, n);
}
static Value b_softmax(Call *c) { return softmax_op(c, OP_Softmax); }
static Value b_log_softmax(Call *c) { return softmax_op(c, OP_LogSoftmax); }
/* maxout(x, pieces, dim=1): the max over groups of `pieces` consecutive channels */
static Value b_maxout(Call *c)
{
    Tensor *x = arg_tensor(c, "x");
    int64_t p = arg_int(c, "pieces");
    int d = norm_dim(c, "dim", arg_int(c, "dim"), x->rank);
    if (p < 1 || x->dims[d] % p) FAIL("maxout(): pieces=%lld must divide dimension %d of %s", (long long)p, d, shp(c, x));
    int64_t dims[NNC_MAX_RANK + 1];
    int r = 0;
    for (int i = 0; i < x->rank; i++) {
        if (i == d) dims[r++] = x->dims[i] / p, dims[r++] = p;
        else dims[r++] = x->dims[i];
    }
    if (r > NNC_MAX_RANK) FAIL("maxout(): rank too high");
    Tensor *grouped = reshape(c, x, r, dims, "split"); /* made first: nodes are added in order */
    Node *n = new_node(c, OP_ReduceMax, 1, 1, NULL);
    n->in[0] = grouped;
    int64_t ax = d + 1;
    set_ints(c, n, "axes", 1, &ax);
    set_int(c, n, "keepdims", 0);
    return tv(finish(c, n));
}
static Value b_dropout(Call *c)
{
    (void)arg_float(c, "p");
    return tv(arg_tensor(c, "x"));
}

/* ---- shapes and data movement ---- */
static Value b_flatten(Call *c)
{
    Tensor *x = arg_tensor(c, "x");
    int s = norm_dim(c, "start_dim", arg_int(c, "start_dim"), x->rank), e = norm_dim(c, "end_dim", arg_int(c, "end_dim"), x->rank);
    if (e < s) FAIL("flatten(): end_dim comes before start_dim");
    int64_t dims[NNC_MAX_RANK];
    int r = 0;
    for (int i = 0; i < x->rank; i++) {
        if (i <= s || i > e) dims[r++] = x->dims[i];
        else dims[r - 1] *= x->dims[i];
    }
    return tv(reshape(c, x, r, dims, NULL));
}
static Value b_reshape(Call *c)
{
    Tensor *x = arg_tensor(c, "x");
    int64_t dims[NNC_MAX_RANK];
    int r = arg_list(c, "shape", dims, NNC_MAX_RANK);
    return tv(reshape(c, x, r, dims, NULL));
}
static Value b_permute(Call *c)
{
    Tensor *x = arg_tensor(c, "x");
    int64_t p[NNC_MAX_RANK];
    int r = arg_list(c, "dims", p, NNC_MAX_RANK);
    if (r != x->rank) FAIL("permute(): %d dims for a tensor of rank %d (%s)", r, x->rank, shp(c, x));
    for (int i = 0; i < r; i++) p[i] = norm_dim(c, "dims", p[i], r);
    return tv(transpose(c, x, r, p, NULL));
}
static Value b_transpose(Call *c)
{
    Tensor *x = arg_tensor(c, "x");
    int a = norm_dim(c, "dim0", arg_int(c, "dim0"), x->rank), b = norm_dim(c, "dim1", arg_int(c, "dim1"), x->rank);
    int64_t p[NNC_MAX_RANK];
    for (int i = 0; i < x->rank; i++) p[i] = i;
    p[a] = b, p[b] = a;
    return tv(transpose(c, x, x->rank, p, NULL));
}
static Value b_cat(Call *c)
{
    Value v = arg(c, "tensors");
    if (v.k != V_LIST || v.n < 1) call_error(c, arg_tok(c, "tensors"), "cat(): 'tensors' must be a list of tensors");
    Node *n = new_node(c, OP_Concat, v.n, 1, NULL);
    for (int i = 0; i < v.n; i++) n->in[i] = dsl_const_from_value(c->P, arg_tok(c, "tensors"), &v.items[i], DT_FLOAT);
    set_int(c, n, "axis", norm_dim(c, "dim", arg_int(c, "dim"), n->in[0]->rank));
    return tv(finish(c, n));
}
/* split(x, size, dim=0): pieces of `size` (the last may be smaller), a list */
static Value b_split(Call *c)
{
    Tensor *x = arg_tensor(c, "x");
    int d = norm_dim(c, "dim", arg_int(c, "dim"), x->rank);
    int64_t sz = arg_int(c, "size"), len = x->dims[d];
    if (sz < 1) FAIL("split(): size must be positive");
    int64_t k = (len + sz - 1) / sz;
    if (k > 4096) FAIL("split(): more than 4096 pieces");
    int64_t *sizes = arena_alloc_array(c->P->a, (size_t)k + 1, sizeof(int64_t));
    for (int64_t i = 0; i < k; i++) sizes[i] = i == k - 1 ? len - sz * (k - 1) : sz;
    Node *n = new_node(c, OP_Split, 2, (int)k, NULL);
    n->in[0] = x;
    n->in[1] = const_i64(c, "split", (int)k, sizes);
    set_int(c, n, "axis", d);
    finish(c, n);
    Value v = {.k = V_LIST, .n = (int)k};
    v.items = arena_alloc_array(c->P->a, (size_t)k + 1, sizeof(Value));
    for (int i = 0; i < k; i++) v.items[i] = tv(n->out[i]);
    return v;
}
static Value b_slice(Call *c)
{
    Tensor *x = arg_tensor(c, "x");
    SliceSpec s[NNC_MAX_RANK] = {{0}};
    int d = norm_dim(c, "dim", arg_int(c, "dim"), x->rank);
    for (int i = 0; i <= d; i++) s[i].step = 1;
    s[d].has_start = 1, s[d].start = arg_int(c, "start");
    Value e = arg(c, "end");
    if (e.k != V_NONE) s[d].has_end = 1, s[d].end = arg_int(c, "end");
    s[d].step = arg_int(c, "step");
    return tv(dsl_subscript(c->P, c->tok, x, d + 1, s));
}
static Value bin_op(Call *c, OpKind op)
{
    Tensor *x = arg_tensor(c, "x"), *y = arg_tensor(c, "y");
    return tv(dsl_binary(c->P, c->tok, op, x, y));
}
static Value b_add(Call *c) { return bin_op(c, OP_Add); }
static Value b_sub(Call *c) { return bin_op(c, OP_Sub); }
static Value b_mul(Call *c) { return bin_op(c, OP_Mul); }
static Value b_div(Call *c) { return bin_op(c, OP_Div); }
static Value b_matmul(Call *c) { return bin_op(c, OP_MatMul); }
static Value b_mean(Call *c)
{
    Tensor *x = arg_tensor(c, "x");
    int64_t ax = norm_dim(c, "dim", arg_int(c, "dim"), x->rank);
    Node *n = new_node(c, OP_ReduceMean, 1, 1, NULL);
    n->in[0] = x;
    set_ints(c, n, "axes", 1, &ax);
    set_int(c, n, "keepdims", arg_bool(c, "keepdim"));
    return tv(finish(c, n));
}

/* ---- embeddings and positions ---- */
static Value b_embedding(Call *c)
{
    Tensor *x = arg_tensor(c, "x");
    if (dtype_is_float(x->dtype)) call_error(c, arg_tok(c, "x"), "embedding() needs integer indices, got %s", dtype_name(x->dtype));
    int64_t wd[2] = {arg_int(c, "num"), arg_int(c, "dim")};
    if (wd[0] < 1 || wd[1] < 1) FAIL("embedding(): num and dim must be positive");
    return tv(op2(c, OP_Gather, param(c, "weight", 2, wd, INIT_NORMAL, 1.0), x, NULL));
}
/* parameter(shape): a learned tensor named by 'as' (cls tokens, learned positions) */
static Value b_parameter(Call *c)
{
    int64_t dims[NNC_MAX_RANK];
    int r = arg_list(c, "shape", dims, NNC_MAX_RANK);
    for (int i = 0; i < r; i++)
        if (dims[i] < 1) FAIL("parameter(): dimensions must be positive");
    return tv(param_named(c, c->layer, "value", r, dims, INIT_NORMAL, arg_float(c, "std")));
}
/* sinusoidal_pos(x): x + the sinusoidal table of "Attention is all you need" (x: [N, T, D]) */
static Value b_sinusoidal_pos(Call *c)
{
    Tensor *x = x_arg(c, 3, 3, "[N, T, D]");
    int64_t T = x->dims[1], D = x->dims[2], dims[3] = {1, T, D};
    Tensor *pe = new_const(c->P, arena_printf(c->P->a, "%s.pe", c->layer), DT_FLOAT, 3, dims);
    for (int64_t t = 0; t < T; t++)
        for (int64_t i = 0; i < D; i += 2) {
            double div = exp((double)i * (-log(10000.0) / (double)D));
            ((float *)pe->data)[t * D + i] = (float)sin((double)t * div);
            if (i + 1 < D) ((float *)pe->data)[t * D + i + 1] = (float)cos((double)t * div);
        }
    return tv(op2(c, OP_Add, x, pe, NULL));
}
static Value b_upsample(Call *c)
{
    Tensor *x = x_arg(c, 3, 5, "[N, C, ...]");
    double s = arg_float(c, "scale_factor");
    Value m = arg(c, "mode");
    if (m.k != V_STR || (strcmp(m.s, "nearest") != 0 && strcmp(m.s, "bilinear") != 0 && strcmp(m.s, "linear") != 0))
        call_error(c, arg_tok(c, "mode"), "upsample(): mode must be 'nearest', 'linear' or 'bilinear'");
    int64_t d = x->rank;
    Tensor *scales = new_const(c->P, arena_printf(c->P->a, "%s.scales", c->layer), DT_FLOAT, 1, &d);
    for (int i = 0; i < x->rank; i++) ((float *)scales->data)[i] = i < 2 ? 1.0f : (float)s;
    Node *n = new_node(c, OP_Resize, 3, 1, NULL);
    n->in[0] = x;
    n->in[2] = scales;
    set_str(c, n, "mode", strcmp(m.s, "nearest") == 0 ? "nearest" : "linear");
    set_str(c, n, "coordinate_transformation_mode", strcmp(m.s, "nearest") == 0 ? "asymmetric" : "half_pixel");
    set_str(c, n, "nearest_mode", "floor");
    return tv(finish(c, n));
}

/* ---- recurrent: torch's weight_ih_l{k}[_reverse] reordered to ONNX's gates ---- */
/* One layer's W [dirs, G*H, I], R [dirs, G*H, H] and (bias=true) B
 * [dirs, 2*G*H] from torch's weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k},
 * bias_hh_l{k} (and _reverse), gate blocks reordered. */
static Tensor *rnn_weights(Call *c, int layer, int dirs, int gates, int64_t H, int64_t I, int bias, Tensor **R, Tensor **B)
{
    /* ONNX gate k takes torch gate order[k]: LSTM iofc <- ifgo, GRU zrh <- rzn */
    static const int lstm[4] = {0, 3, 1, 2}, gru[3] = {1, 0, 2}, rnn[1] = {0};
    const int *order = gates == 4 ? lstm : gates == 3 ? gru : rnn;
    Dsl *P = c->P;
    int64_t G = gates * H, wd[3] = {dirs, G, I}, rd[3] = {dirs, G, H}, bd[2] = {dirs, 2 * G};
    Tensor *W = param_const(P, arena_printf(P->a, "%s.W_l%d", c->layer, layer), 3, wd);
    *R = param_const(P, arena_printf(P->a, "%s.R_l%d", c->layer, layer), 3, rd);
    *B = bias ? param_const(P, arena_printf(P->a, "%s.B_l%d", c->layer, layer), 2, bd) : NULL;
    double bound = 1 / sqrt((double)H);
    for (int d = 0; d < dirs; d++) {
        const char *sfx = d ? "_reverse" : "";
        int64_t wi[2] = {G, I}, wh[2] = {G, H};
        Tensor *wih = param(c, arena_printf(P->a, "weight_ih_l%d%s", layer, sfx), 2, wi, INIT_UNIFORM, bound);
        Tensor *whh = param(c, arena_printf(P->a, "weight_hh_l%d%s", layer, sfx), 2, wh, INIT_UNIFORM, bound);
        Tensor *bih = bias ? param(c, arena_printf(P->a, "bias_ih_l%d%s", layer, sfx), 1, &G, INIT_UNIFORM, bound) : NULL;
        Tensor *bhh = bias ? param(c, arena_printf(P->a, "bias_hh_l%d%s", layer, sfx), 1, &G, INIT_UNIFORM, bound) : NULL;
        float *w = (float *)W->data + d * G * I, *r = (float *)(*R)->data + d * G * H;
        for (int k = 0; k < gates; k++) {
            int64_t src = order[k] * H, dst = k * H;
            memcpy(w + dst * I, (float *)wih->data + src * I, (size_t)(H * I) * sizeof(float));
            memcpy(r + dst * H, (float *)whh->data + src * H, (size_t)(H * H) * sizeof(float));
            if (!bias) continue;
            float *b = (float *)(*B)->data + d * 2 * G;
            memcpy(b + dst, (float *)bih->data + src, (size_t)H * sizeof(float));
            memcpy(b + G + dst, (float *)bhh->data + src, (size_t)H * sizeof(float));
        }
    }
    return W;
}

/* h0 / c0: torch's [layers * directions, N, hidden] (batch first or not),
 * split into each layer's initial state [dirs, N, H] (batch first, as ONNX's
 * layout 1 wants it: [N, dirs, H]); parts[l] NULL when not given. */
static void rnn_initial(Call *c, const char *name, int64_t L, int dirs, int64_t N, int64_t H, int bf, Tensor **parts)
{
    for (int l = 0; l < L; l++) parts[l] = NULL;
    if (arg(c, name).k == V_NONE) return;
    Tensor *h = arg_tensor(c, name);
    int64_t want[3] = {L * dirs, N, H}, perm[3] = {1, 0, 2};
    if (h->rank != 3 || h->dims[0] != want[0] || h->dims[1] != want[1] || h->dims[2] != want[2] || !dtype_is_float(h->dtype))
        call_error(c, arg_tok(c, name), "%s(): %s must be a float tensor of shape [layers * directions, N, hidden] = %s, got %s %s",
                   c->fn, name, dims_str(c->P->a, 3, want), dtype_name(h->dtype), shp(c, h));
    if (L == 1) {
        parts[0] = h;
    } else {
        int64_t *sizes = arena_alloc_array(c->P->a, (size_t)L, sizeof(int64_t));
        for (int l = 0; l < L; l++) sizes[l] = dirs;
        Node *n = new_node(c, OP_Split, 2, (int)L, arena_printf(c->P->a, "%s_split", name));
        n->in[0] = h;
        n->in[1] = const_i64(c, arena_printf(c->P->a, "%s_split", name), (int)L, sizes);
        set_int(c, n, "axis", 0);
        finish(c, n);
        for (int l = 0; l < L; l++) parts[l] = n->out[l];
    }
    for (int l = 0; bf && l < L; l++) parts[l] = transpose(c, parts[l], 3, perm, arena_printf(c->P->a, "%s_l%d_t", name, l));
}

/* The final states of every layer ([dirs, N, H] each; batch first [N, dirs, H])
 * as torch's h_n / c_n: [layers * directions, N, hidden]. */
static Tensor *rnn_final(Call *c, const char *name, int L, int bf, Tensor **parts)
{
    int64_t perm[3] = {1, 0, 2};
    for (int l = 0; bf && l < L; l++) parts[l] = transpose(c, parts[l], 3, perm, arena_printf(c->P->a, "%s_l%d_t", name, l));
    if (L == 1) return parts[0];
    Node *n = new_node(c, OP_Concat, L, 1, name);
    for (int l = 0; l < L; l++) n->in[l] = parts[l];
    set_int(c, n, "axis", 0);
    return finish(c, n);
}

/* rnn / lstm / gru: one ONNX node per layer, torch's state_dict names; the
 * output y, or with return_state=true the list [y, h_n] ([y, h_n, c_n] for
 * lstm) of nn.RNN(...)(x, h0) = (y, h_n). */
static Value recurrent(Call *c, OpKind op, int gates)
{
    Tensor *x = x_arg(c, 3, 3, "[T, N, features] (or [N, T, features] with batch_first=true)");
    int64_t H = arg_int(c, "hidden"), L = arg_int(c, "layers");
    int bidir = arg_bool(c, "bidirectional"), bf = arg_bool(c, "batch_first"), dirs = bidir ? 2 : 1;
    int bias = arg_bool(c, "bias"), states = arg_bool(c, "return_state"), lstm = op == OP_LSTM;
    if (H < 1 || L < 1 || L > 64) FAIL("%s(): hidden and layers must be positive (layers at most 64)", c->fn);
    const char *act = NULL;
    if (op == OP_RNN) {
        Value nl = arg(c, "nonlinearity");
        if (nl.k != V_STR || (strcmp(nl.s, "tanh") != 0 && strcmp(nl.s, "relu") != 0))
            call_error(c, arg_tok(c, "nonlinearity"), "rnn(): nonlinearity must be 'tanh' or 'relu'");
        act = strcmp(nl.s, "tanh") == 0 ? "Tanh" : "Relu";
    }
    Tensor *h0[64], *c0[64], *hn[64], *cn[64];
    int64_t N = x->dims[bf ? 0 : 1];
    rnn_initial(c, "h0", L, dirs, N, H, bf, h0);
    if (lstm) rnn_initial(c, "c0", L, dirs, N, H, bf, c0);
    Tensor *y = x;
    for (int l = 0; l < L; l++) {
        Tensor *R, *B, *W = rnn_weights(c, l, dirs, gates, H, y->dims[2], bias, &R, &B);
        int n_in = lstm && c0[l] ? 7 : h0[l] ? 6 : 4;
        Node *n = new_node(c, op, n_in, states ? (lstm ? 3 : 2) : 1, arena_printf(c->P->a, "l%d", l));
        n->in[0] = y, n->in[1] = W, n->in[2] = R, n->in[3] = B;
        if (n_in > 5) n->in[5] = h0[l];
        if (n_in > 6) n->in[6] = c0[l];
        set_int(c, n, "hidden_size", H);
        set_int(c, n, "layout", bf);
        if (bidir) set_str(c, n, "direction", "bidirectional");
        if (op == OP_GRU) set_int(c, n, "linear_before_reset", 1);
        if (act) {
            Attr *a = new_attr(c, n, "activations", ATTR_STRINGS);
            a->n = dirs;
            a->strings = arena_alloc_array(c->P->a, 2, sizeof(char *));
            a->strings[0] = a->strings[1] = act;
        }
        Tensor *o = finish(c, n); /* [T, dirs, N, H] or batch first [N, T, dirs, H] */
        if (states) hn[l] = n->out[1], cn[l] = lstm ? n->out[2] : NULL;
        if (!bf) {
            int64_t perm[4] = {0, 2, 1, 3};
            o = transpose(c, o, 4, perm, arena_printf(c->P->a, "l%d_t", l));
        }
        int64_t dims[3] = {o->dims[0], o->dims[1], dirs * H};
        y = reshape(c, o, 3, dims, arena_printf(c->P->a, "l%d_r", l));
    }
    if (!states) return tv(y);
    Value v = {.k = V_LIST, .n = lstm ? 3 : 2};
    v.items = arena_alloc_array(c->P->a, 3, sizeof(Value));
    v.items[0] = tv(y);
    v.items[1] = tv(rnn_final(c, "h_n", (int)L, bf, hn));
    if (lstm) v.items[2] = tv(rnn_final(c, "c_n", (int)L, bf, cn));
    return v;
}
static Value b_lstm(Call *c) { return recurrent(c, OP_LSTM, 4); }
static Value b_gru(Call *c) { return recurrent(c, OP_GRU, 3); }
static Value b_rnn(Call *c) { return recurrent(c, OP_RNN, 1); }


/* ---- attention ---- */
static Tensor *scalar(Call *c, Tensor *like, double v);

/* The [T, S] additive causal mask: 0 on and below the diagonal, -inf above. */
static Tensor *causal_const(Call *c, int64_t T, int64_t S)
{
    int64_t d[2] = {T, S};
    Tensor *m = new_const(c->P, arena_printf(c->P->a, "%s.causal", c->layer), DT_FLOAT, 2, d);
    for (int64_t i = 0; i < T; i++)
        for (int64_t j = 0; j < S; j++) ((float *)m->data)[i * S + j] = j > i + (S - T) ? -INFINITY : 0.0f;
    return m;
}

/* causal_mask(scores): scores [..., T, S] with -inf where a query would see a later key */
static Value b_causal_mask(Call *c)
{
    Tensor *x = x_arg(c, 2, 8, "[..., T, S]");
    return tv(op2(c, OP_Add, x, causal_const(c, x->dims[x->rank - 2], x->dims[x->rank - 1]), NULL));
}

/* y = x @ w[rows r0 .. r0+n)^T + b[r0 ..): one slice of a [*, E] projection */
static Tensor *project(Call *c, Tensor *x, const Tensor *w, const Tensor *b, int64_t r0, int64_t n, const char *what)
{
    int64_t E = w->dims[1], d[2] = {E, n};
    Tensor *wt = param_const(c->P, arena_printf(c->P->a, "%s.%s_weight_t", c->layer, what), 2, d);
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < E; j++) ((float *)wt->data)[j * n + i] = ((const float *)w->data)[(r0 + i) * E + j];
    Tensor *y = op2(c, OP_MatMul, x, wt, what);
    if (!b) return y;
    Tensor *bs = param_const(c->P, arena_printf(c->P->a, "%s.%s_bias", c->layer, what), 1, &n);
    memcpy(bs->data, (const float *)b->data + r0, (size_t)n * sizeof(float));
    return op2(c, OP_Add, y, bs, arena_printf(c->P->a, "%s_bias", what));
}

/* [N, T, E] -> [N, h, T, E/h] (or [N, h, E/h, T] for keys) */
static Tensor *heads_of(Call *c, Tensor *x, int64_t h, int keys, const char *what)
{
    int64_t d[4] = {x->dims[0], x->dims[1], h, x->dims[2] / h}, p[4] = {0, 2, 1, 3}, pk[4] = {0, 2, 3, 1};
    return transpose(c, reshape(c, x, 4, d, arena_printf(c->P->a, "%s_heads", what)), 4, keys ? pk : p,
                     arena_printf(c->P->a, "%s_t", what));
}

/* A boolean mask (true: may not attend) as the additive one torch makes of
 * it: 0 where false, -inf where true. */
static Tensor *additive_mask(Call *c, Tensor *m, Tensor *scores, const char *what)
{
    if (m->dtype != DT_BOOL) return m;
    Node *n = new_node(c, OP_Where, 3, 1, what);
    n->in[0] = m;
    n->in[1] = scalar(c, scores, -INFINITY);
    n->in[2] = scalar(c, scores, 0.0);
    return finish(c, n);
}

/* The scores s [N, heads, T, S] with nn.MultiheadAttention's masks added:
 * attn_mask [T, S] or [N * heads, T, S], key_padding_mask [N, S]; each
 * boolean (true: masked out) or float (added). */
static Tensor *attention_masks(Call *c, Tensor *s)
{
    int64_t N = s->dims[0], h = s->dims[1], T = s->dims[2], S = s->dims[3];
    if (arg(c, "attn_mask").k != V_NONE) {
        Tensor *m = arg_tensor(c, "attn_mask");
        int two = m->rank == 2 && m->dims[0] == T && m->dims[1] == S;
        int three = m->rank == 3 && m->dims[0] == N * h && m->dims[1] == T && m->dims[2] == S;
        if ((!two && !three) || (m->dtype != DT_BOOL && m->dtype != s->dtype))
            call_error(c, arg_tok(c, "attn_mask"),
                       "multihead_attention(): attn_mask must be bool or float [T, S] = [%lld,%lld] or [N * heads, T, S] = "
                       "[%lld,%lld,%lld], got %s %s", (long long)T, (long long)S, (long long)(N * h), (long long)T,
                       (long long)S, dtype_name(m->dtype), shp(c, m));
        m = additive_mask(c, m, s, "attn_mask");
        int64_t d4[4] = {N, h, T, S};
        if (three) m = reshape(c, m, 4, d4, "attn_mask_heads");
        s = op2(c, OP_Add, s, m, "attn_mask_add");
    }
    if (arg(c, "key_padding_mask").k != V_NONE) {
        Tensor *m = arg_tensor(c, "key_padding_mask");
        if (m->rank != 2 || m->dims[0] != N || m->dims[1] != S || (m->dtype != DT_BOOL && m->dtype != s->dtype))
            call_error(c, arg_tok(c, "key_padding_mask"),
                       "multihead_attention(): key_padding_mask must be bool or float [N, S] = [%lld,%lld], got %s %s",
                       (long long)N, (long long)S, dtype_name(m->dtype), shp(c, m));
        int64_t d4[4] = {N, 1, 1, S};
        m = reshape(c, additive_mask(c, m, s, "key_padding_mask"), 4, d4, "key_padding_mask_heads");
        s = op2(c, OP_Add, s, m, "key_padding_mask_add");
    }
    return s;
}

/* multihead_attention: nn.MultiheadAttention (in_proj_weight, in_proj_bias,
 * out_proj.weight, out_proj.bias), lowered to the MatMul -> scale -> mask ->
 * Softmax -> MatMul chain the recognition pass fuses into one Attention. */
static Value b_multihead_attention(Call *c)
{
    Tensor *q = x_arg(c, 3, 3, "[N, T, E] (batch_first=true) or [T, N, E]");
    Tensor *k = arg(c, "key").k == V_NONE ? q : arg_tensor(c, "key");
    Tensor *v = arg(c, "value").k == V_NONE ? k : arg_tensor(c, "value");
    int64_t h = arg_int(c, "heads"), E = q->dims[2], perm[3] = {1, 0, 2};
    int bf = arg_bool(c, "batch_first"), bias = bias_flag(c), causal = arg_bool(c, "causal");
    if (h < 1 || E % h) FAIL("multihead_attention(): heads=%lld must divide the embedding %lld", (long long)h, (long long)E);
    if (k->rank != 3 || v->rank != 3 || k->dims[2] != E || v->dims[2] != E)
        FAIL("multihead_attention(): key %s and value %s must be [*, *, %lld] like the query %s", shp(c, k), shp(c, v),
             (long long)E, shp(c, q));
    if (!bf) {
        q = transpose(c, q, 3, perm, "q_in");
        k = k == arg_tensor(c, "x") ? q : transpose(c, k, 3, perm, "k_in");
        v = v == arg_tensor(c, "x") ? q : transpose(c, v, 3, perm, "v_in");
    }
    int64_t wd[2] = {3 * E, E}, od[2] = {E, E}, b3 = 3 * E;
    double bound = 1 / sqrt((double)E);
    Tensor *w = param(c, "in_proj_weight", 2, wd, INIT_UNIFORM, bound);
    Tensor *b = bias ? param(c, "in_proj_bias", 1, &b3, INIT_ZEROS, 0) : NULL;
    Tensor *ow = param(c, "out_proj.weight", 2, od, INIT_UNIFORM, bound);
    Tensor *ob = bias ? param(c, "out_proj.bias", 1, &E, INIT_ZEROS, 0) : NULL;
    Tensor *qh = heads_of(c, project(c, q, w, b, 0, E, "q"), h, 0, "q");
    Tensor *kh = heads_of(c, project(c, k, w, b, E, E, "k"), h, 1, "k");
    Tensor *vh = heads_of(c, project(c, v, w, b, 2 * E, E, "v"), h, 0, "v");
    Tensor *s = op2(c, OP_Div, op2(c, OP_MatMul, qh, kh, "scores"), scalar(c, q, sqrt((double)(E / h))), "scale");
    if (causal) s = op2(c, OP_Add, s, causal_const(c, s->dims[2], s->dims[3]), "causal");
    s = attention_masks(c, s);
    Tensor *a = op2(c, OP_MatMul, softmax_of(c, s), vh, "context");
    int64_t pd[4] = {0, 2, 1, 3}, fd[3] = {a->dims[0], a->dims[2], E};
    Tensor *y = reshape(c, transpose(c, a, 4, pd, "merge_t"), 3, fd, "merge");
    y = project(c, y, ow, ob, 0, E, "out_proj");
    return tv(bf ? y : transpose(c, y, 3, perm, "out"));
}

/* ---- the table ---- */
#define CONV_SIG "x, out, kernel, stride=1, padding=0, dilation=1, groups=1, bias=true"
#define CONVT_SIG "x, out, kernel, stride=1, padding=0, output_padding=0, groups=1, bias=true, dilation=1"
#define POOL_SIG "x, kernel, stride=none, padding=0, ceil_mode=false"
#define RNN_SIG "x, hidden, layers=1, bidirectional=false, batch_first=false, bias=true, h0=none, return_state=false"
static const Builtin builtins[] = {
    {"linear", "x, out, bias=true", b_linear, 1},
    {"conv1d", CONV_SIG, b_conv1d, 1},
    {"conv2d", CONV_SIG, b_conv2d, 1},
    {"conv3d", CONV_SIG, b_conv3d, 1},
    {"conv_transpose1d", CONVT_SIG, b_conv_transpose1d, 1},
    {"conv_transpose2d", CONVT_SIG, b_conv_transpose2d, 1},
    {"batchnorm", "x, eps=1e-5", b_batchnorm, 1},
    {"layernorm", "x, eps=1e-5", b_layernorm, 1},
    {"max_pool1d", POOL_SIG ", dilation=1", b_max_pool1d, 0},
    {"max_pool2d", POOL_SIG ", dilation=1", b_max_pool2d, 0},
    {"max_pool3d", POOL_SIG ", dilation=1", b_max_pool3d, 0},
    {"avg_pool1d", POOL_SIG ", count_include_pad=true", b_avg_pool1d, 0},
    {"avg_pool2d", POOL_SIG ", count_include_pad=true", b_avg_pool2d, 0},
    {"avg_pool3d", POOL_SIG ", count_include_pad=true", b_avg_pool3d, 0},
    {"global_avg_pool", "x", b_global_avg_pool, 0},
    {"global_max_pool", "x", b_global_max_pool, 0},
    {"adaptive_avg_pool2d", "x, size", b_adaptive_avg_pool2d, 0},
    {"relu", "x", b_relu, 0},
    {"leaky_relu", "x, negative_slope=0.01", b_leaky_relu, 0},
    {"elu", "x, alpha=1.0", b_elu, 0},
    {"gelu", "x", b_gelu, 0},
    {"silu", "x", b_silu, 0},
    {"sigmoid", "x", b_sigmoid, 0},
    {"tanh", "x", b_tanh, 0},
    {"exp", "x", b_exp, 0},
    {"sqrt", "x", b_sqrt, 0},
    {"softmax", "x, dim=-1", b_softmax, 0},
    {"log_softmax", "x, dim=-1", b_log_softmax, 0},
    {"maxout", "x, pieces, dim=1", b_maxout, 0},
    {"dropout", "x, p=0.5", b_dropout, 0},
    {"flatten", "x, start_dim=1, end_dim=-1", b_flatten, 0},
    {"reshape", "x, shape", b_reshape, 0},
    {"permute", "x, dims", b_permute, 0},
    {"transpose", "x, dim0, dim1", b_transpose, 0},
    {"cat", "tensors, dim=0", b_cat, 0},
    {"split", "x, size, dim=0", b_split, 0},
    {"slice", "x, dim, start=0, end=none, step=1", b_slice, 0},
    {"add", "x, y", b_add, 0},
    {"sub", "x, y", b_sub, 0},
    {"mul", "x, y", b_mul, 0},
    {"div", "x, y", b_div, 0},
    {"matmul", "x, y", b_matmul, 0},
    {"mean", "x, dim, keepdim=false", b_mean, 0},
    {"embedding", "x, num, dim", b_embedding, 1},
    {"parameter", "shape, std=0.02", b_parameter, 1},
    {"sinusoidal_pos", "x", b_sinusoidal_pos, 0},
    {"patch_embed", "x, dim, patch", b_patch_embed, 1},
    {"upsample", "x, scale_factor, mode='nearest'", b_upsample, 0},
    {"multihead_attention",
     "x, heads, key=none, value=none, causal=false, attn_mask=none, key_padding_mask=none, batch_first=false, bias=true",
     b_multihead_attention, 1},
    {"causal_mask", "x", b_causal_mask, 0},
    {"rnn", RNN_SIG ", nonlinearity='tanh'", b_rnn, 1},
    {"lstm", RNN_SIG ", c0=none", b_lstm, 1},
    {"gru", RNN_SIG, b_gru, 1},
};
static const int n_builtins = (int)(sizeof builtins / sizeof builtins[0]);

static const Builtin *find_builtin(const char *name)
{
    for (int i = 0; i < n_builtins; i++)
        if (strcmp(builtins[i].name, name) == 0) return &builtins[i];
    return NULL;
}

int dsl_is_builtin(const char *name) { return find_builtin(name) != NULL; }
int dsl_builtin_has_params(const char *name) { return find_builtin(name) && find_builtin(name)->has_params; }

const char *const *dsl_builtin_names(int *n)
{
    static const char *names[sizeof builtins / sizeof builtins[0]];
    for (int i = 0; i < n_builtins; i++) names[i] = builtins[i].name;
    *n = n_builtins;
    return names;
}

Value dsl_call_builtin(Call *c)
{
    c->b = find_builtin(c->fn);
    bind(c);
    Value v = c->b->fn(c);
    check_unused_kw(c);
    return v;
}

static int has_float(const Value *v)
{
    if (v->k == V_FLOAT) return 1;
    for (int i = 0; v->k == V_LIST && i < v->n; i++)
        if (has_float(&v->items[i])) return 1;
    return 0;
}

/* The escape hatch: Op(inputs..., attr=value, ...), ONNX attribute names;
 * none for an omitted optional input; _outputs=N for several outputs;
 * _opset=N for the op as opset N defines it (a node of an older model). */
Value dsl_call_onnx(Call *c, OpKind op)
{
    static const Builtin onnx_b = {"", "", NULL, 0};
    c->b = &onnx_b;
    int n_out = 1, opset = c->P->g->opset;
    for (int k = 0; k < c->n_kw; k++) {
        if (strcmp(c->kw_names[k], "_outputs") == 0) {
            if (c->kw[k].k != V_INT || c->kw[k].i < 1 || c->kw[k].i > 64) call_error(c, c->kw_tok[k], "_outputs must be 1 to 64");
            n_out = (int)c->kw[k].i;
        }
        if (strcmp(c->kw_names[k], "_opset") == 0) {
            if (c->kw[k].k != V_INT || c->kw[k].i < 1 || c->kw[k].i > c->P->g->opset)
                call_error(c, c->kw_tok[k], "_opset must be 1 to %d", c->P->g->opset);
            opset = (int)c->kw[k].i;
        }
    }
    Node *n = new_node(c, op, c->n_pos, n_out, NULL);
    n->opset = opset;
    for (int i = 0; i < c->n_pos; i++)
        n->in[i] = c->pos[i].k == V_NONE ? NULL
                   : dsl_const_from_value(c->P, c->pos_tok[i], &c->pos[i], has_float(&c->pos[i]) ? DT_FLOAT : DT_INT64);
    n->attrs = arena_alloc_array(c->P->a, (size_t)c->n_kw + 1, sizeof(Attr));
    for (int k = 0; k < c->n_kw; k++) {
        Value *v = &c->kw[k];
        if (strcmp(c->kw_names[k], "_outputs") == 0 || strcmp(c->kw_names[k], "_opset") == 0) continue;
        Attr *a = &n->attrs[n->n_attrs++];
        a->name = c->kw_names[k];
        if (v->k == V_INT || v->k == V_BOOL) a->type = ATTR_INT, a->i = v->i;
        else if (v->k == V_FLOAT) a->type = ATTR_FLOAT, a->f = (float)v->f;
        else if (v->k == V_STR) a->type = ATTR_STRING, a->s = v->s;
        else if (v->k == V_TENSOR) a->type = ATTR_TENSOR, a->t = v->t;
        else if (v->k == V_LIST) {
            int any_float = 0, any_str = 0;
            for (int i = 0; i < v->n; i++) any_float |= v->items[i].k == V_FLOAT, any_str |= v->items[i].k == V_STR;
            a->n = v->n;
            if (any_str) {
                a->type = ATTR_STRINGS;
                a->strings = arena_alloc_array(c->P->a, (size_t)v->n + 1, sizeof(char *));
            } else if (any_float) {
                a->type = ATTR_FLOATS;
                a->floats = arena_alloc_array(c->P->a, (size_t)v->n + 1, sizeof(float));
            } else {
                a->type = ATTR_INTS;
                a->ints = arena_alloc_array(c->P->a, (size_t)v->n + 1, sizeof(int64_t));
            }
            for (int i = 0; i < v->n; i++) {
                Value *e = &v->items[i];
                if ((any_str && e->k != V_STR) || (!any_str && e->k != V_INT && e->k != V_FLOAT))
                    call_error(c, c->kw_tok[k], "attribute '%s' mixes kinds of values", a->name);
                if (any_str) a->strings[i] = e->s;
                else if (any_float) a->floats[i] = (float)(e->k == V_FLOAT ? e->f : (double)e->i);
                else a->ints[i] = e->i;
            }
        } else {
            call_error(c, c->kw_tok[k], "attribute '%s' cannot be none", a->name);
        }
    }
    finish(c, n);
    if (n_out == 1) return tv(n->out[0]);
    Value v = {.k = V_LIST, .n = n_out};
    v.items = arena_alloc_array(c->P->a, (size_t)n_out, sizeof(Value));
    for (int i = 0; i < n_out; i++) v.items[i] = tv(n->out[i]);
    return v;
}
