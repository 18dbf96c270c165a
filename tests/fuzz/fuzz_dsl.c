/* fuzz_dsl.c — libFuzzer target: the model language's lexer, parser and
 * lowering (compiler/frontend/dsl_*.c). The bytes are a .nn source; a source
 * that loads is also shape-inferred as the driver does. Every input must
 * either load or fail with one gcc-style diagnostic whose first line is
 * `fuzz.nn:LINE:COL: error: ...` (or `nnc: error: ...` from the shared
 * shape inference); a crash, a sanitizer report or another first line is a
 * finding. Seeds: seeds/dsl/ (the examples and the bad cases). */
#include "frontend/frontend.h"
#include "ir/infer.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
    nnc_error_set_file("fuzz.nn");
    ErrorTrap trap;
    if (setjmp(trap.env) == 0) {
        nnc_trap_push(&trap);
        Graph *g = dsl_load_text(&a, "fuzz.nn", (const char *)data, size, NULL);
        infer_shapes(g);
        if (g->n_outputs < 1) abort(); /* a model that loads has an output */
    } else {
        const char *e = nnc_last_error();
        if (strncmp(e, "fuzz.nn:", 8) != 0 && strncmp(e, "nnc: error: fuzz.nn: ", 21) != 0) abort();
        if (strchr(e, '\n')) abort();
    }
    nnc_trap_pop(&trap);
    arena_free(&a);
    return 0;
}
