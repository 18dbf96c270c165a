/* resample.c — Resize (opsets 10, 11, 13), Upsample (1, 7, 9), DepthToSpace
 * and SpaceToDepth.
 *
 * Resize's scales, sizes and roi must be constants: they fix the output
 * shape. Every coordinate transformation (coordinate_transformation_mode,
 * nearest_mode, cubic_coeff_a, exclude_outside, the tf_crop_and_resize crop)
 * is then resolved here, in double, into per-axis tap tables (input index,
 * weight) that the kernel only sums; interpolation is separable, so an N-D
 * tap is the product of one tap per axis. The formulas follow the ONNX
 * reference implementation (onnx/backend/test/case/node/resize.py); Resize-10
 * and Upsample use the asymmetric transform and ONNX Runtime's nearest rule
 * (floor when enlarging, ceil when shrinking).
 *
 * DepthToSpace and SpaceToDepth are 6-D transposes, lowered onto the
 * transpose template. */
#include "common.h"

#include <math.h>
#include <string.h>

/* ---- Resize and Upsample: attributes ---- */
typedef enum { RS_NEAREST, RS_LINEAR, RS_CUBIC } ResizeMode;
typedef enum { CT_HALF_PIXEL, CT_PYTORCH_HALF_PIXEL, CT_ALIGN_CORNERS, CT_ASYMMETRIC, CT_TF_HALF_PIXEL_FOR_NN,
               CT_TF_CROP_AND_RESIZE } CoordMode;
typedef enum { NM_ROUND_PREFER_FLOOR, NM_ROUND_PREFER_CEIL, NM_FLOOR, NM_CEIL, NM_SIMPLE } NearestMode;

typedef struct ResizeAttrs {
    ResizeMode mode;
    CoordMode coord;
    NearestMode nearest;
    double cubic_a, extrapolation;
    int exclude_outside;
} ResizeAttrs;

/* Index of s in the NULL-terminated list names, or fail. */
static int pick(const Node *n, const char *attr, const char *s, const char *const *names)
{
    for (int i = 0; names[i]; i++)
        if (strcmp(s, names[i]) == 0) return i;
    nnc_fail_node(n, "unknown %s '%s'", attr, s);
}

/* Resize-10, Upsample: the legacy semantics (no coordinate attributes). */
static int resize_is_legacy(const Node *n) { return n->op == OP_Upsample || n->opset < 11; }

static ResizeAttrs resize_attrs(const Node *n)
{
    static const char *const modes[] = {"nearest", "linear", "cubic", NULL};
    static const char *const coords[] = {"half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric",
                                         "tf_half_pixel_for_nn", "tf_crop_and_resize", NULL};
    static const char *const nearests[] = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil", NULL};
    ResizeAttrs a;
    memset(&a, 0, sizeof a);
    const char *m = node_attr_str(n, "mode", "nearest");
    if (n->op == OP_Upsample && n->opset < 7 && strcmp(m, "bilinear") == 0) m = "linear"; /* Upsample-1 */
    a.mode = (ResizeMode)pick(n, "mode", m, modes);
    if (resize_is_legacy(n)) {
        if (a.mode == RS_CUBIC) nnc_fail_node(n, "mode 'cubic' needs Resize opset 11");
        a.coord = CT_ASYMMETRIC;
        a.nearest = NM_SIMPLE;
        return a;
    }
    a.coord = (CoordMode)pick(n, "coordinate_transformation_mode",
                              node_attr_str(n, "coordinate_transformation_mode", "half_pixel"), coords);
    if (a.coord == CT_TF_HALF_PIXEL_FOR_NN && n->opset >= 13)
        nnc_fail_node(n, "coordinate_transformation_mode 'tf_half_pixel_for_nn' was removed in opset 13");
    a.nearest = (NearestMode)pick(n, "nearest_mode", node_attr_str(n, "nearest_mode", "round_prefer_floor"),
                                  nearests);
    a.cubic_a = node_attr_float(n, "cubic_coeff_a", -0.75f);
    a.exclude_outside = node_attr_int(n, "exclude_outside", 0) != 0;
    a.extrapolation = node_attr_float(n, "extrapolation_value", 0.0f);
    return a;
}

/* ---- Resize and Upsample: scales, sizes and roi ---- */
typedef struct ResizeShape {
    int rank;
    int from_sizes;                 /* output sizes given (else scales) */
    double scale[NNC_MAX_RANK];     /* output / input length */
    double roi[2 * NNC_MAX_RANK];   /* crop start and end per axis (tf_crop_and_resize) */
    int64_t out[NNC_MAX_RANK];
} ResizeShape;

/* A constant float input with `count` values (NULL when omitted or empty). */
static const Tensor *resize_float_input(const Node *n, int k, const char *what, int count)
{
    const Tensor *t = node_input(n, k);
    if (!t || (t->rank == 1 && t->dims[0] == 0)) return NULL;
    if (!dtype_is_float(t->dtype)) nnc_fail_node(n, "%s must be a float tensor", what);
    if (!t->data) nnc_fail_node(n, "input '%s' (%s) must be a constant (computed at compile time)", t->name, what);
    if (t->rank != 1 || t->dims[0] != count) nnc_fail_node(n, "%s must hold %d values", what, count);
    return t;
}

/* Where scales and sizes are for this op and opset: input indices (-1: none). */
static void resize_inputs(const Node *n, int *k_roi, int *k_scales, int *k_sizes)
{
    *k_roi = *k_scales = *k_sizes = -1;
    if (n->op == OP_Upsample) {
        if (n->opset >= 9) *k_scales = 1;
        if (n->opset >= 9 ? !node_input(n, 1) || n->n_in > 2 : node_input(n, 1) != NULL)
            nnc_fail_node(n, "Upsample-%d takes %s", n->opset, n->opset >= 9 ? "X and scales" : "X only");
    } else if (n->opset < 11) {
        *k_scales = 1;
        if (!node_input(n, 1) || n->n_in > 2) nnc_fail_node(n, "Resize-10 takes X and scales");
    } else {
        *k_roi = 1;
        *k_scales = 2;
        *k_sizes = 3;
        if (n->opset < 13 && (!node_input(n, 1) || !node_input(n, 2)))
            nnc_fail_node(n, "Resize-11 needs the roi and scales inputs (they may be empty)");
    }
}

/* Upsample-1 and -7 give the scales as attributes. */
static void upsample_attr_scales(const Node *n, int r, double *sv)
{
    if (n->opset < 7) { /* Upsample-1: NCHW, height_scale and width_scale */
        if (r != 4) nnc_fail_node(n, "Upsample-1 needs a 4-D input");
        if (!node_attr(n, "height_scale") || !node_attr(n, "width_scale"))
            nnc_fail_node(n, "attributes 'height_scale' and 'width_scale' are required");
        double v[4] = {1, 1, node_attr_float(n, "height_scale", 1), node_attr_float(n, "width_scale", 1)};
        memcpy(sv, v, sizeof v);
        return;
    }
    const float *f;
    int cnt = node_attr_floats(n, "scales", &f);
    if (cnt < 0) nnc_fail_node(n, "attribute 'scales' is required");
    if (cnt != r) nnc_fail_node(n, "attribute 'scales' must hold %d values", r);
    for (int i = 0; i < r; i++) sv[i] = f[i];
}

/* The output length and scale of axis i from a scale factor or a size. */
static void resize_axis_length(const Node *n, ResizeShape *s, int i, int64_t in, double scale, const Tensor *sizes)
{
    if (sizes) {
        s->out[i] = tensor_get_int(sizes, i);
        if (s->out[i] < 0 || s->out[i] > NNC_MAX_ELEMS)
            nnc_fail_node(n, "sizes[%d] = %lld is out of range", i, (long long)s->out[i]);
        if (in == 0 && s->out[i] != 0) nnc_fail_node(n, "cannot resize the empty dimension %d", i);
        s->scale[i] = in ? (double)s->out[i] / (double)in : 1;
        return;
    }
    if (!(scale > 0) || scale > 1e9) nnc_fail_node(n, "scales[%d] = %g is not a positive scale", i, scale);
    double o = floor(scale * (double)in);
    if (o > (double)NNC_MAX_ELEMS) nnc_fail_node(n, "the output is too large");
    s->out[i] = (int64_t)o;
    s->scale[i] = scale;
}

/* Output shape, scales and crop of a Resize or Upsample node. */
static void resize_shape(const Node *n, const ResizeAttrs *a, ResizeShape *s)
{
    const Tensor *x = n->in[0];
    int r = x->rank, k_roi, k_scales, k_sizes;
    memset(s, 0, sizeof *s);
    s->rank = r;
    if (r < 1) nnc_fail_node(n, "input must have rank 1 or more");
    resize_inputs(n, &k_roi, &k_scales, &k_sizes);
    const Tensor *sc = k_scales >= 0 ? resize_float_input(n, k_scales, "scales", r) : NULL;
    const Tensor *sz = k_sizes >= 0 ? node_input(n, k_sizes) : NULL;
    if (sz && sz->rank == 1 && sz->dims[0] == 0) sz = NULL;
    double sv[NNC_MAX_RANK] = {0};
    if (n->op == OP_Upsample && n->opset < 9) upsample_attr_scales(n, r, sv);
    else if (sc && sz) nnc_fail_node(n, "give either scales or sizes, not both");
    else if (!sc && !sz) nnc_fail_node(n, "one of scales and sizes is required");
    for (int i = 0; sc && i < r; i++) sv[i] = tensor_get_double(sc, i);
    if (sz && !sz->data) nnc_fail_node(n, "input '%s' (sizes) must be a constant (computed at compile time)", sz->name);
    if (sz && (sz->dtype != DT_INT64 || sz->rank != 1 || sz->dims[0] != r))
        nnc_fail_node(n, "sizes must be an INT64 tensor of %d values", r);
    s->from_sizes = sz != NULL;
    for (int i = 0; i < r; i++) {
        resize_axis_length(n, s, i, x->dims[i], sv[i], sz);
        s->roi[i] = 0;
        s->roi[r + i] = 1;
    }
    const Tensor *roi = a->coord == CT_TF_CROP_AND_RESIZE && k_roi >= 0 ? resize_float_input(n, k_roi, "roi", 2 * r)
                                                                         : NULL;
    for (int i = 0; roi && i < 2 * r; i++) s->roi[i] = tensor_get_double(roi, i);
}

/* Resize: X, [roi], [scales], [sizes] -> Y; Upsample: X, [scales] -> Y */
void shape_resize(Graph *g, Node *n)
{
    (void)g;
    const Tensor *x = n->in[0];
    ResizeAttrs a = resize_attrs(n);
    ResizeShape s;
    resize_shape(n, &a, &s);
    op_set_output(n, 0, x->dtype, x->rank, s.out);
}

/* ---- Resize and Upsample: tap tables ---- */
typedef struct ResizeAxis {
    int64_t in, out, stride; /* stride: of the input, in elements */
    int k;                   /* taps per output coordinate */
    int id;                  /* output i reads input i (one tap, weight 1) */
    int64_t *idx;            /* [out * k] clamped input indices */
    double *w;               /* [out * k] weights */
    unsigned char *ex;       /* [out] outside the crop: extrapolate */
} ResizeAxis;

/* Input coordinate of output coordinate xo on axis i (ONNX formulas). */
static double resize_coord(const ResizeAttrs *a, const ResizeShape *s, int i, int64_t in, int64_t xo)
{
    double x = (double)xo, sc = s->scale[i], len = (double)in;
    double ow = s->from_sizes ? (double)s->out[i] : sc * len; /* the reference's output_width */
    double r0 = s->roi[i], r1 = s->roi[s->rank + i];
    switch (a->coord) {
    case CT_HALF_PIXEL: return (x + 0.5) / sc - 0.5;
    case CT_PYTORCH_HALF_PIXEL: return ow > 1 ? (x + 0.5) / sc - 0.5 : 0;
    case CT_ALIGN_CORNERS: return ow == 1 ? 0 : x * (len - 1) / (ow - 1);
    case CT_ASYMMETRIC: return x / sc;
    case CT_TF_HALF_PIXEL_FOR_NN: return (x + 0.5) / sc;
    case CT_TF_CROP_AND_RESIZE:
        return (ow == 1 ? (r1 - r0) * (len - 1) / 2 : x * (r1 - r0) * (len - 1) / (ow - 1)) + r0 * (len - 1);
    }
    return 0;
}

static void cubic_coeffs(double r, double A, double *c)
{
    c[0] = ((A * (r + 1) - 5 * A) * (r + 1) + 8 * A) * (r + 1) - 4 * A;
    c[1] = ((A + 2) * r - (A + 3)) * r * r + 1;
    c[2] = ((A + 2) * (1 - r) - (A + 3)) * (1 - r) * (1 - r) + 1;
    c[3] = ((A * ((1 - r) + 1) - 5 * A) * ((1 - r) + 1) + 8 * A) * ((1 - r) + 1) - 4 * A;
}

/* The taps of output coordinate xo: k indices (unclamped) and weights. */
static void resize_taps(const ResizeAttrs *a, const ResizeShape *s, int i, int64_t in, double xf, int64_t *idx,
                        double *w)
{
    double f = floor(xf), ratio = xf - f;
    if (a->mode == RS_NEAREST) {
        int up;
        switch (a->nearest) {
        case NM_ROUND_PREFER_FLOOR: up = ratio > 0.5; break;
        case NM_ROUND_PREFER_CEIL: up = ratio >= 0.5; break;
        case NM_FLOOR: up = 0; break;
        case NM_CEIL: up = ratio > 0; break;
        default: up = s->scale[i] < 1 && ratio > 0; break; /* legacy: floor enlarging, ceil shrinking */
        }
        idx[0] = (int64_t)f + up;
        w[0] = 1;
        return;
    }
    if (ratio == 0) { /* on a sample: the reference takes the taps left of it, ratio 1 */
        f -= 1;
        ratio = 1;
    }
    int64_t base = (int64_t)f;
    if (a->mode == RS_LINEAR) {
        idx[0] = base;
        idx[1] = base + 1;
        w[0] = 1 - ratio;
        w[1] = ratio;
    } else {
        for (int t = 0; t < 4; t++) idx[t] = base - 1 + t;
        cubic_coeffs(ratio, a->cubic_a, w);
    }
    if (a->exclude_outside) {
        int k = a->mode == RS_LINEAR ? 2 : 4;
        double sum = 0;
        for (int t = 0; t < k; t++) {
            if (idx[t] < 0 || idx[t] >= in) w[t] = 0;
            sum += w[t];
        }
        for (int t = 0; t < k && sum != 0; t++) w[t] /= sum;
    }
}

static void resize_axis(Arena *ar, const ResizeAttrs *a, const ResizeShape *s, int i, ResizeAxis *ax)
{
    ax->k = a->mode == RS_NEAREST ? 1 : a->mode == RS_LINEAR ? 2 : 4;
    ax->idx = arena_alloc_array(ar, (size_t)(ax->out * ax->k) + 1, sizeof(int64_t));
    ax->w = arena_alloc_array(ar, (size_t)(ax->out * ax->k) + 1, sizeof(double));
    ax->ex = arena_alloc(ar, (size_t)ax->out + 1);
    int id = ax->in == ax->out;
    for (int64_t o = 0; o < ax->out; o++) {
        int64_t *idx = ax->idx + o * ax->k;
        double *w = ax->w + o * ax->k, xf = resize_coord(a, s, i, ax->in, o);
        if (a->coord == CT_TF_CROP_AND_RESIZE && (xf < 0 || xf > (double)(ax->in - 1))) {
            ax->ex[o] = 1;
            id = 0;
            continue;
        }
        /* far outside the input the reference pads no further than this */
        if (xf < -(double)ax->k) xf = -(double)ax->k;
        if (xf > (double)(ax->in + ax->k)) xf = (double)(ax->in + ax->k);
        resize_taps(a, s, i, ax->in, xf, idx, w);
        for (int t = 0; t < ax->k; t++) {
            idx[t] = idx[t] < 0 ? 0 : idx[t] >= ax->in ? ax->in - 1 : idx[t];
            if (w[t] != 0 && (w[t] != 1 || idx[t] != o)) id = 0;
        }
    }
    ax->id = id;
}

/* "{a, b, ...}" of the table entries of one axis. */
static const char *table_ints(Arena *ar, const int64_t *v, int64_t n, int64_t mul)
{
    Buf b = {0};
    buf_puts(&b, "{");
    for (int64_t i = 0; i < n; i++) buf_printf(&b, "%s%lld", i ? ", " : "", (long long)(v[i] * mul));
    if (n == 0) buf_puts(&b, "0");
    buf_puts(&b, "}");
    char *s = arena_strdup(ar, b.data);
    buf_free(&b);
    return s;
}

static const char *table_floats(Arena *ar, const double *v, int64_t n, DType as)
{
    Buf b = {0};
    buf_puts(&b, "{");
    for (int64_t i = 0; i < n; i++) buf_printf(&b, "%s%s", i ? ", " : "", c_float_literal(ar, v[i], as));
    if (n == 0) buf_puts(&b, "0");
    buf_puts(&b, "}");
    char *s = arena_strdup(ar, b.data);
    buf_free(&b);
    return s;
}

/* The element type's C literal of the extrapolation value. */
static const char *extrapolation_literal(Arena *ar, DType t, double v)
{
    if (dtype_is_float(t)) return c_float_literal(ar, v, t);
    if (t == DT_BOOL) return v != 0 ? "1" : "0";
    double lo = t == DT_INT8 ? -128.0 : t == DT_INT16 ? -32768.0 : t == DT_INT32 ? -2147483648.0
              : t == DT_INT64 ? -9223372036854775808.0 : 0;
    double hi = t == DT_INT8 ? 127.0 : t == DT_UINT8 ? 255.0 : t == DT_INT16 ? 32767.0 : t == DT_UINT16 ? 65535.0
              : t == DT_INT32 ? 2147483647.0 : t == DT_UINT32 ? 4294967295.0 : 9.2e18;
    v = v != v ? 0 : v < lo ? lo : v > hi ? hi : trunc(v);
    if (v <= -9223372036854775807.0) return "INT64_MIN";
    return arena_printf(ar, "((%s)%.0f)", dtype_ctype(t), v);
}

/* The kernel's conversion of the weighted sum `acc` to the element type. */
static const char *resize_conv(Lowering *L, DType t)
{
    static const struct { DType t; const char *lo, *hi; } lim[] = {
        {DT_INT8, "INT8_MIN", "INT8_MAX"}, {DT_INT16, "INT16_MIN", "INT16_MAX"},
        {DT_INT32, "INT32_MIN", "INT32_MAX"}, {DT_INT64, "INT64_MIN", "INT64_MAX"}, {DT_UINT8, "0", "UINT8_MAX"},
        {DT_UINT16, "0", "UINT16_MAX"}, {DT_UINT32, "0", "UINT32_MAX"}, {DT_UINT64, "0", "UINT64_MAX"}};
    if (dtype_is_float(t)) return "(T)acc";
    if (t == DT_BOOL) return "(T)(acc != 0)";
    for (size_t i = 0; i < sizeof lim / sizeof lim[0]; i++)
        if (lim[i].t == t) /* truncate like numpy's astype, saturating instead of undefined behaviour */
            return arena_printf(lower_arena(L),
                                "(acc != acc ? (T)0 : acc <= (TW)%s ? (T)%s : acc >= (TW)%s ? (T)%s : (T)acc)",
                                lim[i].lo, lim[i].lo, lim[i].hi, lim[i].hi);
    NNC_ASSERT(0);
    return NULL;
}

/* The kernel's loop axes: one per resized axis; runs of identity axes merge
 * into one and identity axes of length 1 vanish. Returns their count and
 * whether any output is extrapolated. */
/* Positions of one resized dim that nnc tabulates at most (a 1M-pixel row). */
#define RESIZE_AXIS_MAX ((int64_t)1 << 20)

static int resize_loop_axes(Lowering *L, const Node *n, const ResizeAttrs *a, const ResizeShape *s, ResizeAxis *ax,
                            int *extrap)
{
    const Tensor *x = n->in[0];
    int64_t xs[NNC_MAX_RANK];
    op_dense_strides(x->rank, x->dims, xs);
    int nl = 0;
    *extrap = 0;
    for (int i = 0; i < x->rank; i++) {
        /* each resized axis gets a table of source positions in the generated
         * code: bound it (a fuzzed 1 -> 16777215 axis made 600 MB of C) */
        if (s->out[i] > RESIZE_AXIS_MAX && (s->out[i] != x->dims[i] || a->coord == CT_TF_CROP_AND_RESIZE))
            nnc_fail_node(n, "resizes dim %d from %lld to %lld positions; nnc tabulates the source positions of "
                          "each resized dim and supports at most %lld", i, (long long)x->dims[i],
                          (long long)s->out[i], (long long)RESIZE_AXIS_MAX);
        ResizeAxis cur = {x->dims[i], s->out[i], xs[i], 1, 0, NULL, NULL, NULL};
        resize_axis(lower_arena(L), a, s, i, &cur);
        for (int64_t o = 0; o < cur.out; o++) *extrap |= cur.ex[o];
        if (cur.id && cur.out == 1) continue; /* nothing to index */
        if (cur.id && nl > 0 && ax[nl - 1].id) {
            ax[nl - 1].out *= cur.out;
            ax[nl - 1].stride = cur.stride;
            continue;
        }
        if (cur.id) cur.k = 1;
        ax[nl++] = cur;
    }
    if (nl > LOOP_RANK) nnc_fail_node(n, "resizes %d separate dims; at most %d are supported", nl, LOOP_RANK);
    return nl;
}

/* Bind loop slot d (Dd, Kd, IDd, STd, OFFd, Wd, EXd) to axis c (NULL: unit). */
static void bind_resize_slot(Lowering *L, KParams *p, int d, const ResizeAxis *c, int nearest, int extrap, DType tw)
{
    Arena *ar = lower_arena(L);
    int id = !c || c->id;
    kp_int(L, p, arena_printf(ar, "D%d", d), c ? c->out : 1);
    kp_int(L, p, arena_printf(ar, "K%d", d), c ? c->k : 1);
    kp_int(L, p, arena_printf(ar, "ID%d", d), id);
    kp_int(L, p, arena_printf(ar, "ST%d", d), c ? c->stride : 0);
    kp_str(L, p, arena_printf(ar, "OFF%d", d), id ? "{0}" : table_ints(ar, c->idx, c->out * c->k, c->stride));
    kp_str(L, p, arena_printf(ar, "W%d", d), id || nearest ? "{1}" : table_floats(ar, c->w, c->out * c->k, tw));
    kp_str(L, p, arena_printf(ar, "EX%d", d), "{0}");
    if (!id && extrap) {
        int64_t *e = arena_alloc_array(ar, (size_t)c->out + 1, sizeof(int64_t));
        for (int64_t o = 0; o < c->out; o++) e[o] = c->ex[o];
        kp_str(L, p, arena_printf(ar, "EX%d", d), table_ints(ar, e, c->out, 1));
    }
}

void lower_resize(Lowering *L, const Node *n)
{
    const Tensor *x = n->in[0];
    if (tensor_numel(n->out[0]) == 0) return;
    ResizeAttrs a = resize_attrs(n);
    ResizeShape s;
    resize_shape(n, &a, &s);
    ResizeAxis ax[NNC_MAX_RANK];
    int extrap, nl = resize_loop_axes(L, n, &a, &s, ax, &extrap);
    DType tw = x->dtype == DT_FLOAT ? DT_FLOAT : DT_DOUBLE;
    KParams p = {0};
    kp_type(L, &p, "T", x->dtype);
    kp_type(L, &p, "TW", tw);
    kp_int(L, &p, "NEAREST", a.mode == RS_NEAREST);
    kp_int(L, &p, "EXTRAP", extrap);
    kp_str(L, &p, "EXV", extrapolation_literal(lower_arena(L), x->dtype, a.extrapolation));
    kp_str(L, &p, "CONV", resize_conv(L, x->dtype));
    kp_int(L, &p, "SNAP", !dtype_is_float(x->dtype));
    for (int d = 0; d < LOOP_RANK; d++) {
        int i = d - (LOOP_RANK - nl);
        bind_resize_slot(L, &p, d, i >= 0 ? &ax[i] : NULL, a.mode == RS_NEAREST, extrap, tw);
    }
    const char *fn = lower_kernel(L, n, "resize", &p);
    Tensor *args[2] = {n->in[0], n->out[0]};
    lower_call(L, fn, 2, args, 0);
}

/* ---- DepthToSpace and SpaceToDepth ---- */
/* The op as a transpose: the 6-D view of the input (dims), the permutation
 * to the 6-D view of the output, and the output's 4-D shape. */
static void depth_space_view(const Node *n, int64_t *xd, int *perm, int64_t *out)
{
    const Tensor *x = n->in[0];
    if (x->rank != 4) nnc_fail_node(n, "input must be 4-D [N, C, H, W]");
    if (!node_attr(n, "blocksize")) nnc_fail_node(n, "attribute 'blocksize' is required");
    int64_t b = node_attr_int(n, "blocksize", 1), N = x->dims[0], C = x->dims[1], H = x->dims[2], W = x->dims[3];
    if (b < 1 || b > 65536) nnc_fail_node(n, "blocksize must be at least 1, got %lld", (long long)b);
    if (n->op == OP_DepthToSpace) {
        const char *mode = n->opset >= 11 ? node_attr_str(n, "mode", "DCR") : "DCR";
        int crd = strcmp(mode, "CRD") == 0;
        if (!crd && strcmp(mode, "DCR") != 0) nnc_fail_node(n, "unknown mode '%s'", mode);
        if (C % (b * b)) nnc_fail_node(n, "channels (%lld) must be a multiple of blocksize^2", (long long)C);
        int64_t c = C / (b * b);
        int64_t dcr[6] = {N, b, b, c, H, W}, crdv[6] = {N, c, b, b, H, W};
        static const int p_dcr[6] = {0, 3, 4, 1, 5, 2}, p_crd[6] = {0, 1, 4, 2, 5, 3};
        memcpy(xd, crd ? crdv : dcr, sizeof dcr);
        memcpy(perm, crd ? p_crd : p_dcr, sizeof p_dcr);
        int64_t o[4] = {N, c, H * b, W * b};
        memcpy(out, o, sizeof o);
    } else {
        if (H % b || W % b) nnc_fail_node(n, "height and width must be multiples of blocksize");
        int64_t v[6] = {N, C, H / b, b, W / b, b};
        static const int p[6] = {0, 3, 5, 1, 2, 4};
        memcpy(xd, v, sizeof v);
        memcpy(perm, p, sizeof p);
        int64_t o[4] = {N, C * b * b, H / b, W / b};
        memcpy(out, o, sizeof o);
    }
}

/* DepthToSpace: [N, C, H, W] -> [N, C/b^2, H*b, W*b]; SpaceToDepth: the inverse */
void shape_depth_space(Graph *g, Node *n)
{
    (void)g;
    int64_t xd[6], out[4];
    int perm[6];
    depth_space_view(n, xd, perm, out);
    op_set_output(n, 0, n->in[0]->dtype, 4, out);
}

/* Output 6-D dims and, per output dim, the input stride. */
static void depth_space_strides(const Node *n, int64_t *yd, int64_t *ps)
{
    int64_t xd[6], xs[6], out[4];
    int perm[6];
    depth_space_view(n, xd, perm, out);
    op_dense_strides(6, xd, xs);
    for (int i = 0; i < 6; i++) {
        yd[i] = xd[perm[i]];
        ps[i] = xs[perm[i]];
    }
}

void lower_depth_space(Lowering *L, const Node *n)
{
    if (tensor_numel(n->out[0]) == 0) return;
    int64_t yd[6], ps[6];
    depth_space_strides(n, yd, ps);
    KParams p = {0};
    kp_type(L, &p, "T", n->in[0]->dtype);
    static const char *const pre[] = {"XS"};
    int64_t *const st[] = {ps};
    op_call_transpose(L, n, &p, op_bind_loop(L, &p, n, "D", 6, yd, 1, pre, st));
}

void eval_depth_space(Graph *g, Node *n)
{
    (void)g;
    const Tensor *x = n->in[0];
    Tensor *y = n->out[0];
    int64_t yd[6], ps[6], cnt = tensor_numel(y), es = dtype_size(y->dtype);
    depth_space_strides(n, yd, ps);
    for (int64_t o = 0; o < cnt; o++) {
        int64_t rem = o, src = 0;
        for (int i = 5; i >= 0; i--) {
            src += (rem % yd[i]) * ps[i];
            rem /= yd[i];
        }
        memcpy((char *)y->data + o * es, (const char *)x->data + src * es, (size_t)es);
    }
}
