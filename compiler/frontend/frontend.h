/* frontend.h — picks the frontend by the file's contents: the model
 * language (text) or ONNX (binary protobuf). */
#ifndef NNC_FRONTEND_H
#define NNC_FRONTEND_H

#include "onnx_load.h"

/* Load a model: ONNX, or the model language when the file is text. */
Graph *frontend_load(Arena *a, const char *path, const LoadOptions *lo);
/* The model language (docs/language.md); dsl_parse.c. */
Graph *dsl_load(Arena *a, const char *path, const LoadOptions *lo);
/* The same from source text in memory (fuzzing, tests); `path` names it in
 * messages and locates NET.safetensors. */
Graph *dsl_load_text(Arena *a, const char *path, const char *text, size_t len, const LoadOptions *lo);
/* A user error at node n after loading: `file:line:col: error: ...` with the
 * source line and a caret when the model language made n, else
 * nnc_fail_node's `nnc: error: FILE: node 'NAME' (Op): ...`. */
_Noreturn void frontend_node_error(const Graph *g, const Node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The first 4 KB hold only text: the model language, not ONNX. */
int dsl_sniff(const unsigned char *bytes, size_t len);

#endif
