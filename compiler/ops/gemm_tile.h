/* gemm_tile.h — what the Gemm, MatMul and Conv lowerings share on SIMD
 * targets: the register tile's shape per ISA, the tile kernel (template
 * gemm_tile) with the vectorisable part of a fused epilogue, and weights
 * packed at compile time into the panels the tile reads. */
#ifndef NNC_OPS_GEMM_TILE_H
#define NNC_OPS_GEMM_TILE_H

#include "common.h"

typedef struct TileShape {
    int mr, nr;      /* register tile: rows (broadcast operand) x columns (vector operand) */
    int kc, nc;      /* cache blocks: k rows and columns of a packed B block (nc a multiple of nr:
                      * the kernels' work units are whole column panels) */
} TileShape;

/* The tile of the lowering's target; 0 when it has none (generic). */
int tile_shape(Lowering *L, TileShape *ts);
/* Floats per vector of the lowering's target (VLANES; 1 for generic). */
int tile_lanes(Lowering *L);
/* Bind the fused epilogue (op_bind_epilogue) plus VEC_EPI = 1 and VACT/
 * ACT_A/ACT_B/ACT_FIRST (every activation vectorises in the tile: see
 * templates/avx512/gemm_tile.c); instantiate the tile kernel and bind its name as TILE along
 * with MR, NR, KC, NC. Returns the residual tensor, or NULL. */
Tensor *tile_bind(Lowering *L, KParams *p, const Node *n, const TileShape *ts);
/* Bind every activation vectorised (as tile_bind does), for kernels whose
 * activation covers VACT 0-8 (nnc_act_avx2 / nnc_act_avx512: conv_transpose_gemm, conv_dw). */
void tile_bind_vact(Lowering *L, KParams *p, const Node *n);
/* Rows of B a tile prefetches ahead when B streams from memory (Winograd's
 * transformed weights: 4 KB pages end the hardware's streams, and each
 * weight is used by at most one block of tiles). 48 rows are 6 KB on
 * AVX-512, about 380 cycles of the 8 x 32 tile's FMAs: the memory latency.
 * Measured on a Zen 5: ResNet-18 0.907-0.909 of the time without it (whole
 * model, 4 pairs of runs), VGG-11 0.95-0.97 (docs/tuning.md). */
#define TILE_BPF_ROWS 48
/* Instantiate the tile kernel with no epilogue, prefetching bpf rows of B
 * ahead (0: none); returns its name. */
const char *tile_plain(Lowering *L, const Node *n, int bpf);
/* Instantiate the tile kernel with n's epilogue (as tile_bind does) reading
 * B in place: row k of the panel at bp + k * ldb (ldb > NR; the caller makes
 * sure NR columns of every row can be read). Returns its name. */
const char *tile_direct(Lowering *L, const Node *n, int64_t ldb);
/* A compile-time constant of `count` floats, returned as a C expression. */
const char *tile_constant(Lowering *L, const Node *n, const char *what, const float *data, int64_t count);
/* B (element (k, j) at b[k * sk + j * sj]) times alpha, packed at compile
 * time into the panels of nr columns gemm_packed reads with B_PACKED. */
const char *tile_pack_b(Lowering *L, const Node *n, const float *b, int64_t k, int64_t nn, int64_t sk, int64_t sj,
                        float alpha, int nr);
/* Work units of gemm_packed and matmul_packed for an m x nn product. */
int64_t tile_units(const TileShape *ts, int64_t m, int64_t nn);

#endif
