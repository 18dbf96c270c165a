/* dsl_parse.c — the model language's parser, which evaluates as it parses.
 * Statements (input, output, def, for, if, return, assignment) and
 * expressions are read by recursive descent over the token array from
 * dsl_lex.c. Values are numbers, strings, lists and tensors; a tensor
 * expression adds nodes to the graph through dsl_lower.c, so shapes are known
 * at every call and in-channels are never written. A block (`def`) is checked
 * for syntax where it is defined and evaluated at each call; a loop body is
 * evaluated once per iteration. Nesting, call depth, iterations and literal
 * sizes are bounded (dsl.h), so no input makes the parser crash or run away. */
#include "dsl_eval.h"
#include "frontend.h"

#include "../ir/ops.h"

#include <string.h>

static const Token *tok(Dsl *P) { return &P->src.toks[P->pos]; }
static const Token *tok_at(Dsl *P, int k) { return &P->src.toks[k]; }
static int is(Dsl *P, TokKind k) { return tok(P)->kind == k; }
static int is_kw(Dsl *P, const char *w) { return is(P, TK_IDENT) && strcmp(tok(P)->text, w) == 0; }

_Noreturn static void error_at(Dsl *P, const Token *t, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void error_at(Dsl *P, const Token *t, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ErrorTrap trap; /* print the call stack as notes, then unwind */
    if (setjmp(trap.env) == 0) {
        nnc_trap_push(&trap);
        dsl_error(&P->src, t->line, t->col, "%s", msg);
    }
    nnc_trap_pop(&trap);
    for (int d = P->depth; d > 0; d--)
        dsl_note(&P->src, P->call_line[d], P->call_col[d], "in the block called here");
    nnc_unwind();
}

static const Token *expect(Dsl *P, TokKind k, const char *what)
{
    if (!is(P, k)) {
        const Token *t = tok(P);
        error_at(P, t, "expected %s%s, found %s%s%s%s", dsl_tok_name(k), what, dsl_tok_name(t->kind),
                 t->kind == TK_IDENT ? " '" : "", t->kind == TK_IDENT ? t->text : "",
                 t->kind == TK_IDENT ? "'" : "");
    }
    return &P->src.toks[P->pos++];
}

static const char *const keywords[] = {"input", "output", "def", "for", "in", "if", "elif", "else", "return",
                                       "as", "and", "or", "not", "true", "false", "none", "range"};

static const char *expect_name(Dsl *P, const char *what)
{
    const Token *t = expect(P, TK_IDENT, what);
    /* 'input' and 'output' only start statements: they may name a tensor */
    int io = strcmp(t->text, "input") == 0 || strcmp(t->text, "output") == 0;
    for (size_t i = 0; i < sizeof keywords / sizeof keywords[0] && !io; i++)
        if (strcmp(t->text, keywords[i]) == 0 && strcmp(t->text, "range") != 0)
            error_at(P, t, "'%s' is a keyword and cannot be used as a name", t->text);
    return t->text;
}

/* ---- variables ---- */
static Var *scope_find(Scope *s, const char *name)
{
    for (int i = s->n - 1; i >= 0; i--)
        if (strcmp(s->vars[i].name, name) == 0) return &s->vars[i];
    return NULL;
}

static void scope_set(Dsl *P, Scope *s, const char *name, Value v)
{
    Var *x = scope_find(s, name);
    if (x) {
        x->v = v;
        return;
    }
    if (s->n == s->cap) {
        int ncap = s->cap ? s->cap * 2 : 32;
        Var *nv = arena_alloc_array(P->a, (size_t)ncap, sizeof(Var));
        if (s->n) memcpy(nv, s->vars, (size_t)s->n * sizeof(Var));
        s->vars = nv;
        s->cap = ncap;
    }
    s->vars[s->n++] = (Var){name, v};
}

static Def *find_def(Dsl *P, const char *name)
{
    for (int i = 0; i < P->n_defs; i++)
        if (strcmp(P->defs[i].name, name) == 0) return &P->defs[i];
    return NULL;
}

/* Every name a user might have meant: variables, blocks and builtins. */
static const char *suggest(Dsl *P, const char *name, int calls)
{
    int nb;
    const char *const *bn = dsl_builtin_names(&nb);
    int cap = nb + P->n_defs + P->scope->n + P->globals.n + 1;
    const char **known = arena_alloc_array(P->a, (size_t)cap, sizeof(char *));
    int n = 0;
    if (calls) {
        for (int i = 0; i < nb; i++) known[n++] = bn[i];
        for (int i = 0; i < P->n_defs; i++) known[n++] = P->defs[i].name;
    } else {
        for (int i = 0; i < P->scope->n; i++) known[n++] = P->scope->vars[i].name;
        if (P->scope != &P->globals)
            for (int i = 0; i < P->globals.n; i++) known[n++] = P->globals.vars[i].name;
    }
    const char *near = dsl_nearest(name, known, n);
    return near ? arena_printf(P->a, "; did you mean '%s'?", near) : "";
}

const char *value_kind_name(VKind k)
{
    static const char *const n[] = {"none", "an integer", "a number", "a boolean", "a string", "a tensor", "a list"};
    return n[k];
}

/* ---- expressions ---- */
static Value expr(Dsl *P);

static Value v_int(int64_t i) { return (Value){.k = V_INT, .i = i}; }
static Value v_float(double f) { return (Value){.k = V_FLOAT, .f = f}; }
static Value v_bool(int b) { return (Value){.k = V_BOOL, .i = b != 0}; }

static int truthy(Dsl *P, const Token *at, Value v)
{
    switch (v.k) {
    case V_BOOL: case V_INT: return v.i != 0;
    case V_FLOAT: return v.f != 0;
    case V_NONE: return 0;
    case V_LIST: return v.n != 0;
    default: error_at(P, at, "a condition must be a number or boolean, not %s", value_kind_name(v.k));
    }
}

static Value list_literal(Dsl *P)
{
    const Token *open = expect(P, TK_LBRACK, "");
    int cap = 8, n = 0;
    Value *items = arena_alloc_array(P->a, (size_t)cap, sizeof(Value));
    while (!is(P, TK_RBRACK)) {
        if (n == DSL_MAX_LIST) error_at(P, open, "list literal has more than %d elements", DSL_MAX_LIST);
        if (n == cap) {
            Value *ni = arena_alloc_array(P->a, (size_t)cap * 2, sizeof(Value));
            memcpy(ni, items, (size_t)n * sizeof(Value));
            items = ni;
            cap *= 2;
        }
        items[n++] = expr(P);
        if (!is(P, TK_RBRACK)) expect(P, TK_COMMA, " or ']' in the list");
    }
    P->pos++;
    return (Value){.k = V_LIST, .n = n, .items = items};
}

/* `as` path: (IDENT | INT | '[' expr ']') ('.' IDENT | '.' INT | '[' expr ']')*
 * -> "layer1.0"; a leading index numbers the layer inside its block, as
 * nn.Sequential does ("main.3") */
static const char *layer_path(Dsl *P)
{
    /* built in the arena, not a malloc'd Buf: an error inside an index
     * expression unwinds past this frame (the fuzzer found the leak) */
    const char *s = "";
    if (is(P, TK_STRING)) { /* any name, as written: as "onnx::Conv_12" */
        s = tok(P)->text;
        P->pos++;
        return s;
    }
    if (is(P, TK_INT)) s = arena_printf(P->a, "%lld", (long long)tok(P)->i), P->pos++;
    else if (!is(P, TK_LBRACK)) s = expect_name(P, " (a layer name) after 'as'");
    for (;;) {
        if (is(P, TK_DOT)) {
            P->pos++;
            if (is(P, TK_INT)) s = arena_printf(P->a, "%s.%lld", s, (long long)tok(P)->i), P->pos++;
            else s = arena_printf(P->a, "%s.%s", s, expect(P, TK_IDENT, " or an integer in the layer name")->text);
        } else if (is(P, TK_LBRACK)) {
            const Token *at = tok(P);
            P->pos++;
            Value v = expr(P);
            expect(P, TK_RBRACK, " after the index");
            if (P->exec && v.k != V_INT) error_at(P, at, "a layer index must be an integer");
            s = arena_printf(P->a, "%s%s%lld", s, *s ? "." : "", (long long)v.i);
        } else {
            break;
        }
    }
    return arena_strdup(P->a, s);
}

static Value call_def(Dsl *P, Def *d, Call *c);

/* NAME '(' args ')' ['as' path] */
static Value call(Dsl *P, const Token *name_tok)
{
    const Token *open = expect(P, TK_LPAREN, "");
    int cap = 8;
    Call c = {P, name_tok, name_tok->text, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL};
    c.pos = arena_alloc_array(P->a, (size_t)cap, sizeof(Value));
    c.kw = arena_alloc_array(P->a, (size_t)cap, sizeof(Value));
    c.kw_names = arena_alloc_array(P->a, (size_t)cap, sizeof(char *));
    c.pos_tok = arena_alloc_array(P->a, (size_t)cap, sizeof(Token *));
    c.kw_tok = arena_alloc_array(P->a, (size_t)cap, sizeof(Token *));
    while (!is(P, TK_RPAREN)) {
        if (c.n_pos + c.n_kw == 32) error_at(P, open, "a call takes at most 32 arguments");
        if (c.n_pos + c.n_kw == cap) {
            cap = 32;
            Value *a1 = arena_alloc_array(P->a, 32, sizeof(Value)), *a2 = arena_alloc_array(P->a, 32, sizeof(Value));
            const char **a3 = arena_alloc_array(P->a, 32, sizeof(char *));
            const Token **a4 = arena_alloc_array(P->a, 32, sizeof(Token *)), **a5 = arena_alloc_array(P->a, 32, sizeof(Token *));
            memcpy(a1, c.pos, 8 * sizeof(Value)); memcpy(a2, c.kw, 8 * sizeof(Value));
            memcpy(a3, c.kw_names, 8 * sizeof(char *)); memcpy(a4, c.pos_tok, 8 * sizeof(Token *));
            memcpy(a5, c.kw_tok, 8 * sizeof(Token *));
            c.pos = a1, c.kw = a2, c.kw_names = a3, c.pos_tok = a4, c.kw_tok = a5;
        }
        const Token *at = tok(P);
        if (is(P, TK_IDENT) && tok_at(P, P->pos + 1)->kind == TK_ASSIGN) {
            for (int k = 0; k < c.n_kw; k++)
                if (strcmp(c.kw_names[k], at->text) == 0) error_at(P, at, "argument '%s' is given twice", at->text);
            P->pos += 2;
            c.kw_names[c.n_kw] = at->text;
            c.kw_tok[c.n_kw] = at;
            c.kw[c.n_kw++] = expr(P);
        } else {
            if (c.n_kw) error_at(P, at, "a positional argument cannot follow keyword arguments");
            c.pos_tok[c.n_pos] = at;
            c.pos[c.n_pos++] = expr(P);
        }
        if (!is(P, TK_RPAREN)) expect(P, TK_COMMA, " or ')' in the argument list");
    }
    P->pos++;
    const char *path = NULL;
    if (is_kw(P, "as")) {
        P->pos++;
        path = layer_path(P);
    }
    if (!P->exec) return (Value){0};
    Def *d = find_def(P, c.fn);
    if (d) {
        c.layer = path ? arena_printf(P->a, "%s%s.", P->prefix, path) : P->prefix;
        return call_def(P, d, &c);
    }
    if (path) c.layer = arena_printf(P->a, "%s%s", P->prefix, path);
    else c.layer = arena_printf(P->a, "%s%s_%d", P->prefix, c.fn, P->auto_id++);
    if (dsl_is_builtin(c.fn)) return dsl_call_builtin(&c);
    OpKind op = op_lookup("", c.fn);
    if (op != OP_COUNT_ && !op_is_internal(op)) return dsl_call_onnx(&c, op);
    error_at(P, name_tok, "unknown function '%s'%s", c.fn, suggest(P, c.fn, 1));
}

static int64_t sub_int(Dsl *P, int *present)
{
    *present = 0;
    if (is(P, TK_COLON) || is(P, TK_COMMA) || is(P, TK_RBRACK)) return 0;
    const Token *at = tok(P);
    Value v = expr(P);
    *present = 1;
    if (P->exec && v.k != V_INT) error_at(P, at, "a tensor index must be an integer, not %s", value_kind_name(v.k));
    return v.i;
}

/* v[...] on a list (one integer) or a tensor (ints, slices, ':') */
static Value subscript(Dsl *P, Value v)
{
    const Token *open = expect(P, TK_LBRACK, "");
    SliceSpec s[NNC_MAX_RANK];
    int n = 0;
    while (!is(P, TK_RBRACK)) {
        if (n == NNC_MAX_RANK) error_at(P, open, "more than %d indices", NNC_MAX_RANK);
        SliceSpec *q = &s[n++];
        memset(q, 0, sizeof *q);
        q->step = 1;
        q->start = sub_int(P, &q->has_start);
        if (is(P, TK_COLON)) {
            P->pos++;
            q->end = sub_int(P, &q->has_end);
            if (is(P, TK_COLON)) {
                P->pos++;
                int has;
                int64_t st = sub_int(P, &has);
                if (has) q->step = st;
            }
        } else {
            if (!q->has_start) error_at(P, tok(P), "expected an index");
            q->is_index = 1;
        }
        if (!is(P, TK_RBRACK)) expect(P, TK_COMMA, " or ']' in the index");
    }
    P->pos++;
    if (!P->exec) return (Value){0};
    if (v.k == V_LIST) {
        if (n != 1 || !s[0].is_index) error_at(P, open, "a list takes one integer index");
        int64_t i = s[0].start < 0 ? s[0].start + v.n : s[0].start;
        if (i < 0 || i >= v.n) error_at(P, open, "index %lld is out of range for a list of %d", (long long)s[0].start, v.n);
        return v.items[i];
    }
    if (v.k != V_TENSOR) error_at(P, open, "cannot index %s", value_kind_name(v.k));
    return (Value){.k = V_TENSOR, .t = dsl_subscript(P, open, v.t, n, s)};
}

static Value shape_value(Dsl *P, const Tensor *t)
{
    Value v = {.k = V_LIST, .n = t->rank};
    v.items = arena_alloc_array(P->a, (size_t)t->rank + 1, sizeof(Value));
    for (int i = 0; i < t->rank; i++) v.items[i] = v_int(t->dims[i]);
    return v;
}

static Value postfix(Dsl *P, Value v)
{
    for (;;) {
        if (is(P, TK_LBRACK)) {
            v = subscript(P, v);
        } else if (is(P, TK_DOT)) {
            P->pos++;
            const Token *at = expect(P, TK_IDENT, " (an attribute: shape)");
            if (strcmp(at->text, "shape") != 0) error_at(P, at, "unknown attribute '%s' (tensors have 'shape')", at->text);
            if (!P->exec) continue;
            if (v.k != V_TENSOR) error_at(P, at, "'.shape' needs a tensor, not %s", value_kind_name(v.k));
            v = shape_value(P, v.t);
        } else {
            return v;
        }
    }
}

static Value primary(Dsl *P)
{
    const Token *t = tok(P);
    switch (t->kind) {
    case TK_INT: P->pos++; return v_int(t->i);
    case TK_FLOAT: P->pos++; return v_float(t->f);
    case TK_STRING: P->pos++; return (Value){.k = V_STR, .s = t->text};
    case TK_LBRACK: return list_literal(P);
    case TK_LPAREN: {
        P->pos++;
        Value v = expr(P);
        expect(P, TK_RPAREN, " to close '('");
        return v;
    }
    case TK_IDENT: break;
    default: error_at(P, t, "expected an expression, found %s", dsl_tok_name(t->kind));
    }
    P->pos++;
    if (strcmp(t->text, "true") == 0 || strcmp(t->text, "false") == 0) return v_bool(t->text[0] == 't');
    if (strcmp(t->text, "none") == 0) return (Value){0};
    if (is(P, TK_LPAREN)) return call(P, t);
    if (!P->exec) return (Value){0};
    Var *x = scope_find(P->scope, t->text);
    if (!x) x = scope_find(&P->globals, t->text);
    if (!x) error_at(P, t, "'%s' is not defined%s", t->text, suggest(P, t->text, 0));
    return x->v;
}

static Value unary(Dsl *P);

static Value arith(Dsl *P, const Token *at, TokKind op, Value a, Value b)
{
    if (!P->exec) return (Value){0};
    if (a.k == V_TENSOR || b.k == V_TENSOR) {
        Tensor *x = a.k == V_TENSOR ? a.t : NULL, *y = b.k == V_TENSOR ? b.t : NULL;
        DType dt = x ? x->dtype : y->dtype;
        if (!x) x = dsl_const_from_value(P, at, &a, dt);
        if (!y) y = dsl_const_from_value(P, at, &b, dt);
        OpKind k = op == TK_PLUS ? OP_Add : op == TK_MINUS ? OP_Sub : op == TK_STAR ? OP_Mul : op == TK_SLASH ? OP_Div
                 : op == TK_AT ? OP_MatMul : OP_Mod;
        return (Value){.k = V_TENSOR, .t = dsl_binary(P, at, k, x, y)};
    }
    int num_a = a.k == V_INT || a.k == V_FLOAT || a.k == V_BOOL, num_b = b.k == V_INT || b.k == V_FLOAT || b.k == V_BOOL;
    if (op == TK_PLUS && a.k == V_STR && b.k == V_STR) return (Value){.k = V_STR, .s = arena_printf(P->a, "%s%s", a.s, b.s)};
    if (op == TK_PLUS && a.k == V_LIST && b.k == V_LIST) {
        Value v = {.k = V_LIST, .n = a.n + b.n};
        v.items = arena_alloc_array(P->a, (size_t)v.n + 1, sizeof(Value));
        for (int i = 0; i < a.n; i++) v.items[i] = a.items[i];
        for (int i = 0; i < b.n; i++) v.items[a.n + i] = b.items[i];
        return v;
    }
    if (!num_a || !num_b || op == TK_AT)
        error_at(P, at, "cannot apply '%s' to %s and %s", dsl_tok_name(op), value_kind_name(a.k), value_kind_name(b.k));
    if (a.k != V_FLOAT && b.k != V_FLOAT && op != TK_SLASH) {
        int64_t r;
        int ok = 1;
        if (op == TK_PLUS) ok = checked_add_i64(a.i, b.i, &r);
        else if (op == TK_MINUS) ok = checked_add_i64(a.i, -b.i, &r) && b.i != INT64_MIN;
        else if (op == TK_STAR) ok = checked_mul_i64(a.i, b.i, &r);
        else {
            if (b.i == 0) error_at(P, at, "division by zero");
            r = ((a.i % b.i) + b.i) % b.i;
        }
        if (!ok) error_at(P, at, "integer overflow");
        return v_int(r);
    }
    double x = a.k == V_FLOAT ? a.f : (double)a.i, y = b.k == V_FLOAT ? b.f : (double)b.i;
    if ((op == TK_SLASH || op == TK_PERCENT) && y == 0) error_at(P, at, "division by zero");
    /* '/' on integers is exact division when it divides (channel arithmetic), else a float */
    if (op == TK_SLASH && a.k != V_FLOAT && b.k != V_FLOAT && a.i % b.i == 0) return v_int(a.i / b.i);
    return v_float(op == TK_PLUS ? x + y : op == TK_MINUS ? x - y : op == TK_STAR ? x * y : op == TK_SLASH ? x / y
                   : x - y * __builtin_floor(x / y));
}

static Value unary(Dsl *P)
{
    if (is(P, TK_MINUS)) {
        const Token *at = tok(P);
        P->pos++;
        Value v = unary(P);
        if (!P->exec) return v;
        if (v.k == V_INT && v.i != INT64_MIN) return v_int(-v.i);
        if (v.k == V_FLOAT) return v_float(-v.f);
        if (v.k == V_TENSOR) return (Value){.k = V_TENSOR, .t = dsl_binary(P, at, OP_Neg, v.t, NULL)};
        error_at(P, at, "cannot negate %s", value_kind_name(v.k));
    }
    if (is(P, TK_PLUS)) P->pos++;
    return postfix(P, primary(P));
}

static Value term(Dsl *P)
{
    Value v = unary(P);
    while (is(P, TK_STAR) || is(P, TK_SLASH) || is(P, TK_AT) || is(P, TK_PERCENT)) {
        const Token *at = tok(P);
        P->pos++;
        v = arith(P, at, at->kind, v, unary(P));
    }
    return v;
}

static Value sum(Dsl *P)
{
    Value v = term(P);
    while (is(P, TK_PLUS) || is(P, TK_MINUS)) {
        const Token *at = tok(P);
        P->pos++;
        v = arith(P, at, at->kind, v, term(P));
    }
    return v;
}

static int values_equal(Value a, Value b)
{
    if ((a.k == V_INT || a.k == V_BOOL) && (b.k == V_INT || b.k == V_BOOL)) return a.i == b.i;
    if ((a.k == V_INT || a.k == V_FLOAT) && (b.k == V_INT || b.k == V_FLOAT))
        return (a.k == V_FLOAT ? a.f : (double)a.i) == (b.k == V_FLOAT ? b.f : (double)b.i);
    if (a.k == V_STR && b.k == V_STR) return strcmp(a.s, b.s) == 0;
    if (a.k == V_NONE || b.k == V_NONE) return a.k == b.k;
    if (a.k == V_LIST && b.k == V_LIST && a.n == b.n) {
        for (int i = 0; i < a.n; i++)
            if (!values_equal(a.items[i], b.items[i])) return 0;
        return 1;
    }
    return 0;
}

static Value comparison(Dsl *P)
{
    Value a = sum(P);
    TokKind k = tok(P)->kind;
    if (k < TK_EQ || k > TK_GE) return a;
    const Token *at = tok(P);
    P->pos++;
    Value b = sum(P);
    if (!P->exec) return (Value){0};
    if (k == TK_EQ || k == TK_NE) return v_bool(values_equal(a, b) == (k == TK_EQ));
    if ((a.k != V_INT && a.k != V_FLOAT) || (b.k != V_INT && b.k != V_FLOAT))
        error_at(P, at, "cannot compare %s and %s", value_kind_name(a.k), value_kind_name(b.k));
    double x = a.k == V_FLOAT ? a.f : (double)a.i, y = b.k == V_FLOAT ? b.f : (double)b.i;
    return v_bool(k == TK_LT ? x < y : k == TK_GT ? x > y : k == TK_LE ? x <= y : x >= y);
}

static Value logic_not(Dsl *P)
{
    if (is_kw(P, "not")) {
        const Token *at = tok(P);
        P->pos++;
        Value v = logic_not(P);
        return P->exec ? v_bool(!truthy(P, at, v)) : v;
    }
    return comparison(P);
}

static Value logic(Dsl *P)
{
    Value v = logic_not(P);
    while (is_kw(P, "and") || is_kw(P, "or")) {
        const Token *at = tok(P);
        int is_and = at->text[0] == 'a';
        P->pos++;
        Value w = logic_not(P);
        if (P->exec) v = v_bool(is_and ? truthy(P, at, v) && truthy(P, at, w) : truthy(P, at, v) || truthy(P, at, w));
    }
    return v;
}

static int g_nest; /* expression nesting (the lexer bounds brackets; this bounds '-' and 'not' chains) */

static Value expr(Dsl *P)
{
    if (++g_nest > 4 * DSL_MAX_NEST) error_at(P, tok(P), "expression is nested too deeply");
    Value v = logic(P);
    g_nest--;
    return v;
}

/* ---- statements ---- */
static void statement(Dsl *P);

/* INDENT statement+ DEDENT, evaluated when exec */
static void block_body(Dsl *P, int exec)
{
    int saved = P->exec;
    P->exec = saved && exec && !P->returned;
    expect(P, TK_NEWLINE, " after ':'");
    expect(P, TK_INDENT, " (an indented block) after ':'");
    while (!is(P, TK_DEDENT) && !is(P, TK_EOF)) {
        statement(P);
        if (P->returned) P->exec = 0;
    }
    expect(P, TK_DEDENT, "");
    P->exec = saved;
}

static Value call_def(Dsl *P, Def *d, Call *c)
{
    if (P->depth == DSL_MAX_CALL_DEPTH)
        error_at(P, c->tok, "blocks call each other more than %d deep (is '%s' recursive?)", DSL_MAX_CALL_DEPTH, d->name);
    Scope *local = arena_alloc(P->a, sizeof *local);
    Value *val = arena_alloc_array(P->a, (size_t)d->n_params + 1, sizeof(Value));
    int *have = arena_alloc_array(P->a, (size_t)d->n_params + 1, sizeof(int));
    if (c->n_pos > d->n_params) error_at(P, c->pos_tok[d->n_params], "'%s' takes %d arguments, got %d", d->name, d->n_params, c->n_pos);
    for (int i = 0; i < c->n_pos; i++) val[i] = c->pos[i], have[i] = 1;
    for (int k = 0; k < c->n_kw; k++) {
        int i = 0;
        while (i < d->n_params && strcmp(d->params[i], c->kw_names[k]) != 0) i++;
        if (i == d->n_params) {
            const char *near = dsl_nearest(c->kw_names[k], d->params, d->n_params);
            error_at(P, c->kw_tok[k], "'%s' has no parameter '%s'%s%s%s", d->name, c->kw_names[k],
                     near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
        }
        if (have[i]) error_at(P, c->kw_tok[k], "parameter '%s' is given twice", d->params[i]);
        val[i] = c->kw[k], have[i] = 1;
    }
    int saved_pos = P->pos, saved_exec = P->exec;
    Scope *saved_scope = P->scope;
    const char *saved_prefix = P->prefix;
    P->scope = local;
    for (int i = 0; i < d->n_params; i++) {
        if (!have[i]) {
            if (d->defaults[i] < 0) error_at(P, c->tok, "'%s' needs argument '%s'", d->name, d->params[i]);
            P->scope = &P->globals;
            P->pos = d->defaults[i];
            val[i] = expr(P);
            P->scope = local;
        }
        scope_set(P, local, d->params[i], val[i]);
    }
    P->depth++;
    P->call_line[P->depth] = c->tok->line;
    P->call_col[P->depth] = c->tok->col;
    P->prefix = c->layer;
    P->pos = d->body - 2;
    P->returned = 0;
    P->ret = (Value){0};
    block_body(P, 1);
    Value r = P->ret;
    P->returned = 0;
    P->depth--;
    P->pos = saved_pos;
    P->exec = saved_exec;
    P->scope = saved_scope;
    P->prefix = saved_prefix;
    return r;
}

/* def NAME '(' params ')' ':' block — checked now, evaluated per call */
static void def_stmt(Dsl *P)
{
    P->pos++;
    const Token *nt = tok(P);
    const char *name = expect_name(P, " (the block's name) after 'def'");
    if (P->exec && (find_def(P, name) || dsl_is_builtin(name)))
        error_at(P, nt, "'%s' is already defined%s", name, dsl_is_builtin(name) ? " as a builtin" : "");
    if (P->depth || P->scope != &P->globals) error_at(P, nt, "blocks are defined at the top level only");
    expect(P, TK_LPAREN, " after the block's name");
    Def d = {name, (int)(nt - P->src.toks), 0, NULL, NULL, 0};
    d.params = arena_alloc_array(P->a, 33, sizeof(char *));
    d.defaults = arena_alloc_array(P->a, 33, sizeof(int));
    int saved = P->exec;
    P->exec = 0;
    while (!is(P, TK_RPAREN)) {
        if (d.n_params == 32) error_at(P, tok(P), "a block takes at most 32 parameters");
        const Token *pt = tok(P);
        d.params[d.n_params] = expect_name(P, " (a parameter name)");
        for (int i = 0; i < d.n_params; i++)
            if (strcmp(d.params[i], pt->text) == 0) error_at(P, pt, "parameter '%s' is listed twice", pt->text);
        d.defaults[d.n_params] = -1;
        if (is(P, TK_ASSIGN)) {
            P->pos++;
            d.defaults[d.n_params] = P->pos;
            expr(P);
        }
        d.n_params++;
        if (!is(P, TK_RPAREN)) expect(P, TK_COMMA, " or ')' in the parameter list");
    }
    P->pos++;
    expect(P, TK_COLON, " after the parameter list");
    d.body = P->pos + 2;
    block_body(P, 0);
    P->exec = saved;
    if (!P->exec) return;
    if (P->n_defs == P->cap_defs) {
        int ncap = P->cap_defs ? P->cap_defs * 2 : 16;
        Def *nd = arena_alloc_array(P->a, (size_t)ncap, sizeof(Def));
        if (P->n_defs) memcpy(nd, P->defs, (size_t)P->n_defs * sizeof(Def));
        P->defs = nd;
        P->cap_defs = ncap;
    }
    P->defs[P->n_defs++] = d;
}

static int64_t int_expr(Dsl *P, const char *what)
{
    const Token *at = tok(P);
    Value v = expr(P);
    if (P->exec && v.k != V_INT) error_at(P, at, "%s must be an integer, not %s", what, value_kind_name(v.k));
    return v.i;
}

/* for NAME in range([start,] stop): block */
static void for_stmt(Dsl *P)
{
    const Token *ft = tok(P);
    P->pos++;
    const char *var = expect_name(P, " (the loop variable) after 'for'");
    if (!is_kw(P, "in")) error_at(P, tok(P), "expected 'in' after the loop variable");
    P->pos++;
    if (!is_kw(P, "range")) error_at(P, tok(P), "expected 'range(...)' after 'in'");
    P->pos++;
    expect(P, TK_LPAREN, " after 'range'");
    int64_t lo = 0, hi = int_expr(P, "a range bound");
    if (is(P, TK_COMMA)) {
        P->pos++;
        lo = hi;
        hi = int_expr(P, "a range bound");
    }
    expect(P, TK_RPAREN, " to close 'range('");
    expect(P, TK_COLON, " after 'range(...)'");
    int body = P->pos;
    if (!P->exec || hi <= lo) {
        block_body(P, 0);
        return;
    }
    if (hi - lo > DSL_MAX_ITERATIONS - P->iterations)
        error_at(P, ft, "loops would run more than %d iterations in all", DSL_MAX_ITERATIONS);
    P->iterations += hi - lo;
    for (int64_t i = lo; i < hi && !P->returned; i++) {
        scope_set(P, P->scope, var, v_int(i));
        P->pos = body;
        block_body(P, 1);
    }
    if (P->returned) { /* skip the rest of the body's tokens */
        P->pos = body;
        block_body(P, 0);
    }
}

/* if cond: block (elif cond: block)* [else: block] */
static void if_stmt(Dsl *P)
{
    int taken = 0;
    do {
        const Token *at = tok(P);
        P->pos++;
        Value c = expr(P);
        int yes = P->exec && !taken && truthy(P, at, c);
        expect(P, TK_COLON, " after the condition");
        block_body(P, yes);
        taken |= yes;
    } while (is_kw(P, "elif"));
    if (is_kw(P, "else")) {
        P->pos++;
        expect(P, TK_COLON, " after 'else'");
        block_body(P, !taken);
    }
}

static DType parse_dtype(Dsl *P)
{
    static const struct { const char *n; DType t; } types[] = {
        {"f32", DT_FLOAT}, {"f64", DT_DOUBLE}, {"i64", DT_INT64}, {"i32", DT_INT32}, {"i16", DT_INT16},
        {"i8", DT_INT8}, {"u8", DT_UINT8}, {"u16", DT_UINT16}, {"u32", DT_UINT32}, {"u64", DT_UINT64}, {"bool", DT_BOOL}};
    const Token *t = expect(P, TK_IDENT, " (an element type: f32, i64, ...)");
    const char *names[sizeof types / sizeof types[0]];
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        if (strcmp(t->text, types[i].n) == 0) return types[i].t;
        names[i] = types[i].n;
    }
    const char *near = dsl_nearest(t->text, names, (int)(sizeof types / sizeof types[0]));
    error_at(P, t, "unknown element type '%s'%s%s%s (f32, f64, i64, i32, i16, i8, u8, u16, u32, u64, bool)", t->text,
             near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
}

/* input NAME ':' dtype '[' dims ']' */
static void input_stmt(Dsl *P)
{
    const Token *kt = tok(P);
    P->pos++;
    const Token *nt = tok(P);
    const char *name = expect_name(P, " (the input's name) after 'input'");
    expect(P, TK_COLON, " and a type after the input's name, as in 'input x: f32[1, 3, 32, 32]'");
    DType dt = parse_dtype(P);
    expect(P, TK_LBRACK, " and the shape after the element type");
    int64_t dims[NNC_MAX_RANK];
    int rank = 0;
    while (!is(P, TK_RBRACK)) {
        const Token *at = tok(P);
        if (rank == NNC_MAX_RANK) error_at(P, at, "rank is above %d", NNC_MAX_RANK);
        dims[rank] = int_expr(P, "a dimension");
        if (P->exec && (dims[rank] < 1 || dims[rank] > NNC_MAX_ELEMS)) error_at(P, at, "dimension %lld is out of range", (long long)dims[rank]);
        rank++;
        if (!is(P, TK_RBRACK)) expect(P, TK_COMMA, " or ']' in the shape");
    }
    P->pos++;
    expect(P, TK_NEWLINE, " after the input declaration");
    if (!P->exec) return;
    if (P->depth) error_at(P, kt, "inputs are declared at the top level only");
    if (scope_find(&P->globals, name)) error_at(P, nt, "'%s' is already defined", name);
    int64_t n = 1;
    for (int i = 0; i < rank; i++)
        if (!checked_mul_i64(n, dims[i], &n) || n > NNC_MAX_ELEMS) error_at(P, nt, "input '%s' has too many elements", name);
    Graph *g = P->g;
    if (g->n_nodes) error_at(P, kt, "inputs are declared before the first layer");
    Tensor *t = graph_add_tensor(g, name);
    tensor_set_shape(t, dt, rank, dims);
    Tensor **ins = arena_alloc_array(P->a, (size_t)g->n_inputs + 1, sizeof(Tensor *));
    if (g->n_inputs) memcpy(ins, g->inputs, (size_t)g->n_inputs * sizeof(Tensor *));
    t->input_index = g->n_inputs;
    ins[g->n_inputs++] = t;
    g->inputs = ins;
    scope_set(P, &P->globals, name, (Value){.k = V_TENSOR, .t = t});
}

/* output NAME ['=' expr] */
static void output_stmt(Dsl *P)
{
    const Token *kt = tok(P);
    P->pos++;
    const Token *nt = tok(P);
    const char *name = expect_name(P, " (the output's name) after 'output'");
    Value v;
    if (is(P, TK_ASSIGN)) {
        P->pos++;
        v = expr(P);
    } else {
        Var *x = P->exec ? scope_find(P->scope, name) : NULL;
        if (P->exec && !x) error_at(P, nt, "'%s' is not defined%s", name, suggest(P, name, 0));
        v = x ? x->v : (Value){0};
    }
    expect(P, TK_NEWLINE, " after the output");
    if (!P->exec) return;
    if (P->depth) error_at(P, kt, "outputs are declared at the top level only");
    if (v.k != V_TENSOR) error_at(P, nt, "output '%s' must be a tensor, not %s", name, value_kind_name(v.k));
    Graph *g = P->g;
    for (int i = 0; i < g->n_outputs; i++)
        if (strcmp(g->outputs[i]->name, name) == 0) error_at(P, nt, "output '%s' is declared twice", name);
    Tensor *t = v.t;
    if (!t->producer || t->output_index >= 0) { /* an input, a constant or another output: copy it */
        Call c = {P, nt, "Identity", name, 1, 0, &v, NULL, NULL, &nt, NULL, 0, NULL, NULL};
        t = dsl_call_onnx(&c, OP_Identity).t;
    }
    t->name = arena_strdup(P->a, name);
    Tensor **outs = arena_alloc_array(P->a, (size_t)g->n_outputs + 1, sizeof(Tensor *));
    if (g->n_outputs) memcpy(outs, g->outputs, (size_t)g->n_outputs * sizeof(Tensor *));
    t->output_index = g->n_outputs;
    outs[g->n_outputs++] = t;
    g->outputs = outs;
    scope_set(P, &P->globals, name, (Value){.k = V_TENSOR, .t = t});
}

/* NAME (',' NAME)* '=' expr */
static void assign_stmt(Dsl *P)
{
    const Token *first = tok(P);
    const char *names[16];
    int n = 0;
    for (;;) {
        if (n == 16) error_at(P, tok(P), "at most 16 names on the left of '='");
        names[n++] = expect_name(P, " (a name to assign to) at the start of the statement");
        if (!is(P, TK_COMMA)) break;
        P->pos++;
    }
    if (!is(P, TK_ASSIGN)) {
        if (n == 1 && is(P, TK_LPAREN))
            error_at(P, first, "the result of '%s(...)' is not used; assign it, as in 'x = %s(...)'", first->text, first->text);
        expect(P, TK_ASSIGN, " after the name");
    }
    P->pos++;
    const Token *at = tok(P);
    Value v = expr(P);
    expect(P, TK_NEWLINE, " at the end of the statement");
    if (!P->exec) return;
    if (n == 1) {
        scope_set(P, P->scope, names[0], v);
        return;
    }
    if (v.k != V_LIST || v.n != n)
        error_at(P, at, "%d names on the left but the right side is %s%s", n, value_kind_name(v.k),
                 v.k == V_LIST ? arena_printf(P->a, " of %d", v.n) : "");
    for (int i = 0; i < n; i++) scope_set(P, P->scope, names[i], v.items[i]);
}

static void statement(Dsl *P)
{
    if (is(P, TK_NEWLINE)) { P->pos++; return; }
    if (is(P, TK_INDENT)) error_at(P, tok(P), "unexpected indentation");
    if (is_kw(P, "input")) input_stmt(P);
    else if (is_kw(P, "output")) output_stmt(P);
    else if (is_kw(P, "def")) def_stmt(P);
    else if (is_kw(P, "for")) for_stmt(P);
    else if (is_kw(P, "if")) if_stmt(P);
    else if (is_kw(P, "elif") || is_kw(P, "else")) error_at(P, tok(P), "'%s' without a matching 'if'", tok(P)->text);
    else if (is_kw(P, "return")) {
        const Token *rt = tok(P);
        P->pos++;
        Value v = expr(P);
        expect(P, TK_NEWLINE, " after the returned value");
        if (!P->exec) return;
        if (!P->depth) error_at(P, rt, "'return' outside a block");
        P->ret = v;
        P->returned = 1;
    } else assign_stmt(P);
}

/* The text looks like source in the language (not a binary ONNX file). */
int dsl_sniff(const unsigned char *bytes, size_t len)
{
    size_t n = len < 4096 ? len : 4096;
    if (n == 0) return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = bytes[i];
        if (c < 0x20 && c != '\n' && c != '\r' && c != '\t') return 0;
    }
    return 1;
}

static StFile *load_weights(Dsl *P, const char *path)
{
    size_t len;
    const char *err;
    unsigned char *bytes = read_file(P->a, path, &len, &err);
    if (!bytes) nnc_fail("cannot read weights '%s': %s", path, err);
    StFile *f = arena_alloc(P->a, sizeof *f);
    char why[300];
    if (!safetensors_parse(P->a, bytes, len, f, why, sizeof why)) nnc_fail("weights '%s': %s", path, why);
    f->path = path;
    return f;
}

Graph *dsl_load(Arena *a, const char *path, const LoadOptions *lo)
{
    size_t len;
    const char *err;
    unsigned char *bytes = read_file(a, path, &len, &err);
    if (!bytes) nnc_fail("cannot read: %s", err);
    return dsl_load_text(a, path, (const char *)bytes, len, lo);
}

Graph *dsl_load_text(Arena *a, const char *path, const char *text, size_t len, const LoadOptions *lo)
{
    Dsl *P = arena_alloc(a, sizeof *P);
    P->a = a;
    P->src.path = path;
    P->src.len = len;
    P->src.text = text;
    if (lo && (lo->n_shapes || lo->n_freeze)) nnc_fail("--shape and --freeze apply to ONNX models only");
    dsl_lex(a, &P->src);
    P->g = graph_new(a);
    P->g->opset = 17;
    const char *slash = strrchr(path, '/');
    const char *stem = slash ? slash + 1 : path;
    const char *sdot = strrchr(stem, '.'), *dot = sdot ? path + (sdot - path) : NULL;
    P->g->name = dot ? arena_printf(a, "%.*s", (int)(sdot - stem), stem) : stem;
    P->g->producer = "nnc model language";
    P->g->dsl_source = &P->src;
    P->exec = 1;
    P->scope = &P->globals;
    P->prefix = "";
    P->seed = lo ? lo->seed : 0;
    if (lo && lo->weights) {
        P->weights = load_weights(P, lo->weights);
    } else { /* NET.safetensors next to NET.nn, when there is one */
        const char *sib = dot ? arena_printf(a, "%.*s.safetensors", (int)(dot - path), path)
                              : arena_printf(a, "%s.safetensors", path);
        FILE *f = fopen(sib, "rb");
        if (f) {
            fclose(f);
            P->weights = load_weights(P, sib);
        }
    }
    while (!is(P, TK_EOF)) statement(P);
    if (P->g->n_outputs == 0) {
        const Token *end = tok(P);
        dsl_error(&P->src, end->line, end->col, "the model declares no output (add 'output NAME = ...')");
    }
    dsl_check_unused(P);
    return P->g;
}

void frontend_node_error(const Graph *g, const Node *n, const char *fmt, ...)
{
    char msg[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (g->dsl_source && n->src_line > 0) dsl_error(g->dsl_source, n->src_line, n->src_col, "%s", msg);
    nnc_fail_node(n, "%s", msg);
}
