/* emit_c.h — the C backend: writes OUT.c and OUT.h for a planned graph. */
#ifndef NNC_EMIT_C_H
#define NNC_EMIT_C_H

#include "../ir/graph.h"

typedef struct SelfTest SelfTest;

typedef struct EmitOptions {
    const char *prefix;     /* C identifier prefix of the API */
    const char *header_name; /* file name OUT.h, as included by OUT.c */
    const char *model_path;  /* for the descriptive comment */
    const char *isa;         /* "generic", "avx2", ... */
    int trace;               /* also emit P_run_traced: a hook called after each node */
    const char *weights_section; /* --weights-section NAME, or NULL */
    /* --weights incbin: the constants' bytes go to *bin (file bin_name) and
     * the assembler file that includes them to *asm_text; NULL: C data */
    Buf *bin, *asm_text;
    const char *bin_name;
    int separate;            /* --weights separate: *bin is the blob's payload; no asm_text */
    uint32_t *bin_checksum;  /* --weights separate: receives the payload's FNV-1a checksum (or NULL) */
    const SelfTest *selftest; /* --selftest DIR: the embedded data set (selftest.c), or NULL */
} EmitOptions;

typedef struct IsaInfo {
    const char *name;       /* "generic", "avx2", "avx512", "neon" */
    unsigned cpu_bit;       /* NNC_CPU_* bit the code needs, 0 for portable C */
    const char *cpu_macro;  /* its name in nnc_runtime.h */
    const char *preamble;   /* includes and macros the kernels use */
} IsaInfo;

const IsaInfo *isa_info(const char *isa);

/* Emit into two buffers (the caller writes them atomically). */
void emit_c(Graph *g, const EmitOptions *o, Buf *c_out, Buf *h_out);

#endif
