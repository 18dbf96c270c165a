/* conv_winograd.h — the Winograd F(4x4, 3x3) and F(2x2, 3x3) lowering of 2-D
 * 3x3 stride-1 float convolutions on the avx2 and avx512 targets (conv_winograd.c),
 * called by the Conv lowering (conv.c) before its implicit GEMM. */
#ifndef NNC_OPS_CONV_WINOGRAD_H
#define NNC_OPS_CONV_WINOGRAD_H

#include "common.h"

/* A 2-D convolution's geometry, as conv.c computed it. */
typedef struct WinoConv {
    int64_t n, c, m, group;
    int64_t ih, iw, oh, ow, kh, kw, sh, sw, dh, dw, ph, pw;
    int blk; /* 0: plain input and output; else both channel-blocked, blk lanes */
} WinoConv;

/* Lower node n (its geometry already bound in p) through the conv_winograd
 * template when the convolution qualifies and Winograd is the faster choice
 * for it (see wino_chosen); returns 0, with p untouched, otherwise. */
int lower_conv_winograd(Lowering *L, const Node *n, KParams *p, const WinoConv *w);

#endif
