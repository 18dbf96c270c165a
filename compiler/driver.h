/* driver.h — the compiler as one call: compile_model(). */
#ifndef NNC_DRIVER_H
#define NNC_DRIVER_H

#include "frontend/frontend.h"

/* --layout: auto lets the layout pass store tensors between convolutions and
 * pools channel-blocked (NCHW4c on neon, NCHW8c on avx2, NCHW16c on avx512;
 * generic stays plain); plain keeps every tensor row-major. */
enum { LAYOUT_AUTO = 0, LAYOUT_PLAIN = 1 };

typedef struct CompileOptions {
    const char *model_path;   /* read from here, or only named in messages with model_bytes */
    const void *model_bytes;  /* non-NULL: the model is already in memory (fuzzing, embedding) */
    size_t model_len;
    const char *ext_dir;      /* with model_bytes: directory of external data; NULL refuses it */
    const char *out_c;        /* OUT.c; OUT.h goes next to it */
    const char *prefix;       /* NULL: from the output file's stem */
    const char *target;       /* generic, avx2, avx512, neon, native; NULL: the --cpu model's, else generic */
    const char *cpu;          /* --cpu: a CPU model name (backend/cpu_model.c), "native", or NULL */
    const char *tune;         /* --tune KEY=VALUE,...: force a choice (benchmarking), or NULL */
    int opt_level;
    int layout;               /* LAYOUT_AUTO (default) or LAYOUT_PLAIN: --layout */
    int cap_workspace;        /* --max-workspace given: */
    int64_t max_workspace;    /*   a plan above this many bytes is an error */
    int trace;                /* --trace: also emit P_run_traced (a hook after each node) */
    const char *weights_section; /* --weights-section NAME: constants in that linker section */
    int weights_incbin;       /* --weights incbin: constants in OUT.bin, included by OUT_weights.S */
    int weights_separate;     /* --weights separate: constants in OUT.bin, passed to P_run_with_weights */
    const char *selftest_dir; /* --selftest DIR: embed DIR's input/output pair, emit P_selftest */
    LoadOptions load;
} CompileOptions;

/* Load, verify, infer shapes, run the passes, plan memory, emit. Returns 0 on
 * success, 1 after printing one error line per problem. Writes nothing on
 * failure. */
int compile_model(const CompileOptions *o);

/* The same without touching the file system (beyond reading the model and
 * its external data): OUT.c's text in *c, OUT.h's in *h; `header_name` is the
 * name OUT.c includes. The caller frees both buffers, also after a failure
 * (then their contents mean nothing). Returns 0, or 1 after the error line. */
/* With --weights incbin or separate, the weights' bytes go to *bin and the
 * assembler text to *asm_text (both required then; else unused, may be NULL). */
int compile_to_buffers(const CompileOptions *o, const char *header_name, Buf *c, Buf *h, Buf *bin, Buf *asm_text);

/* Front half only, for `nnc info` and tests: the graph after the passes (which
 * depend on the target: the channel-blocked layout). Returns NULL after
 * printing the error. */
Graph *compile_graph(Arena *a, const CompileOptions *o);

/* The ISA name the options' --target (or, without one, --cpu) resolves to,
 * after checking --cpu and --tune against it; NULL after a one-line error. */
const char *resolve_target(const CompileOptions *o);
/* Prefix for an output path: its stem as a C identifier. */
char *default_prefix(Arena *a, const char *out_c);

#endif
