/* ops.h — the operator registry expanded from ops.def: one OpInfo per op
 * with its arity, shape function and lowering function. */
#ifndef NNC_OPS_H
#define NNC_OPS_H

#include "graph.h"

struct Lowering;
typedef void (*ShapeFn)(Graph *g, Node *n);
typedef void (*LowerFn)(struct Lowering *L, const Node *n);
/* Computes n's outputs' data from its (all constant) inputs. */
typedef void (*EvalFn)(Graph *g, Node *n);
/* Multiplies and adds the node performs. */
typedef int64_t (*FlopsFn)(const Node *n);
/* What a node does with channel-blocked tensors (Tensor.layout, NCHW[c]):
 * the layout pass asks each node, in order, once its inputs' layouts are
 * settled. Inputs in `blocked` are read channel-blocked (the pass converts a
 * plain one), inputs in `any` are read in whichever layout they have, all
 * others must be plain (the pass converts a blocked one); out_blocked: out[0]
 * is written channel-blocked. layout_none: {0, 0, 0}. */
typedef struct LayoutUse {
    unsigned blocked, any;
    int out_blocked;
} LayoutUse;
typedef LayoutUse (*LayoutFn)(const Graph *g, const Node *n, int c);

typedef struct OpInfo {
    const char *name;
    int min_in, max_in, min_out, max_out;
    ShapeFn shape;
    LowerFn lower;
    EvalFn eval; /* NULL: never folded */
    FlopsFn flops;
    LayoutFn layout;
} OpInfo;

#define OP(name, mi, xi, mo, xo, shape, lower, eval, flops, layout)              \
    void shape(Graph *g, Node *n);                                               \
    void lower(struct Lowering *L, const Node *n);                               \
    void eval(Graph *g, Node *n);                                                \
    int64_t flops(const Node *n);                                                \
    LayoutUse layout(const Graph *g, const Node *n, int c);
#include "ops.def"
#undef OP

/* Ops from OP_FIRST_INTERNAL on are created by passes only: a model cannot
 * name them and `nnc --list-ops` does not list them. */
#define OP_FIRST_INTERNAL OP_Gelu
static inline int op_is_internal(OpKind k) { return k >= OP_FIRST_INTERNAL; }

const OpInfo *op_info(OpKind k);
/* FLOPs of one run of the graph, by each op's rule (`nnc info`'s total):
 * every node but Constant. */
int64_t graph_flops(const Graph *g);
/* The last opset (up to 17, the newest nnc reads) whose version of the op
 * reads a node of an older opset differently (an attribute became an input,
 * a default or an axis rule changed): 13 for Softmax, 11 for Clip, ... A node
 * of opset N means the same at opset 17 when N >= this; `nnc convert` needs
 * it to write a node under another opset than its own. */
int op_semantics_version(OpKind k);
/* Map an ONNX op_type to its kind; OP_COUNT_ if unknown. Import only. */
OpKind op_lookup(const char *domain, const char *op_type);

#endif
