/* driver.c — the whole pipeline in one function. Read compile_model() to know
 * the compiler: load -> verify and infer shapes -> passes -> plan memory ->
 * emit -> write both files atomically. */
#include "driver.h"

#include "backend/cpu_model.h"
#include "backend/emit_c.h"
#include "backend/selftest.h"
#include "backend/weights.h"
#include "ir/infer.h"
#include "passes/passes.h"
#include "nnc_runtime.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The ISA a --target value names; NULL, with the reason in why[], for one
 * that is unknown or not available. */
static const char *target_isa(const char *target, char *why, size_t cap)
{
    if (!target || strcmp(target, "generic") == 0) return "generic";
    if (strcmp(target, "avx2") == 0 || strcmp(target, "avx512") == 0 || strcmp(target, "neon") == 0) return target;
    if (strcmp(target, "native") == 0) { /* the best target for the machine nnc runs on */
        unsigned f = nnc_cpu_features();
        return (f & NNC_CPU_AVX512) ? "avx512"
               : (f & NNC_CPU_AVX2) ? "avx2"
               : (f & NNC_CPU_NEON) ? "neon"
                                    : "generic";
    }
    snprintf(why, cap, "unknown target '%s' (generic, avx2, avx512, neon, native)", target);
    return NULL;
}

/* The target's ISA and the tuning for it: --target, else the --cpu
 * model's best target; the model must run the target's code, and --tune
 * must parse. NULL, with the reason in why[], otherwise. */
static const char *options_isa(Arena *a, const CompileOptions *o, Tuning *t, char *why, size_t cap)
{
    const char *isa = o->target ? target_isa(o->target, why, cap) : NULL;
    if (o->target && !isa) return NULL;
    const CpuModel *m = o->cpu ? cpu_model_find(a, o->cpu, isa, why, cap) : cpu_model_default(isa);
    if (!m) return NULL;
    if (!isa) isa = m->isa; /* --cpu without --target picks the target */
    if (!cpu_model_runs(m, isa, why, cap) || !tuning_derive(a, m, isa, o->tune, t, why, cap)) return NULL;
    return isa;
}

const char *resolve_target(const CompileOptions *o)
{
    char why[1024];
    Arena a;
    Tuning t;
    arena_init(&a);
    const char *isa = options_isa(&a, o, &t, why, sizeof why); /* a string literal, not in the arena */
    if (!isa) fprintf(stderr, "nnc: error: %s\n", why);
    arena_free(&a);
    return isa;
}

char *default_prefix(Arena *a, const char *out_c)
{
    const char *base = strrchr(out_c, '/');
    base = base ? base + 1 : out_c;
    const char *dot = strrchr(base, '.');
    size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    char *p = arena_alloc(a, n + 2);
    size_t k = 0;
    if (n == 0 || isdigit((unsigned char)base[0])) p[k++] = 'm';
    for (size_t i = 0; i < n; i++) p[k++] = isalnum((unsigned char)base[i]) ? base[i] : '_';
    p[k] = 0;
    return p;
}

/* Channels per block of the NCHW[c] layout for a target: its vector width
 * (16 avx512, 8 avx2, 4 neon), or 0 (plain layout only) for generic, with
 * --layout plain, and below --opt 2. */
static int layout_lanes(const CompileOptions *o, const char *isa)
{
    if (o->opt_level < 2 || o->layout == LAYOUT_PLAIN) return 0;
    return strcmp(isa, "avx512") == 0 ? 16 : strcmp(isa, "avx2") == 0 ? 8 : strcmp(isa, "neon") == 0 ? 4 : 0;
}

/* Runs one pass under its name, so an internal error names it. */
#define PASS(name, ...) (nnc_stage_set("pass " #name), pass_##name(__VA_ARGS__))

/* --opt 0: none; 1: clean-up; 2 (default) and 3: also BatchNorm folding,
 * pattern recognition, epilogue fusion, channel-blocked layouts (lanes > 0)
 * and reshapes without data movement. Memory planning always runs. */
static void run_passes(Graph *g, int opt_level, int lanes)
{
    if (opt_level >= 1) {
        PASS(remove_noops, g);
        PASS(cse, g);
        PASS(eliminate_dead, g);
    }
    if (opt_level >= 2) {
        PASS(fold_batchnorm, g);
        PASS(recognize_patterns, g);
        PASS(fuse_epilogue, g);
        if (lanes > 0) PASS(choose_layout, g, lanes);
        PASS(alias_reshapes, g);
        PASS(inplace, g);
    }
    PASS(plan_memory, g);
    nnc_stage_set(NULL);
}

/* --max-workspace: a plan over the cap is an error naming what needs the
 * memory: the largest intermediates live together at the peak. */
static void check_workspace_cap(Graph *g, int64_t cap)
{
    if (g->workspace_size <= cap) return;
    PlanPeak pk;
    plan_peak(g, &pk);
    Buf b = {0};
    for (int i = 0; i < pk.n_live && i < 4; i++)
        buf_printf(&b, "%s'%s' %s (%lld bytes)", i ? ", " : "", pk.live[i]->name, shape_str(g->arena, pk.live[i]),
                   (long long)pk.live_size[i]);
    if (pk.n_live > 4) buf_printf(&b, " and %d smaller", pk.n_live - 4);
    const char *what = arena_strdup(g->arena, b.data ? b.data : "");
    buf_free(&b);
    nnc_fail("the workspace needs %lld bytes, over --max-workspace %lld: at node '%s' (%s) %lld bytes of "
             "intermediates are live: %s",
             (long long)g->workspace_size, (long long)cap, pk.node->name, pk.node->op_type,
             (long long)pk.live_bytes, what);
}

Graph *compile_graph(Arena *a, const CompileOptions *o)
{
    ErrorTrap trap;
    nnc_error_set_file(o->model_path);
    if (setjmp(trap.env)) {
        nnc_trap_pop(&trap);
        nnc_stage_set(NULL);
        return NULL;
    }
    nnc_trap_push(&trap);
    char why[1024];
    Tuning *tuning = arena_alloc(a, sizeof *tuning);
    const char *isa = options_isa(a, o, tuning, why, sizeof why); /* the passes depend on the target */
    if (!isa) nnc_fail("%s", why);
    nnc_stage_set("the ONNX loader");
    Graph *g = o->model_bytes ? onnx_load_buffer(a, o->model_bytes, o->model_len, o->ext_dir, &o->load)
                              : frontend_load(a, o->model_path, &o->load);
    g->tuning = tuning;
    nnc_stage_set("shape inference");
    infer_shapes(g);
    run_passes(g, o->opt_level, layout_lanes(o, isa));
    if (o->cap_workspace) check_workspace_cap(g, o->max_workspace);
    nnc_trap_pop(&trap);
    return g;
}

/* ---- output files: each written to a temporary file in its directory,
 * renamed into place only when every file is complete ---- */
typedef struct OutFile {
    const char *path;
    char tmp[4096];
    FILE *f; /* open while it is written; NULL before and after */
    int made;  /* tmp exists */
} OutFile;

/* Open a temporary file next to `path` (mode 0666 less the umask, like fopen). */
static int out_open(OutFile *o, const char *path)
{
    o->path = path;
    o->made = 0;
    o->f = NULL;
    if ((size_t)snprintf(o->tmp, sizeof o->tmp, "%s.tmpXXXXXX", path) >= sizeof o->tmp) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = mkstemp(o->tmp);
    if (fd < 0) return -1;
    o->made = 1;
    nnc_temp_file(o->tmp, 1);
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0 || !(o->f = fdopen(fd, "wb"))) { /* mkstemp makes 0600 */
        int err = errno;
        close(fd);
        errno = err;
        return -1;
    }
    return 0;
}

static int out_close(OutFile *o)
{
    if (!o->f) return 0;
    int ok = fclose(o->f) == 0;
    o->f = NULL;
    return ok ? 0 : -1;
}

/* Remove the temporary file (after a failure), keeping errno. */
static void out_discard(OutFile *o)
{
    int err = errno;
    if (o->f) fclose(o->f);
    o->f = NULL;
    if (o->made) {
        unlink(o->tmp);
        nnc_temp_file(o->tmp, 0);
    }
    o->made = 0;
    errno = err;
}

/* Write a whole buffer held in memory. */
static int out_write(OutFile *o, const char *path, const Buf *data)
{
    if (out_open(o, path) != 0) return -1;
    if ((data->len && fwrite(data->data, 1, data->len, o->f) != data->len) || out_close(o) != 0) {
        if (!errno) errno = EIO;
        return -1;
    }
    return 0;
}

static int out_commit(OutFile *o)
{
    if (rename(o->tmp, o->path) != 0) return -1;
    o->made = 0;
    nnc_temp_file(o->tmp, 0);
    return 0;
}

/* OUT with its extension (if any) replaced by `ext`. */
static char *with_extension(Arena *a, const char *out_c, const char *ext)
{
    const char *slash = strrchr(out_c, '/'), *dot = strrchr(out_c, '.');
    size_t n = dot && dot > (slash ? slash : out_c) ? (size_t)(dot - out_c) : strlen(out_c);
    return arena_printf(a, "%.*s%s", (int)n, out_c, ext);
}

/* compile_to_buffers, with --weights separate's payload checksum in *sum. */
static int compile_streams(const CompileOptions *o, const char *header_name, Buf *c, Buf *h, Buf *bin,
                           Buf *asm_text, uint32_t *sum)
{
    Arena arena;
    arena_init(&arena);
    const char *isa = resolve_target(o);
    Graph *g = isa ? compile_graph(&arena, o) : NULL;
    if (!g) {
        arena_free(&arena);
        return 1;
    }
    const char *out_c = o->out_c ? o->out_c : "model.c";
    EmitOptions eo = {o->prefix ? o->prefix : default_prefix(&arena, out_c), header_name, o->model_path, isa,
                      o->trace, o->weights_section, NULL, NULL, NULL, 0, NULL, NULL};
    if (o->weights_incbin || o->weights_separate) {
        NNC_ASSERT(bin && asm_text);
        eo.bin = bin;
        eo.asm_text = asm_text;
        eo.separate = o->weights_separate;
        eo.bin_checksum = sum;
        const char *b = with_extension(&arena, out_c, ".bin"), *bs = strrchr(b, '/');
        eo.bin_name = bs ? bs + 1 : b;
    }
    ErrorTrap trap;
    int rc = 0;
    if (setjmp(trap.env)) {
        rc = 1;
    } else {
        nnc_trap_push(&trap);
        if (o->selftest_dir) eo.selftest = selftest_load(g, o->selftest_dir);
        nnc_stage_set("lowering");
        emit_c(g, &eo, c, h);
    }
    nnc_trap_pop(&trap);
    nnc_stage_set(NULL);
    arena_free(&arena);
    return rc;
}

int compile_to_buffers(const CompileOptions *o, const char *header_name, Buf *c, Buf *h, Buf *bin, Buf *asm_text)
{
    uint32_t sum;
    return compile_streams(o, header_name, c, h, bin, asm_text, &sum);
}

/* Files of one compilation: OUT.c, OUT.h and with --weights incbin or
 * separate OUT.bin and (incbin) OUT_weights.S. OUT.c and OUT.bin are
 * streamed while they are generated (their sizes are the model's weights);
 * all are renamed into place at the end, OUT.c last. */
enum { OUT_C, OUT_H, OUT_BIN, OUT_ASM, OUT_COUNT };

static void output_paths(Arena *a, const char *out_c, const char *paths[OUT_COUNT])
{
    const char *dot = strrchr(out_c, '.'); /* OUT.h: the last extension replaced, or .h added */
    paths[OUT_C] = out_c;
    paths[OUT_H] = dot && !strchr(dot, '/') ? arena_printf(a, "%.*s.h", (int)(dot - out_c), out_c)
                                            : arena_printf(a, "%s.h", out_c);
    paths[OUT_BIN] = with_extension(a, out_c, ".bin");
    paths[OUT_ASM] = with_extension(a, out_c, "_weights.S");
}

static void warn_large_c(const char *out_c, size_t bytes)
{
    if (bytes > ((size_t)64 << 20)) /* C data: gcc needed 15 s and 1.1 GB per 100 MB (README) */
        fprintf(stderr,
                "nnc: warning: %s is %zu MB of C, most of it constants: C compilers need minutes and "
                "gigabytes for that; --weights incbin keeps them in a .bin file (nnc_add_model() does so "
                "above 16 MB when ASM is enabled)\n",
                out_c, bytes >> 20);
}

/* After a successful compilation into the streamed files: --weights
 * separate's header, the small files, then everything renamed into place,
 * the weights first and OUT.c last (what a build looks at). */
static int finish_outputs(const CompileOptions *o, OutFile f[OUT_COUNT], const char *paths[OUT_COUNT], Buf *c,
                          Buf *h, Buf *bin, const Buf *asm_text, uint32_t sum)
{
    int blob = o->weights_incbin || o->weights_separate;
    if (buf_flush(c) != 0 || (blob && buf_flush(bin) != 0)) return -1;
    if (o->weights_separate) {
        unsigned char header[64];
        weights_blob_header(buf_size(bin), sum, header);
        if (fseek(f[OUT_BIN].f, 0, SEEK_SET) != 0 || fwrite(header, 1, 64, f[OUT_BIN].f) != 64) return -1;
    }
    if (out_close(&f[OUT_C]) != 0 || out_close(&f[OUT_BIN]) != 0 ||
        (o->weights_incbin && out_write(&f[OUT_ASM], paths[OUT_ASM], asm_text) != 0) ||
        out_write(&f[OUT_H], paths[OUT_H], h) != 0)
        return -1;
    static const int order[] = {OUT_BIN, OUT_ASM, OUT_H, OUT_C};
    for (int i = 0; i < OUT_COUNT; i++)
        if (f[order[i]].made && out_commit(&f[order[i]]) != 0) return -1;
    return 0;
}

/* Compile into OUT.c and OUT.bin as they stream (opened first), then
 * finish. *rc: the compilation's status; returns -1 (errno) when a file
 * could not be written, with no output left behind. */
static int write_outputs(Arena *a, const CompileOptions *o, int *rc)
{
    int blob = o->weights_incbin || o->weights_separate;
    const char *paths[OUT_COUNT];
    output_paths(a, o->out_c, paths);
    struct stat st;
    for (int i = 0; i < 2; i++) /* refuse to replace a directory (rename would fail half way) */
        if (stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            errno = EISDIR;
            return -1;
        }
    OutFile f[OUT_COUNT];
    memset(f, 0, sizeof f);
    Buf c = {0}, h = {0}, bin = {0}, asm_text = {0};
    uint32_t sum = 0;
    static const char zeros[64];
    errno = 0;
    int ok = out_open(&f[OUT_C], paths[OUT_C]) == 0 && (!blob || out_open(&f[OUT_BIN], paths[OUT_BIN]) == 0) &&
             (!o->weights_separate || fwrite(zeros, 1, 64, f[OUT_BIN].f) == 64); /* the header's place */
    if (ok) {
        c.sink = f[OUT_C].f;
        bin.sink = f[OUT_BIN].f;
        const char *slash = strrchr(paths[OUT_H], '/');
        *rc = compile_streams(o, slash ? slash + 1 : paths[OUT_H], &c, &h, &bin, &asm_text, &sum);
        if (*rc == 0 && !blob) warn_large_c(o->out_c, buf_size(&c));
        if (*rc == 0) ok = finish_outputs(o, f, paths, &c, &h, &bin, &asm_text, sum) == 0;
    }
    if (!ok && !errno) errno = EIO;
    for (int i = 0; i < OUT_COUNT; i++) out_discard(&f[i]); /* what is left after a failure */
    buf_free(&c);
    buf_free(&h);
    buf_free(&bin);
    buf_free(&asm_text);
    return ok ? 0 : -1;
}

int compile_model(const CompileOptions *o)
{
    Arena a;
    arena_init(&a);
    int rc = 1;
    if (write_outputs(&a, o, &rc) != 0) {
        nnc_error_set_file(o->model_path);
        ErrorTrap trap; /* one error line, the usual way */
        if (setjmp(trap.env) == 0) {
            nnc_trap_push(&trap);
            nnc_fail("cannot write '%s': %s", o->out_c, strerror(errno));
        }
        nnc_trap_pop(&trap);
        rc = 1;
    }
    arena_free(&a);
    return rc;
}
