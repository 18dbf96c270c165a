/* conv.c — Conv and ConvTranspose: attribute checking, output shapes, and
 * lowering to the conv / conv_transpose templates (SIMD targets: conv_gemm,
 * conv_dw, conv_transpose_gemm). Both share one geometry
 * routine so shape inference and the kernel agree on pads and extents. */
#include "common.h"
#include "../backend/cpu_model.h"
#include "conv_winograd.h"
#include "gemm_tile.h"

#include <stdlib.h>
#include <string.h>

typedef struct ConvGeom {
    int nsp;                     /* spatial dims: 1..3 */
    int64_t n, c, m, group;
    int64_t in[3], out[3], k[3], stride[3], dil[3], pad_begin[3], pad_end[3];
} ConvGeom;

static int64_t round_up(int64_t a, int64_t b) { return (a + b - 1) / b * b; }
static int64_t ceil_div(int64_t a, int64_t b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }

/* Read the attributes common to both ops into g; validates what it reads. */
static void conv_attrs(const Node *n, ConvGeom *g, int64_t kchan_dim)
{
    const Tensor *x = n->in[0], *w = node_input(n, 1);
    op_require_float(n, 0);
    op_same_types(n, 0, 2);
    if (x->rank < 3 || x->rank > 5) nnc_fail_node(n, "input must have 1 to 3 spatial dims, got rank %d", x->rank);
    if (w->rank != x->rank) nnc_fail_node(n, "weight rank %d does not match input rank %d", w->rank, x->rank);
    memset(g, 0, sizeof *g);
    g->nsp = x->rank - 2;
    g->n = x->dims[0];
    g->c = x->dims[1];
    g->group = node_attr_int(n, "group", 1);
    if (g->group < 1) nnc_fail_node(n, "group must be positive, got %lld", (long long)g->group);
    if (g->c % g->group) nnc_fail_node(n, "group %lld does not divide the %lld input channels", (long long)g->group, (long long)g->c);
    (void)kchan_dim;
    const int64_t *ks, *st, *dl, *pd;
    int nk = node_attr_ints(n, "kernel_shape", &ks), ns = node_attr_ints(n, "strides", &st);
    int nd = node_attr_ints(n, "dilations", &dl), np = node_attr_ints(n, "pads", &pd);
    if ((nk >= 0 && nk != g->nsp) || (ns >= 0 && ns != g->nsp) || (nd >= 0 && nd != g->nsp) ||
        (np >= 0 && np != 2 * g->nsp))
        nnc_fail_node(n, "kernel_shape, strides, dilations and pads must match the %d spatial dims", g->nsp);
    for (int i = 0; i < g->nsp; i++) {
        g->in[i] = x->dims[2 + i];
        g->k[i] = w->dims[2 + i];
        if (nk >= 0 && ks[i] != g->k[i])
            nnc_fail_node(n, "kernel_shape[%d] = %lld does not match the weight's %lld", i, (long long)ks[i],
                          (long long)g->k[i]);
        g->stride[i] = ns >= 0 ? st[i] : 1;
        g->dil[i] = nd >= 0 ? dl[i] : 1;
        g->pad_begin[i] = np >= 0 ? pd[i] : 0;
        g->pad_end[i] = np >= 0 ? pd[g->nsp + i] : 0;
        if (g->stride[i] < 1) nnc_fail_node(n, "stride %lld must be at least 1", (long long)g->stride[i]);
        if (g->dil[i] < 1) nnc_fail_node(n, "dilation %lld must be at least 1", (long long)g->dil[i]);
        if (g->pad_begin[i] < 0 || g->pad_end[i] < 0) nnc_fail_node(n, "pads must not be negative");
        if (g->k[i] < 1) nnc_fail_node(n, "kernel size must be at least 1");
        if (g->in[i] > NNC_MAX_ELEMS / 4 || g->k[i] > NNC_MAX_ELEMS / 4 || g->stride[i] > NNC_MAX_ELEMS / 4 ||
            g->dil[i] > NNC_MAX_ELEMS / 4 / g->k[i] || g->pad_begin[i] > NNC_MAX_ELEMS / 4 ||
            g->pad_end[i] > NNC_MAX_ELEMS / 4)
            nnc_fail_node(n, "sizes out of range");
    }
}

static int auto_pad_mode(const Node *n)
{
    const char *ap = node_attr_str(n, "auto_pad", "NOTSET");
    if (strcmp(ap, "NOTSET") == 0) return 0;
    if (strcmp(ap, "SAME_UPPER") == 0) return 1;
    if (strcmp(ap, "SAME_LOWER") == 0) return 2;
    if (strcmp(ap, "VALID") == 0) return 3;
    nnc_fail_node(n, "unknown auto_pad '%s'", ap);
}

static void conv_geometry(const Node *n, ConvGeom *g)
{
    const Tensor *w = node_input(n, 1);
    conv_attrs(n, g, 1);
    g->m = w->dims[0];
    if (w->dims[1] * g->group != g->c)
        nnc_fail_node(n, "weight has %lld channels per group; input has %lld channels in %lld groups",
                      (long long)w->dims[1], (long long)g->c, (long long)g->group);
    if (g->m % g->group) nnc_fail_node(n, "group %lld does not divide the %lld output channels", (long long)g->group, (long long)g->m);
    if (node_input(n, 2) && (node_input(n, 2)->rank != 1 || node_input(n, 2)->dims[0] != g->m))
        nnc_fail_node(n, "bias must have shape [%lld]", (long long)g->m);
    int mode = auto_pad_mode(n);
    for (int i = 0; i < g->nsp; i++) {
        int64_t eff = (g->k[i] - 1) * g->dil[i] + 1;
        if (mode == 1 || mode == 2) {
            g->out[i] = ceil_div(g->in[i], g->stride[i]);
            int64_t total = (g->out[i] - 1) * g->stride[i] + eff - g->in[i];
            if (total < 0) total = 0;
            g->pad_begin[i] = mode == 1 ? total / 2 : total - total / 2;
            g->pad_end[i] = total - g->pad_begin[i];
        } else {
            if (mode == 3) g->pad_begin[i] = g->pad_end[i] = 0;
            int64_t span = g->in[i] + g->pad_begin[i] + g->pad_end[i] - eff;
            if (span < 0) nnc_fail_node(n, "kernel (%lld with dilation) is larger than the padded input (%lld)",
                                        (long long)eff, (long long)(g->in[i] + g->pad_begin[i] + g->pad_end[i]));
            g->out[i] = span / g->stride[i] + 1;
        }
    }
}

static void conv_transpose_geometry(const Node *n, ConvGeom *g)
{
    const Tensor *w = node_input(n, 1);
    conv_attrs(n, g, 0);
    if (w->dims[0] != g->c)
        nnc_fail_node(n, "weight has %lld input channels, input has %lld", (long long)w->dims[0], (long long)g->c);
    if (!checked_mul_i64(w->dims[1], g->group, &g->m)) nnc_fail_node(n, "sizes out of range");
    if (node_input(n, 2) && (node_input(n, 2)->rank != 1 || node_input(n, 2)->dims[0] != g->m))
        nnc_fail_node(n, "bias must have shape [%lld]", (long long)g->m);
    const int64_t *op, *os;
    int nop = node_attr_ints(n, "output_padding", &op), nos = node_attr_ints(n, "output_shape", &os);
    if (nop >= 0 && nop != g->nsp) nnc_fail_node(n, "output_padding must have %d values", g->nsp);
    if (nos >= 0 && nos != g->nsp && nos != g->nsp + 2) nnc_fail_node(n, "output_shape must have %d values", g->nsp);
    int mode = auto_pad_mode(n);
    for (int i = 0; i < g->nsp; i++) {
        int64_t eff = (g->k[i] - 1) * g->dil[i] + 1, opad = nop >= 0 ? op[i] : 0;
        if (opad < 0 || (opad >= g->stride[i] && opad >= g->dil[i]))
            nnc_fail_node(n, "output_padding %lld must be smaller than the stride or the dilation", (long long)opad);
        int64_t full = g->stride[i] * (g->in[i] - 1) + opad + eff;
        int64_t want = -1;
        if (nos >= 0) want = os[nos - g->nsp + i];
        else if (mode == 1 || mode == 2) want = g->in[i] * g->stride[i];
        if (want >= 0) {
            int64_t total = full - want;
            int upper = mode == 1;
            /* a larger requested output extends the end, like output_padding */
            g->pad_begin[i] = total < 0 ? 0 : upper ? total / 2 : total - total / 2;
            g->pad_end[i] = total - g->pad_begin[i];
        } else if (mode == 3) {
            g->pad_begin[i] = g->pad_end[i] = 0;
        }
        g->out[i] = full - g->pad_begin[i] - g->pad_end[i];
        if (g->out[i] < 1) nnc_fail_node(n, "output size %lld is not positive", (long long)g->out[i]);
    }
}

static void set_conv_output(const Node *n, const ConvGeom *g)
{
    int64_t dims[5] = {g->n, g->m};
    for (int i = 0; i < g->nsp; i++) dims[2 + i] = g->out[i];
    op_set_output(n, 0, n->in[0]->dtype, g->nsp + 2, dims);
}

void shape_conv(Graph *gr, Node *n)
{
    (void)gr;
    ConvGeom g;
    conv_geometry(n, &g);
    set_conv_output(n, &g);
}

void shape_conv_transpose(Graph *gr, Node *n)
{
    (void)gr;
    ConvGeom g;
    conv_transpose_geometry(n, &g);
    set_conv_output(n, &g);
}

/* Bind geometry to template parameters; spatial dims right-aligned to 3. */
static void bind_geometry(Lowering *L, KParams *p, const Node *n, const ConvGeom *g)
{
    static const char *const nm[][7] = {{"ID", "OD", "KD", "SD", "DD", "PD", 0},
                                        {"IH", "OH", "KH", "SH", "DH", "PH", 0},
                                        {"IW", "OW", "KW", "SW", "DW", "PW", 0}};
    kp_type(L, p, "T", n->in[0]->dtype);
    kp_int(L, p, "N", g->n);
    kp_int(L, p, "C", g->c);
    kp_int(L, p, "M", g->m);
    kp_int(L, p, "G", g->group);
    kp_int(L, p, "CG", g->c / g->group);
    kp_int(L, p, "MG", g->m / g->group);
    kp_int(L, p, "HAS_BIAS", node_input(n, 2) != NULL);
    for (int d = 0; d < 3; d++) {
        int i = d - (3 - g->nsp);
        int64_t v[6] = {1, 1, 1, 1, 1, 0};
        if (i >= 0) {
            v[0] = g->in[i];
            v[1] = g->out[i];
            v[2] = g->k[i];
            v[3] = g->stride[i];
            v[4] = g->dil[i];
            v[5] = g->pad_begin[i];
        }
        for (int k = 0; k < 6; k++) kp_int(L, p, nm[d][k], v[k]);
    }
}

/* Conv: (Cin/g)*k multiplies and as many adds (one is the bias add) per
 * output element: 2*(Cin/g)*kh*kw*Cout*Hout*Wout with a bias, one add less
 * per output without. */
int64_t flops_conv(const Node *n)
{
    ConvGeom g;
    conv_geometry(n, &g);
    int64_t k = g.c / g.group, outs = tensor_numel(n->out[0]);
    for (int i = 0; i < g.nsp; i++) k *= g.k[i];
    return (node_input(n, 2) ? 2 * k : 2 * k - 1) * outs + flops_epilogue(n);
}

/* ConvTranspose: every input element times (Cout/g)*k weights, a multiply
 * and an add each, plus one bias add per output element. */
int64_t flops_conv_transpose(const Node *n)
{
    ConvGeom g;
    conv_transpose_geometry(n, &g);
    int64_t k = g.m / g.group;
    for (int i = 0; i < g.nsp; i++) k *= g.k[i];
    return 2 * k * tensor_numel(n->in[0]) + (node_input(n, 2) ? tensor_numel(n->out[0]) : 0) + flops_epilogue(n);
}

/* Weights W[M, CG*k] packed for the tile: per group, panels of MR output
 * channels, [CG*k][MR] each, zero past MG. */
static const char *pack_conv_weights(Lowering *L, const Node *n, const ConvGeom *g, int mr, int64_t *mpan)
{
    const float *w = node_input(n, 1)->data;
    int64_t mg = g->m / g->group, kt = g->c / g->group;
    for (int i = 0; i < g->nsp; i++) kt *= g->k[i];
    *mpan = (mg + mr - 1) / mr;
    int64_t count = g->group * *mpan * mr * kt;
    float *wp = arena_alloc_array(lower_arena(L), (size_t)count, sizeof(float));
    for (int64_t gi = 0; gi < g->group; gi++)
        for (int64_t m = 0; m < mg; m++)
            for (int64_t k = 0; k < kt; k++)
                wp[((gi * *mpan + m / mr) * kt + k) * mr + m % mr] = w[(gi * mg + m) * kt + k];
    return tile_constant(L, n, "packed weights", wp, count);
}

/* Depthwise 2-D with a zero-bordered channel plane of at most this many
 * floats gets the conv_dw kernel. */
#define DW_PLANE_MAX 32768

static int lower_conv_dw(Lowering *L, const Node *n, const ConvGeom *g, KParams *p, int vlen)
{
    if (g->nsp != 2 || g->group != g->c || g->m != g->c) return 0;
    /* SW column-phase planes of IHP x IWQ: IWQ covers the last vector of
     * outputs (owr) plus the widest tap offset within a phase */
    int64_t owr = (g->out[1] + vlen - 1) / vlen * vlen;
    int64_t ihp = (g->out[0] - 1) * g->stride[0] + (g->k[0] - 1) * g->dil[0] + 1;
    int64_t iwq = owr + (g->k[1] - 1) * g->dil[1] / g->stride[1] + 1;
    if (ihp > DW_PLANE_MAX || iwq > DW_PLANE_MAX || g->stride[1] > DW_PLANE_MAX ||
        ihp * iwq > DW_PLANE_MAX / g->stride[1])
        return 0;
    kp_int(L, p, "IHP", ihp);
    kp_int(L, p, "IWQ", iwq);
    Tensor *res = op_bind_epilogue(L, p, n, DT_FLOAT);
    tile_bind_vact(L, p, n);
    const char *fn = lower_kernel(L, n, "conv_dw", p);
    Tensor *args[5] = {n->in[0], n->in[1], node_input(n, 2), res, n->out[0]};
    /* units: channel planes of each image */
    op_call_par(L, fn, 5, args, g->n * g->c, 2 * g->n * g->c * g->out[0] * g->out[1] * g->k[0] * g->k[1]);
    return 1;
}

/* A 1x1 kernel with stride 1 and no padding: im2col(X) is X. */
static int conv_is_pointwise(const ConvGeom *g)
{
    for (int i = 0; i < g->nsp; i++)
        if (g->k[i] != 1 || g->stride[i] != 1 || g->pad_begin[i] || g->pad_end[i]) return 0;
    return 1;
}

/* Reading B in place, the tile walks kc input rows and writes mg output
 * rows, all P floats apart: rows whose addresses agree modulo 4 KiB share
 * an L1 set, and too many per set evict the panel before its reuse (a
 * 16x112x112 -> 96 1x1 conv ran 20% slower in place than packed). Returns
 * the rows per set-group: 4096 / gcd(4096, 4P) groups. */
static int64_t direct_conflicts(int64_t kc, int64_t mg, int64_t np)
{
    int64_t a = 4096, b = 4 * np % 4096;
    while (b) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return (kc + mg) / (4096 / a);
}

/* Largest phase-split input row (SW * IWQP floats) of conv_gemm's strided
 * pack. */
#define PACKS_ROW_MAX 8192

/* Largest output block (NCT positions x MGR channels, workspace scratch) of
 * conv_gemm's transposed path (and of its transposed residual block): 128 KiB, so a
 * 7x7 plane of 512 channels is one block and the weights stream once. */
#define CT_TRANS_MAX 32768

/* Transposed (positions as the tile's rows, output channels in its
 * vectors) when that fills clearly more of the tile on this plane, e.g.
 * 4x4 (16 of 32 lanes) or 7x7 (49 of 64 columns) with many channels. The
 * block must fit: MGR <= CT_TRANS_MAX / 2 / MR. */
static int use_transposed(const TileShape *ts, int64_t np, int64_t mg, double gain)
{
    int64_t mgr = round_up(mg, ts->nr);
    if (mgr > CT_TRANS_MAX / 2 / ts->mr) return 0;
    double normal = (double)np / round_up(np, ts->nr) * mg / round_up(mg, ts->mr);
    return (double)np / round_up(np, ts->mr) * mg / mgr > gain * normal;
}

/* Choose and bind conv_gemm's variant (TRANS, DIRECT, PACKS and their
 * parameters); returns whether it is TRANS (weights in panels of NR). */
static int bind_gemm_variant(Lowering *L, KParams *p, const Node *n, const ConvGeom *g, const TileShape *ts,
                             int64_t kt, int64_t np)
{
    int64_t mg = g->m / g->group, mgr = round_up(mg, ts->nr), nct = CT_TRANS_MAX / mgr / ts->mr * ts->mr;
    if (nct > round_up(np, ts->mr)) nct = round_up(np, ts->mr);
    int direct = conv_is_pointwise(g) && np >= ts->nr && direct_conflicts(kt < ts->kc ? kt : ts->kc, mg, np) <= 16;
    /* TRANS packs: against DIRECT (no packing) it must win more */
    int trans = ts->nr % ts->mr == 0 && use_transposed(ts, np, mg, direct ? 1.3 : 1.1);
    direct = direct && !trans;
    int64_t sw = g->stride[g->nsp - 1], iwqp = g->out[g->nsp - 1] + (g->k[g->nsp - 1] - 1) * g->dil[g->nsp - 1] / sw;
    kp_int(L, p, "TRANS", trans);
    kp_int(L, p, "MGR", mgr);
    kp_int(L, p, "NCT", nct < ts->mr ? ts->mr : nct > ts->nc ? ts->nc : nct);
    kp_int(L, p, "DIRECT", direct);
    kp_str(L, p, "TILE_D", direct ? tile_direct(L, n, np) : "TILE");
    kp_int(L, p, "IWQP", iwqp);
    kp_int(L, p, "PACKS", sw > 1 && iwqp <= PACKS_ROW_MAX / sw); /* avx512 */
    return trans;
}

/* The value of integer template parameter `key` (0 when not bound). */
static int64_t kp_get(const KParams *p, const char *key)
{
    for (int i = 0; i < p->n; i++)
        if (strcmp(p->key[i], key) == 0) return strtoll(p->val[i] + (p->val[i][0] == '('), NULL, 10);
    return 0;
}

/* Floats of conv_gemm's workspace scratch (per part), laid out as its
 * template does: the packed block bp; on avx512 (its own template) also the
 * TRANS output block ct and transposed residual rt, and the PACKS phase row. */
static int64_t conv_gemm_scratch(Lowering *L, const KParams *p)
{
    int64_t floats = kp_get(p, "KC") * kp_get(p, "NC");
    if (!lower_isa_has(L, "conv_gemm")) return floats;
    int64_t ct = kp_get(p, "TRANS") ? kp_get(p, "NCT") * kp_get(p, "MGR") : 0;
    return floats + ct + (kp_get(p, "HAS_RES") && kp_get(p, "VEC_EPI") ? ct : 0) +
           (kp_get(p, "PACKS") ? kp_get(p, "SW") * kp_get(p, "IWQP") : 0);
}

/* Winograd for n, on plain tensors (blk 0) or channel-blocked ones of blk
 * lanes; 0 when it does not apply. */
static int lower_conv_wino(Lowering *L, const Node *n, const ConvGeom *g, KParams *p, int blk)
{
    return g->nsp == 2 && lower_conv_winograd(L, n, p,
                                              &(WinoConv){g->n, g->c, g->m, g->group, g->in[0], g->in[1], g->out[0],
                                                          g->out[1], g->k[0], g->k[1], g->stride[0], g->stride[1],
                                                          g->dil[0], g->dil[1], g->pad_begin[0], g->pad_begin[1], blk});
}

/* SIMD targets: float Conv with constant weights by Winograd, as an
 * implicit GEMM, or the depthwise kernel. Returns 0 when the generic
 * kernel must do. */
static int lower_conv_simd(Lowering *L, const Node *n, const ConvGeom *g, KParams *p)
{
    if (lower_conv_wino(L, n, g, p, 0)) return 1;
    TileShape ts;
    if (!tile_shape(L, &ts) || n->in[0]->dtype != DT_FLOAT || !node_input(n, 1)->data) return 0;
    if (lower_conv_dw(L, n, g, p, tile_lanes(L))) return 1;
    int64_t kt = g->c / g->group, mpan, np = 1;
    for (int i = 0; i < g->nsp; i++) {
        kt *= g->k[i];
        np *= g->out[i];
    }
    int trans = bind_gemm_variant(L, p, n, g, &ts, kt, np);
    const char *wp = pack_conv_weights(L, n, g, trans ? ts.nr : ts.mr, &mpan);
    kp_int(L, p, "KT", kt);
    kp_int(L, p, "MPAN", mpan);
    Tensor *res = tile_bind(L, p, n, &ts);
    const char *fn = lower_kernel(L, n, "conv_gemm", p);
    const char *args[6] = {lower_ref(L, n->in[0]), wp, node_input(n, 2) ? lower_ref(L, node_input(n, 2)) : NULL,
                           res ? lower_ref(L, res) : NULL, lower_ref(L, n->out[0]),
                           lower_scratch(L, conv_gemm_scratch(L, p) * (int64_t)sizeof(float))};
    /* work units per image and group: column panels x row tiles, or (TRANS)
     * position blocks x channel panels */
    int64_t mg = g->m / g->group, nct = kp_get(p, "NCT");
    int64_t units = trans ? ceil_div(np, nct) * ceil_div(mg, ts.nr) : ceil_div(np, ts.nr) * ceil_div(mg, ts.mr);
    lower_call_par(L, fn, 6, args, g->n * g->group * units, 2 * g->n * g->m * np * kt);
    return 1;
}

/* ---- channel-blocked (NCHW[c]) output: template conv_nchwc ---- */

/* Largest copy buffer (KCB * IHB * IWP * c floats, of the part's scratch)
 * of conv_nchwc: the same on every CPU. The weights of one input-channel
 * chunk and output-block group kept in L2 (81920 floats for a 1 MB L2) are
 * the CPU model's: Tuning.nchwc_wchunk. */
#define NCHWC_BUF_MAX 32768

typedef struct NchwcPlan {
    int64_t cb, mb, ocb, rw, rh, sr, kcb, ihb, iwp;
    int xblk, dwc, copy;
    int fewm; /* few output channels: lanes are input channels (see conv_nchwc.c, FEWM) */
    int wpf;  /* prefetch the next weight block (conv_nchwc.c, WPF) */
} NchwcPlan;

static int conv_is_depthwise(const ConvGeom *g) { return g->group > 1 && g->group == g->c && g->m == g->c; }

/* Cycles per input-channel step of one rh-row tile of `pos` positions by o
 * blocks on a core with two 512-bit FMA pipes: the FMAs (2 a cycle), the
 * weight vectors streamed from L2 (about 32 bytes a cycle: 2 cycles a
 * vector; the chunk of a large conv is past L1), the loads (2 a cycle) and
 * the FMA latency (4 cycles, every accumulator once a step). */
static int64_t nchwc_step_cost2(int64_t pos, int64_t o)
{
    int64_t c = pos * o, w = 4 * o, l = o + pos, lat = 8; /* in half cycles */
    c = c > w ? c : w;
    c = c > l ? c : l;
    return c > lat ? c : lat;
}

/* Half cycles per input-channel step for a whole output plane with tiles
 * of rw positions by rh rows by ocb blocks, tails included. */
static int64_t nchwc_plane_cost2(const ConvGeom *g, int64_t mb, int64_t rw, int64_t rh, int64_t ocb)
{
    /* full tiles and the tail of each dimension: count and size */
    const int64_t n[3][2] = {{g->out[0] / rh, g->out[0] % rh > 0}, {g->out[1] / rw, g->out[1] % rw > 0},
                             {mb / ocb, mb % ocb > 0}};
    const int64_t sz[3][2] = {{rh, g->out[0] % rh}, {rw, g->out[1] % rw}, {ocb, mb % ocb}};
    int64_t cost = 0;
    for (int i = 0; i < 8; i++) {
        int a = i & 1, b = i >> 1 & 1, d = i >> 2;
        cost += n[0][a] * n[1][b] * n[2][d] * nchwc_step_cost2(sz[0][a] * sz[1][b], sz[2][d]);
    }
    return cost;
}

/* The register tile: RW positions of RH rows by OCB blocks, at most `acc`
 * accumulators, measured best under gcc and clang: avx512 7 x 4 (28 of 32
 * zmm), avx2 5 x 2 (10 of 16 ymm); neon 5 x 4 (20 of 32 q registers: the
 * tile also keeps a position's input vector per position and 4 weight
 * vectors, 29 in all; 6 x 4 spilled under clang, bench/neon_mca.sh). A plane narrower than RW takes several
 * rows per tile (8 positions at most): the most accumulators, then the
 * fewest loads per multiply-add ((OCB + positions) / (OCB * positions)).
 * rows1: one row per tile only.
 * With Tuning.nchwc_fit_regs (AVX-512 at full rate) the tile is the one of
 * least estimated time for the whole plane (nchwc_plane_cost2: tails
 * included), among those whose accumulators, OCB weight vectors and a
 * broadcast fit the 32 registers: 7 x 4 needs 33, and gcc kept one
 * accumulator on the stack, whose store-to-load chain (about 11 cycles a
 * step) a Zen 5 no longer hides behind the step's 14 cycles of FMAs.
 * Measured on a Zen 5 in ResNet-18: its stride-2 3x3 convs 0.573, 0.590
 * and 0.679 ms at 7 x 4 against 0.536, 0.561 and 0.604 at 7 x 3. */
static void nchwc_tile(const Tuning *t, const ConvGeom *g, int c, int rows1, NchwcPlan *p)
{
    int64_t acc = c >= 16 ? 28 : c == 8 ? 10 : 20, omax = c == 8 ? 2 : 4, rwmax = c >= 16 ? 7 : c == 8 ? 5 : 5;
    p->rh = 1;
    if (p->dwc) {
        p->ocb = 1;
        p->rw = 8;
        return;
    }
    if (t->nchwc_fit_regs && c >= 16) {
        int64_t best = -1, bestacc = 0;
        for (int64_t rw = 1; rw <= 8 && rw <= g->out[1]; rw++)
            for (int64_t rh = 1; rh * rw <= 8 && rh <= g->out[0] && (rh == 1 || (!rows1 && rw == g->out[1])); rh++)
                for (int64_t o = 1; o <= omax && o <= p->mb; o++) {
                    if (rh * rw * o + o + 1 > 32) continue;
                    int64_t cost = nchwc_plane_cost2(g, p->mb, rw, rh, o), a = rh * rw * o;
                    /* least time; then more accumulators (fewer loads per FMA) */
                    if (best < 0 || cost < best || (cost == best && a > bestacc)) {
                        best = cost;
                        bestacc = a;
                        p->rw = rw;
                        p->rh = rh;
                        p->ocb = o;
                    }
                }
        return;
    }
    p->rw = g->out[1] < rwmax ? g->out[1] : rwmax;
    p->ocb = 0;
    for (int64_t rh = 1; rh * p->rw <= 8 && rh <= g->out[0] && (rh == 1 || (!rows1 && p->rw < rwmax)); rh++) {
        int64_t pos = rh * p->rw, ocb = acc / pos < omax ? acc / pos : omax;
        if (ocb > p->mb) ocb = p->mb;
        if (ocb < 1) break;
        /* more accumulators, or as many with fewer loads: (o + q) / (o q) < (O + Q) / (O Q) */
        int64_t best = p->rh * p->rw * p->ocb;
        if (pos * ocb > best || (pos * ocb == best && (ocb + pos) * best < (p->ocb + p->rh * p->rw) * pos * ocb)) {
            p->rh = rh;
            p->ocb = ocb;
        }
    }
}

/* Row strips for threads. A split call's parts are ranges of its work
 * units, strip-major, so with an even number of strips 2 parts take the
 * top and the bottom half of the output rows, as the parts of the convs
 * before and after it do: each core then reads mostly rows it wrote
 * itself (another core's cost about 0.4 ns a byte on a Zen 5 VM). One
 * strip left the parts to split the output channels instead, and 3 split
 * the rows 1:2, which pulled half of each input across and stopped every
 * later call on the chain from splitting (MobileNetV2 did not scale). So
 * when the weights are no larger than the activations (a core reading
 * all of them costs less than its neighbour's rows), a one-row tile's
 * strips are made even, at least 2. Larger weights (ResNet-18's layer4:
 * 9.4 MB against 200 KB) keep the output groups, whose parts read half
 * the weights each. The strips change no result: each output is computed
 * as in a whole call. --tune sr=N is left as given. */
static int64_t nchwc_weight_floats(const ConvGeom *g, int c, const NchwcPlan *p)
{
    return g->k[0] * g->k[1] * (p->dwc ? 1 : p->cb * c) * p->mb * c;
}

static int nchwc_weights_big(const ConvGeom *g, int c, const NchwcPlan *p)
{
    int64_t weights = nchwc_weight_floats(g, c, p);
    int64_t acts = g->n * (p->cb * g->in[0] * g->in[1] + p->mb * g->out[0] * g->out[1]) * c;
    return weights > acts;
}

static void nchwc_even_strips(const Tuning *t, const ConvGeom *g, int c, NchwcPlan *p)
{
    int64_t oh = g->out[0];
    if (t->nchwc_sr || p->rh != 1 || oh < 2 || nchwc_weights_big(g, c, p)) return;
    int64_t sr = p->sr < oh / 2 + oh % 2 ? p->sr : oh / 2 + oh % 2;
    while (sr > 1 && ((oh + sr - 1) / sr) % 2) sr--;
    if (((oh + sr - 1) / sr) % 2) return; /* odd rows, one a strip: leave it */
    p->sr = sr;
    p->ihb = (p->sr - 1) * g->stride[0] + (g->k[0] - 1) * g->dil[0] + 1;
}

/* Tile and blocking of conv_nchwc for c lanes; 0 when it cannot run it
 * (not 2-D, grouped, depthwise on a plain input, or even one input row is
 * too wide for the buffer). The weight chunk comes from the tuning t, and
 * --tune kcb=N / sr=N (benchmarking) cap KCB and, for one-row tiles, SR
 * before the copy buffer's limit applies. */
static int nchwc_plan(const Tuning *t, const Node *n, const ConvGeom *g, int c, int xblk, NchwcPlan *p)
{
    memset(p, 0, sizeof *p);
    if (g->nsp != 2 || (g->group != 1 && !conv_is_depthwise(g))) return 0;
    p->xblk = xblk;
    p->dwc = conv_is_depthwise(g);
    p->cb = (g->c + c - 1) / c;
    p->mb = (g->m + c - 1) / c;
    if (p->dwc && !xblk) return 0; /* depthwise reads a blocked input in place, padding or not */
    p->copy = !p->dwc && (g->pad_begin[0] || g->pad_begin[1] || g->pad_end[0] || g->pad_end[1]);
    p->iwp = (g->out[1] - 1) * g->stride[1] + (g->k[1] - 1) * g->dil[1] + 1;
    int64_t bl = xblk || p->cb > 1 ? c : g->c; /* lanes per buffer position (KERNEL_BL) */
    int64_t row = p->copy ? p->iwp * bl : g->in[1] * c, taps = g->k[0] * g->k[1];
    /* at most a quarter of a block's lanes are output channels (a GAN's or
     * an autoencoder's RGB or grey output): the lanes take input channels,
     * which a blocked input (or copy buffer) holds whole per position */
    p->fewm = !p->dwc && 4 * g->m <= c && bl == c;
    for (int rows1 = 0; rows1 < 2; rows1++) {
        nchwc_tile(t, g, c, rows1, p);
        if (p->fewm) {
            p->rh = 1;
            p->ocb = 1;
        }
        p->kcb = p->dwc ? p->cb : t->nchwc_kcb ? t->nchwc_kcb : t->nchwc_wchunk / (taps * c * p->ocb * c);
        if (p->kcb < 1) p->kcb = 1;
        if (p->kcb > p->cb) p->kcb = p->cb;
        p->sr = t->nchwc_sr && p->rh == 1 && t->nchwc_sr < g->out[0] ? t->nchwc_sr : g->out[0];
        /* Past the buffer, fewer rows a strip, then fewer blocks a chunk;
         * but when the weights outweigh the activations (every strip
         * streams its chunk's weights again: ResNet-18's layer4.0.conv1,
         * 4.7 MB from memory), fewer blocks first, as many as fit. */
        int wbig = !p->dwc && nchwc_weights_big(g, c, p);
        int64_t cap = NCHWC_BUF_MAX * (p->copy ? 1 : 4);
        for (;;) {
            p->ihb = (p->sr - 1) * g->stride[0] + (g->k[0] - 1) * g->dil[0] + 1;
            if (p->kcb * p->ihb * row <= cap) break;
            if (wbig && p->kcb > 1) p->kcb = cap / (p->ihb * row) > 0 ? cap / (p->ihb * row) : 1;
            else if (p->rh == 1 && p->sr > 1) p->sr = (p->sr + 1) / 2;
            else if (p->kcb > 1 && !p->dwc) p->kcb = (p->kcb + 1) / 2;
            else if (p->copy || p->rh > 1) break;
            else return 1;
        }
        if (p->kcb * p->ihb * row <= cap) {
            /* chunks of equal size: no short last chunk */
            if (!p->dwc) p->kcb = ceil_div(p->cb, ceil_div(p->cb, p->kcb));
            nchwc_even_strips(t, g, c, p);
            /* weights past the L2's chunk budget that outweigh the
             * activations come from memory once, block by block: the tiles
             * prefetch the next block */
            p->wpf = wbig && !p->fewm && nchwc_weight_floats(g, c, p) > t->nchwc_wchunk;
            return 1;
        }
        if (p->rh == 1) return !p->copy; /* multi-row tiles need the whole plane in one strip */
    }
    (void)n;
    return 0;
}

/* Weights packed for conv_nchwc: group 1 as [MB/OCB][CB][KH][KW][c][OCB][c],
 * depthwise as [CB][KH][KW][c]; zero past C and M. */
static const char *pack_nchwc_weights(Lowering *L, const Node *n, const float *w, const ConvGeom *g,
                                      const NchwcPlan *p, int c)
{
    int64_t taps = g->k[0] * g->k[1], ng = (p->mb + p->ocb - 1) / p->ocb;
    int64_t count = p->dwc ? p->cb * taps * c : p->fewm ? p->cb * taps * g->m * c : ng * p->cb * taps * c * p->ocb * c;
    float *wp = arena_alloc_array(lower_arena(L), (size_t)count, sizeof(float));
    memset(wp, 0, (size_t)count * sizeof(float));
    if (p->fewm) { /* [CB][KH][KW][M][c input channels] */
        for (int64_t m = 0; m < g->m; m++)
            for (int64_t ci = 0; ci < g->c; ci++)
                for (int64_t t = 0; t < taps; t++)
                    wp[(((ci / c) * taps + t) * g->m + m) * c + ci % c] = w[(m * g->c + ci) * taps + t];
    } else if (p->dwc) {
        for (int64_t ch = 0; ch < g->c; ch++)
            for (int64_t t = 0; t < taps; t++) wp[((ch / c) * taps + t) * c + ch % c] = w[ch * taps + t];
    } else {
        for (int64_t m = 0; m < g->m; m++)
            for (int64_t ci = 0; ci < g->c; ci++)
                for (int64_t t = 0; t < taps; t++) {
                    int64_t og = m / c / p->ocb, o = m / c % p->ocb;
                    wp[((((og * p->cb + ci / c) * taps + t) * c + ci % c) * p->ocb + o) * c + m % c] =
                        w[(m * g->c + ci) * taps + t];
                }
    }
    return tile_constant(L, n, "packed weights", wp, count);
}

/* One conv_nchwc call for node n with geometry g (already bound in kp) and
 * weights w in Conv layout [M][C/group][KH][KW]: its output at `yoff` floats
 * into n's output, rows and columns YSH and YSW apart in a YOH x YOW plane
 * (1, 1, OH, OW for a Conv). bias: the padded bias constant, or NULL. */
static void emit_conv_nchwc(Lowering *L, const Node *n, const ConvGeom *g, KParams *kp, const float *w,
                            const int64_t ygeom[4], int64_t yoff, const char *bias)
{
    int c = n->out[0]->layout;
    NchwcPlan p;
    if (!nchwc_plan(tuning_of(lower_graph(L)), n, g, c, n->in[0]->layout == c, &p))
        nnc_fail_node(n, "internal: no channel-blocked plan");
    static const char *const names[] = {"CB",  "MB",  "OCB", "RW",  "RH",  "SR",  "KCB",
                                        "IHB", "IWP", "YOH", "YOW", "YSH", "YSW"};
    const int64_t vals[] = {p.cb,  p.mb,  p.ocb,    p.rw,     p.rh,     p.sr,     p.kcb,
                            p.ihb, p.iwp, ygeom[0], ygeom[1], ygeom[2], ygeom[3]};
    for (int i = 0; i < 13; i++) kp_int(L, kp, names[i], vals[i]);
    kp_int(L, kp, "XBLK", p.xblk);
    kp_int(L, kp, "DWC", p.dwc);
    kp_int(L, kp, "COPY", p.copy);
    kp_int(L, kp, "FEWM", p.fewm);
    kp_int(L, kp, "WPF", p.wpf);
    Tensor *res = op_bind_epilogue(L, kp, n, DT_FLOAT);
    tile_bind_vact(L, kp, n);
    const char *fn = lower_kernel(L, n, "conv_nchwc", kp);
    Arena *a = lower_arena(L);
    const char *yref = lower_ref(L, n->out[0]), *rref = res ? lower_ref(L, res) : NULL;
    if (yoff) {
        yref = arena_printf(a, "%s + %lld", yref, (long long)yoff);
        rref = rref ? arena_printf(a, "%s + %lld", rref, (long long)yoff) : NULL;
    }
    /* the copy buffer (KERNEL_BL lanes a position): workspace scratch */
    int64_t bl = p.xblk || p.cb > 1 ? c : g->c, buf = p.kcb * p.ihb * p.iwp * bl * (int64_t)sizeof(float);
    const char *args[6] = {lower_ref(L, n->in[0]), pack_nchwc_weights(L, n, w, g, &p, c), bias, rref, yref,
                           p.copy ? lower_scratch(L, buf) : NULL};
    /* work units as the template counts them: image x row strip x output group */
    int64_t groups = p.dwc ? p.cb : (p.mb + p.ocb - 1) / p.ocb, strips = (g->out[0] + p.sr - 1) / p.sr;
    /* the work is that of MB whole blocks of output lanes (a 5-channel
     * output computes 16 lanes for 5 on avx512), except under FEWM, whose
     * lanes are input channels */
    int64_t flops = 2 * g->n * g->out[0] * g->out[1] * (p.fewm ? g->m : p.mb * c) * (g->c / g->group) * g->k[0] * g->k[1];
    lower_call_par(L, fn, 6, args, g->n * strips * groups, flops);
}

/* The bias padded to MB * c floats for conv_nchwc, or NULL without one. */
static const char *nchwc_bias(Lowering *L, const Node *n, int64_t m, int c)
{
    const Tensor *b = node_input(n, 2);
    if (!b) return NULL;
    if (!b->data) nnc_fail_node(n, "internal: channel-blocked Conv needs a constant bias");
    int64_t mb = (m + c - 1) / c;
    float *bp = arena_alloc_array(lower_arena(L), (size_t)(mb * c), sizeof(float));
    memset(bp, 0, (size_t)(mb * c) * sizeof(float));
    memcpy(bp, b->data, (size_t)b->dims[0] * sizeof(float));
    return tile_constant(L, n, "padded bias", bp, mb * c);
}

static void lower_conv_nchwc(Lowering *L, const Node *n, const ConvGeom *g, KParams *kp)
{
    const int64_t ygeom[4] = {g->out[0], g->out[1], 1, 1};
    emit_conv_nchwc(L, n, g, kp, node_input(n, 1)->data, ygeom, 0, nchwc_bias(L, n, g->m, n->out[0]->layout));
}

/* A 3x3 stride-1 convolution on a plane this large runs the Winograd
 * kernel (blocked on a blocked input, else plain), which beats the direct
 * one there (measured on ResNet-18, Zen 4: 56x56 to 14x14 faster with
 * Winograd, 7x7 slower; Zen 5, blocked: 7x7 faster too): C, M and the
 * plane against the tuning's wino_min_ch and wino_min_plane (16, 144; the
 * full-rate AVX-512 row 49), or whatever --tune winograd= forces. */
static int conv_prefers_winograd(const Tuning *t, const ConvGeom *g)
{
    int fits = g->nsp == 2 && g->group == 1 && g->k[0] == 3 && g->k[1] == 3 && g->stride[0] == 1 &&
               g->stride[1] == 1 && g->dil[0] == 1 && g->dil[1] == 1;
    if (!fits || t->winograd != WINO_AUTO) return fits && (t->winograd == WINO_F4 || t->winograd == WINO_F2);
    return g->c >= t->wino_min_ch && g->m >= t->wino_min_ch && g->out[0] * g->out[1] >= t->wino_min_plane;
}

/* Whether some node reading t (as its data input) can take it channel-blocked:
 * a Conv or ConvTranspose that would run blocked on a blocked input (the
 * ConvTranspose test is the AVX-512 one, whose copy buffer is the larger),
 * or a pool. */
static int convt_blocked_ok(const Tuning *t, const Node *n, const ConvGeom *g, int c, int xblk);

static int feeds_blocked_reader(const Graph *gr, const Tensor *t)
{
    for (int i = 0; i < gr->n_nodes; i++) {
        const Node *r = gr->nodes[i];
        if (r->n_in < 1 || r->in[0] != t) continue;
        if (r->op == OP_MaxPool || r->op == OP_AveragePool || r->op == OP_GlobalAveragePool ||
            r->op == OP_GlobalMaxPool)
            return 1;
        if (r->op == OP_ConvTranspose && node_input(r, 1) && node_input(r, 1)->data) {
            ConvGeom g;
            conv_transpose_geometry(r, &g);
            if (convt_blocked_ok(tuning_of(gr), r, &g, 16, 1)) return 1;
        }
        if (r->op == OP_Conv && node_input(r, 1) && node_input(r, 1)->data) {
            ConvGeom g;
            conv_geometry(r, &g);
            if (g.nsp == 2 && (conv_is_depthwise(&g) || (g.group == 1 && !conv_prefers_winograd(tuning_of(gr), &g))))
                return 1;
        }
    }
    return 0;
}

/* Layout pass (see LayoutUse, ir/ops.h): a float 2-D Conv with constant
 * weights (and bias) writes channel-blocked output through conv_nchwc,
 * reading its input in either layout, its fused residual blocked. Depthwise
 * only when its input is already blocked; group 1 unless Winograd is the
 * better kernel, and with a plain input only when a reader of its output
 * can take it blocked, or the convolution is heavy enough (C*KH*KW >= 1024
 * multiply-adds per output) that converting its output back costs little. */
/* The part of layout_conv and layout_conv_transpose that is the same: a
 * float 4-D input and constant weights and bias (else 0, no blocked run). */
static int nchwc_candidate(const Node *n, int c)
{
    const Tensor *w = node_input(n, 1), *b = node_input(n, 2);
    return c > 0 && n->in[0]->dtype == DT_FLOAT && n->in[0]->rank == 4 && w->data && (!b || b->data);
}

/* Input 0 in either layout, the fused residual blocked, the output blocked;
 * with a plain input only when `macs` (multiply-adds per output) reaches
 * 1024 (Tuning.nchwc_min_macs; --tune blocked=1 makes it 0) or a reader of
 * the output can take it blocked. */
static LayoutUse nchwc_use(const Graph *gr, const Node *n, int xblk, int64_t macs)
{
    LayoutUse u = {0, 1u, 1};
    if (!xblk && macs < tuning_of(gr)->nchwc_min_macs && !feeds_blocked_reader(gr, n->out[0]))
        return (LayoutUse){0, 0, 0};
    if (n->epi.residual) u.blocked = 1u << n->epi.residual;
    return u;
}

LayoutUse layout_conv(const Graph *gr, const Node *n, int c)
{
    if (!nchwc_candidate(n, c)) return (LayoutUse){0, 0, 0};
    ConvGeom g;
    conv_geometry(n, &g);
    int xblk = n->in[0]->layout == c;
    NchwcPlan p;
    const Tuning *t = tuning_of(gr);
    if (!nchwc_plan(t, n, &g, c, xblk, &p)) return (LayoutUse){0, 0, 0};
    if (conv_prefers_winograd(t, &g)) {
        /* Winograd reads a blocked input in place and writes blocked (its
         * residual too): a patch point of a tile is one vector load of a
         * channel block, an output position one vector store. A plain
         * input stays plain. (Plain, each patch point is a gather of 16
         * tiles' or channels' values, and the outputs are transposed to
         * rows: with ResNet-18's layer1-3 plain, and converted to and from
         * the blocked layers around them, the model ran 14.4 ms on 1
         * thread and 9.1 on 2; blocked, 12.9 and 7.7 (Zen 5).) If the
         * kernel does not apply after all, conv_nchwc runs it. */
        if (!xblk) return (LayoutUse){0, 0, 0};
        return nchwc_use(gr, n, 1, 0);
    }
    return nchwc_use(gr, n, xblk, g.c / g.group * g.k[0] * g.k[1]);
}

/* A call of the generic conv or conv_transpose kernel fn (x, w, b, res, y),
 * split over its work units, the N * M output channel planes. */
static void lower_call_planes(Lowering *L, const Node *n, const char *fn, const Tensor *res, const ConvGeom *g,
                              int64_t flops)
{
    const Tensor *b = node_input(n, 2);
    const char *args[5] = {lower_ref(L, n->in[0]), lower_ref(L, n->in[1]), b ? lower_ref(L, b) : NULL,
                           res ? lower_ref(L, res) : NULL, lower_ref(L, n->out[0])};
    lower_call_par(L, fn, 5, args, g->n * g->m, flops);
}

void lower_conv(Lowering *L, const Node *n)
{
    ConvGeom g;
    conv_geometry(n, &g);
    KParams p = {0};
    bind_geometry(L, &p, n, &g);
    if (n->out[0]->layout > 0) {
        /* a Winograd layer on a blocked input (layout_conv) */
        const Tensor *res = n->epi.residual ? n->in[n->epi.residual] : NULL;
        if (n->in[0]->layout == n->out[0]->layout && (!res || res->layout == n->out[0]->layout) &&
            conv_prefers_winograd(tuning_of(lower_graph(L)), &g) && lower_conv_wino(L, n, &g, &p, n->out[0]->layout))
            return;
        lower_conv_nchwc(L, n, &g, &p);
        return;
    }
    if (lower_conv_simd(L, n, &g, &p)) return;
    Tensor *res = op_bind_epilogue(L, &p, n, n->in[0]->dtype);
    const char *fn = lower_kernel(L, n, "conv", &p);
    lower_call_planes(L, n, fn, res, &g, flops_conv(n));
}

/* SIMD targets: a float ConvTranspose of a 1x1 input (a GAN generator's
 * first layer: the latent vector to a k x k map), group 1, no padding or
 * dilation, is a product Y[N, M*KK] = X[N, C] W[C, M*KK] + bias[m]: the
 * output is W's rows, scaled and summed. gemm_packed runs it with the
 * weights as its B packed at compile time (at batch 1 a matrix-vector
 * product, each column panel read once from start to end) instead of
 * conv_transpose_gemm, whose tile would hold one input position in a
 * vector of NR positions. Returns 0 when it does not apply. */
static int lower_conv_transpose_gemv(Lowering *L, const Node *n, const ConvGeom *g)
{
    TileShape ts;
    const Tensor *wt = node_input(n, 1), *bias = node_input(n, 2);
    if (!tile_shape(L, &ts) || n->in[0]->dtype != DT_FLOAT || !wt->data || g->group != 1 ||
        (bias && (!bias->data || bias->dtype != DT_FLOAT)))
        return 0;
    int64_t kk = 1;
    for (int i = 0; i < g->nsp; i++) {
        if (g->in[i] != 1 || g->dil[i] != 1 || g->pad_begin[i] || g->pad_end[i] || g->out[i] != g->k[i]) return 0;
        kk *= g->k[i];
    }
    int64_t nn = g->m * kk;
    KParams p = {0};
    kp_type(L, &p, "T", DT_FLOAT);
    kp_int(L, &p, "M", g->n);
    kp_int(L, &p, "N", nn);
    kp_int(L, &p, "K", g->c);
    kp_int(L, &p, "TRANS_A", 0);
    kp_int(L, &p, "TRANS_B", 0);
    kp_float(L, &p, "ALPHA", 1.0f, DT_FLOAT);
    kp_float(L, &p, "BETA", 1.0f, DT_FLOAT);
    kp_int(L, &p, "CSM", 0);
    kp_int(L, &p, "CSN", 1);
    kp_int(L, &p, "C_MODE", bias ? 1 : 0); /* the bias of each output, per column */
    kp_int(L, &p, "B_PACKED", 1);
    const char *bref = tile_pack_b(L, n, wt->data, g->c, nn, nn, 1, 1.0f, ts.nr), *cref = NULL;
    if (bias) {
        float *cb = arena_alloc_array(lower_arena(L), (size_t)nn, sizeof(float));
        for (int64_t j = 0; j < nn; j++) cb[j] = ((const float *)bias->data)[j / kk];
        cref = tile_constant(L, n, "bias per output", cb, nn);
    }
    Tensor *res = tile_bind(L, &p, n, &ts);
    const char *fn = lower_kernel(L, n, "gemm_packed", &p);
    const char *args[6] = {lower_ref(L, n->in[0]), bref, cref, res ? lower_ref(L, res) : NULL,
                           lower_ref(L, n->out[0]), NULL};
    lower_call_par(L, fn, 6, args, tile_units(&ts, g->n, nn), 2 * g->n * g->c * nn);
    return 1;
}

/* Largest packed-input block (CG * NCT floats of scratch) of conv_transpose_gemm. */
#define CT_BP_MAX 32768

/* SIMD targets: float ConvTranspose with constant weights as a GEMM of the
 * packed W^T[MG*KK, CG] by the input, scattered (col2im) into the output tile
 * by tile (template conv_transpose_gemm). Returns 0 when the generic kernel
 * must do. */
static int lower_conv_transpose_simd(Lowering *L, const Node *n, const ConvGeom *g, KParams *p)
{
    TileShape ts;
    const Tensor *wt = node_input(n, 1);
    if (!tile_shape(L, &ts) || n->in[0]->dtype != DT_FLOAT || !wt->data) return 0;
    int64_t cg = g->c / g->group, mg = g->m / g->group, kk = 1, np = 1;
    for (int i = 0; i < g->nsp; i++) {
        kk *= g->k[i];
        np *= g->in[i];
    }
    if (cg * ts.nr > CT_BP_MAX) return 0;
    int64_t rows = mg * kk, rpan = (rows + ts.mr - 1) / ts.mr;
    int64_t nct = CT_BP_MAX / cg / ts.nr * ts.nr, npr = (np + ts.nr - 1) / ts.nr * ts.nr;
    if (nct > npr) nct = npr;
    /* wp[g][panel][ci][MR] = W[g*CG + ci][r] with r = m*KK + k, zero past rows */
    const float *w = wt->data;
    int64_t count = g->group * rpan * cg * ts.mr;
    float *wp = arena_alloc_array(lower_arena(L), (size_t)count, sizeof(float));
    memset(wp, 0, (size_t)count * sizeof(float));
    for (int64_t gi = 0; gi < g->group; gi++)
        for (int64_t ci = 0; ci < cg; ci++)
            for (int64_t r = 0; r < rows; r++)
                wp[((gi * rpan + r / ts.mr) * cg + ci) * ts.mr + r % ts.mr] = w[(gi * cg + ci) * rows + r];
    const char *wref = tile_constant(L, n, "packed weights", wp, count);
    kp_int(L, p, "KK", kk);
    kp_int(L, p, "RPAN", rpan);
    kp_int(L, p, "NCT", nct);
    kp_int(L, p, "MR", ts.mr);
    kp_int(L, p, "NR", ts.nr);
    Tensor *res = op_bind_epilogue(L, p, n, DT_FLOAT);
    tile_bind_vact(L, p, n);
    kp_str(L, p, "TILE", tile_plain(L, n, 0));
    const char *fn = lower_kernel(L, n, "conv_transpose_gemm", p);
    const char *args[6] = {lower_ref(L, n->in[0]), wref, node_input(n, 2) ? lower_ref(L, node_input(n, 2)) : NULL,
                           res ? lower_ref(L, res) : NULL, lower_ref(L, n->out[0]),
                           lower_scratch(L, cg * nct * (int64_t)sizeof(float))};
    /* work units: output channel planes */
    lower_call_par(L, fn, 6, args, g->n * g->m, flops_conv_transpose(n));
    return 1;
}

/* ---- ConvTranspose as SH x SW stride-1 convolutions (one per output phase) ---- */

/* Along dim d of a stride-S ConvTranspose with kernel K (K % S == 0): the
 * outputs of phase ph (o = ph + S q) read inputs i = q + off over the K/S
 * taps k = r + S t, r = (ph + P) mod S, off = (ph + P - k) / S. That is a
 * stride-1 Conv of kernel K/S over the input with pad_begin -min(off);
 * kmap[a] is the ConvTranspose kernel index of the Conv's tap a (taps in
 * increasing input order). Returns 0 when it would need a negative pad. */
static int convt_phase(const ConvGeom *g, int d, int64_t ph, int64_t *kmap, int64_t *out, int64_t *pb, int64_t *pe)
{
    int64_t s = g->stride[d], kq = g->k[d] / s, r = (ph + g->pad_begin[d]) % s;
    for (int64_t a = 0; a < kq; a++) kmap[a] = r + s * (kq - 1 - a);
    *out = g->out[d] > ph ? (g->out[d] - ph + s - 1) / s : 0;
    *pb = kq - 1 - (ph + g->pad_begin[d] - r) / s;
    int64_t last = *out - 1 + kq - 1 - *pb; /* the last input read */
    *pe = last > g->in[d] - 1 ? last - (g->in[d] - 1) : 0;
    return *pb >= 0;
}

#define CONVT_KQ_MAX 64

/* Conv geometry q of phase (py, px); kmy/kmx as in convt_phase. 0 if the
 * phase needs a negative pad or its kernel is too large. */
static int convt_phase_geom(const ConvGeom *g, int64_t py, int64_t px, ConvGeom *q, int64_t *kmy, int64_t *kmx)
{
    *q = *g;
    q->group = 1;
    for (int d = 0; d < 2; d++) {
        int64_t ph = d ? px : py, *km = d ? kmx : kmy;
        if (g->k[d] / g->stride[d] > CONVT_KQ_MAX) return 0;
        if (!convt_phase(g, d, ph, km, &q->out[d], &q->pad_begin[d], &q->pad_end[d])) return 0;
        q->k[d] = g->k[d] / g->stride[d];
        q->stride[d] = 1;
    }
    return 1;
}

/* A 2-D float ConvTranspose conv_nchwc can run as phases: group 1, no
 * dilation, each kernel extent a multiple of its stride, every phase with a
 * plan, and few taps falling on the zero border: the phases do
 * C*M*(K/S)^2 multiply-adds per output where the ConvTranspose does
 * C*M*K^2 per input, so OH*OW must stay within 1.25 * S^2 * IH*IW (a 4x4
 * stride-1 ConvTranspose of a 1x1 input would do 16 times the work). */
static int convt_blocked_ok(const Tuning *t, const Node *n, const ConvGeom *g, int c, int xblk)
{
    if (g->nsp != 2 || g->group != 1 || g->dil[0] != 1 || g->dil[1] != 1) return 0;
    if (4 * g->out[0] * g->out[1] > 5 * g->stride[0] * g->stride[1] * g->in[0] * g->in[1]) return 0;
    for (int d = 0; d < 2; d++)
        if (g->k[d] % g->stride[d]) return 0;
    int64_t kmy[CONVT_KQ_MAX], kmx[CONVT_KQ_MAX];
    ConvGeom q;
    NchwcPlan p;
    for (int64_t py = 0; py < g->stride[0]; py++)
        for (int64_t px = 0; px < g->stride[1]; px++)
            if (!convt_phase_geom(g, py, px, &q, kmy, kmx) ||
                (q.out[0] > 0 && q.out[1] > 0 && !nchwc_plan(t, n, &q, c, xblk, &p)))
                return 0;
    return 1;
}

/* Channel-blocked output: one conv_nchwc call per output phase, each with
 * the phase's taps of W[C][M][KH][KW] as a Conv weight [M][C][KH/SH][KW/SW]. */
static void lower_conv_transpose_nchwc(Lowering *L, const Node *n, const ConvGeom *g)
{
    int c = n->out[0]->layout;
    const char *bias = nchwc_bias(L, n, g->m, c);
    const float *w = node_input(n, 1)->data;
    int64_t kmy[CONVT_KQ_MAX], kmx[CONVT_KQ_MAX];
    for (int64_t py = 0; py < g->stride[0]; py++)
        for (int64_t px = 0; px < g->stride[1]; px++) {
            ConvGeom q;
            if (!convt_phase_geom(g, py, px, &q, kmy, kmx)) nnc_fail_node(n, "internal: no transposed phase");
            if (q.out[0] <= 0 || q.out[1] <= 0) continue;
            int64_t kk = q.k[0] * q.k[1], count = g->m * g->c * kk;
            float *wq = arena_alloc_array(lower_arena(L), (size_t)count, sizeof(float));
            for (int64_t m = 0; m < g->m; m++)
                for (int64_t ci = 0; ci < g->c; ci++)
                    for (int64_t a = 0; a < q.k[0]; a++)
                        for (int64_t b = 0; b < q.k[1]; b++)
                            wq[((m * g->c + ci) * q.k[0] + a) * q.k[1] + b] =
                                w[((ci * g->m + m) * g->k[0] + kmy[a]) * g->k[1] + kmx[b]];
            KParams kp = {0};
            bind_geometry(L, &kp, n, &q);
            const int64_t ygeom[4] = {g->out[0], g->out[1], g->stride[0], g->stride[1]};
            emit_conv_nchwc(L, n, &q, &kp, wq, ygeom, (py * g->out[1] + px) * c, bias);
        }
}

/* Layout pass: a ConvTranspose that convt_blocked_ok accepts writes blocked
 * output, on the same terms as layout_conv. */
LayoutUse layout_conv_transpose(const Graph *gr, const Node *n, int c)
{
    if (!nchwc_candidate(n, c)) return (LayoutUse){0, 0, 0};
    ConvGeom g;
    conv_transpose_geometry(n, &g);
    int xblk = n->in[0]->layout == c;
    if (!convt_blocked_ok(tuning_of(gr), n, &g, c, xblk)) return (LayoutUse){0, 0, 0};
    return nchwc_use(gr, n, xblk, g.c * g.k[0] * g.k[1] / (g.stride[0] * g.stride[1]));
}

void lower_conv_transpose(Lowering *L, const Node *n)
{
    ConvGeom g;
    conv_transpose_geometry(n, &g);
    KParams p = {0};
    bind_geometry(L, &p, n, &g);
    if (n->out[0]->layout > 0) {
        lower_conv_transpose_nchwc(L, n, &g);
        return;
    }
    if (lower_conv_transpose_gemv(L, n, &g) || lower_conv_transpose_simd(L, n, &g, &p)) return;
    Tensor *res = op_bind_epilogue(L, &p, n, n->in[0]->dtype);
    const char *fn = lower_kernel(L, n, "conv_transpose", &p);
    lower_call_planes(L, n, fn, res, &g, flops_conv_transpose(n));
}
