/* template.h — kernel templates built into the nnc binary (templates/<isa>/,
 * templates/simd/ over the vector layer templates/<isa>/vops.c),
 * and their specialisation by identifier substitution. */
#ifndef NNC_TEMPLATE_H
#define NNC_TEMPLATE_H

#include "lower.h"

typedef struct TemplateFile {
    const char *path;  /* "generic/conv.c" */
    const char *text;
} TemplateFile;

extern const TemplateFile nnc_template_files[];
extern const int nnc_template_count;
/* The runtime's sources and headers (runtime/nnc_runtime.c, nnc_*.h by file name),
 * for `nnc --emit-runtime` and cross builds in `nnc verify`. */
extern const TemplateFile nnc_runtime_files[];
extern const int nnc_runtime_count;

/* Text of templates/<isa>/<name>.c; else, when the ISA has a vector layer
 * (templates/<isa>/vops.c), of the shared templates/simd/<name>.c (written in
 * that layer); else of templates/generic/<name>.c; NULL if none. */
const char *template_find(const char *isa, const char *name);
/* Text of templates/<dir>/<name>.c exactly (no fallback); NULL if none. */
const char *template_find_in(const char *dir, const char *name);
/* Append the body (between the @begin and @end marker lines) of `text` to
 * out, replacing each identifier that is a key of p by its value (values are
 * themselves substituted, to a small depth). Comments are copied verbatim. */
void template_instantiate(Buf *out, const char *text, const KParams *p);

#endif
