/* remove_noops.c — drops nodes that compute nothing: Identity, inference
 * Dropout, and Reshape/Flatten/Squeeze/Unsqueeze/Transpose whose output has
 * the input's shape and layout. Their consumers read the input directly.
 * A node whose output is a graph output stays (the output must be written). */
#include "passes.h"

#include "../ir/ops.h"

static int same_shape(const Tensor *a, const Tensor *b)
{
    if (a->rank != b->rank || a->dtype != b->dtype) return 0;
    for (int i = 0; i < a->rank; i++)
        if (a->dims[i] != b->dims[i]) return 0;
    return 1;
}

static int identity_perm(const Node *n)
{
    const int64_t *p;
    int cnt = node_attr_ints(n, "perm", &p);
    int rank = n->in[0]->rank, nontrivial = 0; /* dims of size 1 may move freely */
    int last = -1;
    for (int i = 0; i < rank; i++) {
        int src = cnt >= 0 ? (int)p[i] : rank - 1 - i;
        if (n->in[0]->dims[src] == 1) continue;
        if (src < last) nontrivial = 1;
        last = src;
    }
    return !nontrivial;
}

static int is_noop(const Node *n)
{
    const Tensor *x = n->in[0], *y = n->out[0];
    switch (n->op) {
    case OP_Identity: return 1;
    case OP_Dropout: return n->n_out < 2 || !n->out[1];
    case OP_Reshape: case OP_Flatten: case OP_Squeeze: case OP_Unsqueeze: return same_shape(x, y);
    case OP_Transpose: return same_shape(x, y) && identity_perm(n);
    default: return 0;
    }
}

void pass_remove_noops(Graph *g)
{
    for (int i = 0; i < g->n_nodes; i++) {
        Node *n = g->nodes[i];
        nnc_stage_node(n);
        if (n->n_in < 1 || !n->in[0] || !n->out[0] || !is_noop(n) || n->out[0]->output_index >= 0) continue;
        if (n->out[0]->data) continue; /* folded: eliminate_dead drops it */
        graph_replace_uses(g, n->out[0], n->in[0]);
        n->dead = 1;
    }
    graph_compact(g);
}
