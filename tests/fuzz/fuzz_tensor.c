/* fuzz_tensor.c — libFuzzer target: the ONNX TensorProto reader that
 * `nnc verify` (and --freeze) use for test data (input_K.pb, output_K.pb).
 * Decodes the bytes as one tensor, then reads every element the way verify's
 * comparison does and prints its shape. A tensor decodes or fails with one
 * error line; a crash or sanitizer report is a finding. */
#include "frontend/onnx_load.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static volatile double g_sink; /* keeps the element reads */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    nnc_error_set_quiet(1);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Arena a;
    arena_init(&a);
    nnc_error_set_file("fuzz.pb");
    ErrorTrap trap;
    if (setjmp(trap.env) == 0) {
        nnc_trap_push(&trap);
        Graph *g = graph_new(&a);
        Tensor *t = onnx_load_tensor_buffer(g, "fuzz.pb", data, size);
        if (t->rank < 0 || !t->data) abort(); /* decoded means shaped and filled */
        int64_t n = tensor_numel(t);
        for (int64_t i = 0; i < n; i++) g_sink += tensor_get_double(t, i);
        (void)shape_str(&a, t);
    } else {
        const char *e = nnc_last_error();
        if (strncmp(e, "nnc: error: fuzz.pb: ", 21) != 0 || strchr(e, '\n')) abort();
    }
    nnc_trap_pop(&trap);
    arena_free(&a);
    return 0;
}
