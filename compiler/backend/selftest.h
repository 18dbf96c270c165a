/* selftest.h — nnc --selftest DIR: one input/output pair of an ONNX
 * test_data_set folder embedded in the generated code, and P_selftest(). */
#ifndef NNC_SELFTEST_H
#define NNC_SELFTEST_H

#include "emit_c.h"

/* Tolerance of P_selftest (the same rule and defaults as `nnc verify`). */
#define NNC_SELFTEST_RTOL "1e-3"
#define NNC_SELFTEST_ATOL "1e-4"

/* Reads DIR/input_K.pb and DIR/output_K.pb for graph g (the compiled
 * graph: its inputs and outputs) and checks their types and shapes; a
 * mismatch or a missing file is an error (nnc_fail). When DIR holds more
 * input files than g has inputs (some were frozen), each file is matched by
 * the tensor name it holds. */
SelfTest *selftest_load(Graph *g, const char *dir);
/* The header's part: the tolerance, P_SELFTEST_WORKSPACE_SIZE,
 * P_ERR_SELFTEST and the declaration of P_selftest. */
void selftest_emit_api(const EmitOptions *o, Buf *h);
/* The source's part: the data and P_selftest (after the entry points). */
void selftest_emit(const EmitOptions *o, Buf *c);

#endif
