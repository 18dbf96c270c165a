/* util.c — arena, checked arithmetic, string buffers and the error path
 * declared in util.h. */
#include "util.h"

#include "../ir/graph.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct ArenaBlock {
    ArenaBlock *next;
    size_t used, cap;
    _Alignas(16) unsigned char data[];
};

void arena_init(Arena *a) { a->head = NULL; }

void arena_free(Arena *a)
{
    ArenaBlock *b = a->head;
    while (b) {
        ArenaBlock *n = b->next;
        free(b);
        b = n;
    }
    a->head = NULL;
}

void *arena_alloc(Arena *a, size_t size)
{
    size = (size + 15) & ~(size_t)15;
    if (size == 0) size = 16;
    ArenaBlock *b = a->head;
    if (!b || b->cap - b->used < size) {
        size_t cap = size > (1u << 20) ? size : (1u << 20);
        b = malloc(sizeof *b + cap);
        if (!b) nnc_fail("out of memory (%zu bytes)", size);
        b->used = 0;
        b->cap = cap;
        b->next = a->head;
        a->head = b;
    }
    void *p = b->data + b->used;
    b->used += size;
    memset(p, 0, size);
    return p;
}

void *arena_alloc_array(Arena *a, size_t count, size_t elem)
{
    if (elem && count > SIZE_MAX / elem) nnc_fail("allocation size overflow");
    return arena_alloc(a, count * elem);
}

char *arena_strdup(Arena *a, const char *s)
{
    size_t n = strlen(s);
    char *p = arena_alloc(a, n + 1);
    memcpy(p, s, n + 1);
    return p;
}

char *arena_printf(Arena *a, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *p = arena_alloc(a, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return p;
}

char *c_comment_text(Arena *a, const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n > max) n = max;
    char *r = arena_alloc(a, n + 1);
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if ((unsigned char)ch < 32 || ch == 127) ch = ' ';
        if (ch == '/' && i > 0 && r[i - 1] == '*') ch = '|';
        if (ch == '*' && i > 0 && r[i - 1] == '/') ch = '+';
        if (ch == '?' && i > 0 && r[i - 1] == '?') ch = '_';
        if (ch == '\\') ch = '|'; /* no line splicing, no escapes */
        r[i] = ch;
    }
    r[n] = 0;
    return r;
}

int checked_mul_i64(int64_t a, int64_t b, int64_t *out)
{
    return !__builtin_mul_overflow(a, b, out);
}

int checked_add_i64(int64_t a, int64_t b, int64_t *out)
{
    return !__builtin_add_overflow(a, b, out);
}

void buf_put(Buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1) cap *= 2;
        char *d = realloc(b->data, cap);
        if (!d) nnc_fail("out of memory");
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = 0;
}

void buf_puts(Buf *b, const char *s) { buf_put(b, s, strlen(s)); }

void buf_printf(Buf *b, const char *fmt, ...)
{
    char small[512];
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < (int)sizeof small) {
        buf_put(b, small, (size_t)n);
    } else {
        char *big = malloc((size_t)n + 1);
        if (!big) nnc_fail("out of memory");
        vsnprintf(big, (size_t)n + 1, fmt, ap2);
        buf_put(b, big, (size_t)n);
        free(big);
    }
    va_end(ap2);
}

void buf_free(Buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

/* ---- errors ---- */
static const char *g_error_file = "<input>";
static int g_quiet;
static char g_last[2560]; /* "nnc: error: " + file (1000) + ": " + prefix (400) + message (768) */
static ErrorTrap *g_trap;

void nnc_error_set_file(const char *path) { g_error_file = path; }
const char *nnc_error_file(void) { return g_error_file; }
void nnc_error_set_quiet(int quiet) { g_quiet = quiet; }
const char *nnc_last_error(void) { return g_last; }
void nnc_trap_push(ErrorTrap *t)
{
    t->prev = g_trap;
    g_trap = t;
}
void nnc_trap_pop(ErrorTrap *t)
{
    NNC_ASSERT(g_trap == t);
    g_trap = t->prev;
}

_Noreturn void nnc_unwind(void)
{
    if (g_trap) longjmp(g_trap->env, 1);
    exit(1);
}

static void emit_message(const char *prefix, const char *fmt, va_list ap)
{
    char msg[768];
    vsnprintf(msg, sizeof msg, fmt, ap);
    /* one line: fold any newline a model-supplied string might carry */
    for (char *p = msg; *p; p++)
        if (*p == '\n' || *p == '\r') *p = ' ';
    /* long paths and messages are cut to fit one line of g_last */
    snprintf(g_last, sizeof g_last, "nnc: error: %.1000s: %.400s%s", g_error_file, prefix, msg);
    if (!g_quiet) fprintf(stderr, "%s\n", g_last);
}

static const char *node_prefix(const Node *n, char *buf, size_t cap)
{
    snprintf(buf, cap, "node '%.200s' (%.100s): ", n && n->name ? n->name : "",
             n && n->op_type ? n->op_type : "?");
    return buf;
}

_Noreturn void nnc_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit_message("", fmt, ap);
    va_end(ap);
    nnc_unwind();
}

void nnc_report_node(const Node *n, const char *fmt, ...)
{
    char pre[400];
    va_list ap;
    va_start(ap, fmt);
    emit_message(node_prefix(n, pre, sizeof pre), fmt, ap);
    va_end(ap);
}

_Noreturn void nnc_fail_node(const Node *n, const char *fmt, ...)
{
    char pre[400];
    va_list ap;
    va_start(ap, fmt);
    emit_message(node_prefix(n, pre, sizeof pre), fmt, ap);
    va_end(ap);
    nnc_unwind();
}

_Noreturn void nnc_internal_error(const char *file, int line, const char *what)
{
    fprintf(stderr, "nnc: internal error: %s:%d: %s\n", file, line, what);
    abort();
}

unsigned char *read_file(Arena *a, const char *path, size_t *len, const char **err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        *err = strerror(errno);
        return NULL;
    }
    if (fseek(f, 0, SEEK_END) != 0) goto io;
    long n = ftell(f);
    if (n < 0 || fseek(f, 0, SEEK_SET) != 0) goto io;
    unsigned char *d = arena_alloc(a, (size_t)n + 1);
    if (fread(d, 1, (size_t)n, f) != (size_t)n) goto io;
    fclose(f);
    *len = (size_t)n;
    return d;
io:
    *err = "cannot read file";
    fclose(f);
    return NULL;
}
