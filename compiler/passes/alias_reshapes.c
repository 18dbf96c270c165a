/* alias_reshapes.c — reshape-like ops (Reshape, Flatten, Squeeze, Unsqueeze,
 * Identity, inference Dropout) move no data: their output is marked as an
 * alias of the input's storage, the memory plan keeps that storage alive for
 * the alias's readers, and the emitter binds both names to the same bytes. */
#include "passes.h"

#include "../ir/ops.h"

static int is_reshape_like(const Node *n)
{
    switch (n->op) {
    case OP_Reshape: case OP_Flatten: case OP_Squeeze: case OP_Unsqueeze: case OP_Identity: return 1;
    case OP_Dropout: return n->n_out < 2 || !n->out[1];
    default: return 0;
    }
}

void pass_alias_reshapes(Graph *g)
{
    for (int i = 0; i < g->n_nodes; i++) {
        Node *n = g->nodes[i];
        nnc_stage_node(n);
        Tensor *y = n->out[0];
        if (!is_reshape_like(n) || !n->in[0] || y->data || y->output_index >= 0) continue;
        /* the same bytes must mean the same thing: the layout pass gives
         * reshapes plain inputs (a reshape is plain-only in the registry) */
        NNC_ASSERT(n->in[0]->layout == y->layout);
        y->alias = n->in[0];
    }
}
