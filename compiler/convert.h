/* convert.h — `nnc convert`: ONNX <-> the model language. */
#ifndef NNC_CONVERT_H
#define NNC_CONVERT_H

#include "driver.h"

/* Load o->model_path (either format) and write `out`: OUT.onnx, or OUT.nn
 * with OUT.safetensors beside it. 0 on success, 1 after the error. */
int convert_model(const CompileOptions *o, const char *out);

/* Internals shared by convert.c and convert_nn.c. */
/* Write a whole file (through PATH.tmp, renamed): 0, or -1 with errno. */
int convert_write_file(const char *path, const void *data, size_t len);
/* The graph (shapes inferred) as OUT.nn and OUT.safetensors; `model` names
 * the source in the header comment. Fails through nnc_fail. */
void convert_write_nn(Arena *a, Graph *g, const char *out, const char *model);

#endif
