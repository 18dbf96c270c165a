/* harness.c — timing harness for one nnc-compiled model (part of bench/run.sh).
 *
 * Built once per model and target with the generated header forced in:
 *   cc -O2 -std=c99 $(nnc --cflags) -include m.h harness.c m.c -o bench $(nnc --libs)
 * where the model was compiled with --prefix m (so the macros are M_...).
 *
 * Usage: bench IN0.bin [IN1.bin ...]
 *   Each file holds the raw little-endian data of one input, in input order.
 *   Then reads commands from stdin, one per line:
 *     N   run the model N times and print the N times in milliseconds on one line
 *     N T the same with m_run_parallel on an nnc_pool of T threads (made once
 *         per T and kept; link runtime/nnc_pool.c with -pthread)
 *     T N (built with -DHARNESS_TRACE from a model compiled with --trace)
 *         N runs of m_run_traced on 1 thread, then one line per node: the
 *         median ms from the end of the node before to its end, a tab, the
 *         node's name (the layer table's time of each conv in the model)
 *   and exits at end of input.  Errors go to stderr with a non-zero exit.
 */
#define _POSIX_C_SOURCE 200112L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nnc_pool.h"

#ifndef M_NUM_INPUTS
#error "compile with -include <generated header> (prefix m)"
#endif

#define MAXIO 16
#if M_NUM_INPUTS > MAXIO || M_NUM_OUTPUTS > MAXIO
#error "too many inputs or outputs for the harness"
#endif

/* Element counts and dtypes of the inputs and outputs, from the header. */
#define IO_LIST(P, F)                                                                    \
    P##0_##F, P##1_##F, P##2_##F, P##3_##F, P##4_##F, P##5_##F, P##6_##F, P##7_##F,        \
    P##8_##F, P##9_##F, P##10_##F, P##11_##F, P##12_##F, P##13_##F, P##14_##F, P##15_##F
/* Give the missing ones a value of 0 so the lists compile for any count. */
#ifndef M_INPUT0_SIZE
#define M_INPUT0_SIZE 0
#define M_INPUT0_DTYPE 0
#endif
#ifndef M_INPUT1_SIZE
#define M_INPUT1_SIZE 0
#define M_INPUT1_DTYPE 0
#endif
#ifndef M_INPUT2_SIZE
#define M_INPUT2_SIZE 0
#define M_INPUT2_DTYPE 0
#endif
#ifndef M_INPUT3_SIZE
#define M_INPUT3_SIZE 0
#define M_INPUT3_DTYPE 0
#endif
#ifndef M_INPUT4_SIZE
#define M_INPUT4_SIZE 0
#define M_INPUT4_DTYPE 0
#endif
#ifndef M_INPUT5_SIZE
#define M_INPUT5_SIZE 0
#define M_INPUT5_DTYPE 0
#endif
#ifndef M_INPUT6_SIZE
#define M_INPUT6_SIZE 0
#define M_INPUT6_DTYPE 0
#endif
#ifndef M_INPUT7_SIZE
#define M_INPUT7_SIZE 0
#define M_INPUT7_DTYPE 0
#endif
#ifndef M_INPUT8_SIZE
#define M_INPUT8_SIZE 0
#define M_INPUT8_DTYPE 0
#endif
#ifndef M_INPUT9_SIZE
#define M_INPUT9_SIZE 0
#define M_INPUT9_DTYPE 0
#endif
#ifndef M_INPUT10_SIZE
#define M_INPUT10_SIZE 0
#define M_INPUT10_DTYPE 0
#endif
#ifndef M_INPUT11_SIZE
#define M_INPUT11_SIZE 0
#define M_INPUT11_DTYPE 0
#endif
#ifndef M_INPUT12_SIZE
#define M_INPUT12_SIZE 0
#define M_INPUT12_DTYPE 0
#endif
#ifndef M_INPUT13_SIZE
#define M_INPUT13_SIZE 0
#define M_INPUT13_DTYPE 0
#endif
#ifndef M_INPUT14_SIZE
#define M_INPUT14_SIZE 0
#define M_INPUT14_DTYPE 0
#endif
#ifndef M_INPUT15_SIZE
#define M_INPUT15_SIZE 0
#define M_INPUT15_DTYPE 0
#endif
#ifndef M_OUTPUT0_SIZE
#define M_OUTPUT0_SIZE 0
#define M_OUTPUT0_DTYPE 0
#endif
#ifndef M_OUTPUT1_SIZE
#define M_OUTPUT1_SIZE 0
#define M_OUTPUT1_DTYPE 0
#endif
#ifndef M_OUTPUT2_SIZE
#define M_OUTPUT2_SIZE 0
#define M_OUTPUT2_DTYPE 0
#endif
#ifndef M_OUTPUT3_SIZE
#define M_OUTPUT3_SIZE 0
#define M_OUTPUT3_DTYPE 0
#endif
#ifndef M_OUTPUT4_SIZE
#define M_OUTPUT4_SIZE 0
#define M_OUTPUT4_DTYPE 0
#endif
#ifndef M_OUTPUT5_SIZE
#define M_OUTPUT5_SIZE 0
#define M_OUTPUT5_DTYPE 0
#endif
#ifndef M_OUTPUT6_SIZE
#define M_OUTPUT6_SIZE 0
#define M_OUTPUT6_DTYPE 0
#endif
#ifndef M_OUTPUT7_SIZE
#define M_OUTPUT7_SIZE 0
#define M_OUTPUT7_DTYPE 0
#endif
#ifndef M_OUTPUT8_SIZE
#define M_OUTPUT8_SIZE 0
#define M_OUTPUT8_DTYPE 0
#endif
#ifndef M_OUTPUT9_SIZE
#define M_OUTPUT9_SIZE 0
#define M_OUTPUT9_DTYPE 0
#endif
#ifndef M_OUTPUT10_SIZE
#define M_OUTPUT10_SIZE 0
#define M_OUTPUT10_DTYPE 0
#endif
#ifndef M_OUTPUT11_SIZE
#define M_OUTPUT11_SIZE 0
#define M_OUTPUT11_DTYPE 0
#endif
#ifndef M_OUTPUT12_SIZE
#define M_OUTPUT12_SIZE 0
#define M_OUTPUT12_DTYPE 0
#endif
#ifndef M_OUTPUT13_SIZE
#define M_OUTPUT13_SIZE 0
#define M_OUTPUT13_DTYPE 0
#endif
#ifndef M_OUTPUT14_SIZE
#define M_OUTPUT14_SIZE 0
#define M_OUTPUT14_DTYPE 0
#endif
#ifndef M_OUTPUT15_SIZE
#define M_OUTPUT15_SIZE 0
#define M_OUTPUT15_DTYPE 0
#endif

static const long in_size[MAXIO] = {IO_LIST(M_INPUT, SIZE)};
static const int in_dtype[MAXIO] = {IO_LIST(M_INPUT, DTYPE)};
static const long out_size[MAXIO] = {IO_LIST(M_OUTPUT, SIZE)};
static const int out_dtype[MAXIO] = {IO_LIST(M_OUTPUT, DTYPE)};

/* Bytes per element of an ONNX TensorProto.DataType. */
static size_t dtype_bytes(int dt) {
    switch (dt) {
    case 2: case 3: case 9: return 1;        /* uint8 int8 bool */
    case 4: case 5: case 10: case 16: return 2; /* uint16 int16 float16 bfloat16 */
    case 1: case 6: case 12: return 4;       /* float int32 uint32 */
    case 7: case 11: case 13: return 8;      /* int64 double uint64 */
    default: return 8;
    }
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

#ifdef HARNESS_TRACE
#define TRACE_MAX 4096 /* nodes a run */
static double tr_last, *tr_ms;  /* [run][node] */
static const char *tr_node[TRACE_MAX];
static int tr_k;                /* nodes so far in this run */
static long tr_run;

/* After each node's outputs (one call per output): the time since the last
 * node's end goes to this node. */
static void trace_hook(void *ctx, const m_TraceTensor *info, const void *data) {
    double t = now_ms();
    (void)ctx;
    (void)data;
    if (tr_k > 0 && tr_node[tr_k - 1] == info->node) return; /* another output of the same node */
    if (tr_k < TRACE_MAX) {
        tr_node[tr_k] = info->node;
        tr_ms[tr_run * TRACE_MAX + tr_k] = t - tr_last;
        tr_k++;
    }
    tr_last = now_ms();
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int trace_runs(long n, const void *const *inputs, void *const *outputs, void *ws) {
    long r;
    int k, nk = 0;
    double *col = (double *)malloc((size_t)n * sizeof *col);
    tr_ms = (double *)malloc((size_t)n * TRACE_MAX * sizeof *tr_ms);
    if (!col || !tr_ms) {
        fprintf(stderr, "harness: out of memory\n");
        exit(1);
    }
    for (r = -1; r < n; r++) { /* one untimed run first */
        tr_run = r < 0 ? 0 : r;
        tr_k = 0;
        tr_last = now_ms();
        if (m_run_traced(inputs, outputs, ws, trace_hook, NULL) != 0) return 3;
        nk = tr_k;
    }
    for (k = 0; k < nk; k++) {
        for (r = 0; r < n; r++) col[r] = tr_ms[r * TRACE_MAX + k];
        qsort(col, (size_t)n, sizeof *col, cmp_double);
        printf("%.6f\t%s\n", col[n / 2], tr_node[k]);
    }
    printf("\n");
    fflush(stdout);
    free(col);
    free(tr_ms);
    return 0;
}
#endif

static void *alloc64(size_t n) {
    void *p = NULL;
    n = (n + 63) / 64 * 64;
    if (n == 0) n = 64;
    if (posix_memalign(&p, 64, n) != 0) {
        fprintf(stderr, "harness: out of memory\n");
        exit(1);
    }
    memset(p, 0, n);
    return p;
}

int main(int argc, char **argv) {
    const void *inputs[MAXIO];
    void *outputs[MAXIO];
    if (argc - 1 != M_NUM_INPUTS) {
        fprintf(stderr, "harness: model has %d inputs, got %d files\n", M_NUM_INPUTS, argc - 1);
        return 2;
    }
    for (int i = 0; i < M_NUM_INPUTS; i++) {
        size_t bytes = (size_t)in_size[i] * dtype_bytes(in_dtype[i]);
        void *buf = alloc64(bytes);
        FILE *f = fopen(argv[1 + i], "rb");
        if (!f) { perror(argv[1 + i]); return 2; }
        size_t got = fread(buf, 1, bytes, f);
        int extra = fgetc(f) != EOF;
        fclose(f);
        if (got != bytes || extra) {
            fprintf(stderr, "harness: %s: expected %zu bytes\n", argv[1 + i], bytes);
            return 2;
        }
        inputs[i] = buf;
    }
    for (int i = 0; i < M_NUM_OUTPUTS; i++)
        outputs[i] = alloc64((size_t)out_size[i] * dtype_bytes(out_dtype[i]));
    void *ws = M_WORKSPACE_SIZE ? alloc64(M_WORKSPACE_SIZE) : NULL;
    nnc_pool *pools[65] = {0};
    void *pws[65] = {0};

    char line[64];
    while (fgets(line, sizeof line, stdin)) {
        long n = 0, th = 1;
#ifdef HARNESS_TRACE
        if (line[0] == 'T') {
            if (sscanf(line + 1, "%ld", &n) != 1 || n < 1 || trace_runs(n, inputs, outputs, ws) != 0) {
                fprintf(stderr, "harness: bad trace command '%s'\n", line);
                return 3;
            }
            continue;
        }
#endif
        if (sscanf(line, "%ld %ld", &n, &th) < 1 || th < 1 || th > 64) {
            fprintf(stderr, "harness: bad command '%s'\n", line);
            return 2;
        }
        if (th > 1 && !pools[th]) {
            if (!(pools[th] = nnc_pool_create((int)th))) {
                fprintf(stderr, "harness: cannot start %ld threads\n", th);
                return 3;
            }
            pws[th] = alloc64(M_WORKSPACE_SIZE_THREADS(th));
        }
        for (long r = 0; r < n; r++) {
            double t0 = now_ms();
            int rc = th > 1 ? m_run_parallel(inputs, outputs, pws[th], nnc_pool_parallel_for, pools[th], (int)th)
                            : m_run(inputs, outputs, ws);
            double t = now_ms() - t0;
            if (rc != 0) {
                fprintf(stderr, "harness: m_run returned %d\n", rc);
                return 3;
            }
            printf(r ? " %.6f" : "%.6f", t);
        }
        printf("\n");
        fflush(stdout);
    }
    for (int t = 0; t <= 64; t++) {
        nnc_pool_destroy(pools[t]);
        free(pws[t]);
    }
    return 0;
}
