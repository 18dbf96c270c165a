/* emit_c.h — the C backend: writes OUT.c and OUT.h for a planned graph. */
#ifndef NNC_EMIT_C_H
#define NNC_EMIT_C_H

#include "../ir/graph.h"

typedef struct EmitOptions {
    const char *prefix;     /* C identifier prefix of the API */
    const char *header_name; /* file name OUT.h, as included by OUT.c */
    const char *model_path;  /* for the descriptive comment */
    const char *isa;         /* "generic", "avx2", ... */
} EmitOptions;

/* Emit into two buffers (the caller writes them atomically). */
void emit_c(Graph *g, const EmitOptions *o, Buf *c_out, Buf *h_out);

#endif
