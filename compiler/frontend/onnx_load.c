/* onnx_load.c — reads an ONNX model with protobuf-c (onnx.proto compiled at
 * build time) and builds the IR. Everything read from the file is distrusted:
 * dims, counts, data sizes and external-data paths are all checked here, so the
 * rest of the compiler can rely on well-formed tensors. Constant nodes stay as
 * nodes; their shape function materialises the value. */
#include "onnx_load.h"

#include "../ir/ops.h"
#include "onnx.pb-c.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- nesting depth, before protobuf-c sees the bytes ---- */
/* protobuf-c unpacks nested messages recursively with no depth limit, so a
 * few MB of nested subgraphs (or TypeProto sequences of sequences) overflow
 * the stack. ONNX needs a handful of levels (a graph inside an If inside a
 * Loop is 7); past this many nnc refuses the file. */
#define PROTO_MAX_DEPTH 100
#define NNC_STR_(x) #x
#define NNC_STR(x) NNC_STR_(x)

static int read_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    uint64_t r = 0;
    for (int shift = 0; shift < 64 && *p < end; shift += 7) {
        uint8_t b = *(*p)++;
        r |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *v = r;
            return 1;
        }
    }
    return 0;
}

/* Whether bytes [p, end), read as a message of type d at nesting `depth`,
 * nest messages deeper than PROTO_MAX_DEPTH. Walks the wire format once
 * (each byte is looked at once, the recursion is bounded by the limit);
 * malformed data ends the walk and is left for the unpacker to reject. */
static int proto_too_deep(const ProtobufCMessageDescriptor *d, const uint8_t *p, const uint8_t *end, int depth)
{
    if (depth > PROTO_MAX_DEPTH) return 1;
    while (p < end) {
        uint64_t key, n;
        if (!read_varint(&p, end, &key)) return 0;
        switch (key & 7) {
        case 0: /* varint */
            if (!read_varint(&p, end, &n)) return 0;
            break;
        case 1: /* fixed64 */
            if (end - p < 8) return 0;
            p += 8;
            break;
        case 5: /* fixed32 */
            if (end - p < 4) return 0;
            p += 4;
            break;
        case 2: { /* length-delimited: a message, bytes or a packed array */
            if (!read_varint(&p, end, &n) || n > (uint64_t)(end - p)) return 0;
            const ProtobufCFieldDescriptor *f =
                (key >> 3) <= UINT32_MAX ? protobuf_c_message_descriptor_get_field(d, (unsigned)(key >> 3)) : NULL;
            if (f && f->type == PROTOBUF_C_TYPE_MESSAGE && proto_too_deep(f->descriptor, p, p + n, depth + 1))
                return 1;
            p += n;
            break;
        }
        default: return 0; /* groups, bad wire types: the unpacker rejects them */
        }
    }
    return 0;
}

/* ---- name -> tensor hash map (import only) ---- */
typedef struct NameMap {
    int cap;
    Tensor **slots;
} NameMap;

static uint32_t hash_str(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static void map_init(Arena *a, NameMap *m, size_t expect)
{
    int cap = 64;
    while ((size_t)cap < expect * 2 + 16) cap *= 2;
    m->cap = cap;
    m->slots = arena_alloc_array(a, (size_t)cap, sizeof(Tensor *));
}

static Tensor **map_slot(NameMap *m, const char *name)
{
    uint32_t i = hash_str(name) & (uint32_t)(m->cap - 1);
    while (m->slots[i] && strcmp(m->slots[i]->name, name) != 0) i = (i + 1) & (uint32_t)(m->cap - 1);
    return &m->slots[i];
}

typedef struct Loader {
    Graph *g;
    const char *dir;      /* directory external data is read from; NULL: refused */
    NameMap names;
} Loader;

/* ---- tensors ---- */
static void check_dims(const char *what, size_t n_dims, const int64_t *dims)
{
    if (n_dims > NNC_MAX_RANK) nnc_fail("tensor '%s': rank %zu exceeds %d", what, n_dims, NNC_MAX_RANK);
    int64_t n = 1;
    for (size_t i = 0; i < n_dims; i++) {
        if (dims[i] < 0) nnc_fail("tensor '%s': negative dimension %lld", what, (long long)dims[i]);
        if (!checked_mul_i64(n, dims[i], &n) || n > NNC_MAX_ELEMS)
            nnc_fail("tensor '%s': dimensions overflow (more than %lld elements)", what,
                     (long long)NNC_MAX_ELEMS);
    }
}

static int path_is_safe(const char *rel)
{
    if (!*rel || rel[0] == '/' || rel[0] == '\\' || strchr(rel, ':')) return 0;
    const char *p = rel;
    while (*p) {
        const char *e = p;
        while (*e && *e != '/' && *e != '\\') e++;
        if (e - p == 2 && p[0] == '.' && p[1] == '.') return 0;
        p = *e ? e + 1 : e;
    }
    return 1;
}

/* Refuse symlinks anywhere along dir/rel (below the model directory). */
static int path_has_symlink(Arena *a, const char *dir, const char *rel)
{
    char *full = arena_printf(a, "%s/%s", dir, rel);
    size_t base = strlen(dir) + 1;
    for (size_t i = base;; i++) {
        if (full[i] == '/' || full[i] == 0) {
            char c = full[i];
            full[i] = 0;
            struct stat st;
            int bad = lstat(full, &st) != 0 || S_ISLNK(st.st_mode);
            full[i] = c;
            if (bad) return 1;
            if (!c) break;
        }
    }
    return 0;
}

static void load_external(Loader *L, Tensor *t, const Onnx__TensorProto *tp, int64_t nbytes)
{
    const char *loc = NULL;
    int64_t offset = 0, length = -1;
    for (size_t i = 0; i < tp->n_external_data; i++) {
        const Onnx__StringStringEntryProto *e = tp->external_data[i];
        if (!e->key || !e->value) continue;
        char *end;
        if (strcmp(e->key, "location") == 0) loc = e->value;
        else if (strcmp(e->key, "offset") == 0 || strcmp(e->key, "length") == 0) {
            errno = 0;
            long long v = strtoll(e->value, &end, 10);
            if (errno || *end || v < 0)
                nnc_fail("tensor '%s': external data %s '%s' is not a valid size", t->name, e->key, e->value);
            if (e->key[0] == 'o') offset = v;
            else length = v;
        }
    }
    if (!loc) nnc_fail("tensor '%s': external data has no location", t->name);
    if (!L->dir) nnc_fail("tensor '%s': external data is not available for a model read from memory", t->name);
    if (!path_is_safe(loc))
        nnc_fail("tensor '%s': external data path '%s' leaves the model directory", t->name, loc);
    if (path_has_symlink(L->g->arena, L->dir, loc))
        nnc_fail("tensor '%s': external data path '%s' is missing or is a symbolic link", t->name, loc);
    if (length >= 0 && length != nbytes)
        nnc_fail("tensor '%s': external data length %lld does not match the tensor's %lld bytes", t->name,
                 (long long)length, (long long)nbytes);
    char *full = arena_printf(L->g->arena, "%s/%s", L->dir, loc);
    FILE *f = fopen(full, "rb");
    if (!f) nnc_fail("tensor '%s': cannot open external data '%s': %s", t->name, loc, strerror(errno));
    struct stat st;
    int64_t end;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) || !checked_add_i64(offset, nbytes, &end) ||
        end > (int64_t)st.st_size) {
        fclose(f);
        nnc_fail("tensor '%s': external data offset %lld + %lld bytes lies outside '%s'", t->name,
                 (long long)offset, (long long)nbytes, loc);
    }
    t->data = arena_alloc_raw(L->g->arena, (size_t)(nbytes ? nbytes : 1));
    if (fseeko(f, (off_t)offset, SEEK_SET) != 0 || fread(t->data, 1, (size_t)nbytes, f) != (size_t)nbytes) {
        fclose(f);
        nnc_fail("tensor '%s': cannot read external data '%s'", t->name, loc);
    }
    fclose(f);
}

/* memcpy for a value list protobuf-c leaves NULL when it is empty. */
static void copy_bytes(void *dst, const void *src, int64_t n)
{
    if (n > 0) memcpy(dst, src, (size_t)n);
}

/* How many values a TensorProto of type dt holds in its typed field (the
 * one ONNX stores that type in). */
static size_t typed_count(const Onnx__TensorProto *tp, DType dt)
{
    switch (dt) {
    case DT_FLOAT: return tp->n_float_data;
    case DT_DOUBLE: return tp->n_double_data;
    case DT_INT64: return tp->n_int64_data;
    case DT_UINT64: case DT_UINT32: return tp->n_uint64_data;
    default: return tp->n_int32_data; /* INT32, INT16, UINT16, INT8, UINT8, BOOL */
    }
}

/* Fill t (already named) from a TensorProto. The data's size is checked
 * against the dims before anything is allocated: a few bytes of dims must not
 * make nnc reserve gigabytes. */
static void decode_tensor(Loader *L, Tensor *t, Onnx__TensorProto *tp)
{
    DType dt = (DType)tp->data_type;
    if (!tp->has_data_type || !dtype_supported(dt))
        nnc_fail("tensor '%s': element type %s is not supported", t->name, dtype_name(dt));
    check_dims(t->name, tp->n_dims, tp->dims);
    tensor_set_shape(t, dt, (int)tp->n_dims, tp->dims);
    int64_t n = tensor_numel(t), size = dtype_size(dt), nbytes = n * size;
    if (tp->segment) nnc_fail("tensor '%s': segmented tensors are not supported", t->name);
    if (tp->has_data_location && tp->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL) {
        load_external(L, t, tp, nbytes); /* checks the file's size first */
        return;
    }
    if (tp->has_raw_data) {
        if ((int64_t)tp->raw_data.len != nbytes)
            nnc_fail("tensor '%s': raw data has %zu bytes but its dims need %lld", t->name, tp->raw_data.len,
                     (long long)nbytes);
        if (nbytes == 0) {
            t->data = arena_alloc(L->g->arena, 1);
            return;
        }
        /* the bytes as they are (little-endian hosts only): protobuf-c's
         * copy, taken over by the arena instead of copied once more */
        t->data = tp->raw_data.data;
        tp->raw_data.data = NULL;
        tp->raw_data.len = 0;
        arena_adopt(L->g->arena, t->data);
        return;
    }
    if ((int64_t)typed_count(tp, dt) != n)
        nnc_fail("tensor '%s': has %zu values but its dims need %lld", t->name, typed_count(tp, dt), (long long)n);
    t->data = arena_alloc(L->g->arena, (size_t)(nbytes ? nbytes : 1));
    switch (dt) {
    case DT_FLOAT: copy_bytes(t->data, tp->float_data, nbytes); break;
    case DT_DOUBLE: copy_bytes(t->data, tp->double_data, nbytes); break;
    case DT_INT64: copy_bytes(t->data, tp->int64_data, nbytes); break;
    case DT_UINT64: copy_bytes(t->data, tp->uint64_data, nbytes); break;
    case DT_INT32: copy_bytes(t->data, tp->int32_data, nbytes); break;
    case DT_UINT32:
        for (int64_t i = 0; i < n; i++) ((uint32_t *)t->data)[i] = (uint32_t)tp->uint64_data[i];
        break;
    case DT_INT16: case DT_UINT16:
        for (int64_t i = 0; i < n; i++) ((uint16_t *)t->data)[i] = (uint16_t)tp->int32_data[i];
        break;
    case DT_INT8: case DT_UINT8: case DT_BOOL:
        for (int64_t i = 0; i < n; i++) ((uint8_t *)t->data)[i] = (uint8_t)tp->int32_data[i];
        break;
    default: nnc_fail("tensor '%s': element type %s is not supported", t->name, dtype_name(dt));
    }
}

/* ---- graph inputs ---- */
static void load_input_shape(Tensor *t, const Onnx__ValueInfoProto *vi,
                             const ShapeOverride *ov)
{
    const Onnx__TypeProto *tp = vi->type;
    if (!tp || tp->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || !tp->tensor_type)
        nnc_fail("graph input '%s': only tensor inputs are supported", t->name);
    const Onnx__TypeProto__Tensor *tt = tp->tensor_type;
    DType dt = (DType)tt->elem_type;
    if (!dtype_supported(dt))
        nnc_fail("graph input '%s': element type %s is not supported", t->name, dtype_name(dt));
    if (!tt->shape && !ov)
        nnc_fail("graph input '%s': has no shape; give one with --shape %s=d0,d1,...", t->name, t->name);
    int rank = ov ? ov->rank : (int)tt->shape->n_dim;
    if (rank > NNC_MAX_RANK) nnc_fail("graph input '%s': rank %d exceeds %d", t->name, rank, NNC_MAX_RANK);
    if (ov && tt->shape && (int)tt->shape->n_dim != ov->rank)
        nnc_fail("graph input '%s': --shape gives rank %d but the model declares rank %zu", t->name, ov->rank,
                 tt->shape->n_dim);
    int64_t dims[NNC_MAX_RANK];
    for (int i = 0; i < rank; i++) {
        const Onnx__TensorShapeProto__Dimension *d = tt->shape ? tt->shape->dim[i] : NULL;
        int fixed = d && d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
        if (ov) {
            if (fixed && d->dim_value != ov->dims[i])
                nnc_fail("graph input '%s': --shape sets dimension %d to %lld but the model fixes it at %lld",
                         t->name, i, (long long)ov->dims[i], (long long)d->dim_value);
            dims[i] = ov->dims[i];
        } else if (fixed) {
            dims[i] = d->dim_value;
        } else {
            const char *sym = d && d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM
                                  ? d->dim_param : "?";
            nnc_fail("graph input '%s': dimension %d ('%s') is not fixed; give it with --shape %s=d0,d1,...",
                     t->name, i, sym, t->name);
        }
    }
    check_dims(t->name, (size_t)rank, dims);
    tensor_set_shape(t, dt, rank, dims);
}

/* ---- nodes ---- */
static void load_attrs(Loader *L, Node *n, const Onnx__NodeProto *np)
{
    Arena *a = L->g->arena;
    n->n_attrs = (int)np->n_attribute;
    n->attrs = arena_alloc_array(a, np->n_attribute + 1, sizeof(Attr));
    for (size_t i = 0; i < np->n_attribute; i++) {
        const Onnx__AttributeProto *ap = np->attribute[i];
        Attr *at = &n->attrs[i];
        at->name = arena_strdup(a, ap->name ? ap->name : "");
        if (ap->ref_attr_name) nnc_fail_node(n, "attribute references are only valid inside functions");
        switch ((int)ap->type) {
        case ATTR_FLOAT: at->f = ap->f; break;
        case ATTR_INT: at->i = ap->i; break;
        case ATTR_STRING:
            at->s = arena_alloc(a, ap->s.len + 1);
            copy_bytes((char *)at->s, ap->s.data, (int64_t)ap->s.len);
            break;
        case ATTR_INTS:
            if (ap->n_ints > INT_MAX / 8) nnc_fail_node(n, "attribute '%s' is too long", at->name);
            at->n = (int)ap->n_ints;
            at->ints = arena_alloc_array(a, ap->n_ints + 1, sizeof(int64_t));
            copy_bytes(at->ints, ap->ints, (int64_t)(ap->n_ints * sizeof(int64_t)));
            break;
        case ATTR_FLOATS:
            if (ap->n_floats > INT_MAX / 8) nnc_fail_node(n, "attribute '%s' is too long", at->name);
            at->n = (int)ap->n_floats;
            at->floats = arena_alloc_array(a, ap->n_floats + 1, sizeof(float));
            copy_bytes(at->floats, ap->floats, (int64_t)(ap->n_floats * sizeof(float)));
            break;
        case ATTR_TENSOR:
            if (!ap->t) nnc_fail_node(n, "attribute '%s' has no tensor", at->name);
            at->t = graph_add_tensor(L->g, arena_printf(a, "%s.%s", n->name, at->name));
            decode_tensor(L, at->t, ap->t);
            break;
        case ATTR_STRINGS:
            if (ap->n_strings > INT_MAX / 8) nnc_fail_node(n, "attribute '%s' is too long", at->name);
            at->n = (int)ap->n_strings;
            at->strings = arena_alloc_array(a, ap->n_strings + 1, sizeof(char *));
            for (size_t k = 0; k < ap->n_strings; k++) {
                char *str = arena_alloc(a, ap->strings[k].len + 1);
                if (ap->strings[k].len) memcpy(str, ap->strings[k].data, ap->strings[k].len);
                at->strings[k] = str;
            }
            break;
        case ATTR_GRAPH: at->n = 0; break;
        default: at->type = ATTR_OTHER; continue;
        }
        at->type = (AttrType)ap->type;
    }
}

static Tensor *define_tensor(Loader *L, const char *name, const Node *producer)
{
    Tensor **slot = map_slot(&L->names, name);
    if (*slot) {
        if (producer) nnc_fail_node(producer, "output '%s' is already defined", name);
        nnc_fail("tensor '%s' is defined twice", name);
    }
    *slot = graph_add_tensor(L->g, name);
    return *slot;
}

static void load_nodes(Loader *L, const Onnx__GraphProto *gp, int opset, int *n_unknown)
{
    Graph *g = L->g;
    for (size_t i = 0; i < gp->n_node; i++) {
        const Onnx__NodeProto *np = gp->node[i];
        const char *name = np->name && *np->name ? np->name : NULL;
        if (!name) name = arena_printf(g->arena, "%s_%zu", np->op_type ? np->op_type : "node", i);
        Node *n = graph_add_node(g, name, np->op_type ? np->op_type : "", (int)np->n_input, (int)np->n_output);
        nnc_stage_node(n);
        n->opset = opset;
        n->op = op_lookup(np->domain, n->op_type);
        if (n->op == OP_COUNT_) {
            /* keep going: every unsupported op type is named in one run */
            int seen = 0;
            for (int k = 0; k < g->n_nodes - 1; k++)
                if (g->nodes[k]->op == OP_COUNT_ && strcmp(g->nodes[k]->op_type, n->op_type) == 0) seen = 1;
            if (!seen) {
                nnc_report_node(n, "unsupported operator%s%s", np->domain && *np->domain ? " in domain " : "",
                                np->domain && *np->domain ? np->domain : "");
                (*n_unknown)++;
            }
            continue;
        }
        load_attrs(L, n, np);
        for (size_t k = 0; k < np->n_output; k++)
            n->out[k] = np->output[k][0] ? define_tensor(L, np->output[k], n) : NULL;
    }
}

static void resolve_inputs(Loader *L, const Onnx__GraphProto *gp)
{
    for (int i = 0; i < L->g->n_nodes; i++) {
        Node *n = L->g->nodes[i];
        const Onnx__NodeProto *np = gp->node[i];
        for (int k = 0; k < n->n_in; k++) {
            if (!np->input[k][0]) continue; /* omitted optional input */
            Tensor *t = *map_slot(&L->names, np->input[k]);
            if (!t) nnc_fail_node(n, "input '%s' is not defined", np->input[k]);
            n->in[k] = t;
        }
        for (int k = 0; k < n->n_out; k++)
            if (n->out[k]) n->out[k]->producer = n;
    }
}

/* Kahn's algorithm; a node left over sits on a cycle. */
static void topo_sort(Graph *g)
{
    int n = g->n_nodes;
    int *indeg = arena_alloc_array(g->arena, (size_t)n + 1, sizeof(int));
    Node **order = arena_alloc_array(g->arena, (size_t)n + 1, sizeof(Node *));
    for (int i = 0; i < n; i++) {
        g->nodes[i]->id = i;
        for (int k = 0; k < g->nodes[i]->n_in; k++)
            if (g->nodes[i]->in[k] && g->nodes[i]->in[k]->producer) indeg[i]++;
    }
    /* consumers lists, built once */
    int *head = arena_alloc_array(g->arena, (size_t)g->n_tensors + 1, sizeof(int));
    int edges = 0;
    for (int i = 0; i < n; i++) edges += g->nodes[i]->n_in;
    int *next = arena_alloc_array(g->arena, (size_t)edges + 1, sizeof(int));
    int *who = arena_alloc_array(g->arena, (size_t)edges + 1, sizeof(int));
    for (int t = 0; t < g->n_tensors; t++) head[t] = -1;
    int e = 0;
    for (int i = 0; i < n; i++)
        for (int k = 0; k < g->nodes[i]->n_in; k++) {
            Tensor *t = g->nodes[i]->in[k];
            if (!t || !t->producer) continue;
            who[e] = i;
            next[e] = head[t->id];
            head[t->id] = e++;
        }
    int qh = 0, qt = 0;
    for (int i = 0; i < n; i++)
        if (!indeg[i]) order[qt++] = g->nodes[i];
    while (qh < qt) {
        Node *m = order[qh++];
        for (int k = 0; k < m->n_out; k++) {
            if (!m->out[k]) continue;
            for (int x = head[m->out[k]->id]; x >= 0; x = next[x])
                if (--indeg[who[x]] == 0) order[qt++] = g->nodes[who[x]];
        }
    }
    if (qt < n)
        for (int i = 0; i < n; i++)
            if (indeg[i]) nnc_fail_node(g->nodes[i], "the graph has a cycle through this node");
    for (int i = 0; i < n; i++) {
        g->nodes[i] = order[i];
        order[i]->id = i;
    }
}

static int default_opset(const Onnx__ModelProto *m)
{
    int opset = -1;
    for (size_t i = 0; i < m->n_opset_import; i++) {
        const Onnx__OperatorSetIdProto *o = m->opset_import[i];
        if (!o->domain || !*o->domain || strcmp(o->domain, "ai.onnx") == 0) opset = (int)o->version;
    }
    if (opset < 0) nnc_fail("the model imports no version of the default ONNX operator set");
    if (opset < 1 || opset > 17) nnc_fail("opset version %d is not supported (1 to 17 are)", opset);
    return opset;
}

/* Directory part of `path` ("." for a bare name, "/" for the root). */
static const char *dir_of(Arena *a, const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash) return arena_strdup(a, ".");
    if (slash == path) return arena_strdup(a, "/");
    return arena_printf(a, "%.*s", (int)(slash - path), path);
}

/* Fill t from the serialized TensorProto in bytes[0..len); `what` names it in
 * messages; external data comes from `ext_dir` (NULL: refused). With
 * `rename`, t takes the tensor's own name when it has one. */
static void decode_tensor_bytes(Graph *g, Tensor *t, const char *what, const void *bytes, size_t len,
                                const char *ext_dir, int rename)
{
    Loader L = {g, ext_dir, {0, NULL}};
    if (proto_too_deep(&onnx__tensor_proto__descriptor, bytes, (const uint8_t *)bytes + len, 1))
        nnc_fail("%s: not a valid TensorProto (messages nested more than %d deep)", what, PROTO_MAX_DEPTH);
    Onnx__TensorProto *tp = onnx__tensor_proto__unpack(NULL, len, bytes);
    if (!tp) nnc_fail("%s: not a valid TensorProto", what);
    ErrorTrap trap;
    if (setjmp(trap.env)) { /* free the protobuf before passing the error on */
        nnc_trap_pop(&trap);
        onnx__tensor_proto__free_unpacked(tp, NULL);
        nnc_unwind();
    }
    nnc_trap_push(&trap);
    if (rename && tp->name && *tp->name) t->name = arena_strdup(g->arena, tp->name);
    decode_tensor(&L, t, tp);
    nnc_trap_pop(&trap);
    onnx__tensor_proto__free_unpacked(tp, NULL);
}

/* The same for file `path`; its external data lies next to it. */
static void decode_tensor_file(Graph *g, Tensor *t, const char *path, int rename)
{
    size_t len;
    const char *err;
    unsigned char *bytes = read_file(g->arena, path, &len, &err);
    if (!bytes) nnc_fail("%s: cannot read: %s", path, err);
    decode_tensor_bytes(g, t, path, bytes, len, dir_of(g->arena, path), rename);
}

/* Graph input `t` becomes a constant with the value in file `path`. */
static void freeze_input(Loader *L, Tensor *t, const Onnx__ValueInfoProto *vi, const char *path)
{
    const Onnx__TypeProto *ty = vi->type;
    if (!ty || ty->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || !ty->tensor_type)
        nnc_fail("graph input '%s': only tensor inputs are supported", t->name);
    const Onnx__TypeProto__Tensor *tt = ty->tensor_type;
    decode_tensor_file(L->g, t, path, 0);
    /* the value must fit the declaration: same type, rank and fixed dims */
    int same = (int)t->dtype == tt->elem_type && (!tt->shape || (int)tt->shape->n_dim == t->rank);
    for (int i = 0; same && tt->shape && i < t->rank; i++) {
        const Onnx__TensorShapeProto__Dimension *d = tt->shape->dim[i];
        if (d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE) same = d->dim_value == t->dims[i];
    }
    if (!same) nnc_fail("--freeze %s: the value in '%s' does not match the input's type and shape", t->name, path);
}

static void load_io(Loader *L, const Onnx__GraphProto *gp, const LoadOptions *lo)
{
    Graph *g = L->g;
    const ShapeOverride *ov = lo ? lo->shapes : NULL;
    int n_ov = lo ? lo->n_shapes : 0;
    for (int k = 0; k < n_ov; k++) { /* every --shape must name a distinct graph input */
        int found = 0;
        for (size_t i = 0; i < gp->n_input; i++)
            found |= gp->input[i]->name && strcmp(gp->input[i]->name, ov[k].name) == 0;
        if (!found) nnc_fail("--shape names '%s', which is not a graph input", ov[k].name);
        for (int j = 0; j < k; j++)
            if (strcmp(ov[j].name, ov[k].name) == 0) nnc_fail("--shape gives '%s' twice", ov[k].name);
    }
    g->inputs = arena_alloc_array(g->arena, gp->n_input + 1, sizeof(Tensor *));
    for (size_t i = 0; i < gp->n_input; i++) {
        const char *name = gp->input[i]->name ? gp->input[i]->name : "";
        const Tensor *seen = *map_slot(&L->names, name);
        if (seen && seen->input_index == -1 && seen->data && !seen->producer) continue; /* an initializer (IR < 4) */
        if (seen) nnc_fail("graph input '%s' is listed twice", name);
        const ShapeOverride *o = NULL;
        for (int k = 0; k < n_ov; k++)
            if (strcmp(ov[k].name, name) == 0) o = &ov[k];
        Tensor *t = define_tensor(L, name, NULL);
        const char *frozen = NULL;
        for (int k = 0; lo && k < lo->n_freeze; k++)
            if (strcmp(lo->freeze_names[k], name) == 0) frozen = lo->freeze_files[k];
        if (frozen) {
            freeze_input(L, t, gp->input[i], frozen);
            t->input_index = -2; /* marks "frozen" until the check below */
            continue;
        }
        load_input_shape(t, gp->input[i], o);
        t->input_index = g->n_inputs;
        g->inputs[g->n_inputs++] = t;
    }
    for (int k = 0; k < n_ov; k++) {
        Tensor *t = *map_slot(&L->names, ov[k].name);
        if (!t || (t->input_index < 0 && !t->data))
            nnc_fail("--shape names '%s', which is not a graph input", ov[k].name);
    }
    for (int k = 0; lo && k < lo->n_freeze; k++) {
        Tensor *t = *map_slot(&L->names, lo->freeze_names[k]);
        if (!t || t->input_index != -2)
            nnc_fail("--freeze names '%s', which is not a graph input", lo->freeze_names[k]);
    }
    for (size_t i = 0; i < gp->n_input; i++) {
        Tensor *t = *map_slot(&L->names, gp->input[i]->name ? gp->input[i]->name : "");
        if (t && t->input_index == -2) t->input_index = -1;
    }
}

static void load_outputs(Loader *L, const Onnx__GraphProto *gp)
{
    Graph *g = L->g;
    if (gp->n_output == 0) nnc_fail("the graph has no outputs");
    g->outputs = arena_alloc_array(g->arena, gp->n_output, sizeof(Tensor *));
    for (size_t i = 0; i < gp->n_output; i++) {
        const char *name = gp->output[i]->name ? gp->output[i]->name : "";
        Tensor *t = *map_slot(&L->names, name);
        if (!t) nnc_fail("graph output '%s' is not produced by any node", name);
        if (t->output_index >= 0) nnc_fail("graph output '%s' is listed twice", name);
        t->output_index = g->n_outputs;
        g->outputs[g->n_outputs++] = t;
    }
}

/* Who owns a model's bytes: the caller, nnc (malloc'ed), or a mapping. */
enum { BYTES_BORROWED, BYTES_MALLOCED, BYTES_MAPPED };

/* The model file's bytes: mapped read-only (no copy; unmapped as soon as
 * they are unpacked), or read into malloc'ed memory where a file cannot be
 * mapped (a pipe, an empty file). *owner says which. */
static unsigned char *model_file_bytes(const char *path, size_t *len, int *owner)
{
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
        (uint64_t)st.st_size <= SIZE_MAX) {
        void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        close(fd);
        if (p != MAP_FAILED) {
            *len = (size_t)st.st_size;
            *owner = BYTES_MAPPED;
            return p;
        }
    } else if (fd >= 0) {
        close(fd);
    }
    const char *err;
    unsigned char *d = read_file(NULL, path, len, &err);
    if (!d) nnc_fail("cannot read: %s", err);
    *owner = BYTES_MALLOCED;
    return d;
}

/* The model in bytes[0..len). Bytes nnc owns are released as soon as
 * protobuf-c has its own copy (whose tensor bytes the tensors then take
 * over): for a model of 500 MB of weights the file's bytes, protobuf-c's
 * and the tensors' never add up to more than two copies. */
static Onnx__ModelProto *unpack_model(const void *bytes, size_t len, int owner)
{
    const char *why = NULL;
    Onnx__ModelProto *m = NULL;
    if (proto_too_deep(&onnx__model_proto__descriptor, bytes, (const uint8_t *)bytes + len, 1))
        why = "messages nested more than " NNC_STR(PROTO_MAX_DEPTH) " deep";
    else if (!(m = onnx__model_proto__unpack(NULL, len, bytes)))
        why = "truncated or corrupt protobuf";
    else if (!m->graph) {
        onnx__model_proto__free_unpacked(m, NULL);
        why = "no graph";
    }
    if (owner == BYTES_MALLOCED) free((void *)bytes);
    if (owner == BYTES_MAPPED) munmap((void *)bytes, len);
    if (why) nnc_fail("not a valid ONNX model (%s)", why);
    return m;
}

static Graph *load_model(Arena *a, Onnx__ModelProto *m, const char *ext_dir, const LoadOptions *lo);

Graph *onnx_load_buffer(Arena *a, const void *bytes, size_t len, const char *ext_dir, const LoadOptions *lo)
{
    return load_model(a, unpack_model(bytes, len, BYTES_BORROWED), ext_dir, lo);
}

static Graph *load_model(Arena *a, Onnx__ModelProto *m, const char *ext_dir, const LoadOptions *lo)
{
    Loader L = {graph_new(a), ext_dir, {0, NULL}};
    ErrorTrap trap;
    if (setjmp(trap.env)) { /* free the protobuf before passing the error on */
        nnc_trap_pop(&trap);
        onnx__model_proto__free_unpacked(m, NULL);
        nnc_unwind();
    }
    nnc_trap_push(&trap);
    const Onnx__GraphProto *gp = m->graph;
    Graph *g = L.g;
    g->opset = default_opset(m);
    if (gp->name && *gp->name) g->name = arena_strdup(a, gp->name);
    if (m->producer_name) g->producer = arena_printf(a, "%s %s", m->producer_name,
                                                      m->producer_version ? m->producer_version : "");
    if (m->doc_string) g->doc = arena_strdup(a, m->doc_string);
    if (gp->n_sparse_initializer) nnc_fail("sparse initializers are not supported");
    map_init(a, &L.names, gp->n_initializer + gp->n_input + gp->n_node * 2);
    for (size_t i = 0; i < gp->n_initializer; i++) {
        Onnx__TensorProto *tp = gp->initializer[i];
        decode_tensor(&L, define_tensor(&L, tp->name ? tp->name : "", NULL), tp);
    }
    load_io(&L, gp, lo);
    int n_unknown = 0;
    load_nodes(&L, gp, g->opset, &n_unknown);
    if (n_unknown) nnc_unwind();
    resolve_inputs(&L, gp);
    load_outputs(&L, gp);
    topo_sort(g);
    nnc_trap_pop(&trap);
    onnx__model_proto__free_unpacked(m, NULL);
    return g;
}

Graph *onnx_load(Arena *a, const char *path, const LoadOptions *lo)
{
    size_t len;
    int owner;
    unsigned char *bytes = model_file_bytes(path, &len, &owner);
    return load_model(a, unpack_model(bytes, len, owner), dir_of(a, path), lo);
}

Tensor *onnx_load_tensor_file(Graph *g, const char *path)
{
    Tensor *t = graph_add_tensor(g, path);
    decode_tensor_file(g, t, path, 1);
    return t;
}

Tensor *onnx_load_tensor_buffer(Graph *g, const char *name, const void *bytes, size_t len)
{
    Tensor *t = graph_add_tensor(g, name);
    decode_tensor_bytes(g, t, name, bytes, len, NULL, 1);
    return t;
}
