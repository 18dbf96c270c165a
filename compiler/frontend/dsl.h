/* dsl.h — internals shared by the model-language frontend (dsl_lex.c,
 * dsl_parse.c, dsl_lower.c, safetensors.c). The language is specified in
 * docs/language.md; dsl_load() in dsl_parse.c is the entry point. */
#ifndef NNC_DSL_H
#define NNC_DSL_H

#include "onnx_load.h"

/* Limits on untrusted source text (each is an error when exceeded). */
#define DSL_MAX_SOURCE (16 << 20)   /* bytes of source */
#define DSL_MAX_INDENT 32           /* nested indented blocks */
#define DSL_MAX_NEST 64             /* nested expressions (parentheses, brackets) */
#define DSL_MAX_CALL_DEPTH 32       /* nested block calls */
#define DSL_MAX_ITERATIONS 100000   /* loop iterations in one compilation */
#define DSL_MAX_NODES 200000        /* graph nodes one model may create */
#define DSL_MAX_LIST 1000000        /* elements of one literal list */
#define DSL_MAX_IDENT 256           /* characters of one identifier or string */

typedef enum TokKind {
    TK_EOF, TK_NEWLINE, TK_INDENT, TK_DEDENT, TK_IDENT, TK_INT, TK_FLOAT, TK_STRING,
    TK_LPAREN, TK_RPAREN, TK_LBRACK, TK_RBRACK, TK_COMMA, TK_COLON, TK_ASSIGN, TK_DOT,
    TK_PLUS, TK_MINUS, TK_STAR, TK_SLASH, TK_AT, TK_PERCENT, TK_EQ, TK_NE, TK_LT, TK_GT, TK_LE, TK_GE
} TokKind;

typedef struct Token {
    TokKind kind;
    int line, col;
    const char *text;    /* identifier / string contents (NUL-terminated, arena) */
    int64_t i;           /* TK_INT */
    double f;            /* TK_FLOAT */
} Token;

typedef struct Source {
    const char *path;
    const char *text;
    size_t len;
    Token *toks;
    int n_toks;
} Source;

/* dsl_lex.c: the whole file to tokens, with Python-style INDENT/DEDENT. */
void dsl_lex(Arena *a, Source *src);
const char *dsl_tok_name(TokKind k);

/* gcc-style diagnostics: `file:line:col: error: msg`, the source line and a
 * caret. dsl_error unwinds (exit status 1, no output file). */
_Noreturn void dsl_error(const Source *s, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void dsl_note(const Source *s, int line, int col, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void dsl_warning(const Source *s, int line, int col, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The known name nearest to `name` (edit distance), or NULL. */
const char *dsl_nearest(const char *name, const char *const *known, int n);

/* safetensors.c: a weights file, parsed defensively. */
typedef struct StTensor {
    const char *name;
    int dtype;                   /* ST_F32 ... */
    int rank;
    int64_t dims[NNC_MAX_RANK];
    const unsigned char *data;   /* raw little-endian bytes */
    int64_t nbytes;
    int used;
} StTensor;
enum { ST_F32, ST_F16, ST_BF16, ST_F64, ST_I64, ST_I32, ST_I16, ST_I8, ST_U8, ST_BOOL, ST_OTHER };
typedef struct StFile {
    const char *path;
    int n;
    StTensor *t;
} StFile;
/* Parse a safetensors image (bytes, len); on a malformed file returns 0 and
 * puts the reason in why[]. */
int safetensors_parse(Arena *a, const unsigned char *bytes, size_t len, StFile *out, char *why, size_t cap);
StTensor *safetensors_find(StFile *f, const char *name);
const char *safetensors_dtype_name(int dtype);
/* Element i as float (F32, F16, BF16, F64 and the integer types). */
float safetensors_get(const StTensor *t, int64_t i);

#endif
