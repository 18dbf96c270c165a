/* graph.c — building and querying the IR: tensors, nodes, attributes, and
 * the element-type table. */
#include "graph.h"

#include <math.h>
#include <string.h>

typedef struct DTypeInfo {
    const char *name, *ctype;
    int size, supported, is_float;
} DTypeInfo;

static const DTypeInfo dtype_table[DT_COUNT_] = {
    [DT_UNDEFINED] = {"UNDEFINED", "void", 0, 0, 0},
    [DT_FLOAT] = {"FLOAT", "float", 4, 1, 1},
    [DT_UINT8] = {"UINT8", "uint8_t", 1, 1, 0},
    [DT_INT8] = {"INT8", "int8_t", 1, 1, 0},
    [DT_UINT16] = {"UINT16", "uint16_t", 2, 1, 0},
    [DT_INT16] = {"INT16", "int16_t", 2, 1, 0},
    [DT_INT32] = {"INT32", "int32_t", 4, 1, 0},
    [DT_INT64] = {"INT64", "int64_t", 8, 1, 0},
    [DT_STRING] = {"STRING", "void", 0, 0, 0},
    [DT_BOOL] = {"BOOL", "uint8_t", 1, 1, 0},
    [DT_FLOAT16] = {"FLOAT16", "uint16_t", 2, 0, 0},
    [DT_DOUBLE] = {"DOUBLE", "double", 8, 1, 1},
    [DT_UINT32] = {"UINT32", "uint32_t", 4, 1, 0},
    [DT_UINT64] = {"UINT64", "uint64_t", 8, 1, 0},
    [14] = {"COMPLEX64", "void", 0, 0, 0},
    [15] = {"COMPLEX128", "void", 0, 0, 0},
    [16] = {"BFLOAT16", "void", 0, 0, 0},
};

static const DTypeInfo *dtype_info(DType t)
{
    static const DTypeInfo unknown = {"UNKNOWN", "void", 0, 0, 0};
    return (unsigned)t < DT_COUNT_ && dtype_table[t].name ? &dtype_table[t] : &unknown;
}
const char *dtype_name(DType t) { return dtype_info(t)->name; }
const char *dtype_ctype(DType t) { return dtype_info(t)->ctype; }
int dtype_size(DType t) { return dtype_info(t)->size; }
int dtype_supported(DType t) { return dtype_info(t)->supported; }
int dtype_is_float(DType t) { return dtype_info(t)->is_float; }

Graph *graph_new(Arena *a)
{
    Graph *g = arena_alloc(a, sizeof *g);
    g->arena = a;
    g->name = "model";
    g->fold_budget = -1;
    return g;
}

static void *grow(Arena *a, void *old, int n, int *cap, size_t elem)
{
    if (n < *cap) return old;
    int ncap = *cap ? *cap * 2 : 64;
    void *p = arena_alloc_array(a, (size_t)ncap, elem);
    if (old) memcpy(p, old, (size_t)n * elem);
    *cap = ncap;
    return p;
}

Tensor *graph_add_tensor(Graph *g, const char *name)
{
    g->tensors = grow(g->arena, g->tensors, g->n_tensors, &g->cap_tensors, sizeof(Tensor *));
    Tensor *t = arena_alloc(g->arena, sizeof *t);
    t->name = arena_strdup(g->arena, name);
    t->id = g->n_tensors;
    t->rank = -1;
    t->input_index = t->output_index = -1;
    t->ws_offset = -1;
    g->tensors[g->n_tensors++] = t;
    return t;
}

Tensor *graph_find_tensor(Graph *g, const char *name)
{
    /* linear from the end is fine for import-time lookups of a few thousand
     * names; the frontend uses its own hash map for the bulk of them */
    for (int i = g->n_tensors - 1; i >= 0; i--)
        if (strcmp(g->tensors[i]->name, name) == 0) return g->tensors[i];
    return NULL;
}

Node *graph_add_node(Graph *g, const char *name, const char *op_type, int n_in, int n_out)
{
    g->nodes = grow(g->arena, g->nodes, g->n_nodes, &g->cap_nodes, sizeof(Node *));
    Node *n = arena_alloc(g->arena, sizeof *n);
    n->name = arena_strdup(g->arena, name);
    n->op_type = arena_strdup(g->arena, op_type);
    n->op = OP_COUNT_;
    n->n_in = n_in;
    n->n_out = n_out;
    n->in = arena_alloc_array(g->arena, (size_t)(n_in ? n_in : 1), sizeof(Tensor *));
    n->out = arena_alloc_array(g->arena, (size_t)(n_out ? n_out : 1), sizeof(Tensor *));
    n->id = g->n_nodes;
    g->nodes[g->n_nodes++] = n;
    return n;
}

void graph_replace_uses(Graph *g, Tensor *old, Tensor *repl)
{
    for (int i = 0; i < g->n_nodes; i++)
        for (int k = 0; k < g->nodes[i]->n_in; k++)
            if (g->nodes[i]->in[k] == old) g->nodes[i]->in[k] = repl;
}

void graph_compact(Graph *g)
{
    int k = 0;
    for (int i = 0; i < g->n_nodes; i++)
        if (!g->nodes[i]->dead) {
            g->nodes[k] = g->nodes[i];
            g->nodes[k]->id = k;
            k++;
        }
    g->n_nodes = k;
}

int graph_count_uses(const Graph *g, const Tensor *t)
{
    int n = 0;
    for (int i = 0; i < g->n_nodes; i++)
        for (int k = 0; k < g->nodes[i]->n_in; k++) n += g->nodes[i]->in[k] == t;
    return n;
}

Tensor *tensor_storage(Tensor *t)
{
    while (t->alias) t = t->alias;
    return t;
}

int64_t tensor_numel(const Tensor *t)
{
    int64_t n = 1;
    for (int i = 0; i < t->rank; i++)
        if (!checked_mul_i64(n, t->dims[i], &n) || n > NNC_MAX_ELEMS)
            nnc_fail("tensor '%s': element count overflows", t->name);
    return n;
}

int64_t tensor_bytes(const Tensor *t) { return tensor_numel(t) * dtype_size(t->dtype); }

int64_t tensor_storage_numel(const Tensor *t)
{
    if (t->layout <= 0) return tensor_numel(t);
    NNC_ASSERT(t->rank == 4);
    int64_t c = t->layout, n = t->dims[0];
    int64_t dims[3] = {(t->dims[1] + c - 1) / c * c, t->dims[2], t->dims[3]};
    for (int i = 0; i < 3; i++)
        if (!checked_mul_i64(n, dims[i], &n) || n > NNC_MAX_ELEMS)
            nnc_fail("tensor '%s': element count overflows in the channel-blocked layout", t->name);
    return n;
}

int64_t tensor_storage_bytes(const Tensor *t) { return tensor_storage_numel(t) * dtype_size(t->dtype); }
int tensor_is_const(const Tensor *t) { return t && t->data != NULL; }

void tensor_set_shape(Tensor *t, DType dt, int rank, const int64_t *dims)
{
    NNC_ASSERT(rank >= 0 && rank <= NNC_MAX_RANK);
    t->dtype = dt;
    t->rank = rank;
    for (int i = 0; i < rank; i++) {
        if (dims[i] < 0) nnc_fail("tensor '%s': negative dimension %lld", t->name, (long long)dims[i]);
        t->dims[i] = dims[i];
    }
    (void)tensor_numel(t);
}

/* C conversion of v to an integer type without undefined behaviour: NaN
 * becomes 0 and out-of-range values saturate. */
static int64_t to_i64(double v)
{
    if (v != v) return 0;
    if (v >= 9223372036854775807.0) return INT64_MAX;
    if (v <= -9223372036854775808.0) return INT64_MIN;
    return (int64_t)v;
}

int64_t tensor_get_int(const Tensor *t, int64_t i)
{
    const void *d = t->data;
    switch (t->dtype) {
    case DT_INT64: return ((const int64_t *)d)[i];
    case DT_INT32: return ((const int32_t *)d)[i];
    case DT_INT16: return ((const int16_t *)d)[i];
    case DT_INT8: return ((const int8_t *)d)[i];
    case DT_UINT8: case DT_BOOL: return ((const uint8_t *)d)[i];
    case DT_UINT16: return ((const uint16_t *)d)[i];
    case DT_UINT32: return ((const uint32_t *)d)[i];
    case DT_UINT64: return (int64_t)((const uint64_t *)d)[i];
    case DT_FLOAT: return to_i64(((const float *)d)[i]);
    case DT_DOUBLE: return to_i64(((const double *)d)[i]);
    default: nnc_fail("tensor '%s': expected an integer tensor", t->name);
    }
}

double tensor_get_double(const Tensor *t, int64_t i)
{
    if (t->dtype == DT_FLOAT) return ((const float *)t->data)[i];
    if (t->dtype == DT_DOUBLE) return ((const double *)t->data)[i];
    if (t->dtype == DT_UINT64) return (double)((const uint64_t *)t->data)[i];
    return (double)tensor_get_int(t, i);
}

void tensor_set_int(Tensor *t, int64_t i, int64_t v)
{
    void *d = t->data;
    switch (t->dtype) {
    case DT_INT64: ((int64_t *)d)[i] = v; break;
    case DT_INT32: ((int32_t *)d)[i] = (int32_t)v; break;
    case DT_INT16: ((int16_t *)d)[i] = (int16_t)v; break;
    case DT_INT8: ((int8_t *)d)[i] = (int8_t)v; break;
    case DT_UINT8: ((uint8_t *)d)[i] = (uint8_t)v; break;
    case DT_BOOL: ((uint8_t *)d)[i] = v != 0; break;
    case DT_UINT16: ((uint16_t *)d)[i] = (uint16_t)v; break;
    case DT_UINT32: ((uint32_t *)d)[i] = (uint32_t)v; break;
    case DT_UINT64: ((uint64_t *)d)[i] = (uint64_t)v; break;
    case DT_FLOAT: ((float *)d)[i] = (float)v; break;
    case DT_DOUBLE: ((double *)d)[i] = (double)v; break;
    default: NNC_ASSERT(0);
    }
}

void tensor_set_double(Tensor *t, int64_t i, double v)
{
    if (t->dtype == DT_FLOAT) ((float *)t->data)[i] = (float)v;
    else if (t->dtype == DT_DOUBLE) ((double *)t->data)[i] = v;
    else if (t->dtype == DT_BOOL) ((uint8_t *)t->data)[i] = v != 0;
    else if (t->dtype == DT_UINT64 && v >= 9223372036854775808.0)
        ((uint64_t *)t->data)[i] = v >= 18446744073709551615.0 ? UINT64_MAX : (uint64_t)v;
    else tensor_set_int(t, i, to_i64(v));
}

char *shape_str(Arena *a, const Tensor *t)
{
    Buf b = {0};
    buf_puts(&b, "[");
    for (int i = 0; i < t->rank; i++) buf_printf(&b, "%s%lld", i ? "," : "", (long long)t->dims[i]);
    buf_puts(&b, "]");
    char *s = arena_strdup(a, b.data);
    buf_free(&b);
    return s;
}

const Attr *node_attr(const Node *n, const char *name)
{
    for (int i = 0; i < n->n_attrs; i++)
        if (strcmp(n->attrs[i].name, name) == 0) return &n->attrs[i];
    return NULL;
}

static const char *attr_type_name(AttrType t)
{
    switch (t) {
    case ATTR_FLOAT: return "float";
    case ATTR_INT: return "int";
    case ATTR_STRING: return "string";
    case ATTR_TENSOR: return "tensor";
    case ATTR_GRAPH: return "graph";
    case ATTR_FLOATS: return "floats";
    case ATTR_INTS: return "ints";
    case ATTR_STRINGS: return "strings";
    default: return "unsupported kind";
    }
}

static const Attr *typed_attr(const Node *n, const char *name, AttrType want)
{
    const Attr *a = node_attr(n, name);
    if (a && a->type != want)
        nnc_fail_node(n, "attribute '%s' must be %s, got %s", name, attr_type_name(want),
                      attr_type_name(a->type));
    return a;
}

int64_t node_attr_int(const Node *n, const char *name, int64_t def)
{
    const Attr *a = typed_attr(n, name, ATTR_INT);
    return a ? a->i : def;
}

float node_attr_float(const Node *n, const char *name, float def)
{
    const Attr *a = typed_attr(n, name, ATTR_FLOAT);
    return a ? a->f : def;
}

const char *node_attr_str(const Node *n, const char *name, const char *def)
{
    const Attr *a = typed_attr(n, name, ATTR_STRING);
    return a ? a->s : def;
}

int node_attr_ints(const Node *n, const char *name, const int64_t **out)
{
    const Attr *a = typed_attr(n, name, ATTR_INTS);
    *out = a ? a->ints : NULL;
    return a ? a->n : -1;
}

int node_attr_floats(const Node *n, const char *name, const float **out)
{
    const Attr *a = typed_attr(n, name, ATTR_FLOATS);
    *out = a ? a->floats : NULL;
    return a ? a->n : -1;
}

int node_attr_strings(const Node *n, const char *name, const char *const **out)
{
    const Attr *a = typed_attr(n, name, ATTR_STRINGS);
    *out = a ? a->strings : NULL;
    return a ? a->n : -1;
}
