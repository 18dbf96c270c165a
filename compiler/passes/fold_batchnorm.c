/* fold_batchnorm.c — folds an inference BatchNormalization into the Conv,
 * ConvTranspose, Gemm or (2-D) MatMul that produces its input, when that
 * producer's weights and the statistics are constants and nothing else reads
 * the producer's output:
 *   BN(y)[c] = y[c] * s[c] + t[c],  s = scale / sqrt(var + eps),  t = B - mean * s
 * so the weights feeding channel c are scaled by s[c] and the bias becomes
 * bias * s + t (a bias is created when absent). New constants are made, never
 * edited in place: an initializer may be shared (tied weights). */
#include "passes.h"

#include "../ops/common.h"

#include <math.h>
#include <string.h>

static Tensor *new_const_like(Graph *g, const Tensor *t, const char *tag, int rank, const int64_t *dims)
{
    Tensor *c = graph_add_tensor(g, arena_printf(g->arena, "%s.%s", t->name, tag));
    tensor_set_shape(c, t->dtype, rank, dims);
    c->data = arena_alloc(g->arena, (size_t)tensor_bytes(c) + 1);
    return c;
}

static void set_attr_float(Graph *g, Node *n, const char *name, float v)
{
    for (int i = 0; i < n->n_attrs; i++)
        if (strcmp(n->attrs[i].name, name) == 0) {
            n->attrs[i].f = v;
            return;
        }
    Attr *a = arena_alloc_array(g->arena, (size_t)n->n_attrs + 1, sizeof(Attr));
    if (n->n_attrs) memcpy(a, n->attrs, (size_t)n->n_attrs * sizeof(Attr));
    a[n->n_attrs] = (Attr){.name = name, .type = ATTR_FLOAT, .f = v};
    n->attrs = a;
    n->n_attrs++;
}

/* weights scaled per output channel; bias = bias * s + t (bias may be NULL) */
static void fold_conv(Graph *g, Node *p, const double *s, const double *t, int64_t m)
{
    Tensor *w = p->in[1], *b = node_input(p, 2);
    Tensor *w2 = new_const_like(g, w, "bnfold", w->rank, w->dims);
    int64_t per = tensor_numel(w) / w->dims[0] / w->dims[1];
    int64_t group = p->op == OP_Conv ? 1 : node_attr_int(p, "group", 1);
    for (int64_t i = 0; i < tensor_numel(w); i++) {
        int64_t ch;
        if (p->op == OP_Conv) {
            ch = i / (w->dims[1] * per);
        } else { /* ConvTranspose: W[C, M/g, ...], channel = group(c) * M/g + j */
            int64_t c = i / (w->dims[1] * per), j = (i / per) % w->dims[1];
            ch = (c / (w->dims[0] / group)) * w->dims[1] + j;
        }
        tensor_set_double(w2, i, tensor_get_double(w, i) * s[ch]);
    }
    Tensor *b2 = new_const_like(g, w, "bnbias", 1, &m);
    for (int64_t c = 0; c < m; c++) tensor_set_double(b2, c, (b ? tensor_get_double(b, c) : 0) * s[c] + t[c]);
    Tensor **in = arena_alloc_array(g->arena, 3, sizeof(Tensor *));
    in[0] = p->in[0];
    in[1] = w2;
    in[2] = b2;
    p->in = in;
    p->n_in = 3;
}

/* Gemm Y[M,N] = alpha op(A) op(B) + beta C; MatMul becomes such a Gemm. */
static void fold_gemm(Graph *g, Node *p, const double *s, const double *t, int64_t nn)
{
    Tensor *b = p->in[1], *c = node_input(p, 2);
    int tb = p->op == OP_Gemm && node_attr_int(p, "transB", 0);
    float beta = p->op == OP_Gemm ? node_attr_float(p, "beta", 1.0f) : 0.0f;
    Tensor *b2 = new_const_like(g, b, "bnfold", b->rank, b->dims);
    for (int64_t i = 0; i < tensor_numel(b); i++) {
        int64_t col = tb ? i / b->dims[1] : i % b->dims[1];
        tensor_set_double(b2, i, tensor_get_double(b, i) * s[col]);
    }
    const Tensor *y = p->out[0];
    int full = c && c->rank == 2 && c->dims[0] != 1; /* C varies over rows */
    int64_t cdims[2] = {y->dims[0], nn};
    Tensor *c2 = new_const_like(g, b, "bnbias", full ? 2 : 1, full ? cdims : &nn);
    for (int64_t i = 0; i < tensor_numel(c2); i++) {
        int64_t col = i % nn;
        double cv = c ? tensor_get_double(c, op_bcast_offset(c, c2, i)) : 0;
        tensor_set_double(c2, i, (double)beta * cv * s[col] + t[col]);
    }
    Tensor **in = arena_alloc_array(g->arena, 3, sizeof(Tensor *));
    in[0] = p->in[0];
    in[1] = b2;
    in[2] = c2;
    p->in = in;
    p->n_in = 3;
    if (p->op == OP_MatMul) {
        p->op = OP_Gemm;
        p->op_type = "Gemm";
    }
    set_attr_float(g, p, "beta", 1.0f);
}

/* The Conv, ConvTranspose, Gemm or MatMul that BN can fold into, else NULL.
 * BN often reads something else (pre-activation blocks: a pool, a Concat, an
 * Add, a graph input), so the producer's op is checked before its inputs. */
static Node *fold_target(const Graph *g, const Node *bn)
{
    const Tensor *x = bn->in[0];
    Node *p = tensor_made_by(x, OP_Conv);
    if (!p) p = tensor_made_by(x, OP_ConvTranspose);
    if (!p && x->rank == 2) p = tensor_made_by(x, OP_Gemm);
    if (!p && x->rank == 2) p = tensor_made_by(x, OP_MatMul);
    if (!p || p->n_out != 1 || graph_count_uses(g, x) != 1 || x->output_index >= 0) return NULL;
    if (p->op == OP_MatMul && (p->in[0]->rank != 2 || p->in[1]->rank != 2)) return NULL;
    for (int k = 1; k < 5; k++)
        if (!bn->in[k]->data) return NULL;
    if (!dtype_is_float(x->dtype) || !p->in[1]->data) return NULL;
    const Tensor *bias = node_input(p, 2);
    return bias && !bias->data ? NULL : p;
}

void pass_fold_batchnorm(Graph *g)
{
    for (int i = 0; i < g->n_nodes; i++) {
        Node *bn = g->nodes[i];
        if (bn->op != OP_BatchNormalization || bn->dead) continue;
        nnc_stage_node(bn);
        Node *p = fold_target(g, bn);
        if (!p) continue;
        int64_t m = bn->in[1]->dims[0];
        double *s = arena_alloc_array(g->arena, (size_t)m + 1, sizeof(double));
        double *t = arena_alloc_array(g->arena, (size_t)m + 1, sizeof(double));
        double eps = node_attr_float(bn, "epsilon", 1e-5f);
        for (int64_t c = 0; c < m; c++) {
            s[c] = tensor_get_double(bn->in[1], c) / sqrt(tensor_get_double(bn->in[4], c) + eps);
            t[c] = tensor_get_double(bn->in[2], c) - tensor_get_double(bn->in[3], c) * s[c];
        }
        if (p->op == OP_Conv || p->op == OP_ConvTranspose) fold_conv(g, p, s, t, m);
        else fold_gemm(g, p, s, t, m);
        p->out[0] = bn->out[0];
        bn->out[0]->producer = p;
        bn->dead = 1;
    }
    graph_compact(g);
}
