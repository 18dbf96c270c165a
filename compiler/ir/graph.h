/* graph.h — the intermediate representation: a Graph of Nodes connected by
 * Tensors, with static shapes. Element types use ONNX's DataType numbers so the
 * frontend maps them one to one. Constant tensors (initializers, Constant nodes,
 * folded values) carry their data in host byte order. */
#ifndef NNC_GRAPH_H
#define NNC_GRAPH_H

#include "../util/util.h"

#include <stdint.h>

#define NNC_MAX_RANK 8
/* Every tensor must have fewer elements than this, so generated code can index
 * with `long` on every C99 platform. */
#define NNC_MAX_ELEMS ((int64_t)0x7fffffff)

typedef enum DType {
    DT_UNDEFINED = 0,
    DT_FLOAT = 1,
    DT_UINT8 = 2,
    DT_INT8 = 3,
    DT_UINT16 = 4,
    DT_INT16 = 5,
    DT_INT32 = 6,
    DT_INT64 = 7,
    DT_STRING = 8,
    DT_BOOL = 9,
    DT_FLOAT16 = 10,
    DT_DOUBLE = 11,
    DT_UINT32 = 12,
    DT_UINT64 = 13,
    DT_COUNT_ = 17
} DType;

const char *dtype_name(DType t);     /* ONNX spelling: FLOAT, INT64, ... */
const char *dtype_ctype(DType t);    /* C spelling: float, int64_t, ... */
int dtype_size(DType t);             /* bytes; 0 if unsupported */
int dtype_supported(DType t);        /* can nnc compute with it */
int dtype_is_float(DType t);

typedef enum OpKind {
#define OP(name, ...) OP_##name,
#include "ops.def"
#undef OP
    OP_COUNT_
} OpKind;

typedef struct Tensor {
    const char *name;
    int id;
    DType dtype;
    int rank;                    /* -1: shape not known yet */
    int64_t dims[NNC_MAX_RANK];
    void *data;                  /* constant value, or NULL */
    struct Node *producer;       /* NULL for inputs and constants */
    int input_index;             /* graph input position, or -1 */
    int64_t ws_offset;           /* workspace offset from the memory plan, or -1 */
    struct Tensor *alias;        /* same bytes as this tensor (a reshape's input), or NULL */
    int inplace;                 /* with alias: computed over its input's bytes (not a free reshape) */
    int layout;                  /* 0: plain row-major; c > 0: channel-blocked NCHW[c] (layout pass) */
    int output_index;            /* graph output position, or -1 */
    int lowering_const;          /* a constant a frontend computed (a causal mask, a scale, a
                                  * position table), not a learned parameter: not counted as one */
} Tensor;

typedef enum AttrType {
    ATTR_UNDEFINED = 0,
    ATTR_FLOAT = 1,
    ATTR_INT = 2,
    ATTR_STRING = 3,
    ATTR_TENSOR = 4,
    ATTR_GRAPH = 5,
    ATTR_FLOATS = 6,
    ATTR_INTS = 7,
    ATTR_STRINGS = 8,
    ATTR_OTHER = 99
} AttrType;

typedef struct Attr {
    const char *name;
    AttrType type;
    int64_t i;
    float f;
    const char *s;
    int n;             /* count of ints/floats */
    int64_t *ints;
    float *floats;
    const char **strings; /* ATTR_STRINGS: n of them */
    Tensor *t;
} Attr;

/* An elementwise tail fused into a Conv, ConvTranspose, Gemm or MatMul by
 * the fusion pass: y = act(acc + residual) (or act first when act_first),
 * where the residual is the extra input in[epi_residual]. */
typedef enum Activation {
    EPI_ACT_NONE = 0,
    EPI_ACT_RELU,
    EPI_ACT_LEAKY_RELU, /* alpha */
    EPI_ACT_CLIP,       /* alpha = min, beta = max */
    EPI_ACT_SIGMOID,
    EPI_ACT_TANH,
    EPI_ACT_ELU,        /* alpha */
    EPI_ACT_GELU,       /* erf form */
    EPI_ACT_SILU        /* x * sigmoid(x) */
} Activation;

typedef struct Epilogue {
    Activation act;
    float alpha, beta;
    int residual;     /* index of the residual input, or 0 for none */
    int bias;         /* MatMul: index of a bias input added along the last dim, or 0 */
    int act_first;    /* act(acc) + residual instead of act(acc + residual) */
} Epilogue;

typedef struct Node {
    const char *name;
    const char *op_type;     /* as written in the model, for messages */
    OpKind op;
    int opset;               /* opset version of the default domain */
    int n_in, n_out;
    Tensor **in;             /* in[i] == NULL: optional input omitted */
    Tensor **out;
    int n_attrs;
    Attr *attrs;
    int id;
    int src_line, src_col;   /* the model language: the call that made it (0: none) */
    int dead;                /* marked by a pass; graph_compact removes it */
    Epilogue epi;            /* fused elementwise tail (Conv, Gemm, MatMul) */
} Node;

typedef struct Graph {
    Arena *arena;
    const char *name;
    const char *producer;
    const char *doc;
    int opset;
    int n_tensors, cap_tensors;
    Tensor **tensors;
    int n_nodes, cap_nodes;
    Node **nodes;             /* kept in a valid topological order */
    int n_inputs, n_outputs;
    Tensor **inputs;
    Tensor **outputs;
    int64_t workspace_size;   /* bytes, from the memory plan */
    int64_t fold_budget;      /* bytes of large constant-folded outputs still allowed (infer.c); -1: not set */
    const void *dsl_source;   /* the model language's source (frontend_node_error), or NULL */
    const struct Tuning *tuning; /* the per-CPU choices (backend/cpu_model.h); NULL: the defaults */
} Graph;

/* Input k, or NULL when omitted or beyond the inputs the model gave. */
static inline Tensor *node_input(const Node *n, int k) { return k < n->n_in ? n->in[k] : NULL; }

/* The live node of kind `op` that makes t, else NULL (t is a graph input, a
 * constant, or made by another op). A pass that looks through a producer asks
 * this before it reads the producer's inputs: only then are the op's required
 * inputs (its registry row's minimum, checked by shape inference) known to be
 * there. Never index p->in[k] of a producer whose op was not checked. */
static inline Node *tensor_made_by(const Tensor *t, OpKind op)
{
    return t && t->producer && !t->producer->dead && t->producer->op == op ? t->producer : NULL;
}

Graph *graph_new(Arena *a);
Tensor *graph_add_tensor(Graph *g, const char *name);
Tensor *graph_find_tensor(Graph *g, const char *name);
Node *graph_add_node(Graph *g, const char *name, const char *op_type, int n_in, int n_out);

/* Make every node input that reads `old` read `repl` instead. */
void graph_replace_uses(Graph *g, Tensor *old, Tensor *repl);
/* Drop nodes marked dead, keeping the order of the rest. */
void graph_compact(Graph *g);
/* Number of node inputs that read t (graph outputs not counted). */
int graph_count_uses(const Graph *g, const Tensor *t);
/* The tensor whose bytes t shares (follows alias links), t itself if none. */
Tensor *tensor_storage(Tensor *t);

int64_t tensor_numel(const Tensor *t);   /* product of dims (checked) */
int64_t tensor_bytes(const Tensor *t);
/* Elements and bytes the tensor occupies in memory: tensor_numel/_bytes for
 * the plain layout; channel-blocked (layout c > 0) rounds C up to a multiple
 * of c, N*ceil(C/c)*c*H*W (the padding lanes are stored). */
int64_t tensor_storage_numel(const Tensor *t);
int64_t tensor_storage_bytes(const Tensor *t);
int tensor_is_const(const Tensor *t);
void tensor_set_shape(Tensor *t, DType dt, int rank, const int64_t *dims);
/* read element i of a constant integer tensor (any int type) as int64 */
int64_t tensor_get_int(const Tensor *t, int64_t i);
double tensor_get_double(const Tensor *t, int64_t i);
/* store element i of a constant tensor, converting like a C cast (bool: != 0) */
void tensor_set_int(Tensor *t, int64_t i, int64_t v);
void tensor_set_double(Tensor *t, int64_t i, double v);
char *shape_str(Arena *a, const Tensor *t);  /* "[1,3,224,224]" */

/* attributes: missing -> default; present with the wrong type -> error */
const Attr *node_attr(const Node *n, const char *name);
int64_t node_attr_int(const Node *n, const char *name, int64_t def);
float node_attr_float(const Node *n, const char *name, float def);
const char *node_attr_str(const Node *n, const char *name, const char *def);
/* ints attribute; returns count (or -1 when absent); *out points into the attr */
int node_attr_ints(const Node *n, const char *name, const int64_t **out);
int node_attr_floats(const Node *n, const char *name, const float **out);
int node_attr_strings(const Node *n, const char *name, const char *const **out);

#endif
