/* driver.c — the whole pipeline in one function. Read compile_model() to know
 * the compiler: load -> verify and infer shapes -> passes -> plan memory ->
 * emit -> write both files atomically. */
#include "driver.h"

#include "backend/cpu_model.h"
#include "backend/emit_c.h"
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

/* Write `data` to `path` through a temporary file in the same directory. */
static int write_atomic(const char *path, const Buf *data, char *tmp, size_t tmpcap)
{
    snprintf(tmp, tmpcap, "%s.tmpXXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) return -1;
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0) { /* mkstemp makes 0600; give the usual mode */
        close(fd);
        unlink(tmp);
        return -1;
    }
    FILE *f = fdopen(fd, "wb");
    if (!f) {
        close(fd);
        unlink(tmp);
        return -1;
    }
    int ok = fwrite(data->data, 1, data->len, f) == data->len;
    int err = errno;
    ok &= fclose(f) == 0;
    if (!ok) {
        err = errno ? errno : err;
        unlink(tmp);
        errno = err;
    }
    return ok ? 0 : -1;
}

static int write_outputs(const char *out_c, const char *out_h, const Buf *c, const Buf *h)
{
    char tc[4096], th[4096];
    struct stat st;
    for (int i = 0; i < 2; i++) /* refuse to replace a directory (rename would fail half way) */
        if (stat(i ? out_h : out_c, &st) == 0 && S_ISDIR(st.st_mode)) {
            errno = EISDIR;
            return -1;
        }
    if (write_atomic(out_c, c, tc, sizeof tc) != 0) return -1;
    if (write_atomic(out_h, h, th, sizeof th) != 0) {
        int err = errno;
        unlink(tc);
        errno = err;
        return -1;
    }
    if (rename(th, out_h) != 0) {
        int err = errno;
        unlink(tc);
        unlink(th);
        errno = err;
        return -1;
    }
    if (rename(tc, out_c) != 0) {
        int err = errno;
        unlink(tc);
        unlink(out_h);
        errno = err;
        return -1;
    }
    return 0;
}

/* OUT with its extension (if any) replaced by `ext`. */
static char *with_extension(Arena *a, const char *out_c, const char *ext)
{
    const char *slash = strrchr(out_c, '/'), *dot = strrchr(out_c, '.');
    size_t n = dot && dot > (slash ? slash : out_c) ? (size_t)(dot - out_c) : strlen(out_c);
    return arena_printf(a, "%.*s%s", (int)n, out_c, ext);
}

/* --weights incbin: OUT.bin and OUT_weights.S; separate: OUT.bin (header
 * and payload). Written before OUT.h and OUT.c. */
static int write_weights(Arena *a, const char *out_c, const Buf *bin, const Buf *s, int separate)
{
    const char *paths[2] = {with_extension(a, out_c, ".bin"), with_extension(a, out_c, "_weights.S")};
    Buf blob = {0};
    if (separate) {
        unsigned char header[64];
        weights_blob_header(bin, header);
        buf_put(&blob, (const char *)header, 64);
        buf_put(&blob, bin->data ? bin->data : "", bin->len);
    }
    const Buf *data[2] = {separate ? &blob : bin, s};
    char tmp[4096];
    for (int i = 0; i < (separate ? 1 : 2); i++) {
        if (write_atomic(paths[i], data[i], tmp, sizeof tmp) != 0 || rename(tmp, paths[i]) != 0) {
            int err = errno;
            unlink(tmp);
            buf_free(&blob);
            errno = err;
            return -1;
        }
    }
    buf_free(&blob);
    return 0;
}

int compile_to_buffers(const CompileOptions *o, const char *header_name, Buf *c, Buf *h, Buf *bin, Buf *asm_text)
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
                      o->trace, o->weights_section, NULL, NULL, NULL, 0};
    if (o->weights_incbin || o->weights_separate) {
        NNC_ASSERT(bin && asm_text);
        eo.bin = bin;
        eo.asm_text = asm_text;
        eo.separate = o->weights_separate;
        const char *b = with_extension(&arena, out_c, ".bin"), *bs = strrchr(b, '/');
        eo.bin_name = bs ? bs + 1 : b;
    }
    ErrorTrap trap;
    int rc = 0;
    if (setjmp(trap.env)) {
        rc = 1;
    } else {
        nnc_trap_push(&trap);
        nnc_stage_set("lowering");
        emit_c(g, &eo, c, h);
    }
    nnc_trap_pop(&trap);
    nnc_stage_set(NULL);
    arena_free(&arena);
    return rc;
}

int compile_model(const CompileOptions *o)
{
    size_t n = strlen(o->out_c);
    char *out_h = malloc(n + 3);
    if (!out_h) {
        fprintf(stderr, "nnc: error: out of memory\n");
        return 1;
    }
    memcpy(out_h, o->out_c, n + 1);
    char *dot = strrchr(out_h, '.');
    if (dot && !strchr(dot, '/')) strcpy(dot, ".h");
    else strcat(out_h, ".h");
    const char *slash = strrchr(out_h, '/');
    Buf c = {0}, h = {0}, bin = {0}, asm_text = {0};
    int rc = compile_to_buffers(o, slash ? slash + 1 : out_h, &c, &h, &bin, &asm_text);
    if (rc == 0 && !o->weights_incbin && !o->weights_separate && c.len > ((size_t)64 << 20)) /* C data: gcc needed 15 s and 1.1 GB per 100 MB (README) */
        fprintf(stderr,
                "nnc: warning: %s is %zu MB of C, most of it constants: C compilers need minutes and "
                "gigabytes for that; --weights incbin keeps them in a .bin file (nnc_add_model() does so "
                "above 16 MB when ASM is enabled)\n",
                o->out_c, c.len >> 20);
    if (rc == 0) {
        Arena a;
        arena_init(&a);
        if (((o->weights_incbin || o->weights_separate) &&
             write_weights(&a, o->out_c, &bin, &asm_text, o->weights_separate) != 0) ||
            write_outputs(o->out_c, out_h, &c, &h) != 0) {
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
    }
    buf_free(&c);
    buf_free(&h);
    buf_free(&bin);
    buf_free(&asm_text);
    free(out_h);
    return rc;
}
