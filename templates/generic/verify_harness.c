/* verify_harness.c — the test program `nnc verify` builds around generated
 * code: reads raw input tensors from DIR/in_K.bin, runs the model once, and
 * writes DIR/out_K.bin. nnc converts ONNX TensorProto files to and from these
 * raw files, so this program needs no protobuf. With TRACE 1 (`verify
 * --layers`, code built with --trace) it runs model_run_traced and appends
 * every traced tensor to DIR/trace.bin, in host byte order: name length
 * (int32), name, dtype, rank (int32 each), dims (int64 each), block (int32),
 * byte count (int64), the bytes as stored. With N_THREADS > 0 (`verify
 * --threads LIST`) it also runs model_run_parallel on an nnc_pool of each
 * count in THREADS and fails (exit 5) unless every output is bit-identical
 * to model_run's. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#ifdef NNC_LINT
#define MODEL_WORKSPACE_SIZE 0
#define N_IN 1
#define N_OUT 1
#define IN_BYTES {4}
#define OUT_BYTES {4}
#define TRACE 1
#define N_THREADS 1
#define THREADS {2}
#define MODEL_WORKSPACE_SIZE_THREADS(n) 0
typedef void (*model_parallel_for_fn)(void *pool, void (*task)(void *arg, size_t index), void *arg, size_t count);
int model_run_parallel(const void *const inputs[], void *const outputs[], void *workspace,
                       model_parallel_for_fn parallel_for, void *pool, int nthreads);
int model_run(const void *const inputs[], void *const outputs[], void *workspace);
typedef struct model_TraceTensor {
    const char *node, *op, *name;
    int dtype, rank;
    long dims[8], bytes;
    int block;
} model_TraceTensor;
typedef void (*model_TraceHook)(void *ctx, const model_TraceTensor *info, const void *data);
int model_run_traced(const void *const inputs[], void *const outputs[], void *workspace, model_TraceHook hook,
                     void *ctx);
#else
#include "model.h"
#endif
/* @begin */
static const long in_bytes[N_IN + 1] = IN_BYTES;
#ifdef MODEL_WEIGHTS_SEPARATE /* --weights separate: model.bin, loaded and checked in main */
static void *weights;
#define model_run(i, o, w) model_run_with_weights(weights, i, o, w)
#define model_run_parallel(i, o, w, f, p, n) model_run_parallel_with_weights(weights, i, o, w, f, p, n)
#endif
static const long out_bytes[N_OUT + 1] = OUT_BYTES;

static int file_io(const char *dir, const char *kind, int k, void *buf, long n, int writing)
{
    char path[4096];
    if (k < 0) snprintf(path, sizeof path, "%s/%s.bin", dir, kind);
    else snprintf(path, sizeof path, "%s/%s_%d.bin", dir, kind, k);
    FILE *f = fopen(path, writing ? "wb" : "rb");
    if (!f) return -1;
    size_t got = writing ? fwrite(buf, 1, (size_t)n, f) : fread(buf, 1, (size_t)n, f);
    return (fclose(f) == 0 && got == (size_t)n) ? 0 : -1;
}

#if TRACE
#include <string.h>
/* The hook: one record per tensor; a failed write sets *ctx's error flag. */
typedef struct Trace {
    FILE *f;
    int failed;
} Trace;

static void trace_tensor(void *ctx, const model_TraceTensor *info, const void *data)
{
    Trace *t = (Trace *)ctx;
    int head[3];
    long long dims[8], n = info->bytes;
    int i;
    head[0] = (int)strlen(info->name);
    head[1] = info->dtype;
    head[2] = info->rank;
    for (i = 0; i < info->rank && i < 8; i++) dims[i] = info->dims[i];
    if (fwrite(head, sizeof head[0], 1, t->f) != 1 || fwrite(info->name, 1, (size_t)head[0], t->f) != (size_t)head[0] ||
        fwrite(head + 1, sizeof head[0], 2, t->f) != 2 || fwrite(dims, sizeof dims[0], (size_t)i, t->f) != (size_t)i ||
        fwrite(&info->block, sizeof info->block, 1, t->f) != 1 || fwrite(&n, sizeof n, 1, t->f) != 1 ||
        fwrite(data, 1, (size_t)n, t->f) != (size_t)n)
        t->failed = 1;
}

static int run_traced(const char *dir, const void *const *inputs, void *const *outputs, void *ws)
{
    char path[4096];
    Trace t;
    int rc;
    snprintf(path, sizeof path, "%s/trace.bin", dir);
    t.failed = 0;
    if (!(t.f = fopen(path, "wb"))) return -1;
    rc = model_run_traced(inputs, outputs, ws, trace_tensor, &t);
    if (fclose(t.f) != 0 || t.failed) return -1;
    return rc;
}
#endif

#if N_THREADS > 0
#include <string.h>
#include "nnc_pool.h"
/* Run on a pool of each thread count; compare every output, byte for
 * byte, with the single-threaded run's `want`. */
static int check_threads(const void *const *inputs, void *const *want)
{
    static const int counts[N_THREADS] = THREADS;
    void *got[N_OUT + 1];
    int i, k, rc = 0;
    for (i = 0; i < N_OUT; i++)
        if (!(got[i] = malloc((size_t)out_bytes[i] + 1))) return 3;
    for (k = 0; k < N_THREADS && rc == 0; k++) {
        nnc_pool *pool = nnc_pool_create(counts[k]);
        void *ws = NULL;
        size_t wsz = MODEL_WORKSPACE_SIZE_THREADS(counts[k]);
        int r;
        if (!pool || (wsz > 0 && posix_memalign(&ws, 64, wsz) != 0)) return 3;
        if (wsz > 0) memset(ws, 0xA5, wsz); /* stale data a part must not read */
        for (i = 0; i < N_OUT; i++) memset(got[i], 0x5A, (size_t)out_bytes[i]);
        r = model_run_parallel(inputs, got, ws, nnc_pool_parallel_for, pool, counts[k]);
        if (r != 0) {
            fprintf(stderr, "model_run_parallel (%d threads) returned %d\n", counts[k], r);
            rc = 4;
        }
        for (i = 0; i < N_OUT && rc == 0; i++)
            if (memcmp(got[i], want[i], (size_t)out_bytes[i]) != 0) {
                long b = 0;
                while (((unsigned char *)got[i])[b] == ((unsigned char *)want[i])[b]) b++;
                fprintf(stderr, "model_run_parallel (%d threads): output %d differs from model_run's at byte %ld\n",
                        counts[k], i, b);
                rc = 5;
            }
        if (rc == 0) printf("  threads %d: outputs bit-identical to the 1-thread run\n", counts[k]);
        nnc_pool_destroy(pool);
        free(ws);
    }
    for (i = 0; i < N_OUT; i++) free(got[i]);
    return rc;
}
#endif

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Run the model `reps` times after one warm-up; print the median. */
static int bench(const void *const *inputs, void *const *outputs, void *ws, int reps)
{
    double *t = malloc(sizeof(double) * (size_t)reps);
    int r;
    if (!t || model_run(inputs, outputs, ws) != 0) return 3;
    for (r = 0; r < reps; r++) {
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        model_run(inputs, outputs, ws);
        clock_gettime(CLOCK_MONOTONIC, &b);
        t[r] = (double)(b.tv_sec - a.tv_sec) * 1e6 + (double)(b.tv_nsec - a.tv_nsec) * 1e-3;
    }
    qsort(t, (size_t)reps, sizeof(double), cmp_double);
    printf("  time: median %.1f us, min %.1f us over %d runs\n", t[reps / 2], t[0], reps);
    free(t);
    return 0;
}

int main(int argc, char **argv)
{
    const void *inputs[N_IN + 1];
    void *outputs[N_OUT + 1];
    void *ws = NULL;
    int i, rc, reps = argc > 2 ? atoi(argv[2]) : 0;
    if (argc < 2 || argc > 3) return 2;
#ifdef MODEL_WEIGHTS_SEPARATE
    if (posix_memalign(&weights, 64, MODEL_WEIGHTS_SIZE) != 0 ||
        file_io(argv[1], "model", -1, weights, MODEL_WEIGHTS_SIZE, 0) != 0)
        return 3;
    if ((rc = model_check_weights(weights, MODEL_WEIGHTS_SIZE)) != 0) {
        fprintf(stderr, "model_check_weights returned %d\n", rc);
        return 4;
    }
#endif
    for (i = 0; i < N_IN; i++) {
        void *p = malloc((size_t)in_bytes[i] + 1);
        if (!p || file_io(argv[1], "in", i, p, in_bytes[i], 0) != 0) return 3;
        inputs[i] = p;
    }
    for (i = 0; i < N_OUT; i++)
        if (!(outputs[i] = malloc((size_t)out_bytes[i] + 1))) return 3;
    if (MODEL_WORKSPACE_SIZE > 0 && posix_memalign(&ws, 64, (size_t)MODEL_WORKSPACE_SIZE) != 0) return 3;
    if (reps > 0 && bench(inputs, outputs, ws, reps) != 0) return 3;
#if TRACE
    rc = run_traced(argv[1], inputs, outputs, ws);
    if (rc == -1) return 3; /* could not write the trace */
#else
    rc = model_run(inputs, outputs, ws);
#endif
    if (rc != 0) {
        fprintf(stderr, "model_run returned %d\n", rc);
        rc = 4;
    }
#if N_THREADS > 0
    if (rc == 0) rc = check_threads(inputs, outputs);
#endif
    for (i = 0; i < N_OUT && rc == 0; i++)
        if (file_io(argv[1], "out", i, outputs[i], out_bytes[i], 1) != 0) rc = 3;
    for (i = 0; i < N_IN; i++) free((void *)inputs[i]);
    for (i = 0; i < N_OUT; i++) free(outputs[i]);
    free(ws);
#ifdef MODEL_WEIGHTS_SEPARATE
    free(weights);
#endif
    return rc; /* everything freed: the sanitizer builds check for leaks */
}
/* @end */
