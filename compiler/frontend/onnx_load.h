/* onnx_load.h — the ONNX frontend: a ModelProto file becomes a Graph. */
#ifndef NNC_ONNX_LOAD_H
#define NNC_ONNX_LOAD_H

#include "../ir/graph.h"

typedef struct ShapeOverride {
    const char *name;
    int rank;
    int64_t dims[NNC_MAX_RANK];
} ShapeOverride;

/* Options of the frontend: shapes for symbolic inputs, and graph inputs
 * frozen to a constant value read from a TensorProto file. */
typedef struct LoadOptions {
    const ShapeOverride *shapes;
    int n_shapes;
    const char *const *freeze_names;
    const char *const *freeze_files;
    int n_freeze;
    const char *weights;      /* model language: safetensors file (NULL: seeded random init) */
    uint64_t seed;            /* model language: seed of the random initialisation */
} LoadOptions;

/* Load `path` into a new graph in arena `a`. Errors unwind through nnc_fail.
 * Nodes come out topologically sorted; shapes are those of the graph inputs
 * (after overrides) and constants only: run shape inference next. */
Graph *onnx_load(Arena *a, const char *path, const LoadOptions *lo);

/* The same for a model already in memory (bytes[0..len), not kept after
 * the call): external data is read from directory `ext_dir`, or refused when
 * it is NULL. Messages name the file set with nnc_error_set_file(). */
Graph *onnx_load_buffer(Arena *a, const void *bytes, size_t len, const char *ext_dir, const LoadOptions *lo);

/* Decode one serialized TensorProto file (test data); its external data, if
 * any, lies next to it. */
Tensor *onnx_load_tensor_file(Graph *g, const char *path);
/* The same from memory; `name` names it in messages; external data refused. */
Tensor *onnx_load_tensor_buffer(Graph *g, const char *name, const void *bytes, size_t len);

#endif
