/* indexing.c — ops that select, repeat or generate elements by index
 * arithmetic: Shape, Size, Split, Slice, GatherElements, Expand, Tile,
 * ConstantOfShape, Range, Trilu, EyeLike and OneHot.
 *
 * Shape and Size only depend on static shapes, so their shape functions set
 * the output data and everything downstream folds. Slice, Expand, Tile and
 * Split are all "read the input through a strided view" (a View below): one
 * description serves the shape function, the kernel (template `strided`)
 * and the reference semantics. Arguments that decide shapes (starts, ends,
 * repeats, split sizes, depth, ...) must be compile-time constants. */
#include "common.h"

#include <math.h>
#include <string.h>

/* ---- shared helpers ---- */

/* A dense output read from the input at offset + sum(i[k] * xs[k]) while
 * its index i walks dims (row-major). */
typedef struct View {
    int rank;
    int64_t dims[2 * NNC_MAX_RANK];
    int64_t xs[2 * NNC_MAX_RANK];
    int64_t offset;
} View;

static int64_t view_count(const View *v)
{
    int64_t c = 1;
    for (int k = 0; k < v->rank; k++) c *= v->dims[k];
    return c;
}

/* Drop size-1 dims and merge neighbours the input walks contiguously. */
static void view_merge(View *v)
{
    int r = 0;
    for (int k = 0; k < v->rank; k++) {
        if (v->dims[k] == 1) continue;
        if (r > 0 && v->xs[r - 1] == v->xs[k] * v->dims[k]) {
            v->dims[r - 1] *= v->dims[k];
            v->xs[r - 1] = v->xs[k];
            continue;
        }
        v->dims[r] = v->dims[k];
        v->xs[r++] = v->xs[k];
    }
    if (r == 0) {
        v->dims[0] = 1;
        v->xs[0] = 0;
        r = 1;
    }
    v->rank = r;
}

/* Emit the strided-copy kernel that fills output `out` of n from input 0. */
static void view_lower(Lowering *L, const Node *n, View v, int out)
{
    if (view_count(&v) == 0) return; /* nothing to write */
    view_merge(&v);
    KParams p = {0};
    kp_type(L, &p, "T", n->in[0]->dtype);
    kp_int(L, &p, "NDIM", v.rank);
    kp_ints(L, &p, "DIMS", v.dims, v.rank);
    kp_ints(L, &p, "XS", v.xs, v.rank);
    kp_int(L, &p, "OFFSET", v.offset);
    kp_int(L, &p, "INNER_N", v.dims[v.rank - 1]);
    kp_int(L, &p, "INNER_S", v.xs[v.rank - 1]);
    const char *fn = lower_kernel(L, n, "strided", &p);
    Tensor *args[2] = {n->in[0], n->out[out]};
    lower_call(L, fn, 2, args, 0);
}

/* Reference semantics of a view: copy element by element. */
static void view_eval(const View *v, const Tensor *x, Tensor *y)
{
    int64_t es = dtype_size(y->dtype), cnt = view_count(v), src = v->offset;
    int64_t idx[2 * NNC_MAX_RANK] = {0};
    NNC_ASSERT(cnt == tensor_numel(y));
    for (int64_t o = 0; o < cnt; o++) {
        memcpy((char *)y->data + o * es, (const char *)x->data + src * es, (size_t)es);
        for (int k = v->rank - 1; k >= 0; k--) {
            src += v->xs[k];
            if (++idx[k] < v->dims[k]) break;
            src -= v->xs[k] * v->dims[k];
            idx[k] = 0;
        }
    }
}

/* The single value of a constant one-element integer input k. */
static int64_t const_scalar_int(Graph *g, const Node *n, int k, const char *what)
{
    const Tensor *t = node_input(n, k);
    if (t && t->data && tensor_numel(t) != 1) nnc_fail_node(n, "%s must have exactly one element", what);
    int cnt;
    int64_t *v = op_const_ints(g, n, k, &cnt);
    return v[0];
}

static int is_numeric(DType t) { return t != DT_BOOL && dtype_supported(t); }

/* A C literal of element i of constant tensor t, of t's own type. */
static const char *elem_literal(Lowering *L, const Tensor *t, int64_t i)
{
    Arena *a = lower_arena(L);
    if (dtype_is_float(t->dtype)) return c_float_literal(a, tensor_get_double(t, i), t->dtype);
    if (t->dtype == DT_UINT64)
        return arena_printf(a, "UINT64_C(%llu)", (unsigned long long)((const uint64_t *)t->data)[i]);
    int64_t v = tensor_get_int(t, i);
    if (v == INT64_MIN) return "INT64_MIN";
    return arena_printf(a, v < 0 ? "(%lld)" : "%lld", (long long)v);
}

/* ---- Shape, Size: constants from static shapes ---- */

/* Shape (opset 15 start/end clamp to [0, rank]) */
static void shape_bounds(const Node *n, int *start, int *end)
{
    int r = n->in[0]->rank;
    int64_t s = node_attr_int(n, "start", 0), e = node_attr_int(n, "end", r);
    if (s < 0) s += r;
    if (e < 0) e += r;
    *start = (int)(s < 0 ? 0 : s > r ? r : s);
    *end = (int)(e < 0 ? 0 : e > r ? r : e);
    if (*end < *start) *end = *start;
}

/* Shape: X[d0..dn] -> INT64[end - start] = dims[start:end], always constant */
void shape_shape(Graph *g, Node *n)
{
    int s, e;
    shape_bounds(n, &s, &e);
    int64_t len = e - s;
    op_set_output(n, 0, DT_INT64, 1, &len);
    n->out[0]->data = arena_alloc(g->arena, (size_t)tensor_bytes(n->out[0]) + 1);
    eval_shape(g, n);
}

void eval_shape(Graph *g, Node *n)
{
    (void)g;
    int s, e;
    shape_bounds(n, &s, &e);
    for (int i = s; i < e; i++) tensor_set_int(n->out[0], i - s, n->in[0]->dims[i]);
}

/* Size: X -> INT64 scalar = number of elements, always constant */
void shape_size(Graph *g, Node *n)
{
    int64_t none = 0;
    op_set_output(n, 0, DT_INT64, 0, &none);
    n->out[0]->data = arena_alloc(g->arena, sizeof(int64_t));
    eval_size(g, n);
}

void eval_size(Graph *g, Node *n)
{
    (void)g;
    tensor_set_int(n->out[0], 0, tensor_numel(n->in[0]));
}

/* ---- Split ---- */

/* Split sizes along the axis: the `split` attribute (opset < 13; opset 1
 * also takes it as input 1) or input 1 (opset >= 13); else equal parts. */
static int64_t *split_sizes(Graph *g, const Node *n, int axis)
{
    int cnt;
    int64_t *s;
    if (node_input(n, 1)) {
        if (n->opset >= 2 && n->opset < 13) nnc_fail_node(n, "takes the split sizes as an attribute before opset 13");
        s = op_const_ints(g, n, 1, &cnt);
        if (node_attr(n, "split")) nnc_fail_node(n, "split is given both as attribute and input");
    } else if (node_attr(n, "split")) {
        if (n->opset >= 13) nnc_fail_node(n, "attribute 'split' is an input from opset 13");
        const int64_t *a;
        cnt = node_attr_ints(n, "split", &a);
        s = arena_alloc_array(g->arena, (size_t)cnt + 1, sizeof(int64_t));
        memcpy(s, a, (size_t)cnt * sizeof(int64_t));
    } else {
        int64_t d = n->in[0]->dims[axis];
        if (d % n->n_out) nnc_fail_node(n, "cannot split dimension %lld into %d equal parts", (long long)d, n->n_out);
        s = arena_alloc_array(g->arena, (size_t)n->n_out, sizeof(int64_t));
        for (int k = 0; k < n->n_out; k++) s[k] = d / n->n_out;
        return s;
    }
    if (cnt != n->n_out) nnc_fail_node(n, "split has %d sizes for %d outputs", cnt, n->n_out);
    int64_t sum = 0;
    for (int k = 0; k < cnt; k++) {
        if (s[k] < 0 || s[k] > NNC_MAX_ELEMS) nnc_fail_node(n, "split size %lld is invalid", (long long)s[k]);
        sum += s[k];
    }
    if (sum != n->in[0]->dims[axis])
        nnc_fail_node(n, "split sizes add up to %lld, not to the dimension %lld", (long long)sum,
                      (long long)n->in[0]->dims[axis]);
    return s;
}

static int split_axis(const Node *n)
{
    if (n->in[0]->rank < 1) nnc_fail_node(n, "input must have rank 1 or more");
    return op_axis(n, node_attr_int(n, "axis", 0), n->in[0]->rank, 0);
}

/* The view of input 0 that output k of Split reads. */
static void split_view(Graph *g, const Node *n, int k, View *v)
{
    const Tensor *x = n->in[0];
    int axis = split_axis(n);
    int64_t *s = split_sizes(g, n, axis), off = 0, outer = 1, inner = 1;
    for (int j = 0; j < k; j++) off += s[j];
    for (int i = 0; i < axis; i++) outer *= x->dims[i];
    for (int i = axis + 1; i < x->rank; i++) inner *= x->dims[i];
    *v = (View){.rank = 3, .dims = {outer, s[k], inner}, .xs = {x->dims[axis] * inner, inner, 1}, .offset = off * inner};
}

/* Split: X[.., d, ..] -> Y_k[.., s_k, ..] with sum s_k = d */
void shape_split(Graph *g, Node *n)
{
    const Tensor *x = n->in[0];
    int axis = split_axis(n);
    int64_t *s = split_sizes(g, n, axis);
    for (int k = 0; k < n->n_out; k++) {
        int64_t dims[NNC_MAX_RANK];
        memcpy(dims, x->dims, sizeof dims);
        dims[axis] = s[k];
        op_set_output(n, k, x->dtype, x->rank, dims);
    }
}

void lower_split(Lowering *L, const Node *n)
{
    for (int k = 0; k < n->n_out; k++) {
        if (!n->out[k]) continue;
        View v;
        split_view(lower_graph(L), n, k, &v);
        view_lower(L, n, v, k);
    }
}

void eval_split(Graph *g, Node *n)
{
    for (int k = 0; k < n->n_out; k++) {
        if (!n->out[k]) continue;
        View v;
        split_view(g, n, k, &v);
        view_eval(&v, n->in[0], n->out[k]);
    }
}

/* ---- Slice ---- */

/* starts/ends/axes/steps from attributes (opset < 10) or inputs 1..4 */
static int slice_args(Graph *g, const Node *n, int64_t **arg)
{
    static const char *const names[4] = {"starts", "ends", "axes", "steps"};
    int cnt[4];
    for (int i = 0; i < 4; i++) {
        if (n->opset >= 10) {
            arg[i] = i < 2 ? op_const_ints(g, n, i + 1, &cnt[i]) : op_opt_const_ints(g, n, i + 1, &cnt[i]);
            continue;
        }
        if (n->n_in > 1) nnc_fail_node(n, "takes starts and ends as attributes before opset 10");
        const int64_t *a;
        cnt[i] = i < 3 ? node_attr_ints(n, names[i], &a) : -1;
        if (i < 2 && cnt[i] < 0) nnc_fail_node(n, "attribute '%s' is required", names[i]);
        arg[i] = NULL;
        if (cnt[i] >= 0) {
            arg[i] = arena_alloc_array(g->arena, (size_t)cnt[i] + 1, sizeof(int64_t));
            memcpy(arg[i], a, (size_t)cnt[i] * sizeof(int64_t));
        }
    }
    for (int i = 1; i < 4; i++)
        if (cnt[i] >= 0 && cnt[i] != cnt[0])
            nnc_fail_node(n, "%s has %d values but starts has %d", names[i], cnt[i], cnt[0]);
    if (cnt[0] > n->in[0]->rank) nnc_fail_node(n, "%d starts for rank %d", cnt[0], n->in[0]->rank);
    return cnt[0];
}

/* Clamp v into [lo, hi]. */
static int64_t clamp64(int64_t v, int64_t lo, int64_t hi) { return v < lo ? lo : v > hi ? hi : v; }

/* The view of Slice: per axis the first index, the step and the count. */
static void slice_view(Graph *g, const Node *n, View *v)
{
    const Tensor *x = n->in[0];
    int64_t *arg[4];
    int cnt = slice_args(g, n, arg);
    int64_t start[NNC_MAX_RANK], step[NNC_MAX_RANK], xs[NNC_MAX_RANK];
    char seen[NNC_MAX_RANK] = {0};
    v->rank = x->rank;
    v->offset = 0;
    for (int i = 0; i < x->rank; i++) {
        start[i] = 0;
        step[i] = 1;
        v->dims[i] = x->dims[i];
    }
    for (int i = 0; i < cnt; i++) {
        int a = arg[2] ? op_axis(n, arg[2][i], x->rank, 0) : i;
        if (seen[a]) nnc_fail_node(n, "axis %d is sliced twice", a);
        seen[a] = 1;
        int64_t d = x->dims[a], s = arg[0][i], e = arg[1][i], st = arg[3] ? arg[3][i] : 1, len;
        if (st == 0) nnc_fail_node(n, "steps must not be 0");
        if (s < 0) s += d;
        if (e < 0) e += d;
        if (d == 0) {
            s = 0;
            len = 0;
        } else if (st > 0) {
            s = clamp64(s, 0, d);
            e = clamp64(e, 0, d);
            len = e > s ? (e - s - 1) / st + 1 : 0;
        } else {
            s = clamp64(s, 0, d - 1);
            e = clamp64(e, -1, d - 1);
            int64_t mag = st == INT64_MIN ? INT64_MAX : -st;
            len = s > e ? (s - e - 1) / mag + 1 : 0;
        }
        if (len <= 1) st = 1; /* the step never applies; keeps strides in range */
        start[a] = len ? s : 0;
        step[a] = st;
        v->dims[a] = len;
    }
    op_dense_strides(x->rank, x->dims, xs);
    for (int i = 0; i < x->rank; i++) {
        v->xs[i] = xs[i] * step[i];
        v->offset += start[i] * xs[i];
    }
}

/* Slice: X[d...] -> Y[len...], len = ceil((end - start) / step) per axis */
void shape_slice(Graph *g, Node *n)
{
    const Tensor *x = n->in[0];
    if (x->rank < 1) nnc_fail_node(n, "input must have rank 1 or more");
    View v;
    slice_view(g, n, &v);
    op_set_output(n, 0, x->dtype, x->rank, v.dims);
}

void lower_slice(Lowering *L, const Node *n)
{
    View v;
    slice_view(lower_graph(L), n, &v);
    view_lower(L, n, v, 0);
}

void eval_slice(Graph *g, Node *n)
{
    View v;
    slice_view(g, n, &v);
    view_eval(&v, n->in[0], n->out[0]);
}

/* ---- Expand ---- */

static void expand_view(Graph *g, const Node *n, View *v)
{
    const Tensor *x = n->in[0];
    int cnt;
    int64_t *s = op_const_ints(g, n, 1, &cnt);
    if (cnt > NNC_MAX_RANK) nnc_fail_node(n, "shape has %d values; rank is limited to %d", cnt, NNC_MAX_RANK);
    Tensor shape = {.name = node_input(n, 1)->name, .rank = cnt};
    for (int i = 0; i < cnt; i++) {
        if (s[i] < 0) nnc_fail_node(n, "shape[%d] = %lld is negative", i, (long long)s[i]);
        shape.dims[i] = s[i];
    }
    v->rank = op_broadcast(n, x, &shape, v->dims);
    op_broadcast_strides(x, v->rank, v->dims, v->xs);
    v->offset = 0;
}

/* Expand: X broadcast with shape (numpy rules, both ways) */
void shape_expand(Graph *g, Node *n)
{
    View v;
    expand_view(g, n, &v);
    op_set_output(n, 0, n->in[0]->dtype, v.rank, v.dims);
}

void lower_expand(Lowering *L, const Node *n)
{
    View v;
    expand_view(lower_graph(L), n, &v);
    view_lower(L, n, v, 0);
}

void eval_expand(Graph *g, Node *n)
{
    View v;
    expand_view(g, n, &v);
    view_eval(&v, n->in[0], n->out[0]);
}

/* ---- Tile ---- */

/* Repeats per axis: input 1 (opset >= 6), or tiles and axis (opset 1). */
static void tile_repeats(Graph *g, const Node *n, int64_t *rep)
{
    const Tensor *x = n->in[0];
    for (int i = 0; i < x->rank; i++) rep[i] = 1;
    if (node_input(n, 2)) {
        if (n->opset >= 6) nnc_fail_node(n, "takes 2 inputs from opset 6");
        int64_t tiles = const_scalar_int(g, n, 1, "tiles");
        int a = op_axis(n, const_scalar_int(g, n, 2, "axis"), x->rank, 0);
        rep[a] = tiles;
    } else {
        int cnt;
        int64_t *r = op_const_ints(g, n, 1, &cnt);
        if (cnt != x->rank) nnc_fail_node(n, "repeats has %d values for rank %d", cnt, x->rank);
        memcpy(rep, r, (size_t)cnt * sizeof(int64_t));
    }
    for (int i = 0; i < x->rank; i++)
        if (rep[i] < 0 || rep[i] > NNC_MAX_ELEMS) nnc_fail_node(n, "repeats[%d] = %lld is invalid", i, (long long)rep[i]);
}

/* Axis i of the output, of size r*d, is walked as [r, d] with strides [0, s]. */
static void tile_view(Graph *g, const Node *n, View *v)
{
    const Tensor *x = n->in[0];
    int64_t rep[NNC_MAX_RANK], xs[NNC_MAX_RANK];
    tile_repeats(g, n, rep);
    op_dense_strides(x->rank, x->dims, xs);
    v->rank = 2 * x->rank;
    v->offset = 0;
    for (int i = 0; i < x->rank; i++) {
        v->dims[2 * i] = rep[i];
        v->xs[2 * i] = 0;
        v->dims[2 * i + 1] = x->dims[i];
        v->xs[2 * i + 1] = xs[i];
    }
}

/* Tile: X[d...] -> Y[d*r...] */
void shape_tile(Graph *g, Node *n)
{
    const Tensor *x = n->in[0];
    int64_t rep[NNC_MAX_RANK], dims[NNC_MAX_RANK];
    tile_repeats(g, n, rep);
    for (int i = 0; i < x->rank; i++)
        if (!checked_mul_i64(x->dims[i], rep[i], &dims[i])) nnc_fail_node(n, "output is too large");
    op_set_output(n, 0, x->dtype, x->rank, dims);
}

void lower_tile(Lowering *L, const Node *n)
{
    View v;
    tile_view(lower_graph(L), n, &v);
    view_lower(L, n, v, 0);
}

void eval_tile(Graph *g, Node *n)
{
    View v;
    tile_view(g, n, &v);
    view_eval(&v, n->in[0], n->out[0]);
}

/* ---- GatherElements ---- */

static int gather_elements_axis(const Node *n)
{
    const Tensor *x = n->in[0];
    if (x->rank < 1) nnc_fail_node(n, "data must have rank 1 or more");
    return op_axis(n, node_attr_int(n, "axis", 0), x->rank, 0);
}

/* GatherElements: data[d...], indices[i...] (same rank, i_k <= d_k off the
 * axis) -> Y[i...], Y[c] = data[c with c[axis] = indices[c]] */
void shape_gather_elements(Graph *g, Node *n)
{
    (void)g;
    const Tensor *x = n->in[0], *idx = n->in[1];
    if (idx->dtype != DT_INT64 && idx->dtype != DT_INT32) nnc_fail_node(n, "indices must be INT32 or INT64");
    int axis = gather_elements_axis(n);
    if (idx->rank != x->rank) nnc_fail_node(n, "indices have rank %d but data has rank %d", idx->rank, x->rank);
    for (int i = 0; i < x->rank; i++)
        if (i != axis && idx->dims[i] > x->dims[i])
            nnc_fail_node(n, "indices dimension %d (%lld) exceeds the data's (%lld)", i, (long long)idx->dims[i],
                          (long long)x->dims[i]);
    if (idx->data)
        for (int64_t i = 0; i < tensor_numel(idx); i++) {
            int64_t v = tensor_get_int(idx, i);
            if (v < -x->dims[axis] || v >= x->dims[axis])
                nnc_fail_node(n, "index %lld is out of range for axis of size %lld", (long long)v,
                              (long long)x->dims[axis]);
        }
    op_set_output(n, 0, x->dtype, idx->rank, idx->dims);
}

void lower_gather_elements(Lowering *L, const Node *n)
{
    const Tensor *x = n->in[0], *idx = n->in[1];
    if (tensor_numel(idx) == 0) return;
    int axis = gather_elements_axis(n);
    int64_t xs[NNC_MAX_RANK];
    op_dense_strides(x->rank, x->dims, xs);
    int64_t axis_s = xs[axis];
    xs[axis] = 0;
    KParams p = {0};
    kp_type(L, &p, "T", x->dtype);
    kp_type(L, &p, "TI", idx->dtype);
    kp_int(L, &p, "NDIM", idx->rank);
    kp_ints(L, &p, "DIMS", idx->dims, idx->rank);
    kp_ints(L, &p, "XS", xs, idx->rank);
    kp_int(L, &p, "AXIS_N", x->dims[axis]);
    kp_int(L, &p, "AXIS_S", axis_s);
    kp_int(L, &p, "COUNT", tensor_numel(idx));
    kp_int(L, &p, "STATUS_INDEX", NNC_STATUS_INDEX);
    const char *fn = lower_kernel(L, n, "gather_elements", &p);
    Tensor *args[3] = {n->in[0], n->in[1], n->out[0]};
    lower_call(L, fn, 3, args, 1);
}

void eval_gather_elements(Graph *g, Node *n)
{
    (void)g;
    const Tensor *x = n->in[0], *idx = n->in[1];
    Tensor *y = n->out[0];
    int axis = gather_elements_axis(n);
    int64_t xs[NNC_MAX_RANK], es = dtype_size(x->dtype), cnt = tensor_numel(y);
    op_dense_strides(x->rank, x->dims, xs);
    for (int64_t o = 0; o < cnt; o++) {
        int64_t rem = o, src = 0;
        for (int i = y->rank - 1; i >= 0; i--) {
            int64_t c = rem % y->dims[i];
            rem /= y->dims[i];
            if (i == axis) {
                c = tensor_get_int(idx, o);
                if (c < 0) c += x->dims[axis];
                NNC_ASSERT(c >= 0 && c < x->dims[axis]); /* checked by the shape function */
            }
            src += c * xs[i];
        }
        memcpy((char *)y->data + o * es, (const char *)x->data + src * es, (size_t)es);
    }
}

/* ---- ConstantOfShape ---- */

/* The value attribute: a one-element tensor (default FLOAT 0); NULL = 0.0f */
static const Tensor *constant_of_shape_value(const Node *n)
{
    const Attr *a = node_attr(n, "value");
    if (!a) return NULL;
    if (a->type != ATTR_TENSOR) nnc_fail_node(n, "attribute 'value' must be a tensor");
    if (!dtype_supported(a->t->dtype)) nnc_fail_node(n, "value type %s is not supported", dtype_name(a->t->dtype));
    if (tensor_numel(a->t) != 1) nnc_fail_node(n, "attribute 'value' must have exactly one element");
    return a->t;
}

/* ConstantOfShape: shape (INT64[r], constant) -> Y[shape...] filled with value */
void shape_constant_of_shape(Graph *g, Node *n)
{
    const Tensor *v = constant_of_shape_value(n);
    if (n->in[0]->dtype != DT_INT64) nnc_fail_node(n, "input must be INT64");
    int cnt;
    int64_t *s = op_const_ints(g, n, 0, &cnt);
    if (cnt > NNC_MAX_RANK) nnc_fail_node(n, "shape has %d values; rank is limited to %d", cnt, NNC_MAX_RANK);
    op_set_output(n, 0, v ? v->dtype : DT_FLOAT, cnt, s);
}

void lower_constant_of_shape(Lowering *L, const Node *n)
{
    const Tensor *v = constant_of_shape_value(n), *y = n->out[0];
    if (tensor_numel(y) == 0) return;
    KParams p = {0};
    kp_type(L, &p, "T", y->dtype);
    kp_int(L, &p, "COUNT", tensor_numel(y));
    kp_str(L, &p, "VALUE", v ? elem_literal(L, v, 0) : "0");
    const char *fn = lower_kernel(L, n, "fill", &p);
    Tensor *args[1] = {n->out[0]};
    lower_call(L, fn, 1, args, 0);
}

void eval_constant_of_shape(Graph *g, Node *n)
{
    (void)g;
    const Tensor *v = constant_of_shape_value(n);
    Tensor *y = n->out[0];
    int64_t es = dtype_size(y->dtype);
    float zero = 0;
    for (int64_t i = 0; i < tensor_numel(y); i++)
        memcpy((char *)y->data + i * es, v ? v->data : (const void *)&zero, (size_t)es);
}

/* ---- Range ---- */

/* Range's element count, max(ceil((limit - start) / delta), 0). */
static int64_t range_count(const Node *n)
{
    const Tensor *s = n->in[0], *l = n->in[1], *d = n->in[2];
    if (dtype_is_float(s->dtype)) {
        double dd = tensor_get_double(d, 0);
        if (dd == 0) nnc_fail_node(n, "delta must not be 0");
        double c = ceil((tensor_get_double(l, 0) - tensor_get_double(s, 0)) / dd);
        if (c != c) nnc_fail_node(n, "start, limit and delta must be finite");
        if (c > (double)NNC_MAX_ELEMS) nnc_fail_node(n, "output would have %.0f elements", c);
        return c < 0 ? 0 : (int64_t)c;
    }
    int64_t vs = tensor_get_int(s, 0), vl = tensor_get_int(l, 0), vd = tensor_get_int(d, 0);
    if (vd == 0) nnc_fail_node(n, "delta must not be 0");
    if (vd > 0 ? vl <= vs : vl >= vs) return 0;
    /* |limit - start| and |delta| exactly, in unsigned 64-bit arithmetic */
    uint64_t diff = vd > 0 ? (uint64_t)vl - (uint64_t)vs : (uint64_t)vs - (uint64_t)vl;
    uint64_t mag = vd > 0 ? (uint64_t)vd : (uint64_t)0 - (uint64_t)vd;
    uint64_t c = (diff - 1) / mag + 1;
    if (c > (uint64_t)NNC_MAX_ELEMS) nnc_fail_node(n, "output would have %llu elements", (unsigned long long)c);
    return (int64_t)c;
}

/* Range: start, limit, delta (scalars, constant) -> Y[count] */
void shape_range(Graph *g, Node *n)
{
    (void)g;
    DType t = n->in[0]->dtype;
    if (t != DT_FLOAT && t != DT_DOUBLE && t != DT_INT16 && t != DT_INT32 && t != DT_INT64)
        nnc_fail_node(n, "element type %s is not supported (FLOAT, DOUBLE, INT16, INT32, INT64)", dtype_name(t));
    op_same_types(n, 0, 2);
    for (int k = 0; k < 3; k++)
        if (tensor_numel(n->in[k]) != 1) nnc_fail_node(n, "input '%s' must be a scalar", n->in[k]->name);
    for (int k = 0; k < 3; k++)
        if (!n->in[k]->data)
            nnc_fail_node(n, "input '%s' is known only at run time, so the output size is data dependent; "
                             "start, limit and delta must be constants", n->in[k]->name);
    int64_t c = range_count(n);
    op_set_output(n, 0, t, 1, &c);
}

void lower_range(Lowering *L, const Node *n)
{
    const Tensor *y = n->out[0];
    if (tensor_numel(y) == 0) return;
    KParams p = {0};
    kp_type(L, &p, "T", y->dtype);
    kp_int(L, &p, "COUNT", tensor_numel(y));
    kp_str(L, &p, "START", elem_literal(L, n->in[0], 0));
    kp_str(L, &p, "DELTA", elem_literal(L, n->in[2], 0));
    kp_str(L, &p, "EXPR", dtype_is_float(y->dtype) ? "START + (T)i * DELTA"
                                                   : "(uint64_t)START + (uint64_t)i * (uint64_t)DELTA");
    const char *fn = lower_kernel(L, n, "range", &p);
    Tensor *args[1] = {n->out[0]};
    lower_call(L, fn, 1, args, 0);
}

void eval_range(Graph *g, Node *n)
{
    (void)g;
    Tensor *y = n->out[0];
    const Tensor *s = n->in[0], *d = n->in[2];
    for (int64_t i = 0; i < tensor_numel(y); i++) {
        if (y->dtype == DT_FLOAT)
            tensor_set_double(y, i, (float)tensor_get_double(s, 0) + (float)i * (float)tensor_get_double(d, 0));
        else if (y->dtype == DT_DOUBLE)
            tensor_set_double(y, i, tensor_get_double(s, 0) + (double)i * tensor_get_double(d, 0));
        else
            tensor_set_int(y, i, (int64_t)((uint64_t)tensor_get_int(s, 0) + (uint64_t)i * (uint64_t)tensor_get_int(d, 0)));
    }
}

/* ---- Trilu ---- */

/* Trilu: X[..., N, M], k (optional scalar) -> X with the other triangle zeroed */
void shape_trilu(Graph *g, Node *n)
{
    (void)g;
    const Tensor *x = n->in[0], *k = node_input(n, 1);
    if (x->rank < 2) nnc_fail_node(n, "input must have rank 2 or more");
    int64_t upper = node_attr_int(n, "upper", 1);
    if (upper != 0 && upper != 1) nnc_fail_node(n, "attribute 'upper' must be 0 or 1");
    if (k && (k->dtype != DT_INT64 || tensor_numel(k) != 1)) nnc_fail_node(n, "k must be an INT64 scalar");
    op_set_output(n, 0, x->dtype, x->rank, x->dims);
}

void lower_trilu(Lowering *L, const Node *n)
{
    const Tensor *x = n->in[0];
    Tensor *k = node_input(n, 1);
    if (tensor_numel(x) == 0) return;
    int64_t rows = x->dims[x->rank - 2], cols = x->dims[x->rank - 1];
    KParams p = {0};
    kp_type(L, &p, "T", x->dtype);
    kp_int(L, &p, "BATCH", tensor_numel(x) / (rows * cols));
    kp_int(L, &p, "ROWS", rows);
    kp_int(L, &p, "COLS", cols);
    kp_int(L, &p, "UPPER", node_attr_int(n, "upper", 1));
    int run_time_k = k && !k->data;
    kp_str(L, &p, "KVAL", run_time_k ? "k[0]" : k ? elem_literal(L, k, 0) : "0");
    const char *fn = lower_kernel(L, n, "trilu", &p);
    Tensor *args[3] = {n->in[0], run_time_k ? k : NULL, n->out[0]};
    lower_call(L, fn, 3, args, 0);
}

void eval_trilu(Graph *g, Node *n)
{
    (void)g;
    const Tensor *x = n->in[0], *kt = node_input(n, 1);
    Tensor *y = n->out[0];
    int64_t k = kt ? tensor_get_int(kt, 0) : 0, upper = node_attr_int(n, "upper", 1);
    int64_t rows = x->dims[x->rank - 2], cols = x->dims[x->rank - 1], es = dtype_size(x->dtype);
    for (int64_t o = 0; o < tensor_numel(y); o++) {
        int64_t j = o % cols, i = (o / cols) % rows;
        int keep = upper ? j - i >= k : j - i <= k;
        if (keep) memcpy((char *)y->data + o * es, (const char *)x->data + o * es, (size_t)es);
        else memset((char *)y->data + o * es, 0, (size_t)es);
    }
}

/* ---- EyeLike ---- */

static DType eyelike_type(const Node *n)
{
    const Attr *a = node_attr(n, "dtype");
    if (!a) return n->in[0]->dtype;
    int64_t t = node_attr_int(n, "dtype", 0);
    if (t <= 0 || t >= DT_COUNT_ || !dtype_supported((DType)t))
        nnc_fail_node(n, "dtype %lld is not a supported element type", (long long)t);
    return (DType)t;
}

/* EyeLike: X[N, M] -> Y[N, M] (type dtype, default X's): 1 where j - i == k */
void shape_eyelike(Graph *g, Node *n)
{
    (void)g;
    const Tensor *x = n->in[0];
    if (x->rank != 2) nnc_fail_node(n, "input must have rank 2, not %d", x->rank);
    (void)node_attr_int(n, "k", 0);
    op_set_output(n, 0, eyelike_type(n), 2, x->dims);
}

void lower_eyelike(Lowering *L, const Node *n)
{
    const Tensor *y = n->out[0];
    if (tensor_numel(y) == 0) return;
    KParams p = {0};
    kp_type(L, &p, "T", y->dtype);
    kp_int(L, &p, "ROWS", y->dims[0]);
    kp_int(L, &p, "COLS", y->dims[1]);
    int64_t k = node_attr_int(n, "k", 0);
    kp_str(L, &p, "KVAL", k == INT64_MIN ? "INT64_MIN" : arena_printf(lower_arena(L), "(%lld)", (long long)k));
    const char *fn = lower_kernel(L, n, "eyelike", &p);
    Tensor *args[1] = {n->out[0]};
    lower_call(L, fn, 1, args, 0);
}

void eval_eyelike(Graph *g, Node *n)
{
    (void)g;
    Tensor *y = n->out[0];
    int64_t k = node_attr_int(n, "k", 0), cols = y->dims[1];
    for (int64_t o = 0; o < tensor_numel(y); o++) tensor_set_int(y, o, o % cols - o / cols == k);
}

/* ---- OneHot ---- */

/* Depth: a constant (it sets the output shape); a float depth is truncated. */
static int64_t onehot_depth(const Node *n)
{
    const Tensor *d = n->in[1];
    if (!is_numeric(d->dtype)) nnc_fail_node(n, "depth must be numeric");
    if (!d->data) nnc_fail_node(n, "depth '%s' must be a constant (it sets the output shape)", d->name);
    if (tensor_numel(d) != 1) nnc_fail_node(n, "depth must have exactly one element");
    double v = tensor_get_double(d, 0);
    if (!(v >= 1 && v <= (double)NNC_MAX_ELEMS)) nnc_fail_node(n, "depth %g is out of range", v);
    return (int64_t)v;
}

/* axis of the output (rank + 1 dims) */
static int onehot_axis(const Node *n) { return op_axis(n, node_attr_int(n, "axis", -1), n->in[0]->rank + 1, 0); }

/* OneHot: indices[I...], depth, values[2] = [off, on] ->
 * Y[I[:axis], depth, I[axis:]] of values' type */
void shape_onehot(Graph *g, Node *n)
{
    (void)g;
    const Tensor *idx = n->in[0], *v = n->in[2];
    if (!is_numeric(idx->dtype)) nnc_fail_node(n, "indices must be numeric");
    if (v->rank != 1 || v->dims[0] != 2) nnc_fail_node(n, "values must be a 1-D tensor of 2 elements");
    int64_t depth = onehot_depth(n);
    int axis = onehot_axis(n);
    int64_t dims[NNC_MAX_RANK];
    if (idx->rank + 1 > NNC_MAX_RANK) nnc_fail_node(n, "output rank exceeds %d", NNC_MAX_RANK);
    for (int i = 0, k = 0; i <= idx->rank; i++) dims[i] = i == axis ? depth : idx->dims[k++];
    op_set_output(n, 0, v->dtype, idx->rank + 1, dims);
}

void lower_onehot(Lowering *L, const Node *n)
{
    const Tensor *idx = n->in[0];
    Tensor *v = n->in[2];
    if (tensor_numel(n->out[0]) == 0) return;
    int axis = onehot_axis(n);
    int64_t outer = 1, inner = 1;
    for (int i = 0; i < axis; i++) outer *= idx->dims[i];
    for (int i = axis; i < idx->rank; i++) inner *= idx->dims[i];
    KParams p = {0};
    kp_type(L, &p, "T", v->dtype);
    kp_type(L, &p, "TI", idx->dtype);
    kp_int(L, &p, "OUTER", outer);
    kp_int(L, &p, "INNER", inner);
    kp_int(L, &p, "DEPTH", onehot_depth(n));
    kp_str(L, &p, "OFF", v->data ? elem_literal(L, v, 0) : "v[0]");
    kp_str(L, &p, "ON", v->data ? elem_literal(L, v, 1) : "v[1]");
    const char *fn = lower_kernel(L, n, "onehot", &p);
    Tensor *args[3] = {n->in[0], v->data ? NULL : v, n->out[0]};
    lower_call(L, fn, 3, args, 0);
}

void eval_onehot(Graph *g, Node *n)
{
    (void)g;
    const Tensor *idx = n->in[0], *v = n->in[2];
    Tensor *y = n->out[0];
    int axis = onehot_axis(n);
    int64_t depth = onehot_depth(n), inner = 1, es = dtype_size(y->dtype);
    for (int i = axis; i < idx->rank; i++) inner *= idx->dims[i];
    for (int64_t o = 0; o < tensor_numel(y); o++) {
        int64_t i = o % inner, d = (o / inner) % depth, outer = o / inner / depth;
        int64_t at = outer * inner + i;
        double f = idx->dtype == DT_UINT64 ? (double)((const uint64_t *)idx->data)[at] : tensor_get_double(idx, at);
        int64_t hot = -1;
        if (f > -(double)depth - 1 && f < (double)depth) {
            hot = (int64_t)f;
            if (hot < 0) hot += depth;
        }
        memcpy((char *)y->data + o * es, (const char *)v->data + (d == hot ? es : 0), (size_t)es);
    }
}

/* ---- Pad ---- */

static int pad_mode(const Node *n)
{
    const char *m = node_attr_str(n, "mode", "constant");
    if (strcmp(m, "constant") == 0) return 0;
    if (strcmp(m, "reflect") == 0) return 1;
    if (strcmp(m, "edge") == 0) return 2;
    nnc_fail_node(n, "unknown mode '%s'", m);
}

/* Per axis: the output extent, the kept input range [off, off + len) (negative
 * pads crop) and the padding before it. */
typedef struct PadGeom {
    int64_t out[NNC_MAX_RANK], len[NNC_MAX_RANK], off[NNC_MAX_RANK], before[NNC_MAX_RANK];
} PadGeom;

/* pads [begin..., end...] from the attribute (`paddings` in opset 1, `pads`
 * up to opset 10) or input 1, over all axes or those of input 3 (opset 18) */
static void pad_amounts(Graph *g, const Node *n, int64_t *begin, int64_t *end)
{
    const Tensor *x = n->in[0];
    int cnt, nax = x->rank;
    int64_t *p, axes[NNC_MAX_RANK];
    if (n->opset < 11) {
        if (n->n_in > 1) nnc_fail_node(n, "takes pads as an attribute before opset 11");
        const int64_t *a;
        cnt = node_attr_ints(n, n->opset < 2 ? "paddings" : "pads", &a);
        if (cnt < 0) nnc_fail_node(n, "attribute '%s' is required", n->opset < 2 ? "paddings" : "pads");
        p = arena_alloc_array(g->arena, (size_t)cnt + 1, sizeof(int64_t));
        memcpy(p, a, (size_t)cnt * sizeof(int64_t));
    } else {
        p = op_const_ints(g, n, 1, &cnt);
    }
    for (int i = 0; i < x->rank; i++) axes[i] = i;
    if (node_input(n, 3)) {
        char seen[NNC_MAX_RANK] = {0};
        int64_t *a = op_const_ints(g, n, 3, &nax);
        if (nax > x->rank) nnc_fail_node(n, "%d axes for rank %d", nax, x->rank);
        for (int i = 0; i < nax; i++) {
            axes[i] = op_axis(n, a[i], x->rank, 0);
            if (seen[axes[i]]++) nnc_fail_node(n, "axis %lld is repeated", (long long)a[i]);
        }
    }
    if (cnt != 2 * nax) nnc_fail_node(n, "pads must have %d values, got %d", 2 * nax, cnt);
    for (int i = 0; i < x->rank; i++) begin[i] = end[i] = 0;
    for (int i = 0; i < 2 * nax; i++)
        if (p[i] < -NNC_MAX_ELEMS || p[i] > NNC_MAX_ELEMS) nnc_fail_node(n, "pads out of range");
    for (int i = 0; i < nax; i++) {
        begin[axes[i]] = p[i];
        end[axes[i]] = p[nax + i];
    }
}

static void pad_geometry(Graph *g, const Node *n, PadGeom *pg)
{
    const Tensor *x = n->in[0];
    int64_t b[NNC_MAX_RANK], e[NNC_MAX_RANK];
    int mode = pad_mode(n);
    pad_amounts(g, n, b, e);
    for (int i = 0; i < x->rank; i++) {
        int64_t crop_b = b[i] < 0 ? -b[i] : 0, crop_e = e[i] < 0 ? -e[i] : 0;
        int64_t add_b = b[i] > 0 ? b[i] : 0, add_e = e[i] > 0 ? e[i] : 0;
        pg->len[i] = x->dims[i] - crop_b - crop_e;
        if (pg->len[i] < 0) nnc_fail_node(n, "pads remove more than the %lld elements of axis %d", (long long)x->dims[i], i);
        if (mode != 0 && pg->len[i] == 0 && add_b + add_e > 0)
            nnc_fail_node(n, "cannot %s-pad an empty dimension", mode == 1 ? "reflect" : "edge");
        if (mode == 1 && pg->len[i] > 1 && (add_b >= pg->len[i] || add_e >= pg->len[i]))
            nnc_fail_node(n, "reflect padding must be smaller than the dimension");
        pg->off[i] = crop_b;
        pg->before[i] = add_b;
        pg->out[i] = pg->len[i] + add_b + add_e;
    }
}

/* The constant padding value as bytes of x's type in *buf; 0 if it is a
 * run-time input. */
static int pad_value(const Node *n, uint64_t *buf)
{
    const Tensor *x = n->in[0], *cv = node_input(n, 2);
    Tensor tmp = {.name = "value", .dtype = x->dtype, .data = buf};
    *buf = 0;
    if (n->opset < 11) {
        tensor_set_double(&tmp, 0, node_attr_float(n, "value", 0.0f));
        return 1;
    }
    if (!cv) return 1;
    if (!cv->data) return 0;
    memcpy(buf, cv->data, (size_t)dtype_size(x->dtype));
    return 1;
}

/* Pad: X[d...] -> Y[d + begin + end ...] */
void shape_pad(Graph *g, Node *n)
{
    const Tensor *x = n->in[0], *cv = node_input(n, 2);
    PadGeom pg;
    pad_geometry(g, n, &pg);
    if (n->opset < 11) (void)node_attr_float(n, "value", 0.0f);
    else if (node_attr(n, "pads") || node_attr(n, "value")) nnc_fail_node(n, "pads and value are inputs from opset 11");
    if (cv && (cv->dtype != x->dtype || tensor_numel(cv) != 1))
        nnc_fail_node(n, "constant_value must be a scalar of the input's type");
    op_set_output(n, 0, x->dtype, x->rank, pg.out);
}

/* Index of the kept input range that output index i (of the padded axis)
 * reads, or -1 for a constant pad; the same rule as the pad_nd template. */
static int64_t pad_index(int64_t i, int64_t len, int mode)
{
    if (i >= 0 && i < len) return i;
    if (mode == 0) return -1;
    if (mode == 2 || len == 1) return i < 0 ? 0 : len - 1;
    int64_t period = 2 * (len - 1), r = i % period;
    if (r < 0) r += period;
    return r < len ? r : period - r;
}

void lower_pad(Lowering *L, const Node *n)
{
    const Tensor *x = n->in[0], *y = n->out[0];
    Tensor *cv = node_input(n, 2);
    if (tensor_numel(y) == 0) return;
    PadGeom pg;
    pad_geometry(lower_graph(L), n, &pg);
    int same = 1;
    for (int i = 0; i < x->rank; i++) same = same && pg.out[i] == x->dims[i] && pg.off[i] == 0;
    if (same) { /* nothing added or cropped */
        lower_copy(L, n);
        return;
    }
    int64_t xs[NNC_MAX_RANK], offset = 0;
    op_dense_strides(x->rank, x->dims, xs);
    for (int i = 0; i < x->rank; i++) offset += pg.off[i] * xs[i];
    int r = x->rank;
    if (r == 0) { /* a scalar: one dim of one element */
        r = 1;
        pg.out[0] = pg.len[0] = xs[0] = 1;
        pg.before[0] = 0;
    }
    uint64_t buf;
    Tensor tmp = {.name = "value", .dtype = x->dtype, .data = &buf};
    int known = pad_value(n, &buf);
    KParams p = {0};
    kp_type(L, &p, "T", x->dtype);
    kp_int(L, &p, "MODE", pad_mode(n));
    kp_str(L, &p, "VALUE", known ? elem_literal(L, &tmp, 0) : "cv[0]");
    kp_int(L, &p, "NDIM", r);
    kp_ints(L, &p, "DIMS", pg.out, r);
    kp_ints(L, &p, "INS", pg.len, r);
    kp_ints(L, &p, "BEGINS", pg.before, r);
    kp_ints(L, &p, "XS", xs, r);
    kp_int(L, &p, "OFFSET", offset);
    const char *fn = lower_kernel(L, n, "pad_nd", &p);
    Tensor *args[3] = {n->in[0], known ? NULL : cv, n->out[0]};
    lower_call(L, fn, 3, args, 0);
}

void eval_pad(Graph *g, Node *n)
{
    const Tensor *x = n->in[0];
    Tensor *y = n->out[0];
    PadGeom pg;
    pad_geometry(g, n, &pg);
    uint64_t buf;
    int known = pad_value(n, &buf);
    NNC_ASSERT(known); /* folding runs only on constant inputs */
    int mode = pad_mode(n);
    int64_t xs[NNC_MAX_RANK], es = dtype_size(x->dtype);
    op_dense_strides(x->rank, x->dims, xs);
    for (int64_t o = 0; o < tensor_numel(y); o++) {
        int64_t rem = o, src = 0;
        int pad = 0;
        for (int i = x->rank - 1; i >= 0; i--) {
            int64_t s = pad_index(rem % pg.out[i] - pg.before[i], pg.len[i], mode);
            rem /= pg.out[i];
            if (s < 0) pad = 1;
            src += (s + pg.off[i]) * xs[i];
        }
        memcpy((char *)y->data + o * es, pad ? (const void *)&buf : (const char *)x->data + src * es, (size_t)es);
    }
}
