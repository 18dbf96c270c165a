/* inplace.c — lets an elementwise node write its output over an input that
 * dies at that node: the output becomes an in-place alias of the input's
 * storage, so the memory plan needs one buffer where it needed two. Only
 * kernels that read each element before writing its own slot qualify: the
 * unary and binary elementwise ops and inference BatchNormalization (their
 * templates take no `restrict` on the data pointers), and for binary ops
 * only an input that already has the output's shape (no broadcasting). */
#include "passes.h"

#include "../ir/ops.h"

static int same_layout(const Tensor *a, const Tensor *b)
{
    if (a->dtype != b->dtype || a->rank != b->rank || a->layout != b->layout) return 0;
    for (int i = 0; i < a->rank; i++)
        if (a->dims[i] != b->dims[i]) return 0;
    return 1;
}

static int runs_in_place(const Node *n)
{
    LowerFn f = op_info(n->op)->lower;
    return f == lower_unary || f == lower_binary || n->op == OP_BatchNormalization;
}

/* May x's storage be overwritten by node i? */
static int storage_dies_here(const Graph *g, const Tensor *x, int i)
{
    Tensor *s = tensor_storage((Tensor *)x);
    if (!s->producer || s->data || s->output_index >= 0 || s->input_index >= 0) return 0;
    for (int j = i + 1; j < g->n_nodes; j++)
        for (int k = 0; k < g->nodes[j]->n_in; k++) {
            Tensor *t = g->nodes[j]->in[k];
            if (t && tensor_storage(t) == s) return 0;
        }
    for (int k = 0; k < g->n_outputs; k++)
        if (tensor_storage(g->outputs[k]) == s) return 0;
    return 1;
}

void pass_inplace(Graph *g)
{
    for (int i = 0; i < g->n_nodes; i++) {
        Node *n = g->nodes[i];
        nnc_stage_node(n);
        Tensor *y = n->out[0];
        if (!y || y->data || y->alias || y->output_index >= 0 || !runs_in_place(n)) continue;
        int last = n->op == OP_BatchNormalization ? 0 : n->n_in - 1;
        for (int k = 0; k <= last; k++) {
            Tensor *x = n->in[k];
            if (!x || !same_layout(x, y) || !storage_dies_here(g, x, i)) continue;
            int twice = 0; /* the same tensor read through another input too */
            for (int j = 0; j < n->n_in; j++) twice |= j != k && n->in[j] && tensor_storage(n->in[j]) == tensor_storage(x);
            if (twice) continue;
            y->alias = x;
            y->inplace = 1;
            break;
        }
    }
}
