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

int op_semantics_version(OpKind k)
{
    switch (k) {
    case OP_Softmax: case OP_LogSoftmax: case OP_Hardmax: return 13;   /* one axis, not a 2-D view */
    case OP_Squeeze: case OP_Unsqueeze: case OP_ReduceSum: return 13;   /* axes: an input */
    case OP_Split: return 13;                                           /* split sizes: an input */
    case OP_Dropout: return 12;                                         /* ratio: an input */
    case OP_Clip: case OP_Pad: return 11;                               /* bounds, pads: inputs */
    case OP_Resize: return 11;                                          /* roi input, coordinate modes */
    case OP_Slice: case OP_Upsample: return 10;                         /* starts, ends / scales: inputs */
    case OP_BatchNormalization: return 9;                               /* no `spatial` */
    case OP_Gemm: case OP_Add: case OP_Sub: case OP_Mul: case OP_Div: case OP_Pow: case OP_PRelu:
    case OP_And: case OP_Or: case OP_Xor: case OP_Equal: case OP_Less: case OP_Greater:
        return 7;                                                       /* numpy broadcasting */
    case OP_Cast: case OP_Tile: return 6;                               /* `to` a number; repeats */
    case OP_Reshape: return 5;                                          /* shape: an input */
    case OP_Concat: return 4;                                           /* axis required */
    default: return 1;
    }
}
