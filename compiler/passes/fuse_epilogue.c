/* fuse_epilogue.c — folds the elementwise tail of a Conv, ConvTranspose,
 * Gemm or MatMul into the producer's store (Node.epi):
 *   - a bias Add after MatMul (constant [N] along the last dim), or after a
 *     Gemm without C;
 *   - a residual Add with a tensor of the same shape;
 *   - one activation: Relu, LeakyRelu, Clip (constant bounds, so ReLU6),
 *     Sigmoid, Tanh, Elu, and SiLU written as x * Sigmoid(x).
 * The producer takes the consumer's place in the schedule (so a residual
 * computed in between is ready) and its output; the consumer is dropped. */
#include "passes.h"

#include "../ir/ops.h"

#include <float.h>
#include <string.h>

static int is_producer(const Node *p)
{
    return (p->op == OP_Conv || p->op == OP_ConvTranspose || p->op == OP_Gemm || p->op == OP_MatMul) &&
           dtype_is_float(p->out[0]->dtype);
}

/* The single consumer of t, or NULL if t has another reader or is an output. */
static Node *sole_consumer(Graph *g, const Tensor *t, int *at)
{
    if (t->output_index >= 0) return NULL;
    Node *c = NULL;
    for (int i = 0; i < g->n_nodes; i++)
        for (int k = 0; k < g->nodes[i]->n_in; k++)
            if (g->nodes[i]->in[k] == t) {
                if (c && c != g->nodes[i]) return NULL;
                if (c) return NULL; /* read twice by one node */
                c = g->nodes[i];
                *at = i;
            }
    return c;
}

static int activation_of(const Node *c, Epilogue *e)
{
    switch (c->op) {
    case OP_Relu: e->act = EPI_ACT_RELU; return 1;
    case OP_Sigmoid: e->act = EPI_ACT_SIGMOID; return 1;
    case OP_Tanh: e->act = EPI_ACT_TANH; return 1;
    case OP_Gelu: e->act = EPI_ACT_GELU; return 1;
    case OP_LeakyRelu: e->act = EPI_ACT_LEAKY_RELU; e->alpha = node_attr_float(c, "alpha", 0.01f); return 1;
    case OP_Elu: e->act = EPI_ACT_ELU; e->alpha = node_attr_float(c, "alpha", 1.0f); return 1;
    case OP_Clip: {
        float lo = -FLT_MAX, hi = FLT_MAX;
        if (c->opset < 11) {
            lo = node_attr_float(c, "min", lo);
            hi = node_attr_float(c, "max", hi);
        } else {
            const Tensor *a = node_input(c, 1), *b = node_input(c, 2);
            if ((a && !a->data) || (b && !b->data)) return 0;
            if (a) lo = (float)tensor_get_double(a, 0);
            if (b) hi = (float)tensor_get_double(b, 0);
        }
        e->act = EPI_ACT_CLIP;
        e->alpha = lo;
        e->beta = hi;
        return 1;
    }
    default: return 0;
    }
}

static int same_shape(const Tensor *a, const Tensor *b)
{
    if (a->rank != b->rank || a->dtype != b->dtype) return 0;
    for (int i = 0; i < a->rank; i++)
        if (a->dims[i] != b->dims[i]) return 0;
    return 1;
}

/* a constant that only varies along y's last dim, with that dim's length */
static int is_row_bias(const Tensor *b, const Tensor *y)
{
    if (!b->data || b->dtype != y->dtype || b->rank < 1 || b->rank > y->rank) return 0;
    for (int i = 0; i < b->rank - 1; i++)
        if (b->dims[i] != 1) return 0;
    return b->dims[b->rank - 1] == y->dims[y->rank - 1];
}

static void add_input(Graph *g, Node *p, Tensor *t)
{
    Tensor **in = arena_alloc_array(g->arena, (size_t)p->n_in + 2, sizeof(Tensor *));
    memcpy(in, p->in, (size_t)p->n_in * sizeof(Tensor *));
    in[p->n_in] = t;
    p->in = in;
    p->n_in++;
}

/* p absorbs c (at schedule position ic): p moves there and takes c's output. */
static void absorb(Graph *g, Node *p, Node *c, int ic)
{
    int ip = p->id;
    g->nodes[ic] = p;
    g->nodes[ip] = c;
    p->id = ic;
    c->id = ip;
    p->out[0] = c->out[0];
    c->out[0]->producer = p;
    c->dead = 1;
}

/* Try to absorb the next consumer of p's output; returns 1 if it did. */
static int fuse_one(Graph *g, Node *p)
{
    Tensor *y = p->out[0];
    int ic = -1;
    Node *c = sole_consumer(g, y, &ic);
    Epilogue *e = &p->epi;
    if (!c) {
        /* SiLU: y feeds Sigmoid s and Mul(y, s) */
        if (e->act != EPI_ACT_NONE || y->output_index >= 0 || graph_count_uses(g, y) != 2) return 0;
        Node *s = NULL, *m = NULL;
        int im = -1;
        for (int i = 0; i < g->n_nodes; i++) {
            Node *n = g->nodes[i];
            if (n->op == OP_Sigmoid && n->in[0] == y) s = n;
        }
        if (!s || s->out[0]->output_index >= 0 || graph_count_uses(g, s->out[0]) != 1) return 0;
        for (int i = 0; i < g->n_nodes; i++) {
            Node *n = g->nodes[i];
            if (n->op == OP_Mul && ((n->in[0] == y && n->in[1] == s->out[0]) || (n->in[1] == y && n->in[0] == s->out[0]))) {
                m = n;
                im = i;
            }
        }
        if (!m) return 0;
        e->act = EPI_ACT_SILU;
        s->dead = 1;
        absorb(g, p, m, im);
        return 1;
    }
    if (c->op == OP_Add) {
        Tensor *other = c->in[0] == y ? c->in[1] : c->in[0];
        if (other == y || !same_shape(c->out[0], y)) return 0;
        if (e->act == EPI_ACT_NONE && !e->residual && !e->bias) {
            if (p->op == OP_MatMul && is_row_bias(other, y)) {
                add_input(g, p, other);
                e->bias = p->n_in - 1;
                absorb(g, p, c, ic);
                return 1;
            }
            if (p->op == OP_Gemm && !node_input(p, 2) && is_row_bias(other, y) && p->n_in == 2) {
                add_input(g, p, other); /* becomes C, broadcast over rows, beta 1 */
                if (node_attr_float(p, "beta", 1.0f) == 1.0f) {
                    absorb(g, p, c, ic);
                    return 1;
                }
                p->n_in--;
                return 0;
            }
        }
        if (e->residual || !same_shape(other, y)) return 0;
        if (e->act != EPI_ACT_NONE) e->act_first = 1;
        /* Conv/ConvTranspose bias and Gemm C sit at input 2: keep that slot */
        if (p->op != OP_MatMul && p->n_in == 2) add_input(g, p, NULL);
        add_input(g, p, other);
        e->residual = p->n_in - 1;
        absorb(g, p, c, ic);
        return 1;
    }
    if (e->act == EPI_ACT_NONE && c->out[0]->dtype == y->dtype && activation_of(c, e)) {
        if (e->residual && e->act_first) return 0;
        absorb(g, p, c, ic);
        return 1;
    }
    return 0;
}

void pass_fuse_epilogue(Graph *g)
{
    for (int i = 0; i < g->n_nodes; i++) {
        Node *p = g->nodes[i];
        if (p->dead || !is_producer(p)) continue;
        nnc_stage_node(p);
        while (fuse_one(g, p)) {
        }
    }
    graph_compact(g);
}
