/* driver.h — the compiler as one call: compile_model(). */
#ifndef NNC_DRIVER_H
#define NNC_DRIVER_H

#include "frontend/onnx_load.h"

typedef struct CompileOptions {
    const char *model_path;
    const char *out_c;        /* OUT.c; OUT.h goes next to it */
    const char *prefix;       /* NULL: from the output file's stem */
    const char *target;       /* generic, avx2, avx512, neon, native */
    int opt_level;
    LoadOptions load;
} CompileOptions;

/* Load, verify, infer shapes, run the passes, plan memory, emit. Returns 0 on
 * success, 1 after printing one error line per problem. Writes nothing on
 * failure. */
int compile_model(const CompileOptions *o);

/* Front half only, for `nnc info` and tests: the graph after the passes.
 * Returns NULL after printing the error. */
Graph *compile_graph(Arena *a, const CompileOptions *o);

/* The ISA name a --target value resolves to, or NULL after an error. */
const char *resolve_target(const char *target);
/* Prefix for an output path: its stem as a C identifier. */
char *default_prefix(Arena *a, const char *out_c);

#endif
