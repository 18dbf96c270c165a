/* frontend.c — chooses the frontend from the file's first bytes, not its
 * name: source text in the model language (docs/language.md) or an ONNX
 * protobuf (which starts with a field tag, a control byte). */
#include "frontend.h"

#include <stdio.h>

Graph *frontend_load(Arena *a, const char *path, const LoadOptions *lo)
{
    unsigned char head[4096];
    size_t n = 0;
    FILE *f = fopen(path, "rb");
    if (f) {
        n = fread(head, 1, sizeof head, f);
        fclose(f);
    }
    if (n && dsl_sniff(head, n)) {
        nnc_stage_set("the model-language frontend");
        return dsl_load(a, path, lo);
    }
    return onnx_load(a, path, lo);
}
