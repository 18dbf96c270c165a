/* convert.h — `nnc convert`: ONNX <-> the model language. */
#ifndef NNC_CONVERT_H
#define NNC_CONVERT_H

#include "driver.h"

/* Load o->model_path (either format) and write `out`: OUT.onnx, or OUT.nn
 * with OUT.safetensors beside it. 0 on success, 1 after the error. */
int convert_model(const CompileOptions *o, const char *out);

#endif
