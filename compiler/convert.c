/* convert.c — `nnc convert IN -o OUT`: between ONNX and the model language.
 * The input is loaded by either frontend (its contents decide) and its
 * shapes inferred (constants folded); the output's extension picks the
 * writer:
 *  - OUT.onnx: a ModelProto packed with protobuf-c (opset 17), every
 *    constant an initializer with raw little-endian data; batch-first
 *    recurrent nodes (layout 1) as layout 0 between Transposes, which every
 *    ONNX runtime runs;
 *  - OUT.nn: the graph printed in the language, one escape-hatch call per
 *    node (`t3 = Conv(x, w, b, kernel_shape=[3, 3], ...)`), float constants
 *    as `parameter(...) as "NAME"` with their values in OUT.safetensors
 *    beside it, integer constants as literal lists.
 * Both files are written whole or not at all. */
#include "convert.h"

#include "frontend/frontend.h"
#include "ir/infer.h"
#include "ir/ops.h"
#include "onnx.pb-c.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <string.h>

static int write_file(const char *path, const void *data, size_t len)
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

static void write_onnx(Arena *a, Graph *g, const char *out)
{
    Onnx__GraphProto *gp = arena_alloc(a, sizeof *gp);
    onnx__graph_proto__init(gp);
    gp->name = (char *)g->name;
    gp->node = arena_alloc_array(a, (size_t)g->n_nodes * 6 + 1, sizeof(void *));
    for (int i = 0; i < g->n_nodes; i++) {
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
    op.version = 17;
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
    if (write_file(out, buf, len) != 0) nnc_fail("cannot write '%s': %s", out, strerror(errno));
}

/* ---- to the model language ---- */
typedef struct Printer {
    Arena *a;
    Graph *g;
    Buf src;
    const char **var;       /* tensor id -> variable name */
    Tensor **weights;       /* float constants for the safetensors file */
    int n_weights;
} Printer;

/* A variable for each tensor: graph inputs keep their name when it is an
 * identifier (the generated API's names); others get their id appended. */
static const char *ident(Printer *p, const Tensor *t)
{
    if (p->var[t->id]) return p->var[t->id];
    Buf b = {0};
    const char *s = t->name;
    int plain = isalpha((unsigned char)*s) && strlen(s) < 60 && t->input_index >= 0;
    for (const char *q = s; *q; q++) plain &= isalnum((unsigned char)*q) || *q == '_';
    static const char *const kw[] = {"def", "for", "in", "if", "elif", "else", "return",
                                     "as", "and", "or", "not", "true", "false", "none"};
    for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++) plain &= strcmp(s, kw[i]) != 0;
    if (!isalpha((unsigned char)*s)) buf_puts(&b, "t_");
    for (; *s && b.len < 60; s++) buf_put(&b, isalnum((unsigned char)*s) ? s : "_", 1);
    if (!plain) buf_printf(&b, "_%d", t->id);
    p->var[t->id] = arena_strdup(p->a, b.data);
    buf_free(&b);
    return p->var[t->id];
}

static void print_float(Buf *b, double v)
{
    if (isinf(v)) buf_printf(b, v < 0 ? "-1e39" : "1e39");
    else if (v == floor(v) && fabs(v) < 1e15) buf_printf(b, "%.1f", v);
    else buf_printf(b, "%.9g", v);
}

static void print_literal(Printer *p, const Tensor *t, int64_t *k, int depth)
{
    if (depth == t->rank) {
        if (dtype_is_float(t->dtype)) print_float(&p->src, tensor_get_double(t, (*k)++));
        else buf_printf(&p->src, "%lld", (long long)tensor_get_int(t, (*k)++));
        return;
    }
    buf_puts(&p->src, "[");
    for (int64_t i = 0; i < t->dims[depth]; i++) {
        if (i) buf_puts(&p->src, ", ");
        print_literal(p, t, k, depth + 1);
    }
    buf_puts(&p->src, "]");
}

/* A constant: float -> parameter(...) from the weights file; int64 -> a list
 * (Cast for other integer types and bool). */
static void print_const(Printer *p, Tensor *t)
{
    const char *v = ident(p, t);
    if (t->dtype == DT_FLOAT) {
        buf_printf(&p->src, "%s = parameter([", v);
        for (int i = 0; i < t->rank; i++) buf_printf(&p->src, "%s%lld", i ? ", " : "", (long long)t->dims[i]);
        buf_printf(&p->src, "]) as \"%s\"\n", t->name);
        p->weights[p->n_weights++] = t;
        return;
    }
    if (dtype_is_float(t->dtype) || tensor_numel(t) > 100000)
        nnc_fail("constant '%s' (%s %s) cannot be written in the language yet", t->name, dtype_name(t->dtype),
                 shape_str(p->a, t));
    int cast = t->dtype != DT_INT64;
    int64_t k = 0;
    buf_printf(&p->src, "%s = %s", v, cast ? "Cast(" : "");
    if (t->rank == 0) buf_printf(&p->src, "Reshape([%lld], [])", (long long)tensor_get_int(t, 0));
    else print_literal(p, t, &k, 0);
    if (cast) buf_printf(&p->src, ", to=%d)", t->dtype);
    buf_puts(&p->src, "\n");
}

static void print_attr(Printer *p, const Attr *at)
{
    Buf *b = &p->src;
    buf_printf(b, ", %s=", at->name);
    switch (at->type) {
    case ATTR_INT: buf_printf(b, "%lld", (long long)at->i); break;
    case ATTR_FLOAT: print_float(b, at->f); break;
    case ATTR_STRING: buf_printf(b, "'%s'", at->s); break;
    case ATTR_INTS: case ATTR_FLOATS: case ATTR_STRINGS:
        buf_puts(b, "[");
        for (int i = 0; i < at->n; i++) {
            if (i) buf_puts(b, ", ");
            if (at->type == ATTR_INTS) buf_printf(b, "%lld", (long long)at->ints[i]);
            else if (at->type == ATTR_FLOATS) print_float(b, at->floats[i]);
            else buf_printf(b, "'%s'", at->strings[i]);
        }
        buf_puts(b, "]");
        break;
    default: nnc_fail("attribute '%s' (a tensor or graph) cannot be written in the language yet", at->name);
    }
}

static void print_node(Printer *p, const Node *n)
{
    Buf *b = &p->src;
    for (int k = 0; k < n->n_out; k++) {
        if (k) buf_puts(b, ", ");
        buf_puts(b, n->out[k] ? ident(p, n->out[k]) : "_");
    }
    buf_printf(b, " = %s(", op_info(n->op)->name);
    for (int k = 0; k < n->n_in; k++) buf_printf(b, "%s%s", k ? ", " : "", n->in[k] ? ident(p, n->in[k]) : "none");
    if (!n->n_in) buf_puts(b, "none");
    for (int i = 0; i < n->n_attrs; i++) print_attr(p, &n->attrs[i]);
    if (n->n_out > 1) buf_printf(b, ", _outputs=%d", n->n_out);
    buf_puts(b, ")\n");
}

static void write_safetensors(Printer *p, const char *path)
{
    Buf h = {0}, out = {0};
    int64_t off = 0;
    buf_puts(&h, "{");
    for (int i = 0; i < p->n_weights; i++) {
        const Tensor *t = p->weights[i];
        int64_t n = tensor_bytes(t);
        buf_printf(&h, "%s\"%s\": {\"dtype\": \"F32\", \"shape\": [", i ? ", " : "", t->name);
        for (int d = 0; d < t->rank; d++) buf_printf(&h, "%s%lld", d ? ", " : "", (long long)t->dims[d]);
        buf_printf(&h, "], \"data_offsets\": [%lld, %lld]}", (long long)off, (long long)(off + n));
        off += n;
    }
    buf_puts(&h, "}");
    while (h.len % 8) buf_puts(&h, " ");
    unsigned char len8[8];
    for (int i = 0; i < 8; i++) len8[i] = (unsigned char)((uint64_t)h.len >> (8 * i));
    buf_put(&out, (const char *)len8, 8);
    buf_put(&out, h.data, h.len);
    for (int i = 0; i < p->n_weights; i++) buf_put(&out, p->weights[i]->data, (size_t)tensor_bytes(p->weights[i]));
    int rc = write_file(path, out.data, out.len);
    buf_free(&h);
    buf_free(&out);
    if (rc != 0) nnc_fail("cannot write '%s': %s", path, strerror(errno));
}

static void write_nn(Arena *a, Graph *g, const char *out, const char *model)
{
    Printer P = {a, g, {0}, NULL, NULL, 0};
    P.var = arena_alloc_array(a, (size_t)g->n_tensors + 1, sizeof(char *));
    P.weights = arena_alloc_array(a, (size_t)g->n_tensors + 1, sizeof(Tensor *));
    buf_printf(&P.src, "# %s: converted by nnc convert from %s.\n# Weights: the .safetensors file of the same name.\n",
               out, c_comment_text(a, model, 200));
    for (int i = 0; i < g->n_inputs; i++) {
        const Tensor *t = g->inputs[i];
        static const char *const ty[DT_COUNT_] = {[DT_FLOAT] = "f32", [DT_DOUBLE] = "f64", [DT_INT64] = "i64",
            [DT_INT32] = "i32", [DT_INT16] = "i16", [DT_INT8] = "i8", [DT_UINT8] = "u8", [DT_UINT16] = "u16",
            [DT_UINT32] = "u32", [DT_UINT64] = "u64", [DT_BOOL] = "bool"};
        buf_printf(&P.src, "input %s: %s[", ident(&P, t), ty[t->dtype]);
        for (int d = 0; d < t->rank; d++) buf_printf(&P.src, "%s%lld", d ? ", " : "", (long long)t->dims[d]);
        buf_puts(&P.src, "]\n");
    }
    buf_puts(&P.src, "\n");
    char *printed = arena_alloc(a, (size_t)g->n_tensors + 1);
    for (int i = 0; i < g->n_nodes; i++) {
        const Node *n = g->nodes[i];
        int folded = 1; /* outputs computed at compile time become constants */
        for (int k = 0; k < n->n_out; k++) folded &= !n->out[k] || n->out[k]->data != NULL;
        for (int k = 0; k < n->n_in; k++) {
            Tensor *t = n->in[k];
            if (t && t->data && !printed[t->id]) {
                printed[t->id] = 1;
                print_const(&P, t);
            }
        }
        if (folded) {
            for (int k = 0; k < n->n_out; k++)
                if (n->out[k] && !printed[n->out[k]->id] && n->out[k]->output_index >= 0) {
                    printed[n->out[k]->id] = 1;
                    print_const(&P, n->out[k]);
                }
            continue;
        }
        print_node(&P, n);
    }
    buf_puts(&P.src, "\n");
    for (int i = 0; i < g->n_outputs; i++) {
        Buf nm = {0};
        const char *s = g->outputs[i]->name;
        if (!isalpha((unsigned char)*s)) buf_puts(&nm, "out_");
        for (; *s && nm.len < 60; s++) buf_put(&nm, isalnum((unsigned char)*s) ? s : "_", 1);
        buf_printf(&P.src, "output %s = %s\n", nm.data, ident(&P, g->outputs[i]));
        buf_free(&nm);
    }
    const char *dot = strrchr(out, '.');
    const char *st = arena_printf(a, "%.*s.safetensors", (int)(dot - out), out);
    write_safetensors(&P, st);
    int rc = write_file(out, P.src.data, P.src.len);
    buf_free(&P.src);
    if (rc != 0) nnc_fail("cannot write '%s': %s", out, strerror(errno));
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
        else write_nn(&arena, g, out, o->model_path);
    }
    nnc_trap_pop(&trap);
    arena_free(&arena);
    return rc;
}
