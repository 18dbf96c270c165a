/* conv_winograd.c — Winograd F(4x4, 3x3) for 2-D 3x3 stride-1 float
 * convolutions with constant weights on the avx2 and avx512 targets, and
 * F(2x2, 3x3) for small planes on avx512 (template conv_winograd). A 4x4
 * output tile costs 36 multiply-adds per input/output channel pair instead
 * of 144 (a 2x2 tile 16 instead of 36): the input and output transforms are
 * cheap next to that when channels are many. The weight
 * transform U = G g G^T is done here, once, in double, and U is packed into
 * the panels the register tile reads (gemm_tile.h). Where the direct
 * implicit GEMM is faster (few channels or tiny planes: see wino_chosen)
 * the Conv lowering keeps it. */
#include "conv_winograd.h"

#include "../backend/cpu_model.h"
#include "gemm_tile.h"

/* F(4x4, 3x3) with points 0, 1, -1, 2, -2 and infinity: G (6x3); F(2x2,
 * 3x3) with points 0, 1, -1 and infinity: G (4x3). The input transforms
 * B^T and output transforms A^T are spelled out in the template. */
static const double wino_g2[4][3] = {
    {1, 0, 0},
    {0.5, 0.5, 0.5},
    {0.5, -0.5, 0.5},
    {0, 0, 1},
};
static const double wino_g4[6][3] = {
    {1.0 / 4, 0, 0},
    {-1.0 / 6, -1.0 / 6, -1.0 / 6},
    {-1.0 / 6, 1.0 / 6, -1.0 / 6},
    {1.0 / 24, 1.0 / 12, 1.0 / 6},
    {1.0 / 24, -1.0 / 12, 1.0 / 6},
    {0, 0, 1},
};

static int wino_applies(const Node *n, const WinoConv *w)
{
    if (w->group != 1 || w->kh != 3 || w->kw != 3 || w->sh != 1 || w->sw != 1 || w->dh != 1 || w->dw != 1)
        return 0;
    /* the template's gather offsets are 32-bit */
    return w->n * w->c * w->ih * w->iw < ((int64_t)1 << 31) && n->in[0]->dtype == DT_FLOAT &&
           node_input(n, 1)->data != NULL;
}

/* How a layer runs: ALPHA 6 (F(4x4, 3x3)) or 4 (F(2x2, 3x3)), and the
 * template's blocks: TB tiles (F(4x4): the tile's MR), MB output and CB
 * input channels within a budget of local floats. */
typedef struct WinoPlan {
    int alpha;
    int64_t tb, cb, mb;
    int64_t vc;     /* channels V holds: C (input transform once per tile block) or CB */
    int64_t budget; /* floats of the local V and M blocks */
} WinoPlan;

static int64_t wino_tiles(const WinoConv *w, int ot)
{
    return w->n * ((w->oh + ot - 1) / ot) * ((w->ow + ot - 1) / ot);
}

/* The most floats of a whole tile block's input transform (V for every
 * input channel) kept in scratch, so the transform is done once per tile
 * block, not once per M block: 512 channels of F(2x2) on 7x7 (16 tiles)
 * take 512 KB, 384 on 13x13 (49 tiles) 1.2 MB. */
#define WINO_FULL_V (512 * 1024)

/* The channel blocks for TB tiles: the locals, XI * TB * (CB + MB) floats,
 * stay within the budget (F(4x4) 144 KB, F(2x2) 576 KB, in a 1 MB L2; the
 * CPU model scales them with its L2: Tuning.wino_f4_budget); MB at most
 * 96 and shrunk (by whole panels) until CB is at least 32.
 * Output-channel blocks are the work units a split call shares out (with
 * the tile blocks), and one tile block is common for F(2x2): so M splits
 * into an even number of equal blocks where it can, at most twice as many
 * as the budget needs. 256 channels in 96-wide blocks (96 + 96 + 64) made
 * 3 units that 2 threads share 2:1 (ResNet-18 layer3, 1.1x on 2 threads);
 * in 4 blocks of 64 they share 2:2. CB takes the room MB leaves, in equal
 * blocks too; V holds CB channels, or all C when that fits WINO_FULL_V. */
static void wino_blocks(const TileShape *ts, const WinoConv *w, WinoPlan *p)
{
    int64_t per = p->budget / (p->alpha * p->alpha * p->tb), mround = (w->m + ts->nr - 1) / ts->nr * ts->nr;
    p->mb = 96 < mround ? 96 / ts->nr * ts->nr : mround;
    while (p->mb > ts->nr && per - p->mb < 32) p->mb -= ts->nr;
    int64_t pan = mround / ts->nr, maxp = p->mb / ts->nr, need = (pan + maxp - 1) / maxp;
    for (int64_t k = need; need > 1 && k <= 2 * need; k++)
        if (k % 2 == 0 && pan % k == 0) {
            p->mb = pan / k * ts->nr;
            break;
        }
    int64_t room = per - p->mb < w->c ? per - p->mb : w->c, ncb = (w->c + room - 1) / room;
    p->cb = (w->c + ncb - 1) / ncb;
    p->vc = p->alpha * p->alpha * w->c * p->tb <= WINO_FULL_V ? w->c : p->cb;
}

/* Whether Winograd beats the implicit GEMM (conv_gemm) for this layer, and
 * which. Measured (Zen4, 1 thread, one Conv+Relu per model, best of 60
 * runs, ms conv_gemm -> F(4x4, 3x3), avx512): C x M at HxW 64x64 56x56 2.73
 * -> 1.32, 128x128 28x28 2.33 -> 1.53, 96x128 28x28 1.77 -> 0.92, 32x64
 * 26x26 (pad 0) 0.229 -> 0.125, 32x32 32x32 0.236 -> 0.180, 64x64 16x16
 * 0.228 -> 0.093, 64x128 8x8 0.118 -> 0.085 (avx2 0.113 -> 0.062; avx2 wins
 * as much or more everywhere); but 256x256 13x13 2.21 -> 2.39, 192x384
 * 13x13 2.59 -> 3.17, 512x512 7x7 3.21 -> 5.52 (256x256 14x14 about even):
 * with few tiles the transformed weights (36 C M floats, 4 times the
 * kernel) come from memory for only a few tiles each. Hence F(4x4, 3x3) in
 * blocks of MR tiles when there are at least 32 tiles, or C M <= 128 * 128
 * (transformed weights up to 2.25 MB). C and M below 16 were not measured
 * and keep conv_gemm.
 * Below that, on avx512 (16-tile gathers), F(2x2, 3x3) in even blocks of up
 * to 7 MR tiles, so each transformed-weight panel (16 C M floats, 16/9 of
 * the kernel) serves up to 56 tiles (AlexNet's 13x13 convs, 49 tiles: one
 * block instead of 16 + 16 + 16 + 1, its conv part 8% faster): with at
 * least 16 of its 2x2 tiles and C M <= 2 * 256 * 256 (transformed weights
 * up to 8 MB). Measured against ONNX Runtime side by side (blocks of 16), ms ORT / conv_gemm / F(2x2, 3x3): 256x256
 * 14x14 2.34 / 2.63 / 1.58, 128x256 8x8 0.38 / 0.38 / 0.26, 256x256 8x8
 * 0.96 / 0.86 / 0.67, 384x256 13x13 7.0 / 7.7 / 3.5; but 512x512 7x7 about
 * even with conv_gemm (16 MB of transformed weights, past the 8 MB
 * limit) and 4x4 planes (4 tiles) slower, as is avx2 (8-tile gathers: 256x256
 * 14x14 2.81 vs 2.91, 256x256 8x8 1.01 vs 0.89), which keeps conv_gemm. */
/* The thresholds above are the Tuning's (wino_min_ch, wino_f4_tiles, ...:
 * these values unless a CPU model's row says otherwise); --tune winograd=
 * off, f4 or f2 forces the choice (benchmarking: bench/tune.sh). */
static int wino_plan(const Tuning *t, const TileShape *ts, const WinoConv *w, WinoPlan *p)
{
    int f4 = t->winograd == WINO_F4, f2 = t->winograd == WINO_F2;
    if (t->winograd == WINO_AUTO) {
        if (w->c < t->wino_min_ch || w->m < t->wino_min_ch) return 0;
        f4 = wino_tiles(w, 4) >= t->wino_f4_tiles || w->c * w->m <= t->wino_f4_cm;
        f2 = !f4 && ts->nr >= 32 && wino_tiles(w, 2) >= t->wino_f2_tiles && w->c * w->m <= t->wino_f2_cm;
    }
    if (f4) {
        /* blocks of up to MR tiles, as even as they go: 49 tiles (28x28) in
         * 7 blocks of 7, not 6 of 8 and 1 of 1, which left 2 threads 28:21 */
        int64_t nt = wino_tiles(w, 4), nb = (nt + ts->mr - 1) / ts->mr;
        p->alpha = 6;
        p->tb = (nt + nb - 1) / nb;
        p->budget = t->wino_f4_budget;
        if (p->alpha * p->alpha * w->c * w->m > t->wino_f4_big_u) {
            /* U does not fit the L2, and every tile block streams all of
             * it from L3 or memory: 2.36 MB for ResNet-18's 128x128 layer2
             * convs, 7 times for 7 blocks of 7 tiles, where the layers ran
             * 0.53 ms alone but 0.88-0.92 in the network. Blocks of up to 7
             * MR tiles, as for F(2x2), an even number of them so that 2
             * threads split the tiles (the rows) and neither transforms
             * the other's inputs: 2 blocks of 25 tiles, 0.65-0.71 ms in the
             * network. (With U in the L2, as for the 64x64 layer1 convs,
             * larger blocks ran slower: 0.60 -> 0.72 ms.) */
            nb = (nt + 7 * ts->mr - 1) / (7 * ts->mr);
            nb += nb % 2;
            if (nb > nt) nb = nt;
            p->tb = (nt + nb - 1) / nb;
            p->budget = t->wino_f2_budget;
        }
        wino_blocks(ts, w, p);
        return 1;
    }
    if (f2) {
        /* every tile block streams all of U (16*C*M floats, MBs here), so
         * few, even blocks of up to 7 tile rows (a 7x7 tile grid in one,
         * where blocks of 16 left a 1-tile block) with a larger V/M budget */
        int64_t nt = wino_tiles(w, 2), nb = (nt + 7 * ts->mr - 1) / (7 * ts->mr);
        p->alpha = 4;
        p->tb = (nt + nb - 1) / nb;
        p->budget = t->wino_f2_budget;
        wino_blocks(ts, w, p);
        return 1;
    }
    return 0;
}

/* U[xi][c][m] = (G g G^T)[xi] for g = W[m, c], packed per xi in panels of
 * NR output channels, [C][NR] each, zero past M. */
static const char *wino_pack_weights(Lowering *L, const Node *n, const WinoConv *w, int alpha, int nr, int64_t mpan)
{
    const float *wt = node_input(n, 1)->data;
    const double(*gm)[3] = alpha == 4 ? wino_g2 : wino_g4;
    int64_t count = alpha * alpha * mpan * nr * w->c;
    float *up = arena_alloc_array(lower_arena(L), (size_t)count, sizeof(float));
    for (int64_t i = 0; i < count; i++) up[i] = 0;
    for (int64_t m = 0; m < w->m; m++)
        for (int64_t c = 0; c < w->c; c++) {
            const float *g = wt + (m * w->c + c) * 9;
            double gg[6][3];
            for (int k = 0; k < alpha; k++)
                for (int j = 0; j < 3; j++)
                    gg[k][j] = gm[k][0] * g[j] + gm[k][1] * g[3 + j] + gm[k][2] * g[6 + j];
            for (int k = 0; k < alpha; k++)
                for (int l = 0; l < alpha; l++) {
                    double u = gg[k][0] * gm[l][0] + gg[k][1] * gm[l][1] + gg[k][2] * gm[l][2];
                    up[(((k * alpha + l) * mpan + m / nr) * w->c + c) * nr + m % nr] = (float)u;
                }
        }
    return tile_constant(L, n, "winograd weights", up, count);
}

int lower_conv_winograd(Lowering *L, const Node *n, KParams *p, const WinoConv *w)
{
    TileShape ts;
    WinoPlan pl;
    if (!tile_shape(L, &ts) || !lower_isa_has(L, "conv_winograd") || !wino_applies(n, w) ||
        !wino_plan(tuning_of(lower_graph(L)), &ts, w, &pl))
        return 0;
    const int ot = pl.alpha - 2;
    int64_t th = (w->oh + ot - 1) / ot, tw = (w->ow + ot - 1) / ot, mpan = (w->m + ts.nr - 1) / ts.nr;
    /* channel-blocked: V holds every channel of its tiles ([xi][t][c], the
     * channels padded to whole blocks), read by the GEMM in place */
    int64_t vcp = (w->c + tile_lanes(L) - 1) / tile_lanes(L) * tile_lanes(L);
    if (w->blk && (w->blk != tile_lanes(L) || pl.alpha * pl.alpha * vcp * pl.tb > WINO_FULL_V)) return 0;
    if (w->blk) pl.vc = vcp;
    const char *up = wino_pack_weights(L, n, w, pl.alpha, ts.nr, mpan);
    kp_int(L, p, "ALPHA", pl.alpha);
    kp_int(L, p, "TH", th);
    kp_int(L, p, "TW", tw);
    kp_int(L, p, "NT", w->n * th * tw);
    kp_int(L, p, "TB", pl.tb);
    kp_int(L, p, "CB", pl.cb);
    kp_int(L, p, "VC", pl.vc);
    kp_int(L, p, "XBLK", w->blk != 0);
    kp_int(L, p, "MB", pl.mb);
    kp_int(L, p, "MPAN", mpan);
    kp_int(L, p, "MR", ts.mr);
    kp_int(L, p, "NR", ts.nr);
    kp_str(L, p, "TILE", tile_plain(L, n, TILE_BPF_ROWS));
    Tensor *res = op_bind_epilogue(L, p, n, DT_FLOAT);
    tile_bind_vact(L, p, n); /* F(4x4)'s output rows: the epilogue on vectors */
    const char *fn = lower_kernel(L, n, "conv_winograd", p);
    /* V and Mx blocks: workspace scratch, not stack (up to 576 KB on avx512) */
    int64_t xi = pl.alpha * pl.alpha, vb = xi * pl.vc * pl.tb, mx = xi * pl.tb * pl.mb;
    vb = (vb + 15) / 16 * 16; /* Mx starts 64-byte aligned */
    const char *args[6] = {lower_ref(L, n->in[0]), up, node_input(n, 2) ? lower_ref(L, node_input(n, 2)) : NULL,
                           res ? lower_ref(L, res) : NULL, lower_ref(L, n->out[0]),
                           lower_scratch(L, (vb + mx) * (int64_t)sizeof(float))};
    /* work units: tile blocks x output channel blocks */
    int64_t units = (w->n * th * tw + pl.tb - 1) / pl.tb * ((w->m + pl.mb - 1) / pl.mb);
    /* cost: 2/3 of the direct FLOPs (Winograd runs 1.5-1.7x the direct
     * kernels' rate, counting direct FLOPs, on ResNet-18 and CIFAR layers) */
    lower_call_par(L, fn, 6, args, units, 2 * w->n * w->oh * w->ow * w->m * w->c * 9 * 2 / 3);
    return 1;
}
