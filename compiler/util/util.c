/* util.c — arena, checked arithmetic, string buffers and the error path
 * declared in util.h. */
#include "util.h"

#include "../ir/graph.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct ArenaBlock {
    ArenaBlock *next;
    size_t used, cap;
    _Alignas(16) unsigned char data[];
};

/* Smallest block the arena takes from malloc. Fuzzing builds use blocks that
 * ASan's allocator caches (its larger ones are mmap'ed and unmapped on every
 * free, which made page faults most of a fuzzer's time). */
#ifdef NNC_FUZZING
#define ARENA_BLOCK ((size_t)64 << 10)
#else
#define ARENA_BLOCK ((size_t)1 << 20)
#endif

struct ArenaAdopted {
    ArenaAdopted *next;
    void *p;
};

void arena_init(Arena *a)
{
    a->head = NULL;
    a->adopted = NULL;
}

void arena_adopt(Arena *a, void *p)
{
    if (!p) return;
    ArenaAdopted *n = malloc(sizeof *n);
    if (!n) {
        free(p);
        nnc_fail("out of memory");
    }
    n->p = p;
    n->next = a->adopted;
    a->adopted = n;
}

void arena_free(Arena *a)
{
    for (ArenaAdopted *n = a->adopted, *next; n; n = next) {
        next = n->next;
        free(n->p);
        free(n);
    }
    a->adopted = NULL;
    ArenaBlock *b = a->head;
    while (b) {
        ArenaBlock *n = b->next;
        free(b);
        b = n;
    }
    a->head = NULL;
}

void *arena_alloc_raw(Arena *a, size_t size)
{
    if (size > SIZE_MAX - sizeof(ArenaBlock) - 15) nnc_fail("out of memory (%zu bytes)", size);
    size = (size + 15) & ~(size_t)15;
    if (size == 0) size = 16;
    ArenaBlock *b = a->head;
    if (!b || b->cap - b->used < size) {
        int own = size > ARENA_BLOCK / 4; /* a block of its own, exactly this size */
        size_t cap = own ? size : ARENA_BLOCK;
        b = malloc(sizeof *b + cap);
        if (!b) nnc_fail("out of memory (%zu bytes)", size);
        b->used = 0;
        b->cap = cap;
        if (own && a->head) { /* a block of its own: small ones go on filling head */
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = a->head;
            a->head = b;
        }
    }
    void *p = b->data + b->used;
    b->used += size;
    return p;
}

void *arena_alloc(Arena *a, size_t size)
{
    void *p = arena_alloc_raw(a, size);
    memset(p, 0, size ? (size + 15) & ~(size_t)15 : 16);
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

/* A sink takes the buffered bytes in chunks of this size; larger puts go
 * straight to it. */
#define BUF_SINK_CHUNK ((size_t)1 << 20)

size_t buf_size(const Buf *b) { return b->flushed + b->len; }

static void sink_write(Buf *b, const char *s, size_t n)
{
    if (n && !b->sink_errno && fwrite(s, 1, n, b->sink) != n) b->sink_errno = errno ? errno : EIO;
    b->flushed += n;
}

int buf_flush(Buf *b)
{
    if (b->sink) {
        sink_write(b, b->data, b->len);
        b->len = 0;
        if (b->data) b->data[0] = 0;
    }
    errno = b->sink_errno;
    return b->sink_errno ? -1 : 0;
}

void buf_put(Buf *b, const char *s, size_t n)
{
    if (b->sink && b->len + n > BUF_SINK_CHUNK) {
        buf_flush(b);
        if (n >= BUF_SINK_CHUNK) {
            sink_write(b, s, n);
            return;
        }
    }
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
    b->len = b->cap = b->flushed = 0;
}

/* ---- errors ---- */
static const char *g_error_file = "<input>";
static int g_quiet;
static char g_last[2560]; /* "nnc: error: " + file (1000) + ": " + prefix (400) + message (768) */
static ErrorTrap *g_trap;

void nnc_error_set_file(const char *path) { g_error_file = path; }
const char *nnc_error_file(void) { return g_error_file; }
void nnc_error_set_quiet(int quiet) { g_quiet = quiet; }
int nnc_error_quiet(void) { return g_quiet; }
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
    /* long paths and messages are cut to fit one line of g_last */
    snprintf(g_last, sizeof g_last, "nnc: error: %.1000s: %.400s%s", g_error_file, prefix, msg);
    /* one line of plain text: a newline or terminal escape in a model-supplied
     * name (node, op type, tensor) or in the path becomes a space */
    for (char *p = g_last; *p; p++)
        if ((unsigned char)*p < 32 || *p == 127) *p = ' ';
    if (!g_quiet) fprintf(stderr, "%s\n", g_last);
}

void nnc_report_text(const char *text)
{
    size_t n = strcspn(text, "\n");
    snprintf(g_last, sizeof g_last, "%.*s", (int)(n < sizeof g_last - 1 ? n : sizeof g_last - 1), text);
    if (!g_quiet) fputs(text, stderr);
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

/* ---- internal errors: where the compiler was, and crashes as one line ---- */
static const char *volatile g_stage;
static const Node *volatile g_stage_node;
static const char *g_crash_test_stage; /* NNC_TEST_CRASH_IN */

void nnc_stage_set(const char *stage)
{
    g_stage = stage;
    g_stage_node = NULL;
}

void nnc_stage_node(const Node *n)
{
    g_stage_node = n;
    if (n && g_crash_test_stage && g_stage && strcmp(g_stage, g_crash_test_stage) == 0) {
        g_crash_test_stage = NULL;
        raise(SIGSEGV);
    }
}

/* Appends s to buf[*len..cap-1] (async-signal-safe: no stdio, no malloc). */
static void put_str(char *buf, size_t *len, size_t cap, const char *s)
{
    for (; s && *s && *len + 1 < cap; s++) buf[(*len)++] = ((unsigned char)*s < 32 || *s == 127) ? ' ' : *s;
    buf[*len] = 0;
}

/* "nnc: error: FILE: internal error in STAGE at node 'X' (Op): WHAT" */
static size_t internal_line(char *buf, size_t cap, const char *what)
{
    size_t n = 0;
    const Node *node = g_stage_node;
    put_str(buf, &n, cap, "nnc: error: ");
    put_str(buf, &n, cap, g_error_file);
    put_str(buf, &n, cap, ": internal error in ");
    put_str(buf, &n, cap, g_stage ? g_stage : "nnc");
    if (node) {
        put_str(buf, &n, cap, " at node '");
        put_str(buf, &n, cap, node->name ? node->name : "");
        put_str(buf, &n, cap, "' (");
        put_str(buf, &n, cap, node->op_type ? node->op_type : "?");
        put_str(buf, &n, cap, ")");
    }
    put_str(buf, &n, cap, ": ");
    put_str(buf, &n, cap, what);
    put_str(buf, &n, cap, " (please report this line)");
    if (n + 1 < cap) buf[n++] = '\n';
    buf[n] = 0;
    return n;
}

/* Output files being written (their temporary names): removed before an
 * internal error or crash exits, so no stray OUT.c.tmpXXXXXX is left. */
#define TEMP_FILES 4
static const char *volatile g_temp_files[TEMP_FILES];

void nnc_temp_file(const char *path, int add)
{
    for (int i = 0; i < TEMP_FILES; i++)
        if (add ? !g_temp_files[i] : g_temp_files[i] == path) {
            g_temp_files[i] = add ? path : NULL;
            return;
        }
    NNC_ASSERT(!add);
}

static void remove_temp_files(void) /* async-signal-safe */
{
    for (int i = 0; i < TEMP_FILES; i++)
        if (g_temp_files[i]) unlink(g_temp_files[i]);
}

static void on_crash(int sig)
{
    static char line[1024];
    remove_temp_files();
    const char *what = sig == SIGSEGV ? "segmentation fault" : sig == SIGBUS ? "bus error"
                     : sig == SIGFPE ? "arithmetic exception" : "illegal instruction";
    size_t n = internal_line(line, sizeof line, what);
    ssize_t w = write(2, line, n);
    (void)w;
    _exit(1);
}

void nnc_crash_handler_install(void)
{
    const char *t = getenv("NNC_TEST_CRASH_IN");
    g_crash_test_stage = t && *t ? t : NULL;
    const char *off = getenv("NNC_NO_CRASH_HANDLER");
    if (off && *off && strcmp(off, "0") != 0) return;
    static char alt[1 << 16]; /* a stack overflow still gets its line */
    stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt, .ss_flags = 0};
    sigaltstack(&ss, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_crash;
    sa.sa_flags = SA_ONSTACK | SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    const int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) sigaction(sigs[i], &sa, NULL);
}

_Noreturn void nnc_internal_error(const char *file, int line, const char *what)
{
    char msg[512], buf[1400];
    snprintf(msg, sizeof msg, "assertion '%.300s' failed at %.100s:%d", what, file, line);
    size_t n = internal_line(buf, sizeof buf, msg);
    fwrite(buf, 1, n, stderr);
    remove_temp_files();
#ifdef NNC_FUZZING
    abort(); /* the fuzzer must see it */
#else
    exit(1);
#endif
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
    unsigned char *d = a ? arena_alloc(a, (size_t)n + 1) : malloc((size_t)n + 1);
    if (!d) {
        *err = "out of memory";
        fclose(f);
        return NULL;
    }
    if (fread(d, 1, (size_t)n, f) != (size_t)n) {
        if (!a) free(d);
        goto io;
    }
    fclose(f);
    d[n] = 0;
    *len = (size_t)n;
    return d;
io:
    *err = "cannot read file";
    fclose(f);
    return NULL;
}
