/* fuzz_onnx.c — libFuzzer target: ONNX model bytes through the whole compiler
 * (load, verify and infer shapes, every pass, plan memory, emit) up to the
 * generated C text in memory, on every target: generic, avx2 and avx512 at
 * --opt 2 (default layout), and generic at --opt 0 (no passes: the plain
 * kernels). Nothing is written. An input is fine when each compilation either
 * succeeds with non-empty output or fails with exactly one error line; a
 * crash, a sanitizer report or a failed NNC_ASSERT (which aborts under
 * NNC_FUZZING) is a finding.
 *
 * External data resolves against a scratch directory holding one 576-byte
 * file, ext_weights.bin (the file tests/bad_inputs' ext_* cases name), so the
 * external-data checks run too.
 *
 * Reproduce a finding with the CLI: build/nnc crash-XXXX -o /tmp/x.c --target T. */
#include "driver.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char g_ext_dir[64];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    nnc_error_set_quiet(1); /* errors are kept (nnc_last_error), not printed */
    snprintf(g_ext_dir, sizeof g_ext_dir, "/tmp/nnc_fuzz_ext.XXXXXX");
    if (!mkdtemp(g_ext_dir)) {
        perror("mkdtemp");
        abort();
    }
    char path[128];
    snprintf(path, sizeof path, "%s/ext_weights.bin", g_ext_dir);
    FILE *f = fopen(path, "wb");
    if (!f) abort();
    for (int i = 0; i < 144; i++) { /* 144 floats: (i % 7 - 3) / 8, like make_cases.py */
        float v = (float)(i % 7 - 3) / 8;
        fwrite(&v, sizeof v, 1, f);
    }
    fclose(f);
    return 0;
}

/* The error contract: "nnc: error: FILE: reason", one line. */
static void check_error_line(void)
{
    const char *e = nnc_last_error();
    static const char want[] = "nnc: error: fuzz.onnx: ";
    if (strncmp(e, want, sizeof want - 1) != 0 || strchr(e, '\n') || strlen(e) == sizeof want - 1) {
        fprintf(stderr, "bad error line: '%s'\n", e);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct {
        const char *target;
        int opt;
    } runs[] = {{"generic", 2}, {"avx2", 2}, {"avx512", 2}, {"generic", 0}};
    for (size_t r = 0; r < sizeof runs / sizeof runs[0]; r++) {
        CompileOptions o = {0};
        o.model_path = "fuzz.onnx";
        o.model_bytes = data;
        o.model_len = size;
        o.ext_dir = g_ext_dir;
        o.target = runs[r].target;
        o.opt_level = runs[r].opt;
        o.prefix = "fuzz";
        Buf c = {0}, h = {0};
        int rc = compile_to_buffers(&o, "fuzz.h", &c, &h, NULL, NULL);
        if (rc == 0 && (c.len == 0 || h.len == 0 || strlen(c.data) != c.len)) {
            fprintf(stderr, "compiled, but the output is empty or holds a NUL byte\n");
            abort();
        }
        if (rc != 0) check_error_line();
        buf_free(&c);
        buf_free(&h);
    }
    return 0;
}
