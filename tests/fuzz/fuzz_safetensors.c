/* fuzz_safetensors.c — libFuzzer target: the safetensors reader
 * (compiler/frontend/safetensors.c). The bytes are a weights file; when it
 * parses, every element of every tensor of a known dtype is read as the
 * model language does, and each tensor's bytes must lie inside the input.
 * A malformed file must be refused with a reason; a crash or a sanitizer
 * report is a finding. Seeds: seeds/safetensors/. */
#include "frontend/dsl.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static volatile float g_sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Arena a;
    arena_init(&a);
    nnc_error_set_quiet(1);
    ErrorTrap trap;
    if (setjmp(trap.env) == 0) {
        nnc_trap_push(&trap);
        StFile f;
        char why[300] = "";
        if (safetensors_parse(&a, data, size, &f, why, sizeof why)) {
            for (int i = 0; i < f.n; i++) {
                const StTensor *t = &f.t[i];
                if (t->data < data || t->data + t->nbytes > data + size) abort();
                if (t->dtype == ST_OTHER) continue;
                int64_t n = 1;
                for (int k = 0; k < t->rank; k++) n *= t->dims[k];
                for (int64_t e = 0; e < n; e++) g_sink += safetensors_get(t, e);
            }
        } else if (!why[0]) {
            abort(); /* refused without a reason */
        }
    }
    nnc_trap_pop(&trap);
    arena_free(&a);
    return 0;
}
