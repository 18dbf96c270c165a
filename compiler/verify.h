/* verify.h — `nnc verify`: golden-output checks against ONNX test data, and
 * the build flags the generated code needs. */
#ifndef NNC_VERIFY_H
#define NNC_VERIFY_H

#include "driver.h"

typedef struct VerifyOptions {
    double rtol, atol;
    const char *keep_dir;
    int bench; /* >0: also time this many runs and print the median */
    int layers;             /* --layers: compare every intermediate tensor too */
    const char *layers_ref; /* --layers-ref DIR: ...against DIR's tensors, not nnc's plain build */
    int threads[8];         /* --threads LIST: also run P_run_parallel on these thread counts */
    int n_threads;
} VerifyOptions;

int verify_model(const CompileOptions *o, const VerifyOptions *vo, const char **dirs, int n_dirs);
/* Print `nnc --cflags` (cflags=1) or `nnc --libs`; works from the build tree
 * and from an installed prefix. */
int print_build_flags(const char *argv0, int cflags);
/* `nnc --emit-runtime DIR`: write the runtime's C sources and headers
 * (nnc_runtime.c, nnc_runtime.h, nnc_vmath_*.h) into DIR, made if missing,
 * so any toolchain builds them with the generated code. 0, or 1 after
 * printing an error. */
int emit_runtime(const char *dir);

#endif
