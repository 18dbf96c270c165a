/* dsl_lex.c — the model language's lexer and its diagnostics. The source
 * becomes one token array: identifiers, numbers, strings, operators, and
 * Python-style NEWLINE / INDENT / DEDENT (newlines inside brackets are
 * ignored, `#` starts a comment). Every byte sequence is handled: a byte the
 * language does not use, a tab in indentation, an over-long identifier, a
 * number out of range or too deep an indentation is an error at its line and
 * column, printed gcc-style with the source line and a caret. */
#include "dsl.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- diagnostics ---- */
static void diag(const Source *s, int line, int col, const char *kind, const char *fmt, va_list ap)
{
    char msg[700];
    vsnprintf(msg, sizeof msg, fmt, ap);
    Buf b = {0};
    buf_printf(&b, "%s:%d:%d: %s: %s\n", s->path, line, col, kind, msg);
    const char *p = s->text;
    for (int l = 1; l < line && p < s->text + s->len; p++)
        if (*p == '\n') l++;
    size_t n = 0;
    while (p + n < s->text + s->len && p[n] != '\n' && n < 300) n++;
    if (line >= 1 && (n || col == 1)) {
        buf_puts(&b, "    ");
        for (size_t i = 0; i < n; i++) buf_put(&b, isprint((unsigned char)p[i]) || p[i] == '\t' ? &p[i] : "?", 1);
        buf_puts(&b, "\n    ");
        for (int i = 1; i < col && i <= (int)n; i++) buf_put(&b, p[i - 1] == '\t' ? "\t" : " ", 1);
        buf_puts(&b, "^\n");
    }
    nnc_report_text(b.data);
    buf_free(&b);
}

_Noreturn void dsl_error(const Source *s, int line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag(s, line, col, "error", fmt, ap);
    va_end(ap);
    nnc_unwind();
}

void dsl_note(const Source *s, int line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag(s, line, col, "note", fmt, ap);
    va_end(ap);
}

void dsl_warning(const Source *s, int line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag(s, line, col, "warning", fmt, ap);
    va_end(ap);
}

static int edit_distance(const char *a, const char *b)
{
    int la = (int)strlen(a), lb = (int)strlen(b);
    if (la > 64 || lb > 64) return 1000;
    int prev[65], cur[65];
    for (int j = 0; j <= lb; j++) prev[j] = j;
    for (int i = 1; i <= la; i++) {
        cur[0] = i;
        for (int j = 1; j <= lb; j++) {
            int c = prev[j - 1] + (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));
            if (prev[j] + 1 < c) c = prev[j] + 1;
            if (cur[j - 1] + 1 < c) c = cur[j - 1] + 1;
            cur[j] = c;
        }
        memcpy(prev, cur, sizeof cur);
    }
    return prev[lb];
}

const char *dsl_nearest(const char *name, const char *const *known, int n)
{
    const char *best = NULL;
    int bd = 1000, len = (int)strlen(name);
    for (int i = 0; i < n; i++) {
        int d = edit_distance(name, known[i]);
        if (d < bd) bd = d, best = known[i];
    }
    if (bd <= (len < 4 ? 1 : len / 3 + 1)) return best;
    /* a shortened name: 'mask' for 'attn_mask', 'padding' for 'key_padding_mask' */
    for (int i = 0; i < n && len >= 3; i++) {
        const char *hit = strstr(known[i], name);
        if (hit && (hit == known[i] || hit[-1] == '_') && (hit[len] == 0 || hit[len] == '_')) return known[i];
    }
    return NULL;
}

/* ---- tokens ---- */
const char *dsl_tok_name(TokKind k)
{
    static const char *const names[] = {
        "end of file", "end of line", "indentation", "end of indentation", "a name", "an integer",
        "a number", "a string", "'('", "')'", "'['", "']'", "','", "':'", "'='", "'.'", "'+'", "'-'",
        "'*'", "'/'", "'@'", "'%'", "'=='", "'!='", "'<'", "'>'", "'<='", "'>='"};
    return names[k];
}

typedef struct Lexer {
    Arena *a;
    Source *s;
    size_t pos;
    int line, col;
    int depth;                 /* open brackets */
    int indent[DSL_MAX_INDENT + 1], n_indent;
    int cap;
} Lexer;

static Token *push(Lexer *L, TokKind k, int line, int col)
{
    Source *s = L->s;
    if (s->n_toks == L->cap) {
        if (L->cap > (1 << 26)) dsl_error(s, line, col, "the source has too many tokens");
        int ncap = L->cap ? L->cap * 2 : 1024;
        Token *t = arena_alloc_array(L->a, (size_t)ncap, sizeof(Token));
        if (s->n_toks) memcpy(t, s->toks, (size_t)s->n_toks * sizeof(Token));
        s->toks = t;
        L->cap = ncap;
    }
    Token *t = &s->toks[s->n_toks++];
    t->kind = k;
    t->line = line;
    t->col = col;
    return t;
}

static char peek(const Lexer *L, size_t k) { return L->pos + k < L->s->len ? L->s->text[L->pos + k] : 0; }

static void advance(Lexer *L, size_t n)
{
    for (size_t i = 0; i < n && L->pos < L->s->len; i++, L->pos++) {
        if (L->s->text[L->pos] == '\n') L->line++, L->col = 1;
        else L->col++;
    }
}

/* At the start of a line: measure its indentation and emit INDENT/DEDENT. */
static void line_start(Lexer *L)
{
    for (;;) {
        int width = 0;
        while (peek(L, 0) == ' ') advance(L, 1), width++;
        if (peek(L, 0) == '\t') dsl_error(L->s, L->line, L->col, "a tab in indentation; indent with spaces");
        char c = peek(L, 0);
        if (c == '#') while (peek(L, 0) && peek(L, 0) != '\n') advance(L, 1);
        c = peek(L, 0);
        if (c == '\r' && peek(L, 1) == '\n') advance(L, 1), c = '\n';
        if (c == '\n') { advance(L, 1); continue; } /* blank line */
        if (!c) width = 0;
        int top = L->indent[L->n_indent];
        if (width > top) {
            if (L->n_indent == DSL_MAX_INDENT)
                dsl_error(L->s, L->line, L->col, "blocks are nested more than %d deep", DSL_MAX_INDENT);
            L->indent[++L->n_indent] = width;
            push(L, TK_INDENT, L->line, L->col);
        }
        while (width < L->indent[L->n_indent]) {
            L->n_indent--;
            push(L, TK_DEDENT, L->line, L->col);
            if (width > L->indent[L->n_indent])
                dsl_error(L->s, L->line, L->col, "this indentation matches no enclosing block");
        }
        return;
    }
}

static void lex_number(Lexer *L)
{
    size_t n = 0;
    int is_float = 0;
    while (isdigit((unsigned char)peek(L, n)) || peek(L, n) == '_') n++;
    if (peek(L, n) == '.' && isdigit((unsigned char)peek(L, n + 1))) {
        is_float = 1;
        n++;
        while (isdigit((unsigned char)peek(L, n))) n++;
    }
    if (peek(L, n) == 'e' || peek(L, n) == 'E') {
        size_t m = n + 1;
        if (peek(L, m) == '+' || peek(L, m) == '-') m++;
        if (isdigit((unsigned char)peek(L, m))) {
            is_float = 1;
            n = m;
            while (isdigit((unsigned char)peek(L, n))) n++;
        }
    }
    if (n > 64) dsl_error(L->s, L->line, L->col, "number literal is too long");
    char buf[72];
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (peek(L, i) != '_') buf[k++] = peek(L, i);
    buf[k] = 0;
    Token *t = push(L, is_float ? TK_FLOAT : TK_INT, L->line, L->col);
    errno = 0;
    if (is_float) {
        t->f = strtod(buf, NULL);
        if (!isfinite(t->f)) dsl_error(L->s, L->line, L->col, "number '%s' is out of range", buf);
    } else {
        long long v = strtoll(buf, NULL, 10);
        if (errno) dsl_error(L->s, L->line, L->col, "integer '%s' is out of range", buf);
        t->i = v;
    }
    advance(L, n);
}

static void lex_word(Lexer *L, TokKind kind, size_t skip, char quote)
{
    size_t n = 0;
    if (quote) {
        while (peek(L, skip + n) && peek(L, skip + n) != quote && peek(L, skip + n) != '\n') n++;
        if (peek(L, skip + n) != quote) dsl_error(L->s, L->line, L->col, "string is not closed");
    } else {
        while (isalnum((unsigned char)peek(L, n)) || peek(L, n) == '_') n++;
    }
    if (n > DSL_MAX_IDENT) dsl_error(L->s, L->line, L->col, "%s is longer than %d characters",
                                     quote ? "string" : "name", DSL_MAX_IDENT);
    Token *t = push(L, kind, L->line, L->col);
    char *s = arena_alloc(L->a, n + 1);
    memcpy(s, L->s->text + L->pos + skip, n);
    t->text = s;
    advance(L, n + 2 * skip);
}

static const struct { const char *s; TokKind k; } punct[] = {
    {"==", TK_EQ}, {"!=", TK_NE}, {"<=", TK_LE}, {">=", TK_GE}, {"(", TK_LPAREN}, {")", TK_RPAREN},
    {"[", TK_LBRACK}, {"]", TK_RBRACK}, {",", TK_COMMA}, {":", TK_COLON}, {"=", TK_ASSIGN}, {".", TK_DOT},
    {"+", TK_PLUS}, {"-", TK_MINUS}, {"*", TK_STAR}, {"/", TK_SLASH}, {"@", TK_AT}, {"%", TK_PERCENT},
    {"<", TK_LT}, {">", TK_GT}};

static void lex_punct(Lexer *L)
{
    for (size_t i = 0; i < sizeof punct / sizeof punct[0]; i++) {
        size_t n = strlen(punct[i].s);
        if (L->pos + n > L->s->len || memcmp(L->s->text + L->pos, punct[i].s, n) != 0) continue; /* text need not end in NUL */
        TokKind k = punct[i].k;
        if (k == TK_LPAREN || k == TK_LBRACK) {
            if (++L->depth > DSL_MAX_NEST)
                dsl_error(L->s, L->line, L->col, "brackets are nested more than %d deep", DSL_MAX_NEST);
        } else if ((k == TK_RPAREN || k == TK_RBRACK) && L->depth > 0) {
            L->depth--;
        }
        push(L, k, L->line, L->col);
        advance(L, n);
        return;
    }
    unsigned char c = (unsigned char)peek(L, 0);
    if (isprint(c)) dsl_error(L->s, L->line, L->col, "unexpected character '%c'", c);
    dsl_error(L->s, L->line, L->col, "unexpected byte 0x%02x", c);
}

void dsl_lex(Arena *a, Source *s)
{
    if (s->len > DSL_MAX_SOURCE) dsl_error(s, 1, 1, "the source is larger than %d bytes", DSL_MAX_SOURCE);
    Lexer L = {a, s, 0, 1, 1, 0, {0}, 0, 0};
    line_start(&L);
    while (L.pos < s->len) {
        char c = peek(&L, 0);
        if (c == ' ' || c == '\t' || c == '\r') advance(&L, 1);
        else if (c == '#') while (peek(&L, 0) && peek(&L, 0) != '\n') advance(&L, 1);
        else if (c == '\\' && peek(&L, 1) == '\n') advance(&L, 2); /* line continuation */
        else if (c == '\n') {
            if (L.depth == 0) push(&L, TK_NEWLINE, L.line, L.col);
            advance(&L, 1);
            if (L.depth == 0) line_start(&L);
        } else if (isdigit((unsigned char)c)) lex_number(&L);
        else if (isalpha((unsigned char)c) || c == '_') lex_word(&L, TK_IDENT, 0, 0);
        else if (c == '"' || c == '\'') lex_word(&L, TK_STRING, 1, c);
        else lex_punct(&L);
    }
    if (s->n_toks && s->toks[s->n_toks - 1].kind != TK_NEWLINE && s->toks[s->n_toks - 1].kind != TK_DEDENT)
        push(&L, TK_NEWLINE, L.line, L.col);
    while (L.n_indent > 0) L.n_indent--, push(&L, TK_DEDENT, L.line, L.col);
    push(&L, TK_EOF, L.line, L.col);
}
