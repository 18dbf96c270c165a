/* eliminate_dead.c — removes nodes whose results nobody needs: nodes folded
 * to constants at compile time, and nodes that feed no graph output. */
#include "passes.h"

void pass_eliminate_dead(Graph *g)
{
    char *live = arena_alloc(g->arena, (size_t)g->n_tensors + 1);
    for (int i = 0; i < g->n_outputs; i++) live[g->outputs[i]->id] = 1;
    for (int i = g->n_nodes - 1; i >= 0; i--) {
        Node *n = g->nodes[i];
        nnc_stage_node(n);
        int needed = 0, folded = 1;
        for (int k = 0; k < n->n_out; k++) {
            Tensor *t = n->out[k];
            if (!t) continue;
            needed |= live[t->id];
            folded &= t->data != NULL;
        }
        if (!needed || folded) {
            n->dead = 1;
            continue;
        }
        for (int k = 0; k < n->n_in; k++)
            if (n->in[k]) live[n->in[k]->id] = 1;
    }
    graph_compact(g);
}
