/* main.c — the nnc command line: compile (the default), `verify`, and the
 * informational flags. Argument parsing only; the work is in driver.c and
 * verify.c. */
#include "driver.h"
#include "backend/cpu_model.h"
#include "ir/ops.h"
#include "convert.h"
#include "info.h"
#include "verify.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef NNC_VERSION
#define NNC_VERSION "0.1.0"
#endif

static const char usage[] =
    "usage: nnc MODEL.onnx -o OUT.c [options]     compile a model to C (writes OUT.c and OUT.h)\n"
    "       nnc info MODEL.onnx [--opt N] [--target T] [--cpu C] [--layout L] [--graph]\n"
    "                                             per-layer shapes, parameters, FLOPs, memory plan\n"
    "       nnc verify MODEL.onnx [DATASET_DIR...] [options]\n"
    "                                             compile, build with the system C compiler, and\n"
    "                                             check against ONNX test_data_set_N folders\n"
    "       nnc convert MODEL -o OUT.onnx|OUT.nn   ONNX <-> the model language (OUT.nn gets its\n"
    "                                             weights in OUT.safetensors beside it)\n"
    "       nnc --cflags | --libs                 flags to compile and link the generated code\n"
    "       nnc --emit-runtime DIR                write the runtime's C sources and headers into DIR\n"
    "                                             (to build them with any toolchain, e.g. a cross compiler)\n"
    "       nnc --list-ops | --list-types         supported ONNX operators / element types\n"
    "       nnc --list-cpus                       the CPU models --cpu knows, and what native finds here\n"
    "       nnc --help | --version\n"
    "options:\n"
    "  -o OUT.c                  output file; OUT.h is written next to it\n"
    "  --prefix P                C identifier prefix of the API (default: OUT's stem)\n"
    "  --target T                generic (default), avx2, avx512, neon (AArch64 Advanced SIMD),\n"
    "                            native (the best of these for this machine); default: the --cpu\n"
    "                            model's best target, else generic\n"
    "  --cpu C                   tune for CPU model C (nnc --list-cpus: znver3, znver4, znver5,\n"
    "                            skylake-avx512, icelake-server, sapphirerapids, graniterapids,\n"
    "                            alderlake, cortex-a72, neoverse-n1, ...), generic (the target's\n"
    "                            defaults, the default) or native (this machine, by CPUID); OUT.c's\n"
    "                            first comment says what it chose and why (docs/tuning.md)\n"
    "  --opt N                   optimisation level 0..3 (default 2)\n"
    "  --layout L                auto (default): at --opt 2 and up on avx2/avx512/neon, tensors between\n"
    "                            convolutions and pools are stored channel-blocked (NCHW8c/16c/4c);\n"
    "                            plain: every tensor stays row-major\n"
    "  --max-workspace BYTES     fail (naming the largest tensors live at the peak) when the\n"
    "                            workspace plan needs more than BYTES\n"
    "  --trace                   also emit P_run_traced(inputs, outputs, workspace, hook, ctx), which\n"
    "                            calls hook after each node with its name and outputs (see P.h)\n"
    "  --shape NAME=d0,d1,...    fix the shape of a graph input with symbolic dimensions\n"
    "  --freeze NAME=FILE.pb     make a graph input a constant (value from a TensorProto file)\n"
    "  --safetensors FILE        model language (.nn): parameters from a safetensors file\n"
    "                            (default: NET.safetensors next to NET.nn if present, else random)\n"
    "  --seed N                  model language: seed of the random parameters (default 0)\n"
    "  --weights MODE            c (default): constants as C data in OUT.c; incbin: in OUT.bin, linked\n"
    "                            in by OUT_weights.S (.incbin; assemble it with -I naming OUT's\n"
    "                            directory), so OUT.c holds only code and compiles fast;\n"
    "                            separate: in OUT.bin (64-byte header: magic, version, size,\n"
    "                            checksum), which the caller loads and passes to\n"
    "                            P_run_with_weights (P_check_weights verifies it once)\n"
    "  --weights-section NAME    put the constant data in linker section NAME (GNU C section attribute;\n"
    "                            letters, digits, . _ $ and , for Mach-O segment,section)\n"
    "  --selftest DIR            embed one input/output pair from an ONNX test_data_set folder (input_K.pb,\n"
    "                            output_K.pb) and emit P_selftest(workspace) (with --weights separate:\n"
    "                            P_selftest(weights, workspace)): runs the model, returns 0 when every\n"
    "                            output is within rtol 1e-3, atol 1e-4 (P_SELFTEST_RTOL/ATOL), else\n"
    "                            P_ERR_SELFTEST or the run's error; the workspace holds\n"
    "                            P_SELFTEST_WORKSPACE_SIZE bytes\n"
    "OUT.h defines P_WORKSPACE_SIZE, P_WEIGHTS_SIZE, P_STACK_SIZE (bound) and P_FLOPS besides the\n"
    "shapes; CMake: find_package(nnc) and nnc_add_model(), pkg-config: nnc.pc (see README.md)\n"
    "verify options:\n"
    "  --rtol R --atol A         tolerance for floating outputs (default 1e-3, 1e-4);\n"
    "                            |got - want| <= A + R * |want|; integers must match exactly\n"
    "  --keep DIR                build in DIR and keep it (default: a temporary directory)\n"
    "  --layers                  also compare every intermediate tensor (by ONNX name) with nnc's\n"
    "                            plain build (generic, --opt 0): a per-layer table of max abs and rel\n"
    "                            error, naming the first node out of tolerance; fused nodes report at\n"
    "                            their fused output and list the nodes they cover\n"
    "  --layers-ref DIR          the same against the TensorProto files in DIR (one data set's\n"
    "                            intermediates from another framework: tools/dump_intermediates.py)\n"
    "  --bench N                 also time N runs (after a warm-up) and print the median\n"
    "  --threads LIST            also run P_run_parallel on nnc_pool with each thread count in LIST\n"
    "                            (e.g. 2,3,8) and check its outputs are bit-identical to P_run's\n"
    "  environment: CC (default cc), NNC_VERIFY_CFLAGS (default -O2);\n"
    "    NNC_VERIFY_CC: a (cross) compiler command; the runtime is then built from its sources\n"
    "    NNC_VERIFY_RUNNER: a command the program runs under, e.g. 'qemu-aarch64 -L /usr/aarch64-linux-gnu'\n"
    "    (--target neon on a non-AArch64 host defaults to aarch64-linux-gnu-gcc under qemu-aarch64;\n"
    "    a Debian cross compiler, aarch64-linux-gnu-* or arm-linux-gnueabihf-*, to qemu-aarch64/qemu-arm)\n";

/* --threads LIST: comma-separated thread counts. */
static int parse_threads(const char *s, VerifyOptions *vo)
{
    vo->n_threads = 0;
    while (*s) {
        char *end;
        long v = strtol(s, &end, 10);
        if (end == s || v < 1 || v > 256 || vo->n_threads == 8 || (*end && *end != ',')) return -1;
        vo->threads[vo->n_threads++] = (int)v;
        s = *end ? end + 1 : end;
        if (*end && !*s) return -1;
    }
    return vo->n_threads ? 0 : -1;
}

static int bad_usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "nnc: error: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(run 'nnc --help' for usage)\n");
    return 1;
}

static int parse_shape(Arena *a, const char *arg, ShapeOverride *ov)
{
    const char *eq = strrchr(arg, '=');
    if (!eq || eq == arg) return 0;
    ov->name = arena_printf(a, "%.*s", (int)(eq - arg), arg);
    ov->rank = 0;
    const char *p = eq + 1;
    if (!*p) return 1; /* scalar */
    for (;;) {
        if (ov->rank == NNC_MAX_RANK || !isdigit((unsigned char)*p)) return 0;
        errno = 0;
        char *end;
        long long v = strtoll(p, &end, 10);
        if (errno || v < 0 || v > NNC_MAX_ELEMS) return 0;
        ov->dims[ov->rank++] = v;
        if (*end == 0) return 1;
        if (*end != ',') return 0;
        p = end + 1;
    }
}

static int is_identifier(const char *s)
{
    if (!*s || isdigit((unsigned char)*s)) return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_') return 0;
    return 1;
}

static void list_ops(void)
{
    for (int k = 0; k < OP_FIRST_INTERNAL; k++) printf("%s\n", op_info((OpKind)k)->name);
}

static void list_types(void)
{
    for (int t = 0; t < DT_COUNT_; t++)
        if (dtype_supported((DType)t)) printf("%s\n", dtype_name((DType)t));
}

int main(int argc, char **argv)
{
    nnc_crash_handler_install();
    Arena arena;
    arena_init(&arena);
    CompileOptions o = {0};
    o.target = NULL; /* generic, or the --cpu model's */
    o.opt_level = 2;
    ShapeOverride *shapes = arena_alloc_array(&arena, (size_t)argc + 1, sizeof(ShapeOverride));
    const char **fz_names = arena_alloc_array(&arena, (size_t)argc + 1, sizeof(char *));
    const char **fz_files = arena_alloc_array(&arena, (size_t)argc + 1, sizeof(char *));
    o.load.shapes = shapes;
    o.load.freeze_names = fz_names;
    o.load.freeze_files = fz_files;
    VerifyOptions vo = {0};
    vo.rtol = 1e-3;
    vo.atol = 1e-4;
    int verify = 0, info = 0, convert = 0, graph_only = 0, n_dirs = 0;
    const char **dirs = arena_alloc_array(&arena, (size_t)argc + 1, sizeof(char *));
    int i = 1;
    if (argc > 1 && strcmp(argv[1], "verify") == 0) {
        verify = 1;
        i = 2;
    } else if (argc > 1 && strcmp(argv[1], "info") == 0) {
        info = 1;
        i = 2;
    } else if (argc > 1 && strcmp(argv[1], "convert") == 0) {
        convert = 1;
        i = 2;
    }
    for (; i < argc; i++) {
        const char *a = argv[i];
        int has_val = i + 1 < argc;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        } else if (strcmp(a, "--version") == 0) {
            printf("nnc %s\n", NNC_VERSION);
            return 0;
        } else if (strcmp(a, "--cflags") == 0 || strcmp(a, "--libs") == 0) {
            return print_build_flags(argv[0], a[2] == 'c');
        } else if (strcmp(a, "--emit-runtime") == 0) {
            if (!has_val) return bad_usage("%s", "--emit-runtime needs a directory");
            return emit_runtime(argv[i + 1]);
        } else if (strcmp(a, "--list-ops") == 0) {
            list_ops();
            return 0;
        } else if (strcmp(a, "--list-types") == 0) {
            list_types();
            return 0;
        } else if (strcmp(a, "--list-cpus") == 0) {
            cpu_model_list();
            return 0;
        } else if (strcmp(a, "-o") == 0 && has_val) {
            o.out_c = argv[++i];
        } else if (strcmp(a, "--prefix") == 0 && has_val) {
            o.prefix = argv[++i];
            if (!is_identifier(o.prefix)) return bad_usage("--prefix '%s' is not a C identifier", o.prefix);
        } else if (strcmp(a, "--target") == 0 && has_val) {
            o.target = argv[++i];
        } else if (strcmp(a, "--cpu") == 0 && has_val) {
            o.cpu = argv[++i];
        } else if (strcmp(a, "--tune") == 0 && has_val) { /* benchmarking only (docs/tuning.md) */
            o.tune = o.tune ? arena_printf(&arena, "%s,%s", o.tune, argv[i + 1]) : argv[i + 1];
            i++;
        } else if (strcmp(a, "--opt") == 0 && has_val) {
            const char *v = argv[++i];
            if (strlen(v) != 1 || v[0] < '0' || v[0] > '3') return bad_usage("--opt takes 0 to 3, not '%s'", v);
            o.opt_level = v[0] - '0';
        } else if (strcmp(a, "--layout") == 0 && has_val) {
            const char *v = argv[++i];
            if (strcmp(v, "auto") == 0) o.layout = LAYOUT_AUTO;
            else if (strcmp(v, "plain") == 0) o.layout = LAYOUT_PLAIN;
            else return bad_usage("--layout takes auto or plain, not '%s'", v);
        } else if (strcmp(a, "--max-workspace") == 0 && has_val) {
            const char *v = argv[++i];
            char *end;
            errno = 0;
            long long cap = strtoll(v, &end, 10);
            if (!isdigit((unsigned char)v[0]) || *end || errno) return bad_usage("--max-workspace takes a byte count, not '%s'", v);
            o.cap_workspace = 1;
            o.max_workspace = cap;
        } else if (strcmp(a, "--selftest") == 0 && has_val) {
            o.selftest_dir = argv[++i];
        } else if (strcmp(a, "--trace") == 0) {
            o.trace = 1;
        } else if (strcmp(a, "--shape") == 0 && has_val) {
            if (!parse_shape(&arena, argv[++i], &shapes[o.load.n_shapes++]))
                return bad_usage("--shape '%s' is not NAME=d0,d1,...", argv[i]);
        } else if (strcmp(a, "--weights") == 0 && has_val) {
            const char *v = argv[++i];
            o.weights_incbin = strcmp(v, "incbin") == 0;
            o.weights_separate = strcmp(v, "separate") == 0;
            if (!o.weights_incbin && !o.weights_separate && strcmp(v, "c") != 0)
                return bad_usage("--weights takes c, incbin or separate, not '%s'", v);
        } else if (strcmp(a, "--weights-section") == 0 && has_val) {
            o.weights_section = argv[++i];
            if (!*o.weights_section || strspn(o.weights_section, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                                  "0123456789._$,") != strlen(o.weights_section))
                return bad_usage("--weights-section '%s' is not a section name", o.weights_section);
        } else if (strcmp(a, "--freeze") == 0 && has_val) {
            const char *v = argv[++i], *eq = strchr(v, '=');
            if (!eq || eq == v || !eq[1]) return bad_usage("--freeze '%s' is not NAME=FILE.pb", v);
            fz_names[o.load.n_freeze] = arena_printf(&arena, "%.*s", (int)(eq - v), v);
            fz_files[o.load.n_freeze++] = eq + 1;
        } else if (strcmp(a, "--safetensors") == 0 && has_val) {
            o.load.weights = argv[++i];
        } else if (strcmp(a, "--seed") == 0 && has_val) {
            char *end;
            unsigned long long v = strtoull(argv[++i], &end, 10);
            if (*end || !isdigit((unsigned char)argv[i][0])) return bad_usage("--seed takes an integer, not '%s'", argv[i]);
            o.load.seed = v;
        } else if (verify && (strcmp(a, "--rtol") == 0 || strcmp(a, "--atol") == 0) && has_val) {
            char *end;
            double v = strtod(argv[++i], &end);
            if (*end || v < 0) return bad_usage("bad tolerance '%s'", argv[i]);
            if (a[2] == 'r') vo.rtol = v;
            else vo.atol = v;
        } else if (verify && strcmp(a, "--bench") == 0 && has_val) {
            char *end;
            long v = strtol(argv[++i], &end, 10);
            if (*end || v < 1 || v > 100000) return bad_usage("--bench takes a run count, not '%s'", argv[i]);
            vo.bench = (int)v;
        } else if (verify && strcmp(a, "--threads") == 0 && has_val) {
            if (parse_threads(argv[++i], &vo) != 0) return bad_usage("--threads takes up to 8 counts 1..256, as 2,3,8, not '%s'", argv[i]);
        } else if (info && strcmp(a, "--graph") == 0) {
            graph_only = 1;
        } else if (verify && strcmp(a, "--layers") == 0) {
            vo.layers = 1;
        } else if (verify && strcmp(a, "--layers-ref") == 0 && has_val) {
            vo.layers = 1;
            vo.layers_ref = argv[++i];
        } else if (verify && strcmp(a, "--keep") == 0 && has_val) {
            vo.keep_dir = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            return bad_usage("unknown or incomplete option '%s'", a);
        } else if (!o.model_path) {
            o.model_path = a;
        } else if (verify) {
            dirs[n_dirs++] = a;
        } else {
            return bad_usage("unexpected argument '%s'", a);
        }
    }
    if (!o.model_path) return bad_usage("%s", "no model given");
    if ((o.trace || vo.layers || vo.layers_ref) && o.weights_separate)
        return bad_usage("%s", "--trace and verify --layers do not combine with --weights separate yet");
    if (!resolve_target(&o)) return 1; /* every mode: the passes depend on it */
    int rc;
    if (convert) {
        rc = convert_model(&o, o.out_c);
    } else if (info) {
        rc = info_model(&o, graph_only);
    } else if (verify) {
        rc = verify_model(&o, &vo, dirs, n_dirs);
    } else {
        if (!o.out_c) return bad_usage("%s", "no output file given (-o OUT.c)");
        rc = compile_model(&o);
    }
    arena_free(&arena);
    return rc;
}
