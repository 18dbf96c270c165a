/* infer.c — the verifier and static shape inference. Walks the (already
 * topologically sorted) graph once: checks each node against its registry row
 * (arity, required inputs present, no unsupported element types), runs the
 * op's shape function, and checks what it produced. */
#include "infer.h"

#include "ops.h"

static void verify_arity(const Node *n)
{
    const OpInfo *oi = op_info(n->op);
    int n_in = n->n_in;
    while (n_in > 0 && !n->in[n_in - 1]) n_in--; /* trailing omitted optionals */
    if (n_in < oi->min_in || n_in > oi->max_in)
        nnc_fail_node(n, "takes %d to %d inputs, got %d", oi->min_in, oi->max_in, n_in);
    for (int k = 0; k < oi->min_in; k++)
        if (!n->in[k]) nnc_fail_node(n, "required input %d is missing", k);
    if (n->n_out < oi->min_out || n->n_out > oi->max_out)
        nnc_fail_node(n, "has %d to %d outputs, got %d", oi->min_out, oi->max_out, n->n_out);
    /* an op whose outputs are all optional (min_out 0) needs one of them named */
    int named = 0;
    for (int k = 0; k < n->n_out; k++) named |= n->out[k] != NULL;
    if (oi->min_out > 0 && !n->out[0]) nnc_fail_node(n, "its first output is unnamed");
    if (!named) nnc_fail_node(n, "has no named output");
    for (int k = 0; k < n->n_in; k++) {
        const Tensor *t = n->in[k];
        if (!t) continue;
        NNC_ASSERT(t->rank >= 0); /* producers come first */
        if (!dtype_supported(t->dtype))
            nnc_fail_node(n, "input '%s' has unsupported element type %s", t->name, dtype_name(t->dtype));
    }
}

/* Largest constant nnc computes at compile time (bytes per output), and the
 * most it computes in all: FOLD_BUDGET_BYTES plus twice the model's own
 * constant data (folding transposes or converts weights). A model of a few
 * hundred bytes (ConstantOfShape feeding a chain of Adds) must not make nnc
 * hold, and emit as weights, gigabytes of folded data. Past the budget, nodes
 * run in the generated code instead; outputs of at most FOLD_SMALL_BYTES
 * (shapes, axes, indices) always fold and do not count. */
#define FOLD_MAX_BYTES ((int64_t)64 << 20)
#define FOLD_BUDGET_BYTES ((int64_t)64 << 20)
#define FOLD_SMALL_BYTES ((int64_t)64 << 10)

/* Constant folding as shapes are inferred: a node whose inputs are all
 * constant is evaluated now with its reference semantics, so shape-computing
 * chains (Shape -> Gather -> Concat -> Reshape) are gone before emission and
 * later nodes see their values. *budget: bytes of large outputs still allowed. */
static void fold_node(Graph *g, Node *n, int64_t *budget)
{
    const OpInfo *oi = op_info(n->op);
    if (!oi->eval) return;
    for (int k = 0; k < n->n_in; k++)
        if (n->in[k] && !n->in[k]->data) return;
    int64_t large = 0;
    for (int k = 0; k < n->n_out; k++) {
        Tensor *t = n->out[k];
        if (!t) continue;
        if (t->data) return; /* the shape function already produced it */
        int64_t b = tensor_bytes(t);
        if (b > FOLD_MAX_BYTES) return;
        if (b > FOLD_SMALL_BYTES) large += b;
    }
    if (large > *budget) return;
    *budget -= large;
    for (int k = 0; k < n->n_out; k++)
        if (n->out[k]) n->out[k]->data = arena_alloc(g->arena, (size_t)tensor_bytes(n->out[k]) + 1);
    oi->eval(g, n);
}

/* An output computed at compile time holds parameters when an input does (a
 * weight transposed, or rows of an embedding gathered); otherwise it is a
 * computed constant (a shape, a mask), which `nnc info` does not count. */
static void mark_computed_constants(Node *n)
{
    int from_params = 0;
    for (int k = 0; k < n->n_in; k++) {
        const Tensor *t = n->in[k];
        from_params |= t && t->data && dtype_is_float(t->dtype) && !t->lowering_const;
    }
    for (int k = 0; k < n->n_out; k++)
        if (n->out[k] && n->out[k]->data) n->out[k]->lowering_const = !from_params;
}

void infer_node(Graph *g, Node *n)
{
    nnc_stage_node(n);
    verify_arity(n);
    op_info(n->op)->shape(g, n);
    for (int k = 0; k < n->n_out; k++) {
        Tensor *t = n->out[k];
        if (!t) continue;
        if (t->rank < 0 || !dtype_supported(t->dtype))
            nnc_fail_node(n, "could not infer the type and shape of output '%s'", t->name);
        (void)tensor_numel(t);
    }
    if (g->fold_budget < 0) g->fold_budget = FOLD_BUDGET_BYTES; /* a frontend inferring node by node */
    fold_node(g, n, &g->fold_budget);
    mark_computed_constants(n);
}

void infer_shapes(Graph *g)
{
    g->fold_budget = FOLD_BUDGET_BYTES;
    for (int i = 0; i < g->n_tensors; i++)
        if (g->tensors[i]->data && g->tensors[i]->rank >= 0) g->fold_budget += 2 * tensor_bytes(g->tensors[i]);
    for (int i = 0; i < g->n_nodes; i++) infer_node(g, g->nodes[i]);
    for (int i = 0; i < g->n_outputs; i++)
        if (g->outputs[i]->rank < 0) nnc_fail("graph output '%s' has no shape", g->outputs[i]->name);
}
