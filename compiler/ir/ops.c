/* ops.c — the registry table itself, expanded from ops.def. */
#include "ops.h"

#include <string.h>

static const OpInfo op_table[OP_COUNT_] = {
#define eval_none NULL /* a row without reference semantics: never folded */
#define layout_none NULL /* plain layout only (see LayoutUse) */
#define OP(nm, mi, xi, mo, xo, shape, lower, eval, flops, layout) [OP_##nm] = {#nm, mi, xi, mo, xo, shape, lower, eval, flops, layout},
#include "ops.def"
#undef OP
};

const OpInfo *op_info(OpKind k)
{
    NNC_ASSERT((unsigned)k < OP_COUNT_);
    return &op_table[k];
}

OpKind op_lookup(const char *domain, const char *op_type)
{
    if (domain && *domain && strcmp(domain, "ai.onnx") != 0) return OP_COUNT_;
    for (int k = 0; k < OP_FIRST_INTERNAL; k++)
        if (strcmp(op_table[k].name, op_type) == 0) return (OpKind)k;
    return OP_COUNT_;
}

int64_t graph_flops(const Graph *g)
{
    int64_t f = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        const Node *n = g->nodes[i];
        if (n->op != OP_Constant && op_info(n->op)->flops) f += op_info(n->op)->flops(n);
    }
    return f;
}
