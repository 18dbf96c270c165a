/* dsl_eval.h — values and the evaluator state shared by dsl_parse.c (the
 * statement and expression parser, which evaluates as it parses) and
 * dsl_lower.c (the builtins, each lowered to registry ops). */
#ifndef NNC_DSL_EVAL_H
#define NNC_DSL_EVAL_H

#include "dsl.h"

typedef enum VKind { V_NONE, V_INT, V_FLOAT, V_BOOL, V_STR, V_TENSOR, V_LIST } VKind;

typedef struct Value {
    VKind k;
    int64_t i;             /* V_INT, V_BOOL */
    double f;              /* V_FLOAT */
    const char *s;         /* V_STR */
    Tensor *t;             /* V_TENSOR */
    int n;                 /* V_LIST */
    struct Value *items;
} Value;

typedef struct Var {
    const char *name;
    Value v;
} Var;

typedef struct Scope {
    Var *vars;
    int n, cap;
} Scope;

typedef struct Def {
    const char *name;
    int tok;                /* the name token */
    int n_params;
    const char **params;
    int *defaults;          /* token index of each default expression, or -1 */
    int body;               /* token index of the body's INDENT */
} Def;

typedef struct ParamUse {
    const char *name;
    int line;
} ParamUse;

typedef struct Dsl {
    Arena *a;
    Source src;
    Graph *g;
    int pos;                /* current token */
    int exec;               /* 1: evaluate; 0: check the syntax only */
    int returned;
    Value ret;
    Scope globals, *scope;
    Def *defs;
    int n_defs, cap_defs;
    const char *prefix;     /* state_dict prefix of the block instance: "layer1.0." */
    int depth;              /* block calls */
    int call_line[DSL_MAX_CALL_DEPTH + 1], call_col[DSL_MAX_CALL_DEPTH + 1];
    int64_t iterations;
    int n_outputs_declared;
    StFile *weights;        /* NULL: seeded random initialisation */
    uint64_t seed;
    ParamUse *params;
    int n_params, cap_params;
    const char **names;     /* node names in use (open addressing) */
    int names_cap, names_n;
    int auto_id;
} Dsl;

/* One call of a builtin: arguments as written, and the state_dict name of the
 * layer ("layer1.0.conv1") its parameters take. */
typedef struct Call {
    Dsl *P;
    const Token *tok;
    const char *fn;
    const char *layer;
    int n_pos, n_kw;
    Value *pos, *kw;
    const char **kw_names;
    const Token **pos_tok, **kw_tok;
    unsigned kw_used;       /* bit k: keyword k was consumed */
    Value *bound;           /* arguments bound to the builtin's signature */
    const struct Builtin *b;
} Call;

/* dsl_lower.c */
int dsl_is_builtin(const char *name);
int dsl_builtin_has_params(const char *name);
Value dsl_call_builtin(Call *c);
/* An ONNX registry op called by its name (the escape hatch). */
Value dsl_call_onnx(Call *c, OpKind op);
const char *const *dsl_builtin_names(int *n);
/* A tensor from a (nested) list literal, or a scalar. */
Tensor *dsl_const_from_value(Dsl *P, const Token *at, const Value *v, DType dt);
/* Binary arithmetic on tensors (Add, Sub, Mul, Div, MatMul), at token `at`. */
Tensor *dsl_binary(Dsl *P, const Token *at, OpKind op, Tensor *x, Tensor *y);
/* x[index...]: ints, slices (start:end:step) and ':' per dimension. */
typedef struct SliceSpec {
    int is_index, has_start, has_end;
    int64_t start, end, step;
} SliceSpec;
Tensor *dsl_subscript(Dsl *P, const Token *at, Tensor *x, int n, const SliceSpec *s);
/* Warn about tensors of the weights file no layer read. */
void dsl_check_unused(Dsl *P);
const char *value_kind_name(VKind k);

#endif
