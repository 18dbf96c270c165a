/* template.h — kernel templates built into the nnc binary (templates/<isa>/),
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

/* Text of templates/<isa>/<name>.c, falling back to generic; NULL if none. */
const char *template_find(const char *isa, const char *name);
/* Append the body (between the @begin and @end marker lines) of `text` to
 * out, replacing each identifier that is a key of p by its value (values are
 * themselves substituted, to a small depth). Comments are copied verbatim. */
void template_instantiate(Buf *out, const char *text, const KParams *p);

#endif
