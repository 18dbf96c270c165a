/* cpu_model.h — the CPU nnc compiles for (--cpu): a table of CPU models
 * (best target, vector FMA throughput per width, data caches per core),
 * detection of the build machine's CPU (--cpu native: CPUID on x86), and the
 * Tuning derived from a model: the values the lowerings read where they
 * choose an algorithm or a block size (Winograd or direct, cache blocks).
 * Without --cpu every target gets its defaults, the values measured so far
 * (on a Zen 4), so nothing changes until measurements say otherwise
 * (docs/tuning.md, bench/tune.sh). The hidden --tune option forces one
 * alternative of a choice, for benchmarking only. */
#ifndef NNC_CPU_MODEL_H
#define NNC_CPU_MODEL_H

#include "../ir/graph.h"

#include <stdint.h>

typedef struct CpuModel {
    const char *name;         /* its --cpu spelling, e.g. "znver5" */
    const char *desc;         /* what it is, e.g. "AMD Zen 5 (Ryzen 9000, EPYC 9005)" */
    const char *isa;          /* best target: generic, avx2, avx512, neon */
    int fma[3];               /* vector FMA instructions per cycle at 128, 256 and 512 bits;
                                 0 where the ISA lacks the width; all 0: not known */
    int l1d_kb, l2_kb, l3_kb; /* data caches per core (L3: its share of the shared cache); 0: not known */
    const char *row;          /* --cpu native: the table row it matched (NULL: none) */
    const char *found;        /* --cpu native: how it was identified and where the sizes came from */
} CpuModel;

/* Winograd: the tuner's choice, or forced by --tune winograd=... */
enum { WINO_AUTO = 0, WINO_OFF, WINO_F4, WINO_F2 };

/* The choices a CPU model drives. Each field is read where its decision is
 * made (ops/conv.c, ops/conv_winograd.c, ops/gemm_tile.c); comments name the
 * value every target had before CPU models, which the defaults keep. */
typedef struct Tuning {
    const CpuModel *cpu;
    const char *isa;          /* the target it was derived for */
    const char *wino_row;     /* which threshold row applies (see cpu_model.c) */
    int wino_measured;        /* that row was measured: 1 on a Zen 4, 2 partly on a Zen 5; 0 it holds Zen 4's values */
    /* Winograd F(4x4, 3x3) / F(2x2, 3x3) for 3x3 stride-1 convolutions */
    int winograd;             /* WINO_AUTO, or forced */
    int64_t wino_min_ch;      /* C and M at least this (16) */
    int64_t wino_min_plane;   /* layout: a plane of this many outputs (144) runs Winograd (in its input's layout);
                                 a smaller one runs direct (conv_nchwc) */
    int64_t wino_f4_tiles;    /* F(4x4) with at least this many 4x4 tiles (32) ... */
    int64_t wino_f4_cm;       /* ... or C*M at most this (128*128) */
    int64_t wino_f2_tiles;    /* F(2x2), 16-lane targets: at least this many 2x2 tiles (16) ... */
    int64_t wino_f2_cm;       /* ... and C*M at most this (2*256*256) */
    int64_t wino_f4_budget;   /* floats of the local V and M blocks, F(4x4) (36 K: 144 KB of a 1 MB L2) */
    int64_t wino_f2_budget;   /* the same for F(2x2) (144 K: 576 KB) */
    int64_t wino_f4_big_u;    /* F(4x4) transformed weights past this many floats (256 K: the 1 MB L2)
                                 take larger tile blocks (conv_winograd.c, wino_plan) */
    /* conv_nchwc (direct, channel-blocked) */
    int64_t nchwc_min_macs;   /* layout: a conv on a plain input with no blocked reader writes blocked
                                 output from this many multiply-adds per output (1024, full-rate AVX-512
                                 128; --tune blocked=1: 0) */
    int64_t nchwc_wchunk;     /* floats of weights per input-channel chunk, kept in L2 (81920: 320 KB) */
    int64_t nchwc_kcb;        /* forced: input-channel blocks per chunk at most this; 0: from nchwc_wchunk */
    int64_t nchwc_sr;         /* forced: output rows per strip at most this; 0: as the copy buffer allows */
    int nchwc_fit_regs;       /* avx512 register tile: 1 the least-cost tile that fits the 32 registers
                                 (full-rate AVX-512); 0 the target's fixed 7 x 4 (ops/conv.c, nchwc_tile) */
    /* packed GEMM (Gemm, MatMul, conv_gemm): 0 keeps the target's (gemm_tile.c) */
    int gemm_kc, gemm_nc;
    const char *forced;       /* the --tune text, or NULL */
} Tuning;

/* The model named `name` (a table row, "generic" for the target's defaults,
 * or "native"), resolved for `isa` (the target, or NULL when --target was
 * not given: then the model picks it). NULL, with a one-line reason in why[],
 * for an unknown name. */
const CpuModel *cpu_model_find(Arena *a, const char *name, const char *isa, char *why, size_t cap);
/* The defaults' row of a target: generic-avx512 etc. */
const CpuModel *cpu_model_default(const char *isa);
/* Whether code for target isa runs on the model's CPU; else 0 and the reason. */
int cpu_model_runs(const CpuModel *m, const char *isa, char *why, size_t cap);
/* The tuning for target isa on CPU m, with the --tune overrides in `forced`
 * (KEY=VALUE,...; NULL: none). 0, with the reason, for a bad override. */
int tuning_derive(Arena *a, const CpuModel *m, const char *isa, const char *forced, Tuning *t, char *why,
                  size_t cap);
/* The tuning of a graph: its own, or the defaults (measured values) when the
 * graph has none (unit tests, passes run without the driver). */
const Tuning *tuning_of(const Graph *g);
/* One line naming the model: "znver5 (AMD Zen 5 ...)" plus native's findings. */
const char *cpu_model_summary(Arena *a, const CpuModel *m);
/* The generated file's paragraph on the CPU model and the choices it drove. */
void tuning_describe(const Tuning *t, Buf *out);
/* Pieces of --cpu native, pure for the unit tests: the family and model in
 * CPUID leaf 1's EAX (extended fields included); the table row of an x86
 * CPU (vendor string, family, model, AVX-512F), or NULL; the size in KB of a
 * data or unified cache described by leaf 4 / 8000001Dh's EAX, EBX, ECX (0
 * for another kind), with its level and the logical processors sharing it. */
void cpu_model_x86_signature(unsigned leaf1_eax, unsigned *family, unsigned *model);
const char *cpu_model_x86_row(const char *vendor, unsigned family, unsigned model, int avx512f);
int cpu_model_cache_leaf(unsigned eax, unsigned ebx, unsigned ecx, int *level, int *share);
/* `nnc --list-cpus`: the table, then what native finds on this machine. */
void cpu_model_list(void);

#endif
