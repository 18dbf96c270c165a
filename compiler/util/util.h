/* util.h — the compiler's small toolbox: one arena per compilation, checked
 * integer arithmetic, a growable string buffer, and the single error path.
 *
 * Every user-facing error goes through nnc_fail()/nnc_fail_node(), which print
 * `nnc: error: FILE: node 'NAME' (Op): reason` and unwind to the innermost
 * error trap (set by compile_model), so callers never see half-built state. */
#ifndef NNC_UTIL_H
#define NNC_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- arena ---- */
typedef struct ArenaBlock ArenaBlock;
typedef struct ArenaAdopted ArenaAdopted;
typedef struct Arena {
    ArenaBlock *head;
    ArenaAdopted *adopted; /* malloc'ed memory freed with the arena (arena_adopt) */
} Arena;

void arena_init(Arena *a);
void arena_free(Arena *a);
void *arena_alloc(Arena *a, size_t size); /* zeroed, 16-byte aligned */
void *arena_alloc_raw(Arena *a, size_t size); /* the same, not zeroed (for bytes about to be overwritten) */
/* The arena takes over p (from malloc; NULL is ignored): arena_free frees it.
 * Lets large blocks another library allocated (protobuf-c's tensor bytes)
 * live as long as the compilation without being copied. */
void arena_adopt(Arena *a, void *p);
void *arena_alloc_array(Arena *a, size_t count, size_t elem);
char *arena_strdup(Arena *a, const char *s);
char *arena_printf(Arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A copy of s safe inside a C comment or string: no comment terminator, no
 * trigraph, no control characters, at most `max` characters. */
char *c_comment_text(Arena *a, const char *s, size_t max);

/* ---- checked arithmetic: return 0 on overflow ---- */
int checked_mul_i64(int64_t a, int64_t b, int64_t *out);
int checked_add_i64(int64_t a, int64_t b, int64_t *out);

/* ---- growable buffer ---- */
/* With a sink (a file opened for writing), the bytes stream to the file in
 * chunks and `data` holds only the tail not yet written: a model's weights
 * pass through the C file or the .bin file without all of them being held
 * in memory a second time. */
typedef struct Buf {
    char *data;
    size_t len, cap;
    FILE *sink;        /* NULL: everything stays in data */
    size_t flushed;    /* bytes already written to sink */
    int sink_errno;    /* the first failed write's errno, or 0 */
} Buf;
void buf_put(Buf *b, const char *s, size_t n);
/* Bytes put so far (written to the sink or not). */
size_t buf_size(const Buf *b);
/* Write what data holds to the sink; 0, or -1 with errno after a failed write. */
int buf_flush(Buf *b);
void buf_puts(Buf *b, const char *s);
void buf_printf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_free(Buf *b);

/* ---- errors ---- */
struct Node;
typedef struct ErrorTrap {
    jmp_buf env;
    struct ErrorTrap *prev;
} ErrorTrap;

void nnc_error_set_file(const char *path);
const char *nnc_error_file(void);
void nnc_error_set_quiet(int quiet);        /* tests: keep messages, do not print */
int nnc_error_quiet(void);
const char *nnc_last_error(void);           /* last message printed (or kept) */
void nnc_trap_push(ErrorTrap *t);
void nnc_trap_pop(ErrorTrap *t);
_Noreturn void nnc_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void nnc_fail_node(const struct Node *n, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Report without unwinding (for "report every unsupported op" diagnostics). */
void nnc_report_node(const struct Node *n, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
_Noreturn void nnc_unwind(void); /* unwind after reports were printed */
/* Print a diagnostic the caller formatted in full (the model language's
 * gcc-style `file:line:col: error:` lines with source and caret), unless
 * quiet; its first line becomes nnc_last_error(). */
void nnc_report_text(const char *text);

/* Where the compiler is, for internal-error lines: a stage ("pass
 * fold_batchnorm", "shape inference", "lowering") and the node it works on.
 * Stages and passes call these as they go; they cost a store each. */
void nnc_stage_set(const char *stage);
void nnc_stage_node(const struct Node *n);
/* A crash inside nnc (SIGSEGV, SIGBUS, SIGFPE, SIGILL, or a stack overflow)
 * becomes one line, `nnc: error: FILE: internal error in STAGE at node 'X'
 * (Op): signal`, and exit status 1 instead of a bare signal; a failed
 * NNC_ASSERT prints the same line. NNC_NO_CRASH_HANDLER=1 in the environment
 * leaves signals alone (for a debugger). Tests make a stage crash on purpose
 * with NNC_TEST_CRASH_IN=STAGE (at its first node). */
void nnc_crash_handler_install(void);
/* Register (add = 1) or forget (add = 0) a temporary output file that a
 * crash or internal error removes before exiting; at most four at a time,
 * and `path` must stay valid while registered. */
void nnc_temp_file(const char *path, int add);

/* Internal invariants: a bug in nnc, not in the user's model. */
#define NNC_ASSERT(cond)                                                        \
    do {                                                                        \
        if (!(cond)) nnc_internal_error(__FILE__, __LINE__, #cond);             \
    } while (0)
_Noreturn void nnc_internal_error(const char *file, int line, const char *what);

/* Read a whole file; returns NULL (and sets *err) on failure. With a NULL
 * arena the bytes are malloc'ed: the caller frees them (a model's bytes need
 * not live as long as the compilation). */
unsigned char *read_file(Arena *a, const char *path, size_t *len, const char **err);

#endif
