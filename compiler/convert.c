/* convert.c — `nnc convert IN -o OUT`: between ONNX and the model language.
 * The input is loaded by either frontend (its contents decide) and its
 * shapes inferred (constants folded); the output's extension picks the
 * writer:
 *  - OUT.onnx: a ModelProto packed with protobuf-c (the model's opset; 17
 *    for the model language), every
 *    constant an initializer with raw little-endian data; batch-first
 *    recurrent nodes (layout 1) as layout 0 between Transposes, which every
 *    ONNX runtime runs;
 *  - OUT.nn: the graph printed in the language, builtins where nodes map
 *    to them and escape-hatch calls elsewhere, weights in OUT.safetensors
 *    beside it (convert_nn.c).
 * Both files are written whole or not at all. */
#include "convert.h"

#include "frontend/frontend.h"
#include "ir/infer.h"
#include "ir/ops.h"
#include "onnx.pb-c.h"

#include <errno.h>
#include <string.h>

int convert_write_file(const char *path, const void *data, size_t len)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (!f) return -1;
    int ok = fwrite(data, 1, len, f) == len;
    ok &= fclose(f) == 0;
    if (!ok || rename(tmp, path) != 0) {
        remove(tmp);
        return -1;
    }
    return 0;
}

/* ---- to ONNX ---- */
static Onnx__TensorProto *tensor_proto(Arena *a, const Tensor *t)
{
    Onnx__TensorProto *tp = arena_alloc(a, sizeof *tp);
    onnx__tensor_proto__init(tp);
    tp->name = (char *)t->name;
    tp->has_data_type = 1;
    tp->data_type = t->dtype;
    tp->n_dims = (size_t)t->rank;
    tp->dims = (int64_t *)t->dims;
    tp->has_raw_data = 1;
    tp->raw_data.len = (size_t)tensor_bytes(t);
    tp->raw_data.data = t->data;
    return tp;
}

static Onnx__ValueInfoProto *value_info(Arena *a, const Tensor *t)
{
    Onnx__ValueInfoProto *vi = arena_alloc(a, sizeof *vi);
    onnx__value_info_proto__init(vi);
    Onnx__TypeProto *ty = arena_alloc(a, sizeof *ty);
    onnx__type_proto__init(ty);
    Onnx__TypeProto__Tensor *tt = arena_alloc(a, sizeof *tt);
    onnx__type_proto__tensor__init(tt);
    Onnx__TensorShapeProto *sh = arena_alloc(a, sizeof *sh);
    onnx__tensor_shape_proto__init(sh);
    sh->n_dim = (size_t)t->rank;
    sh->dim = arena_alloc_array(a, (size_t)t->rank + 1, sizeof(void *));
    for (int i = 0; i < t->rank; i++) {
        Onnx__TensorShapeProto__Dimension *d = arena_alloc(a, sizeof *d);
        onnx__tensor_shape_proto__dimension__init(d);
        d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
        d->dim_value = t->dims[i];
        sh->dim[i] = d;
    }
    tt->has_elem_type = 1;
    tt->elem_type = t->dtype;
    tt->shape = sh;
    ty->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
    ty->tensor_type = tt;
    vi->name = (char *)t->name;
    vi->type = ty;
    return vi;
}

static Onnx__AttributeProto *attr_proto(Arena *a, const Attr *at)
{
    Onnx__AttributeProto *p = arena_alloc(a, sizeof *p);
    onnx__attribute_proto__init(p);
    p->name = (char *)at->name;
    p->has_type = 1;
    p->type = (Onnx__AttributeProto__AttributeType)at->type;
    switch (at->type) {
    case ATTR_INT: p->has_i = 1, p->i = at->i; break;
    case ATTR_FLOAT: p->has_f = 1, p->f = at->f; break;
    case ATTR_STRING: p->has_s = 1, p->s.data = (uint8_t *)at->s, p->s.len = strlen(at->s); break;
    case ATTR_INTS: p->n_ints = (size_t)at->n, p->ints = at->ints; break;
    case ATTR_FLOATS: p->n_floats = (size_t)at->n, p->floats = at->floats; break;
    case ATTR_STRINGS:
        p->n_strings = (size_t)at->n;
        p->strings = arena_alloc_array(a, (size_t)at->n + 1, sizeof(ProtobufCBinaryData));
        for (int i = 0; i < at->n; i++) p->strings[i].data = (uint8_t *)at->strings[i], p->strings[i].len = strlen(at->strings[i]);
        break;
    case ATTR_TENSOR: p->t = tensor_proto(a, at->t); break;
    default: nnc_fail("attribute '%s' of this kind cannot be written to ONNX", at->name);
    }
    return p;
}

static Onnx__NodeProto *node_proto(Arena *a, const Node *n)
{
    Onnx__NodeProto *p = arena_alloc(a, sizeof *p);
    onnx__node_proto__init(p);
    p->name = (char *)n->name;
    p->op_type = (char *)op_info(n->op)->name;
    p->n_input = (size_t)n->n_in;
    p->input = arena_alloc_array(a, (size_t)n->n_in + 1, sizeof(char *));
    for (int k = 0; k < n->n_in; k++) p->input[k] = n->in[k] ? (char *)n->in[k]->name : "";
    p->n_output = (size_t)n->n_out;
    p->output = arena_alloc_array(a, (size_t)n->n_out + 1, sizeof(char *));
    for (int k = 0; k < n->n_out; k++) p->output[k] = n->out[k] ? (char *)n->out[k]->name : "";
    p->n_attribute = 0;
    p->attribute = arena_alloc_array(a, (size_t)n->n_attrs + 1, sizeof(void *));
    for (int i = 0; i < n->n_attrs; i++)
        if (n->attrs[i].type != ATTR_OTHER && n->attrs[i].type != ATTR_GRAPH)
            p->attribute[p->n_attribute++] = attr_proto(a, &n->attrs[i]);
    return p;
}

static Onnx__NodeProto *transpose_proto(Arena *a, const char *in, const char *out, int rank, const int64_t *perm)
{
    Onnx__NodeProto *p = arena_alloc(a, sizeof *p);
    onnx__node_proto__init(p);
    p->name = arena_printf(a, "%s/transpose", out);
    p->op_type = "Transpose";
    p->n_input = p->n_output = 1;
    p->input = arena_alloc_array(a, 1, sizeof(char *));
    p->output = arena_alloc_array(a, 1, sizeof(char *));
    p->input[0] = (char *)in;
    p->output[0] = (char *)out;
    Attr at = {.name = "perm", .type = ATTR_INTS, .n = rank, .ints = (int64_t *)perm};
    p->n_attribute = 1;
    p->attribute = arena_alloc_array(a, 1, sizeof(void *));
    p->attribute[0] = attr_proto(a, &at);
    return p;
}

/* RNN / LSTM / GRU with layout 1 (batch first, as batch_first=true lowers)
 * is written as layout 0 between Transposes: ONNX Runtime runs only layout 0.
 * X [N,T,I] and initial_h/c [N,dirs,H] are transposed in; Y [T,dirs,N,H] and
 * Y_h/c [dirs,N,H] out. Appends the nodes to gp. */
static void write_recurrent_layout0(Arena *a, const Node *n, Onnx__GraphProto *gp)
{
    static const int64_t p3[3] = {1, 0, 2}, py[4] = {2, 0, 1, 3};
    Onnx__NodeProto *p = node_proto(a, n);
    for (int k = 0; k < n->n_in; k++) {
        if (!n->in[k] || (k != 0 && k != 5 && k != 6)) continue; /* X, initial_h, initial_c */
        const char *t = arena_printf(a, "%s/layout0_in%d", n->name, k);
        gp->node[gp->n_node++] = transpose_proto(a, n->in[k]->name, t, 3, p3);
        p->input[k] = (char *)t;
    }
    for (size_t i = 0; i < p->n_attribute; i++)
        if (strcmp(p->attribute[i]->name, "layout") == 0) p->attribute[i]->i = 0;
    gp->node[gp->n_node++] = p;
    for (int k = 0; k < n->n_out; k++) {
        if (!n->out[k]) continue;
        const char *t = arena_printf(a, "%s/layout0_out%d", n->name, k);
        p->output[k] = (char *)t;
        gp->node[gp->n_node++] = transpose_proto(a, t, n->out[k]->name, k ? 3 : 4, k ? p3 : py);
    }
}

static int is_batch_first_recurrent(const Node *n)
{
    return (n->op == OP_RNN || n->op == OP_LSTM || n->op == OP_GRU) && node_attr_int(n, "layout", 0) == 1;
}

/* A node means the same under the model's opset as under its own. */
static void check_opset(const Graph *g, const Node *n)
{
    int v = op_semantics_version(n->op);
    if (n->opset != g->opset && (n->opset < v) != (g->opset < v))
        frontend_node_error(g, n, "%s with _opset=%d cannot be written to ONNX: an ONNX file has one opset (%d here), "
                            "under which %s means something else", op_info(n->op)->name, n->opset, g->opset,
                            op_info(n->op)->name);
}

static void write_onnx(Arena *a, Graph *g, const char *out)
{
    Onnx__GraphProto *gp = arena_alloc(a, sizeof *gp);
    onnx__graph_proto__init(gp);
    gp->name = (char *)g->name;
    gp->node = arena_alloc_array(a, (size_t)g->n_nodes * 6 + 1, sizeof(void *));
    for (int i = 0; i < g->n_nodes; i++) {
        check_opset(g, g->nodes[i]);
        if (is_batch_first_recurrent(g->nodes[i])) write_recurrent_layout0(a, g->nodes[i], gp);
        else gp->node[gp->n_node++] = node_proto(a, g->nodes[i]);
    }
    char *seen = arena_alloc(a, (size_t)g->n_tensors + 1);
    gp->initializer = arena_alloc_array(a, (size_t)g->n_tensors + 1, sizeof(void *));
    for (int i = 0; i < g->n_nodes; i++)
        for (int k = 0; k < g->nodes[i]->n_in; k++) {
            const Tensor *t = g->nodes[i]->in[k];
            if (!t || t->producer || !t->data || seen[t->id]) continue;
            seen[t->id] = 1;
            gp->initializer[gp->n_initializer++] = tensor_proto(a, t);
        }
    gp->input = arena_alloc_array(a, (size_t)g->n_inputs + 1, sizeof(void *));
    for (int i = 0; i < g->n_inputs; i++) gp->input[gp->n_input++] = value_info(a, g->inputs[i]);
    gp->output = arena_alloc_array(a, (size_t)g->n_outputs + 1, sizeof(void *));
    for (int i = 0; i < g->n_outputs; i++) gp->output[gp->n_output++] = value_info(a, g->outputs[i]);
    Onnx__OperatorSetIdProto op = ONNX__OPERATOR_SET_ID_PROTO__INIT, *ops[1] = {&op};
    op.domain = "";
    op.has_version = 1;
    op.version = g->opset; /* the model's own (17 for the model language) */
    Onnx__ModelProto m = ONNX__MODEL_PROTO__INIT;
    m.has_ir_version = 1;
    m.ir_version = 8;
    m.producer_name = "nnc convert";
    m.n_opset_import = 1;
    m.opset_import = ops;
    m.graph = gp;
    size_t len = onnx__model_proto__get_packed_size(&m);
    uint8_t *buf = arena_alloc(a, len + 1);
    onnx__model_proto__pack(&m, buf);
    if (convert_write_file(out, buf, len) != 0) nnc_fail("cannot write '%s': %s", out, strerror(errno));
}

int convert_model(const CompileOptions *o, const char *out)
{
    const char *dot = out ? strrchr(out, '.') : NULL;
    int to_onnx = dot && strcmp(dot, ".onnx") == 0, to_nn = dot && strcmp(dot, ".nn") == 0;
    if (!to_onnx && !to_nn) {
        fprintf(stderr, "nnc: error: convert writes OUT.onnx or OUT.nn (-o), not '%s'\n", out ? out : "");
        return 1;
    }
    Arena arena;
    arena_init(&arena);
    ErrorTrap trap;
    int rc = 0;
    nnc_error_set_file(o->model_path);
    if (setjmp(trap.env)) {
        rc = 1;
    } else {
        nnc_trap_push(&trap);
        Graph *g = frontend_load(&arena, o->model_path, &o->load);
        infer_shapes(g);
        if (to_onnx) write_onnx(&arena, g, out);
        else convert_write_nn(&arena, g, out, o->model_path);
    }
    nnc_trap_pop(&trap);
    arena_free(&arena);
    return rc;
}
