/* recognize.c — turns the operator chains torch exports back into the
 * operations they spell, so later passes and kernels see one node each:
 *   - GELU:  x * 0.5 * (1 + Erf(x / sqrt 2))                       -> Gelu(x)
 *   - LayerNorm: (x - mean(x)) / sqrt(mean((x - mean)^2) + eps) * g + b
 *                                            -> LayerNormalization(x, g, b)
 *   - attention: MatMul(Q, K^T) -> scale -> (+ mask | Where mask) -> Softmax
 *                -> MatMul(., V)                          -> Attention(...)
 * Each rewrite reuses the chain's last node (keeping its output and its place
 * in the schedule) and marks the others dead; it only fires when every
 * intermediate result has no other reader. */
#include "passes.h"

#include "../ir/ops.h"

#include <math.h>
#include <string.h>

static int const_scalar(const Tensor *t, double *v)
{
    if (!t || !t->data || tensor_numel(t) != 1 || !dtype_is_float(t->dtype)) return 0;
    *v = tensor_get_double(t, 0);
    return 1;
}

static int near(double a, double b) { return fabs(a - b) <= 1e-4 * fabs(b); }

/* the only node reading t (t is no graph output), else NULL */
static Node *only_reader(Graph *g, const Tensor *t)
{
    if (!t || t->output_index >= 0) return NULL;
    Node *r = NULL;
    for (int i = 0; i < g->n_nodes; i++) {
        Node *n = g->nodes[i];
        if (n->dead) continue;
        for (int k = 0; k < n->n_in; k++)
            if (n->in[k] == t) {
                if (r) return NULL;
                r = n;
            }
    }
    return r;
}

/* for a binary node: the input that is not `one` (NULL if both are) */
static Tensor *other_input(const Node *n, const Tensor *one)
{
    if (n->n_in != 2) return NULL;
    if (n->in[0] == one && n->in[1] != one) return n->in[1];
    if (n->in[1] == one && n->in[0] != one) return n->in[0];
    return NULL;
}

static void set_attrs(Graph *g, Node *n, int count)
{
    n->attrs = arena_alloc_array(g->arena, (size_t)count + 1, sizeof(Attr));
    n->n_attrs = 0;
}

static void add_attr(Node *n, Attr a) { n->attrs[n->n_attrs++] = a; }

static void become(Graph *g, Node *n, OpKind op, const char *type, int n_in, Tensor *const *in)
{
    n->op = op;
    n->op_type = type;
    n->in = arena_alloc_array(g->arena, (size_t)n_in + 1, sizeof(Tensor *));
    memcpy(n->in, in, (size_t)n_in * sizeof(Tensor *));
    n->n_in = n_in;
    n->epi = (Epilogue){0};
}

/* ---- GELU ---- */
static void try_gelu(Graph *g, Node *e)
{
    Node *pd = tensor_made_by(e->in[0], OP_Div);
    if (!pd) pd = tensor_made_by(e->in[0], OP_Mul);
    double c, half;
    if (!pd) return;
    Tensor *x = pd->in[0];
    if (!const_scalar(pd->in[1], &c) || !(pd->op == OP_Div ? near(c, sqrt(2.0)) : near(c, sqrt(0.5)))) return;
    if (!dtype_is_float(x->dtype) || only_reader(g, pd->out[0]) != e) return;
    Node *a = only_reader(g, e->out[0]);
    if (!a || a->op != OP_Add || !const_scalar(other_input(a, e->out[0]), &c) || c != 1.0) return;
    Node *m1 = only_reader(g, a->out[0]);
    if (!m1 || m1->op != OP_Mul) return;
    Tensor *o1 = other_input(m1, a->out[0]);
    Node *last = NULL, *extra = NULL;
    if (o1 == x) { /* (x * a) * 0.5 */
        last = only_reader(g, m1->out[0]);
        if (!last || last->op != OP_Mul || !const_scalar(other_input(last, m1->out[0]), &half)) return;
    } else if (const_scalar(o1, &half)) { /* x * (a * 0.5) */
        last = only_reader(g, m1->out[0]);
        if (!last || last->op != OP_Mul || other_input(last, m1->out[0]) != x) return;
    } else if ((extra = tensor_made_by(o1, OP_Mul)) && only_reader(g, o1) == m1) { /* (x * 0.5) * a */
        if (other_input(extra, x) == NULL || !const_scalar(other_input(extra, x), &half)) return;
        last = m1;
    } else {
        return;
    }
    if (half != 0.5 || last->out[0]->dtype != x->dtype || last->out[0]->rank != x->rank) return;
    pd->dead = e->dead = a->dead = 1;
    if (m1 != last) m1->dead = 1;
    if (extra) extra->dead = 1;
    become(g, last, OP_Gelu, "Gelu", 1, &x);
    last->n_attrs = 0;
}

/* ---- LayerNorm ---- */
static int same_dims(const Tensor *a, const Tensor *b)
{
    if (a->rank != b->rank) return 0;
    for (int i = 0; i < a->rank; i++)
        if (a->dims[i] != b->dims[i]) return 0;
    return 1;
}

/* p broadcasts onto x's trailing dims from `axis` (negative) without adding any */
static int trailing_param(const Tensor *p, const Tensor *x, int axis)
{
    if (p->rank > -axis && p->rank > x->rank) return 0;
    for (int i = 0; i < p->rank; i++) {
        int xi = x->rank - p->rank + i;
        if (xi < x->rank + axis) { /* a leading dim of p outside the normalised ones */
            if (p->dims[i] != 1) return 0;
        } else if (p->dims[i] != x->dims[xi]) {
            return 0;
        }
    }
    return 1;
}
/* axis of a ReduceMean over the trailing dims of x (keepdims), or 0 if not */
static int trailing_mean_axis(const Node *r, const Tensor *x)
{
    const int64_t *ax;
    int n = node_attr_ints(r, "axes", &ax);
    if (n <= 0 || node_input(r, 1) || !node_attr_int(r, "keepdims", 1) || r->in[0] != x) return 0;
    char seen[NNC_MAX_RANK] = {0};
    int lo = x->rank;
    for (int i = 0; i < n; i++) {
        int64_t a = ax[i] < 0 ? ax[i] + x->rank : ax[i];
        if (a < 0 || a >= x->rank || seen[a]) return 0;
        seen[a] = 1;
        if (a < lo) lo = (int)a;
    }
    for (int a = lo; a < x->rank; a++)
        if (!seen[a]) return 0;
    return lo - x->rank; /* negative axis */
}

static void try_layernorm(Graph *g, Node *r1)
{
    Tensor *x = r1->in[0];
    int axis = dtype_is_float(x->dtype) ? trailing_mean_axis(r1, x) : 0;
    if (!axis) return;
    Node *sub = only_reader(g, r1->out[0]);
    if (!sub || sub->op != OP_Sub || sub->in[0] != x || sub->in[1] != r1->out[0]) return;
    Tensor *d = sub->out[0];
    Node *pw = NULL, *dv = NULL;
    double c, eps;
    for (int i = 0; i < g->n_nodes; i++) {
        Node *n = g->nodes[i];
        if (n->dead || n->n_in < 2 || n->in[0] != d) continue;
        if (n->op == OP_Pow && const_scalar(n->in[1], &c) && c == 2.0) pw = n;
        else if (n->op == OP_Div) dv = n;
    }
    if (!pw || !dv || graph_count_uses(g, d) != 2 || d->output_index >= 0) return;
    Node *r2 = only_reader(g, pw->out[0]);
    if (!r2 || r2->op != OP_ReduceMean || trailing_mean_axis(r2, pw->out[0]) != axis) return;
    Node *ad = only_reader(g, r2->out[0]);
    if (!ad || ad->op != OP_Add || !const_scalar(other_input(ad, r2->out[0]), &eps)) return;
    Node *sq = only_reader(g, ad->out[0]);
    if (!sq || sq->op != OP_Sqrt || only_reader(g, sq->out[0]) != dv || dv->in[1] != sq->out[0]) return;
    Node *last = dv, *mul = only_reader(g, dv->out[0]), *add = NULL;
    Tensor *gamma = NULL, *beta = NULL;
    int64_t norm = 1;
    for (int a = x->rank + axis; a < x->rank; a++) norm *= x->dims[a];
    if (mul && mul->op == OP_Mul && (gamma = other_input(mul, dv->out[0])) && gamma->data &&
        tensor_numel(gamma) == norm && gamma->dtype == x->dtype) {
        last = mul;
        add = only_reader(g, mul->out[0]);
        if (add && add->op == OP_Add && (beta = other_input(add, mul->out[0])) && beta->data &&
            tensor_numel(beta) == norm && beta->dtype == x->dtype)
            last = add;
        else
            beta = NULL;
    } else {
        gamma = NULL;
    }
    if (!gamma) { /* LayerNormalization needs a scale: ones */
        gamma = graph_add_tensor(g, arena_printf(g->arena, "%s.ln_scale", x->name));
        int64_t dims[NNC_MAX_RANK];
        int r = 0;
        for (int a = x->rank + axis; a < x->rank; a++) dims[r++] = x->dims[a];
        tensor_set_shape(gamma, x->dtype, r, dims);
        gamma->data = arena_alloc(g->arena, (size_t)tensor_bytes(gamma) + 1);
        for (int64_t i = 0; i < norm; i++) tensor_set_double(gamma, i, 1.0);
    }
    /* the rewrite must not change the shape: g and b cover the trailing dims exactly */
    if (!same_dims(last->out[0], x) || !trailing_param(gamma, x, axis) || (beta && !trailing_param(beta, x, axis)))
        return;
    r1->dead = sub->dead = pw->dead = r2->dead = ad->dead = sq->dead = 1;
    if (last != dv) dv->dead = 1;
    if (last == add) mul->dead = 1;
    Tensor *in[3] = {x, gamma, beta};
    become(g, last, OP_LayerNormalization, "LayerNormalization", beta ? 3 : 2, in);
    set_attrs(g, last, 2);
    add_attr(last, (Attr){.name = "axis", .type = ATTR_INT, .i = axis});
    add_attr(last, (Attr){.name = "epsilon", .type = ATTR_FLOAT, .f = (float)eps});
}

/* ---- attention ---- */
static int softmax_on_last_axis(const Node *s)
{
    int rank = s->in[0]->rank;
    int64_t axis = node_attr_int(s, "axis", s->opset < 13 ? 1 : -1);
    if (axis < 0) axis += rank;
    return axis == rank - 1;
}

/* perm swaps the last two dims and keeps the rest */
static int swaps_last_two(const Node *t)
{
    const int64_t *p;
    int n = node_attr_ints(t, "perm", &p), r = t->in[0]->rank;
    if (n != r || r < 2) return 0;
    for (int i = 0; i < r - 2; i++)
        if (p[i] != i) return 0;
    return p[r - 2] == r - 1 && p[r - 1] == r - 2;
}

static void try_attention(Graph *g, Node *s)
{
    if (!dtype_is_float(s->in[0]->dtype) || !softmax_on_last_axis(s)) return;
    Node *mm2 = only_reader(g, s->out[0]);
    if (!mm2 || mm2->op != OP_MatMul || mm2->in[0] != s->out[0] || mm2->in[1] == s->out[0]) return;
    Tensor *z = s->in[0], *mask = NULL, *cond = NULL;
    Node *dead[4] = {0};
    int nd = 0, keep = 0;
    double fill = 0, scale = 1, c;
    Node *p = z->producer;
    if (p && !p->dead && p->op == OP_Where && only_reader(g, z) == s) {
        if (const_scalar(p->in[1], &fill)) keep = 0;
        else if (const_scalar(p->in[2], &fill)) keep = 1;
        else return;
        cond = p->in[0];
        dead[nd++] = p;
        z = p->in[keep ? 1 : 2];
        p = z->producer;
    }
    if (p && !p->dead && p->op == OP_Add && only_reader(g, z) == (nd ? dead[nd - 1] : s)) {
        /* which side is the scores: the one coming from MatMul (maybe scaled) */
        for (int side = 0; side < 2; side++) {
            Node *q = p->in[side]->producer;
            if (q && !q->dead && (q->op == OP_MatMul || q->op == OP_Mul || q->op == OP_Div)) {
                mask = p->in[1 - side];
                dead[nd++] = p;
                z = p->in[side];
                p = q;
                break;
            }
        }
    }
    Node *reader = nd ? dead[nd - 1] : s;
    if (p && !p->dead && (p->op == OP_Mul || p->op == OP_Div) && only_reader(g, z) == reader &&
        const_scalar(p->in[1], &c) && c != 0) {
        scale = p->op == OP_Mul ? c : 1.0 / c;
        dead[nd++] = p;
        reader = p;
        z = p->in[0];
        p = z->producer;
    }
    if (!p || p->dead || p->op != OP_MatMul || only_reader(g, z) != reader) return;
    Node *mm1 = p;
    Tensor *a = mm1->in[0], *b = mm1->in[1], *v = mm2->in[1];
    if (a->rank < 2 || b->rank < 2 || v->rank < 2 || a->dtype != z->dtype || v->dtype != z->dtype) return;
    if (mask && (mask->dtype != z->dtype || mask->rank > z->rank)) return;
    if (cond && (cond->dtype != DT_BOOL || cond->rank > z->rank)) return;
    /* no broadcasting may hide in the chain: the scores keep the Softmax's
     * shape, and the output's rows and columns are Q's rows and V's columns */
    const Tensor *y = mm2->out[0];
    if (!same_dims(z, s->in[0]) || z->rank != y->rank || y->dims[y->rank - 2] != a->dims[a->rank - 2] ||
        y->dims[y->rank - 1] != v->dims[v->rank - 1])
        return;
    int kt = 0;
    Node *tr = tensor_made_by(b, OP_Transpose);
    if (tr && swaps_last_two(tr)) {
        kt = 1;
        if (only_reader(g, b) == mm1) tr->dead = 1;
        b = tr->in[0];
    }
    for (int i = 0; i < nd; i++) dead[i]->dead = 1;
    mm1->dead = s->dead = 1;
    Tensor *in[5] = {a, b, v, mask, cond};
    become(g, mm2, OP_Attention, "Attention", 5, in);
    set_attrs(g, mm2, 4);
    add_attr(mm2, (Attr){.name = "kt", .type = ATTR_INT, .i = kt});
    add_attr(mm2, (Attr){.name = "scale", .type = ATTR_FLOAT, .f = (float)scale});
    add_attr(mm2, (Attr){.name = "fill", .type = ATTR_FLOAT, .f = (float)fill});
    add_attr(mm2, (Attr){.name = "select_keep", .type = ATTR_INT, .i = keep});
}

/* Calls try(g, n) on every live node of kind op (the pattern's last or
 * anchoring node), noting the node for internal-error lines. */
static void for_each_op(Graph *g, OpKind op, void (*try)(Graph *, Node *))
{
    for (int i = 0; i < g->n_nodes; i++)
        if (!g->nodes[i]->dead && g->nodes[i]->op == op) {
            nnc_stage_node(g->nodes[i]);
            try(g, g->nodes[i]);
        }
}

void pass_recognize_patterns(Graph *g)
{
    for_each_op(g, OP_Erf, try_gelu);
    for_each_op(g, OP_ReduceMean, try_layernorm);
    for_each_op(g, OP_Softmax, try_attention);
    graph_compact(g);
}
