/* verify.c — `nnc verify MODEL [DIR...]`: compiles the model, builds it with
 * the system C compiler around a small harness, runs it on each ONNX
 * test_data_set folder and compares every output with the expected one.
 * Protobuf stays on nnc's side: tensors cross to the harness as raw files.
 * With --layers, both the model and a reference are built with --trace and
 * every intermediate is compared too (verify_layers.c).
 * Cross builds (NNC_VERIFY_CC, or --target neon on a host that is not
 * AArch64) compile the runtime from its sources next to the model (as
 * `nnc --emit-runtime` writes them) and run the harness through an emulator
 * (NNC_VERIFY_RUNNER, by default qemu for the Debian cross toolchains). */
#include "verify.h"

#include "backend/template.h"
#include "driver.h"
#include "verify_layers.h"
#include "ir/infer.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- build flags ---- */
static char *exe_dir(Arena *a, const char *argv0)
{
    char buf[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) {
        if (!realpath(argv0, buf)) return arena_strdup(a, ".");
        n = (ssize_t)strlen(buf);
    }
    buf[n] = 0;
    char *slash = strrchr(buf, '/');
    if (slash) *slash = 0;
    return arena_strdup(a, buf);
}

/* The runtime's include directory and library, for the build tree or an
 * installed prefix (found from where the nnc binary is). */
static void runtime_paths(Arena *a, const char *argv0, const char **inc, const char **lib)
{
    const char *dir = exe_dir(a, argv0);
    char build[PATH_MAX];
    if (realpath(NNC_BUILD_DIR, build) && strcmp(build, dir) == 0) {
        *inc = arena_printf(a, "%s/runtime", NNC_SOURCE_DIR);
        *lib = arena_printf(a, "%s/runtime/libnncrt.a", NNC_BUILD_DIR);
    } else { /* PREFIX/bin/nnc: PREFIX/include/nnc and PREFIX/lib, named without ".." */
        char prefix[PATH_MAX];
        const char *p = arena_printf(a, "%s/..", dir);
        if (realpath(p, prefix)) p = prefix;
        *inc = arena_printf(a, "%s/include/nnc", p);
        *lib = arena_printf(a, "%s/lib/libnncrt.a", p);
    }
}

/* ---- the runtime as sources: --emit-runtime, cross builds ---- */
static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    size_t n = strlen(text);
    int ok = fwrite(text, 1, n, f) == n;
    return (fclose(f) == 0 && ok) ? 0 : -1;
}

int emit_runtime(const char *dir)
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "nnc: error: cannot create '%s': %s\n", dir, strerror(errno));
        return 1;
    }
    for (int i = 0; i < nnc_runtime_count; i++) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", dir, nnc_runtime_files[i].path);
        if (write_file(path, nnc_runtime_files[i].text) != 0) {
            fprintf(stderr, "nnc: error: cannot write '%s': %s\n", path, strerror(errno));
            return 1;
        }
    }
    return 0;
}

int print_build_flags(const char *argv0, int cflags)
{
    Arena a;
    arena_init(&a);
    const char *inc, *lib;
    runtime_paths(&a, argv0, &inc, &lib);
    if (cflags) printf("-I%s\n", inc);
    else printf("%s -lm\n", lib);
    arena_free(&a);
    return 0;
}

/* ---- processes ---- */
static void split_words(Arena *a, const char *s, const char **argv, int *argc, int max)
{
    char *copy = arena_strdup(a, s);
    for (char *tok = strtok(copy, " \t"); tok && *argc < max; tok = strtok(NULL, " \t")) argv[(*argc)++] = tok;
}

static int run_process(const char *const *argv, int quiet)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        if (quiet && !freopen("/dev/null", "w", stdout)) _exit(127);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) return -1;
    if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
    return WEXITSTATUS(st);
}

/* ---- the toolchain: native, or a cross compiler and an emulator ---- */
typedef struct Toolchain {
    const char *cc;      /* compiler command, words */
    const char *runner;  /* words put before the harness's command line, or NULL */
    int sources;         /* build the runtime from its sources, not libnncrt.a */
} Toolchain;

#if defined(__aarch64__)
#define HOST_IS_AARCH64 1
#else
#define HOST_IS_AARCH64 0
#endif

static const char *env_words(const char *name)
{
    const char *v = getenv(name);
    return v && v[strspn(v, " \t")] ? v : NULL;
}

/* Is `name` an executable in PATH? */
static int in_path(Arena *a, const char *name)
{
    const char *path = getenv("PATH");
    if (strchr(name, '/')) return access(name, X_OK) == 0;
    for (const char *s = path ? path : ""; *s;) {
        size_t n = strcspn(s, ":");
        if (n && access(arena_printf(a, "%.*s/%s", (int)n, s, name), X_OK) == 0) return 1;
        s += n + (s[n] == ':');
    }
    return 0;
}

/* The emulator for a Debian cross compiler's programs (by the triplet its
 * name starts with), when that is a foreign architecture; else NULL. */
static const char *emulator_for(Arena *a, const char *cc)
{
    static const char *const known[][3] = {{"aarch64-linux-gnu-", "qemu-aarch64", "/usr/aarch64-linux-gnu"},
                                           {"arm-linux-gnueabihf-", "qemu-arm", "/usr/arm-linux-gnueabihf"}};
    const char *first = arena_printf(a, "%.*s", (int)strcspn(cc + strspn(cc, " \t"), " \t"), cc + strspn(cc, " \t"));
    const char *base = strrchr(first, '/') ? strrchr(first, '/') + 1 : first;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strncmp(base, known[i][0], strlen(known[i][0])) == 0 && !(i == 0 && HOST_IS_AARCH64))
            return arena_printf(a, "%s -L %s", known[i][1], known[i][2]);
    return NULL;
}

/* Chooses how to build and run for target isa; NULL and a one-line reason
 * when no way exists. */
static const char *choose_toolchain(Arena *a, const char *isa, Toolchain *tc)
{
    const char *vcc = env_words("NNC_VERIFY_CC"), *runner = env_words("NNC_VERIFY_RUNNER");
    int foreign = strcmp(isa, "neon") == 0 && !HOST_IS_AARCH64;
    memset(tc, 0, sizeof *tc);
    if (!vcc && !foreign) { /* native: the system compiler and the built runtime library */
        tc->cc = env_words("CC") ? env_words("CC") : "cc";
        tc->runner = runner;
        return NULL;
    }
    tc->sources = 1;
    tc->cc = vcc ? vcc : "aarch64-linux-gnu-gcc";
    if (!vcc && !in_path(a, tc->cc))
        return "verify --target neon on this host needs an AArch64 cross compiler and an emulator: install "
               "gcc-aarch64-linux-gnu and qemu-user (scripts/install-deps.sh), or set NNC_VERIFY_CC and "
               "NNC_VERIFY_RUNNER";
    tc->runner = runner ? runner : emulator_for(a, tc->cc);
    if (!tc->runner && foreign) tc->runner = "qemu-aarch64 -L /usr/aarch64-linux-gnu";
    if (tc->runner && !runner) { /* a default emulator: it must be there */
        const char *emu = arena_printf(a, "%.*s", (int)strcspn(tc->runner, " "), tc->runner);
        if (!in_path(a, emu))
            return arena_printf(a, "verify with the cross compiler '%s' needs the emulator %s: install qemu-user, or "
                                   "set NNC_VERIFY_RUNNER", tc->cc, emu);
    }
    return NULL;
}

/* ---- building ---- */
static int write_harness(Arena *a, const Graph *g, const char *dir, int trace, const VerifyOptions *vo)
{
    KParams p = {0};
    int64_t *ib = arena_alloc_array(a, (size_t)g->n_inputs + 1, sizeof(int64_t));
    int64_t *ob = arena_alloc_array(a, (size_t)g->n_outputs + 1, sizeof(int64_t));
    for (int i = 0; i < g->n_inputs; i++) ib[i] = tensor_bytes(g->inputs[i]);
    for (int i = 0; i < g->n_outputs; i++) ob[i] = tensor_bytes(g->outputs[i]);
    Buf text = {0};
    buf_puts(&text, "/* generated by nnc verify */\n#define _POSIX_C_SOURCE 200809L\n#include <stdio.h>\n"
                    "#include <stdlib.h>\n#include <time.h>\n#include \"model.h\"\n");
    const char *keys[] = {"N_IN", "N_OUT", "IN_BYTES", "OUT_BYTES"};
    char *vals[4];
    vals[0] = arena_printf(a, "%d", g->n_inputs);
    vals[1] = arena_printf(a, "%d", g->n_outputs);
    Buf b1 = {0}, b2 = {0};
    buf_puts(&b1, "{");
    for (int i = 0; i < g->n_inputs; i++) buf_printf(&b1, "%s%lld", i ? ", " : "", (long long)ib[i]);
    buf_puts(&b1, g->n_inputs ? "}" : "0}");
    buf_puts(&b2, "{");
    for (int i = 0; i < g->n_outputs; i++) buf_printf(&b2, "%s%lld", i ? ", " : "", (long long)ob[i]);
    buf_puts(&b2, "}");
    vals[2] = arena_strdup(a, b1.data);
    vals[3] = arena_strdup(a, b2.data);
    buf_free(&b1);
    buf_free(&b2);
    for (int i = 0; i < 4; i++) {
        p.key[p.n] = keys[i];
        p.val[p.n++] = vals[i];
    }
    p.key[p.n] = "TRACE";
    p.val[p.n++] = trace ? "1" : "0";
    Buf th = {0};
    buf_puts(&th, "{");
    for (int i = 0; i < vo->n_threads; i++) buf_printf(&th, "%s%d", i ? ", " : "", vo->threads[i]);
    buf_puts(&th, vo->n_threads ? "}" : "0}");
    p.key[p.n] = "N_THREADS";
    p.val[p.n++] = arena_printf(a, "%d", vo->n_threads);
    p.key[p.n] = "THREADS";
    p.val[p.n++] = arena_strdup(a, th.data);
    buf_free(&th);
    template_instantiate(&text, template_find("generic", "verify_harness"), &p);
    char *path = arena_printf(a, "%s/harness.c", dir);
    FILE *f = fopen(path, "w");
    int ok = f && fwrite(text.data, 1, text.len, f) == text.len;
    if (f) ok &= fclose(f) == 0;
    buf_free(&text);
    return ok ? 0 : -1;
}

static int build_harness(Arena *a, const char *dir, const Toolchain *tc, int incbin, int threads)
{
    const char *argv[96];
    int n = 0;
    split_words(a, tc->cc, argv, &n, 16);
    const char *fl = getenv("NNC_VERIFY_CFLAGS");
    split_words(a, fl && *fl ? fl : "-O2", argv, &n, 70);
    argv[n++] = "-std=c99";
    argv[n++] = "-o";
    argv[n++] = arena_printf(a, "%s/harness", dir);
    argv[n++] = arena_printf(a, "%s/harness.c", dir);
    argv[n++] = arena_printf(a, "%s/model.c", dir);
    if (incbin) { /* --weights incbin: the constants, and where .incbin finds model.bin */
        argv[n++] = arena_printf(a, "%s/model_weights.S", dir);
        argv[n++] = arena_printf(a, "-I%s", dir);
    }
    if (tc->sources) { /* the runtime built by the same compiler, from its sources */
        if (emit_runtime(dir) != 0) return -1;
        argv[n++] = arena_printf(a, "-I%s", dir);
        argv[n++] = arena_printf(a, "%s/nnc_runtime.c", dir);
    } else {
        const char *inc, *lib;
        runtime_paths(a, "nnc", &inc, &lib);
        argv[n++] = arena_printf(a, "-I%s", inc);
        argv[n++] = lib;
    }
    if (threads) { /* --threads: the pool, from the runtime's sources */
        if (!tc->sources && emit_runtime(dir) != 0) return -1;
        argv[n++] = arena_printf(a, "-I%s", dir);
        argv[n++] = arena_printf(a, "%s/nnc_pool.c", dir);
        argv[n++] = "-pthread";
    }
    argv[n++] = "-lm";
    argv[n] = NULL;
    return run_process(argv, 0);
}

/* ---- data sets ---- */
static int write_raw(const char *path, const void *data, int64_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    int ok = fwrite(data, 1, (size_t)n, f) == (size_t)n;
    return (fclose(f) == 0 && ok) ? 0 : -1;
}

static void *read_raw(Arena *a, const char *path, int64_t n)
{
    size_t len;
    const char *err;
    void *d = read_file(a, path, &len, &err);
    return d && (int64_t)len == n ? d : NULL;
}

static int same_shape(const Tensor *x, const Tensor *y)
{
    if (x->rank != y->rank || x->dtype != y->dtype) return 0;
    for (int i = 0; i < x->rank; i++)
        if (x->dims[i] != y->dims[i]) return 0;
    return 1;
}

/* Compare one output; print a line; return 1 if it matches. */
static int compare(Arena *a, const Tensor *want, const void *got, const VerifyOptions *vo, int k)
{
    Diff d = diff_tensor(want, got, vo);
    Tensor g = *want;
    g.data = (void *)got;
    printf("  output %d '%s' %s: max abs err %.3g, max rel err %.3g", k, want->name, shape_str(a, want), d.max_abs,
           d.max_rel);
    if (d.bad)
        printf("  MISMATCH (%lld of %lld elements; first at %lld: got %.9g, want %.9g)\n", (long long)d.bad,
               (long long)d.n, (long long)d.first_bad, tensor_get_double(&g, d.first_bad),
               tensor_get_double(want, d.first_bad));
    else
        printf("  ok\n");
    return d.bad == 0;
}

/* Index of graph input `t` among the model's original inputs (before any
 * were frozen): the K of its input_K.pb file. */
static int original_index(const Graph *raw, const Tensor *t)
{
    for (int k = 0; k < raw->n_inputs; k++)
        if (strcmp(raw->inputs[k]->name, t->name) == 0) return k;
    NNC_ASSERT(0);
    return -1;
}

/* Data set ds's inputs for graph g as raw files in `dir`. */
static void write_inputs(Arena *a, const Graph *raw, Graph *g, const char *ds, const char *dir)
{
    for (int i = 0; i < g->n_inputs; i++) {
        Tensor *t = onnx_load_tensor_file(g, arena_printf(a, "%s/input_%d.pb", ds, original_index(raw, g->inputs[i])));
        if (!same_shape(t, g->inputs[i]))
            nnc_fail("%s/input_%d.pb: %s %s does not match graph input '%s' %s %s", ds, i, dtype_name(t->dtype),
                     shape_str(a, t), g->inputs[i]->name, dtype_name(g->inputs[i]->dtype),
                     shape_str(a, g->inputs[i]));
        if (write_raw(arena_printf(a, "%s/in_%d.bin", dir, i), t->data, tensor_bytes(t)) != 0)
            nnc_fail("cannot write to '%s'", dir);
    }
}

/* Runs the harness built in `dir` (through tc's runner, if any); its exit status. */
static int run_harness(Arena *a, const char *dir, const Toolchain *tc, int bench)
{
    const char *argv[24];
    int na = 0;
    if (tc->runner) split_words(a, tc->runner, argv, &na, 20);
    argv[na++] = arena_printf(a, "%s/harness", dir);
    argv[na++] = dir;
    argv[na++] = bench ? arena_printf(a, "%d", bench) : NULL;
    argv[na] = NULL;
    return run_process(argv, 0);
}

static Graph *build_model(Arena *a, const CompileOptions *o, const char *build, const Toolchain *tc,
                          const VerifyOptions *vo);

/* --layers: the reference. dir == NULL: the tensors in vo->layers_ref, with
 * g the unoptimised graph (to say what fused nodes cover); else nnc's plain
 * build (generic, --opt 0, traced) built in dir with toolchain tc. */
typedef struct Reference {
    Graph *g;
    const char *dir;
    Toolchain tc;
} Reference;

static Reference reference_setup(Arena *a, const CompileOptions *co, const VerifyOptions *vo, const char *build)
{
    CompileOptions r = *co;
    r.target = "generic";
    r.opt_level = 0;
    r.layout = LAYOUT_PLAIN;
    r.cap_workspace = 0;
    r.trace = 1;
    Reference ref = {NULL, NULL, {0}};
    if (vo->layers_ref) {
        ref.g = compile_graph(a, &r);
        if (!ref.g) nnc_unwind();
        return ref;
    }
    const char *why = choose_toolchain(a, "generic", &ref.tc);
    if (why) nnc_fail("%s", why);
    ref.dir = arena_printf(a, "%s/reference", build);
    mkdir(ref.dir, 0777);
    const VerifyOptions serial = {0}; /* the reference runs on one thread */
    ref.g = build_model(a, &r, ref.dir, &ref.tc, &serial);
    return ref;
}

/* Every traced tensor of the build in `build` against the reference. */
static int check_layers(Arena *a, const Graph *raw, Graph *g, const char *build, const char *ds,
                        const VerifyOptions *vo, const Reference *ref)
{
    int n_got, n_ref;
    Tensor **got = trace_read(a, g, build, &n_got), **want;
    if (ref->dir) {
        write_inputs(a, raw, ref->g, ds, ref->dir);
        int rc = run_harness(a, ref->dir, &ref->tc, 0);
        if (rc != 0) {
            printf("  layers: FAILED: the reference program exited with status %d\n", rc);
            return 0;
        }
        want = trace_read(a, ref->g, ref->dir, &n_ref);
        printf("  layers against nnc's plain build (generic, --opt 0):\n");
    } else {
        want = reference_folder_read(a, vo->layers_ref, &n_ref);
        printf("  layers against the tensors in %s:\n", vo->layers_ref);
    }
    return layers_report(a, g, got, n_got, want, n_ref, ref->g, vo);
}

static int run_dataset(Arena *a, const Graph *raw, Graph *g, const char *build, const char *ds,
                       const VerifyOptions *vo, const Toolchain *tc, const Reference *ref)
{
    printf("%s\n", ds);
    write_inputs(a, raw, g, ds, build);
    int rc = run_harness(a, build, tc, vo->bench);
    if (rc != 0) {
        printf("  FAILED: the generated program exited with status %d\n", rc);
        return 0;
    }
    int ok = 1;
    for (int k = 0; k < g->n_outputs; k++) {
        Tensor *want = onnx_load_tensor_file(g, arena_printf(a, "%s/output_%d.pb", ds, k));
        want->name = g->outputs[k]->name;
        if (!same_shape(want, g->outputs[k])) {
            printf("  output %d '%s': expected %s %s, model produces %s %s  MISMATCH\n", k, g->outputs[k]->name,
                   dtype_name(want->dtype), shape_str(a, want), dtype_name(g->outputs[k]->dtype),
                   shape_str(a, g->outputs[k]));
            ok = 0;
            continue;
        }
        void *got = read_raw(a, arena_printf(a, "%s/out_%d.bin", build, k), tensor_bytes(want));
        if (!got) nnc_fail("the generated program wrote no output %d", k);
        ok &= compare(a, want, got, vo, k);
    }
    if (vo->layers) ok &= check_layers(a, raw, g, build, ds, vo, ref);
    return ok;
}

static int cmp_str(const void *x, const void *y) { return strcmp(*(char *const *)x, *(char *const *)y); }

/* The model directory's test_data_set_* folders, sorted. */
static const char **find_datasets(Arena *a, const char *model, int *n)
{
    const char *slash = strrchr(model, '/');
    char *dir = slash ? arena_printf(a, "%.*s", (int)(slash - model), model) : arena_strdup(a, ".");
    DIR *d = opendir(dir);
    const char **list = arena_alloc_array(a, 1024, sizeof(char *));
    *n = 0;
    if (!d) return list;
    for (struct dirent *e; (e = readdir(d)) && *n < 1024;)
        if (strncmp(e->d_name, "test_data_set_", 14) == 0) list[(*n)++] = arena_printf(a, "%s/%s", dir, e->d_name);
    closedir(d);
    qsort(list, (size_t)*n, sizeof *list, cmp_str);
    return list;
}

/* The build directory and the reference build's subdirectory in it. */
static void remove_tree(Arena *a, const char *dir, int depth)
{
    DIR *d = opendir(dir);
    if (!d) return;
    for (struct dirent *e; (e = readdir(d));) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        const char *p = arena_printf(a, "%s/%s", dir, e->d_name);
        if (unlink(p) != 0 && depth > 0) remove_tree(a, p, depth - 1);
    }
    closedir(d);
    rmdir(dir);
}

/* Compile and build the model in `build`; returns its graph. */
static Graph *build_model(Arena *a, const CompileOptions *o, const char *build, const Toolchain *tc,
                          const VerifyOptions *vo)
{
    CompileOptions co = *o;
    co.out_c = arena_printf(a, "%s/model.c", build);
    co.prefix = "model";
    if (compile_model(&co) != 0) nnc_unwind();
    Graph *g = compile_graph(a, o);
    if (!g) nnc_unwind();
    if (write_harness(a, g, build, o->trace, vo) != 0) nnc_fail("cannot write the harness in '%s'", build);
    if (build_harness(a, build, tc, o->weights_incbin, vo->n_threads > 0) != 0)
        nnc_fail("the generated code did not compile (see above)");
    return g;
}

/* Options that freeze graph inputs to data set ds's values: node tests pass
 * shapes, axes and pads (and Resize scales, OneHot depth, Range bounds) as
 * inputs, which nnc needs at compile time. Level 1 freezes the non-float
 * inputs; level 2 also float inputs of at most 16 elements. */
static int should_freeze(const Tensor *t, int level)
{
    return !dtype_is_float(t->dtype) || (level >= 2 && tensor_numel(t) <= 16);
}

static CompileOptions frozen_options(Arena *a, const CompileOptions *o, const Graph *raw, const char *ds, int level,
                                     int say)
{
    CompileOptions co = *o;
    int n = o->load.n_freeze; /* the user's own --freeze values come first */
    const char **names = arena_alloc_array(a, (size_t)(raw->n_inputs + n) + 1, sizeof(char *));
    const char **files = arena_alloc_array(a, (size_t)(raw->n_inputs + n) + 1, sizeof(char *));
    for (int k = 0; k < n; k++) {
        names[k] = o->load.freeze_names[k];
        files[k] = o->load.freeze_files[k];
    }
    if (say) printf("note: freezing inputs to the values in %s:", ds);
    for (int k = 0; k < raw->n_inputs; k++) {
        int user = 0;
        for (int j = 0; j < o->load.n_freeze; j++) user |= strcmp(o->load.freeze_names[j], raw->inputs[k]->name) == 0;
        if (user || !should_freeze(raw->inputs[k], level)) continue;
        names[n] = raw->inputs[k]->name;
        files[n++] = arena_printf(a, "%s/input_%d.pb", ds, k);
        if (say) printf(" %s", raw->inputs[k]->name);
    }
    if (say) printf("\n");
    co.load.freeze_names = names;
    co.load.freeze_files = files;
    co.load.n_freeze = n;
    return co;
}

/* The checks proper; errors unwind to verify_model. */
static int verify_in(Arena *a, const CompileOptions *opts, const VerifyOptions *vo, const char *build,
                     const char **dirs, int n_dirs)
{
    CompileOptions traced = *opts; /* --layers: the build under test calls a hook after each node */
    traced.trace = vo->layers;
    const CompileOptions *o = &traced;
    nnc_error_set_file(o->model_path);
    Toolchain tc;
    const char *why = choose_toolchain(a, resolve_target(o), &tc);
    if (why) nnc_fail("%s", why);
    if (n_dirs == 0) dirs = find_datasets(a, o->model_path, &n_dirs);
    if (n_dirs == 0) nnc_fail("no test_data_set_* folders next to the model, and none given");
    struct stat st;
    if (vo->layers_ref && (stat(vo->layers_ref, &st) != 0 || !S_ISDIR(st.st_mode)))
        nnc_fail("--layers-ref '%s' is not a folder", vo->layers_ref);
    if (vo->layers_ref && n_dirs != 1)
        nnc_fail("--layers-ref DIR holds one data set's intermediates: give that one DATASET_DIR (%d found)", n_dirs);
    LoadOptions plain_inputs = o->load; /* all graph inputs, to number the input_K.pb files */
    plain_inputs.n_freeze = 0;
    Graph *raw = frontend_load(a, o->model_path, &plain_inputs);
    /* the least freezing that compiles: none, non-float inputs, small ones too */
    int level = 0;
    nnc_error_set_quiet(1);
    if (!compile_graph(a, o)) {
        CompileOptions co = frozen_options(a, o, raw, dirs[0], 1, 0);
        level = compile_graph(a, &co) ? 1 : 2;
    }
    nnc_error_set_quiet(0);
    int plain = level == 0;
    Graph *g = NULL;
    Reference ref = {NULL, NULL, {0}};
    if (plain) {
        g = build_model(a, o, build, &tc, vo);
        if (vo->layers) ref = reference_setup(a, o, vo, build);
    }
    int ok = 1;
    for (int i = 0; i < n_dirs; i++) {
        if (!plain) {
            CompileOptions co = frozen_options(a, o, raw, dirs[i], level, 1);
            if (co.load.n_freeze == 0) g = build_model(a, o, build, &tc, vo); /* prints the real error */
            g = build_model(a, &co, build, &tc, vo);
            if (vo->layers) ref = reference_setup(a, &co, vo, build);
        }
        ok &= run_dataset(a, raw, g, build, dirs[i], vo, &tc, &ref);
    }
    printf("%s: %s\n", o->model_path, ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
}

int verify_model(const CompileOptions *o, const VerifyOptions *vo, const char **dirs, int n_dirs)
{
    Arena a;
    arena_init(&a);
    char tmpl[] = "/tmp/nnc-verify-XXXXXX";
    const char *build = vo->keep_dir;
    if (build) mkdir(build, 0777);
    else if (!(build = mkdtemp(tmpl))) {
        fprintf(stderr, "nnc: error: cannot create a temporary directory\n");
        return 1;
    }
    volatile int rc = 1;
    ErrorTrap trap;
    if (setjmp(trap.env) == 0) {
        nnc_trap_push(&trap);
        rc = verify_in(&a, o, vo, build, dirs, n_dirs);
    }
    nnc_trap_pop(&trap);
    if (!vo->keep_dir) remove_tree(&a, build, 1);
    arena_free(&a);
    return rc;
}
