/* shape_ops.c — ops that reshape, reorder or select data: Flatten, Reshape,
 * Squeeze, Unsqueeze, Transpose, Concat, Gather and Constant (Pad and the
 * other index-arithmetic ops are in indexing.c). Shape arguments (Reshape's
 * shape, axes inputs) must be constants. Concat along the channels of
 * channel-blocked (NCHW[c]) inputs stays blocked (layout_concat). */
#include "common.h"


#include <string.h>

static void same_shape_output(const Node *n, int rank, const int64_t *dims)
{
    op_set_output(n, 0, n->in[0]->dtype, rank, dims);
    if (tensor_numel(n->out[0]) != tensor_numel(n->in[0]))
        nnc_fail_node(n, "output has %lld elements but input has %lld", (long long)tensor_numel(n->out[0]),
                      (long long)tensor_numel(n->in[0]));
}

/* Flatten: X[d0..dn] -> [d0*..*d(axis-1), d(axis)*..*dn] */
void shape_flatten(Graph *g, Node *n)
{
    (void)g;
    const Tensor *x = n->in[0];
    int axis = op_axis(n, node_attr_int(n, "axis", 1), x->rank, 1);
    int64_t dims[2] = {1, 1};
    for (int i = 0; i < x->rank; i++) dims[i < axis] *= x->dims[i];
    int64_t out[2] = {dims[1], dims[0]};
    same_shape_output(n, 2, out);
}

/* Reshape: shape input with 0 (copy, unless allowzero) and one -1 (infer) */
void shape_reshape(Graph *g, Node *n)
{
    const Tensor *x = n->in[0];
    int cnt;
    int64_t *s = op_const_ints(g, n, 1, &cnt);
    if (cnt > NNC_MAX_RANK) nnc_fail_node(n, "target rank %d exceeds %d", cnt, NNC_MAX_RANK);
    int allowzero = node_attr_int(n, "allowzero", 0) != 0, infer = -1;
    int64_t known = 1;
    for (int i = 0; i < cnt; i++) {
        if (s[i] == 0 && !allowzero) {
            if (i >= x->rank) nnc_fail_node(n, "shape[%d] = 0 copies a dimension the input does not have", i);
            s[i] = x->dims[i];
        }
        if (s[i] == -1) {
            if (infer >= 0) nnc_fail_node(n, "shape has more than one -1");
            infer = i;
            continue;
        }
        if (s[i] < 0) nnc_fail_node(n, "shape[%d] = %lld is invalid", i, (long long)s[i]);
        if (!checked_mul_i64(known, s[i], &known) || known > NNC_MAX_ELEMS) nnc_fail_node(n, "shape overflows");
    }
    int64_t total = tensor_numel(x);
    if (infer >= 0) {
        if (known == 0 || total % known) nnc_fail_node(n, "cannot infer the -1 dimension (%lld elements into %lld)", (long long)total, (long long)known);
        s[infer] = total / known;
    }
    same_shape_output(n, cnt, s);
}

/* axes from the attribute (opset < 13) or the optional second input */
static int64_t *axes_of(Graph *g, const Node *n, int *cnt)
{
    if (node_input(n, 1)) return op_const_ints(g, n, 1, cnt);
    const int64_t *a;
    *cnt = node_attr_ints(n, "axes", &a);
    if (*cnt < 0) return NULL;
    int64_t *r = arena_alloc_array(g->arena, (size_t)*cnt + 1, sizeof(int64_t));
    memcpy(r, a, (size_t)*cnt * sizeof(int64_t));
    return r;
}

void shape_squeeze(Graph *g, Node *n)
{
    const Tensor *x = n->in[0];
    int cnt;
    int64_t *ax = axes_of(g, n, &cnt);
    char drop[NNC_MAX_RANK] = {0};
    for (int i = 0; i < cnt; i++) {
        int a = op_axis(n, ax[i], x->rank, 0);
        if (x->dims[a] != 1) nnc_fail_node(n, "cannot squeeze axis %d of size %lld", a, (long long)x->dims[a]);
        drop[a] = 1;
    }
    int64_t dims[NNC_MAX_RANK];
    int r = 0;
    for (int i = 0; i < x->rank; i++)
        if (!(cnt >= 0 ? drop[i] : x->dims[i] == 1)) dims[r++] = x->dims[i];
    same_shape_output(n, r, dims);
}

void shape_unsqueeze(Graph *g, Node *n)
{
    const Tensor *x = n->in[0];
    int cnt;
    int64_t *ax = axes_of(g, n, &cnt);
    if (cnt < 0) nnc_fail_node(n, "axes are required");
    int r = x->rank + cnt;
    if (r > NNC_MAX_RANK) nnc_fail_node(n, "output rank %d exceeds %d", r, NNC_MAX_RANK);
    char ins[NNC_MAX_RANK] = {0};
    for (int i = 0; i < cnt; i++) {
        int a = op_axis(n, ax[i], r, 0);
        if (ins[a]) nnc_fail_node(n, "axis %lld is repeated", (long long)ax[i]);
        ins[a] = 1;
    }
    int64_t dims[NNC_MAX_RANK];
    for (int i = 0, k = 0; i < r; i++) dims[i] = ins[i] ? 1 : x->dims[k++];
    same_shape_output(n, r, dims);
}

/* Transpose: perm (default: reversed) */
static void transpose_perm(const Node *n, int *perm)
{
    const Tensor *x = n->in[0];
    const int64_t *p;
    int cnt = node_attr_ints(n, "perm", &p);
    if (cnt >= 0 && cnt != x->rank) nnc_fail_node(n, "perm has %d entries for rank %d", cnt, x->rank);
    char seen[NNC_MAX_RANK] = {0};
    for (int i = 0; i < x->rank; i++) {
        int64_t v = cnt >= 0 ? p[i] : x->rank - 1 - i;
        if (v < 0 || v >= x->rank || seen[v]) nnc_fail_node(n, "perm is not a permutation");
        seen[v] = 1;
        perm[i] = (int)v;
    }
}

void shape_transpose(Graph *g, Node *n)
{
    (void)g;
    const Tensor *x = n->in[0];
    int perm[NNC_MAX_RANK];
    transpose_perm(n, perm);
    int64_t dims[NNC_MAX_RANK];
    for (int i = 0; i < x->rank; i++) dims[i] = x->dims[perm[i]];
    op_set_output(n, 0, x->dtype, x->rank, dims);
}

void lower_transpose(Lowering *L, const Node *n)
{
    const Tensor *x = n->in[0], *y = n->out[0];
    int perm[NNC_MAX_RANK];
    transpose_perm(n, perm);
    int64_t xs[NNC_MAX_RANK], ps[NNC_MAX_RANK];
    op_dense_strides(x->rank, x->dims, xs);
    for (int i = 0; i < x->rank; i++) ps[i] = xs[perm[i]];
    KParams p = {0};
    kp_type(L, &p, "T", x->dtype);
    /* perm = [0, 1, ..., r-3, r-1, r-2] on 4-byte elements: a blocked SIMD
     * transpose of the last two dims when the target has one */
    int last2 = x->rank >= 2 && perm[x->rank - 1] == x->rank - 2 && perm[x->rank - 2] == x->rank - 1;
    for (int i = 0; i + 2 < x->rank; i++) last2 = last2 && perm[i] == i;
    if (last2 && dtype_size(x->dtype) == 4 && lower_isa_has(L, "transpose2d_vec")) {
        int64_t rows = x->dims[x->rank - 2], cols = x->dims[x->rank - 1];
        kp_int(L, &p, "BATCH", rows * cols != 0 ? tensor_numel(x) / (rows * cols) : 0);
        kp_int(L, &p, "ROWS", rows);
        kp_int(L, &p, "COLS", cols);
        const char *fn = lower_kernel(L, n, "transpose2d_vec", &p);
        Tensor *args[2] = {n->in[0], n->out[0]};
        /* units: tiles of 8 rows by 64 columns of each matrix */
        int64_t batch = rows * cols != 0 ? tensor_numel(x) / (rows * cols) : 0;
        op_call_par(L, fn, 2, args, batch * op_ceil_div(rows, 8) * op_ceil_div(cols, 64), tensor_numel(x));
        return;
    }
    static const char *const pre[] = {"XS"};
    int64_t *const st[] = {ps};
    op_call_transpose(L, n, &p, op_bind_loop(L, &p, n, "D", y->rank, y->dims, 1, pre, st));
}

/* Concat along axis: all inputs agree on every other dim */
void shape_concat(Graph *g, Node *n)
{
    (void)g;
    const Tensor *x = n->in[0];
    if (!node_attr(n, "axis")) nnc_fail_node(n, "attribute 'axis' is required");
    int axis = op_axis(n, node_attr_int(n, "axis", 0), x->rank, 0);
    int64_t dims[NNC_MAX_RANK];
    memcpy(dims, x->dims, sizeof dims);
    for (int k = 1; k < n->n_in; k++) {
        const Tensor *t = n->in[k];
        if (!t) nnc_fail_node(n, "input %d is missing", k);
        if (t->dtype != x->dtype || t->rank != x->rank)
            nnc_fail_node(n, "input '%s' differs in type or rank from '%s'", t->name, x->name);
        for (int i = 0; i < x->rank; i++)
            if (i != axis && t->dims[i] != x->dims[i])
                nnc_fail_node(n, "input '%s' differs in dimension %d", t->name, i);
        if (!checked_add_i64(dims[axis], t->dims[axis], &dims[axis])) nnc_fail_node(n, "size overflows");
    }
    op_set_output(n, 0, x->dtype, x->rank, dims);
}

/* Layout pass (see LayoutUse in ir/ops.h): a float Concat of rank-4
 * tensors along the channels whose inputs are all blocked, every one but the
 * last filling whole channel blocks, is written blocked: each input's blocks
 * are then one contiguous run per batch item, and the output's padding lanes
 * are the last input's. */
LayoutUse layout_concat(const Graph *gr, const Node *n, int c)
{
    (void)gr;
    const Tensor *y = n->out[0];
    LayoutUse no = {0, 0, 0};
    if (c <= 0 || y->rank != 4 || y->dtype != DT_FLOAT || n->n_in > (int)(8 * sizeof(unsigned))) return no;
    if (op_axis(n, node_attr_int(n, "axis", 0), y->rank, 0) != 1) return no;
    for (int k = 0; k < n->n_in; k++)
        if (n->in[k]->layout != c || (k < n->n_in - 1 && n->in[k]->dims[1] % c != 0)) return no;
    return (LayoutUse){n->n_in == (int)(8 * sizeof(unsigned)) ? ~0u : (1u << n->n_in) - 1u, 0, 1};
}

/* Copy input k into the output (template concat_part, OUTER blocks of
 * CHUNK elements bound): units are pieces of OP_PAR_CHUNK elements of
 * each block. */
static void call_concat_part(Lowering *L, const Node *n, int k, KParams *p, int64_t outer, int64_t chunk)
{
    kp_int(L, p, "PAR_CHUNK", OP_PAR_CHUNK);
    const char *fn = lower_kernel(L, n, "concat_part", p);
    Tensor *args[2] = {n->in[k], n->out[0]};
    op_call_par(L, fn, 2, args, outer * op_ceil_div(chunk, OP_PAR_CHUNK), outer * chunk);
}

/* Blocked Concat (see layout_concat): X_k[N][CB_k][H][W][c] -> Y[N][CB][H][W][c];
 * input k is N runs of CB_k*H*W*c floats, at its block offset in each batch
 * item of Y. */
static void lower_concat_blocked(Lowering *L, const Node *n)
{
    const Tensor *y = n->out[0];
    const int64_t c = y->layout, plane = y->dims[2] * y->dims[3] * c;
    int64_t off = 0;
    for (int k = 0; k < n->n_in; k++) {
        const Tensor *t = n->in[k];
        const int64_t cb = (t->dims[1] + c - 1) / c;
        NNC_ASSERT(t->layout == c && (k == n->n_in - 1 || t->dims[1] % c == 0));
        if (cb * plane == 0) continue;
        KParams p = {0};
        kp_type(L, &p, "T", y->dtype);
        kp_int(L, &p, "OUTER", y->dims[0]);
        kp_int(L, &p, "CHUNK", cb * plane);
        kp_int(L, &p, "YSTRIDE", (y->dims[1] + c - 1) / c * plane);
        kp_int(L, &p, "OFFSET", off * plane);
        call_concat_part(L, n, k, &p, y->dims[0], cb * plane);
        off += cb;
    }
}

void lower_concat(Lowering *L, const Node *n)
{
    const Tensor *y = n->out[0];
    if (y->layout > 0) {
        lower_concat_blocked(L, n);
        return;
    }
    int axis = op_axis(n, node_attr_int(n, "axis", 0), y->rank, 0);
    int64_t outer = 1, inner = 1, offset = 0;
    for (int i = 0; i < axis; i++) outer *= y->dims[i];
    for (int i = axis + 1; i < y->rank; i++) inner *= y->dims[i];
    for (int k = 0; k < n->n_in; k++) {
        const Tensor *t = n->in[k];
        int64_t chunk = t->dims[axis] * inner;
        if (chunk == 0) continue;
        KParams p = {0};
        kp_type(L, &p, "T", y->dtype);
        kp_int(L, &p, "OUTER", outer);
        kp_int(L, &p, "CHUNK", chunk);
        kp_int(L, &p, "YSTRIDE", y->dims[axis] * inner);
        kp_int(L, &p, "OFFSET", offset);
        call_concat_part(L, n, k, &p, outer, chunk);
        offset += chunk;
    }
}

/* Gather: data[..., axis, ...], indices[I...] -> data[:axis] + I + data[axis+1:] */
void shape_gather(Graph *g, Node *n)
{
    (void)g;
    const Tensor *x = n->in[0], *idx = node_input(n, 1);
    if (idx->dtype != DT_INT64 && idx->dtype != DT_INT32) nnc_fail_node(n, "indices must be INT32 or INT64");
    if (x->rank < 1) nnc_fail_node(n, "data must have rank 1 or more");
    int axis = op_axis(n, node_attr_int(n, "axis", 0), x->rank, 0);
    int r = x->rank - 1 + idx->rank;
    if (r > NNC_MAX_RANK) nnc_fail_node(n, "output rank %d exceeds %d", r, NNC_MAX_RANK);
    if (idx->data)
        for (int64_t i = 0; i < tensor_numel(idx); i++) {
            int64_t v = tensor_get_int(idx, i);
            if (v < -x->dims[axis] || v >= x->dims[axis])
                nnc_fail_node(n, "index %lld is out of range for axis of size %lld", (long long)v, (long long)x->dims[axis]);
        }
    int64_t dims[NNC_MAX_RANK];
    int k = 0;
    for (int i = 0; i < axis; i++) dims[k++] = x->dims[i];
    for (int i = 0; i < idx->rank; i++) dims[k++] = idx->dims[i];
    for (int i = axis + 1; i < x->rank; i++) dims[k++] = x->dims[i];
    op_set_output(n, 0, x->dtype, r, dims);
}

void lower_gather(Lowering *L, const Node *n)
{
    const Tensor *x = n->in[0], *idx = node_input(n, 1);
    int axis = op_axis(n, node_attr_int(n, "axis", 0), x->rank, 0);
    int64_t outer = 1, inner = 1;
    for (int i = 0; i < axis; i++) outer *= x->dims[i];
    for (int i = axis + 1; i < x->rank; i++) inner *= x->dims[i];
    KParams p = {0};
    kp_type(L, &p, "T", x->dtype);
    kp_type(L, &p, "TI", idx->dtype);
    kp_int(L, &p, "OUTER", outer);
    kp_int(L, &p, "AXIS_N", x->dims[axis]);
    kp_int(L, &p, "INNER", inner);
    kp_int(L, &p, "NIDX", tensor_numel(idx));
    kp_int(L, &p, "STATUS_INDEX", NNC_STATUS_INDEX);
    const char *fn = lower_kernel(L, n, "gather", &p);
    Tensor *args[3] = {n->in[0], node_input(n, 1), n->out[0]};
    lower_call(L, fn, 3, args, 1);
}

/* Constant: the value becomes the output's data at compile time */
void shape_constant(Graph *g, Node *n)
{
    Tensor *y = n->out[0];
    const Attr *a = NULL;
    static const char *const kinds[] = {"value", "value_float", "value_floats", "value_int", "value_ints",
                                        "value_string", "value_strings", "sparse_value"};
    int found = 0;
    for (int i = 0; i < 8; i++)
        if (node_attr(n, kinds[i])) {
            found++;
            a = node_attr(n, kinds[i]);
        }
    if (found != 1) nnc_fail_node(n, "needs exactly one value attribute");
    int64_t one = 1;
    if (strcmp(a->name, "value") == 0) {
        if (a->type != ATTR_TENSOR) nnc_fail_node(n, "attribute 'value' must be a tensor");
        tensor_set_shape(y, a->t->dtype, a->t->rank, a->t->dims);
        y->data = a->t->data;
    } else if (strcmp(a->name, "value_float") == 0 && a->type == ATTR_FLOAT) {
        tensor_set_shape(y, DT_FLOAT, 0, &one);
        y->data = arena_alloc(g->arena, sizeof(float));
        *(float *)y->data = a->f;
    } else if (strcmp(a->name, "value_int") == 0 && a->type == ATTR_INT) {
        tensor_set_shape(y, DT_INT64, 0, &one);
        y->data = arena_alloc(g->arena, sizeof(int64_t));
        *(int64_t *)y->data = a->i;
    } else if (strcmp(a->name, "value_floats") == 0 && a->type == ATTR_FLOATS) {
        int64_t cnt = a->n;
        tensor_set_shape(y, DT_FLOAT, 1, &cnt);
        y->data = arena_alloc_array(g->arena, (size_t)cnt + 1, sizeof(float));
        memcpy(y->data, a->floats, (size_t)cnt * sizeof(float));
    } else if (strcmp(a->name, "value_ints") == 0 && a->type == ATTR_INTS) {
        int64_t cnt = a->n;
        tensor_set_shape(y, DT_INT64, 1, &cnt);
        y->data = arena_alloc_array(g->arena, (size_t)cnt + 1, sizeof(int64_t));
        memcpy(y->data, a->ints, (size_t)cnt * sizeof(int64_t));
    } else {
        nnc_fail_node(n, "attribute '%s' is not supported or has the wrong type", a->name);
    }
}

/* ---- reference semantics (constant folding) ---- */
void eval_transpose(Graph *g, Node *n)
{
    (void)g;
    const Tensor *x = n->in[0];
    Tensor *y = n->out[0];
    int perm[NNC_MAX_RANK];
    transpose_perm(n, perm);
    int64_t xs[NNC_MAX_RANK];
    op_dense_strides(x->rank, x->dims, xs);
    int64_t cnt = tensor_numel(y), es = dtype_size(y->dtype);
    for (int64_t o = 0; o < cnt; o++) {
        int64_t rem = o, src = 0;
        for (int i = y->rank - 1; i >= 0; i--) {
            src += (rem % y->dims[i]) * xs[perm[i]];
            rem /= y->dims[i];
        }
        memcpy((char *)y->data + o * es, (const char *)x->data + src * es, (size_t)es);
    }
}

void eval_concat(Graph *g, Node *n)
{
    (void)g;
    Tensor *y = n->out[0];
    int axis = op_axis(n, node_attr_int(n, "axis", 0), y->rank, 0);
    int64_t outer = 1, inner = dtype_size(y->dtype), offset = 0;
    for (int i = 0; i < axis; i++) outer *= y->dims[i];
    for (int i = axis + 1; i < y->rank; i++) inner *= y->dims[i];
    for (int k = 0; k < n->n_in; k++) {
        const Tensor *t = n->in[k];
        int64_t chunk = t->dims[axis] * inner;
        for (int64_t o = 0; o < outer; o++)
            memcpy((char *)y->data + o * y->dims[axis] * inner + offset, (const char *)t->data + o * chunk,
                   (size_t)chunk);
        offset += chunk;
    }
}

void eval_gather(Graph *g, Node *n)
{
    (void)g;
    const Tensor *x = n->in[0], *idx = n->in[1];
    Tensor *y = n->out[0];
    int axis = op_axis(n, node_attr_int(n, "axis", 0), x->rank, 0);
    int64_t outer = 1, inner = dtype_size(x->dtype), ni = tensor_numel(idx), an = x->dims[axis];
    for (int i = 0; i < axis; i++) outer *= x->dims[i];
    for (int i = axis + 1; i < x->rank; i++) inner *= x->dims[i];
    for (int64_t o = 0; o < outer; o++)
        for (int64_t i = 0; i < ni; i++) {
            int64_t k = tensor_get_int(idx, i);
            if (k < 0) k += an;
            NNC_ASSERT(k >= 0 && k < an); /* checked by shape_gather */
            memcpy((char *)y->data + (o * ni + i) * inner, (const char *)x->data + (o * an + k) * inner,
                   (size_t)inner);
        }
}
