/* convert_nn.c — `nnc convert MODEL -o OUT.nn`: a graph printed in the model
 * language (docs/language.md), to be read by a person. A node that maps to a
 * builtin is printed as that builtin, with PyTorch's keyword arguments
 * (defaults left out) and its parameters named like a state_dict:
 *     layer1_0_conv1 = conv2d(x, out=64, kernel=3, padding=1, bias=false) as layer1.0.conv1
 * reads layer1.0.conv1.weight from OUT.safetensors. MatMul + Add of a bias
 * is one linear(); Identity, Dropout and zero Pads vanish. Every other node
 * is an escape-hatch call with its ONNX name and attributes. Constants no
 * builtin takes are parameter(...) from the safetensors file (float) or
 * literal lists (integers), small ones written inline. Layers are named
 * after their weight's state_dict key (conv1.weight -> conv1), else after
 * the module path of a torch export's node names (/layer1/layer1.0/conv1/Conv
 * -> layer1.0.conv1); variables after their layer. A builtin lowers to the
 * very node it was printed from, so the listing compiles to the same graph. */
#include "convert.h"

#include "ir/ops.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <string.h>

/* ---- a set of names, each with a count ---- */
typedef struct NameSet {
    const char **slot;
    int *count;
    int cap, n;
} NameSet;

static uint32_t name_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* the slot of `name`, or of the empty place it would take */
static uint32_t names_slot(const NameSet *s, const char *name)
{
    uint32_t j = name_hash(name) & (uint32_t)(s->cap - 1);
    while (s->slot[j] && strcmp(s->slot[j], name) != 0) j = (j + 1) & (uint32_t)(s->cap - 1);
    return j;
}

static int names_count(const NameSet *s, const char *name)
{
    if (!s->cap) return 0;
    uint32_t j = names_slot(s, name);
    return s->slot[j] ? s->count[j] : 0;
}

static int names_has(const NameSet *s, const char *name) { return names_count(s, name) > 0; }

/* Count one more `name` (added when new). */
static void names_add(Arena *a, NameSet *s, const char *name)
{
    if (2 * (s->n + 1) >= s->cap) {
        int ncap = s->cap ? 2 * s->cap : 256;
        NameSet g = {arena_alloc_array(a, (size_t)ncap, sizeof(char *)), arena_alloc_array(a, (size_t)ncap, sizeof(int)), ncap, 0};
        for (int i = 0; i < s->cap; i++)
            if (s->slot[i]) {
                uint32_t j = names_slot(&g, s->slot[i]);
                g.slot[j] = s->slot[i], g.count[j] = s->count[i], g.n++;
            }
        *s = g;
    }
    uint32_t j = names_slot(s, name);
    if (!s->slot[j]) s->slot[j] = name, s->n++;
    s->count[j]++;
}

/* ---- the printer ---- */
typedef struct Printer {
    Arena *a;
    Graph *g;
    Buf src;
    const char **var;       /* tensor id -> its variable (or inline literal) */
    int *uses;              /* tensor id -> nodes reading it, +1 for a graph output */
    Node **reader;          /* tensor id -> a node reading it */
    char *absorbed;         /* node id -> printed as part of another node's builtin */
    const char **key;       /* tensor id -> a float constant's parameter name (its name, made safe) */
    NameSet vars, params;   /* variable names and parameter names in use */
    NameSet scopes;         /* module paths of a torch export: nodes in each */
    Tensor **weights;       /* tensors for the safetensors file, named as the source reads them */
    int n_weights, cap_weights;
} Printer;

static const char *const reserved[] = {"input", "output", "def", "for", "in", "if", "elif", "else", "return",
                                       "as", "and", "or", "not", "true", "false", "none", "range"};

static int is_reserved(const char *s)
{
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
        if (strcmp(s, reserved[i]) == 0) return 1;
    return 0;
}

/* A name as it is (letters, digits, '_'; not a leading digit; short). */
static int plain_name(const char *s)
{
    int ok = (isalpha((unsigned char)*s) || *s == '_') && strlen(s) < 60;
    for (; ok && *s; s++) ok = isalnum((unsigned char)*s) || *s == '_';
    return ok;
}

/* The module path of a torch export's node or tensor name:
 * "/layer1/layer1.0/conv1/Conv_output_0" -> "layer1.0.conv1" (a segment that
 * extends the previous one, as "layer1.0" does "layer1", replaces it), and
 * its last segment "Conv_output_0" in *op; NULL when the name is not such a
 * path or has no module. */
static const char *torch_scope(Arena *a, const char *name, const char **op)
{
    *op = NULL;
    if (name[0] != '/') return NULL;
    if (!strchr(name + 1, '/')) {
        *op = name + 1;
        return NULL;
    }
    Buf b = {0};
    const char *seg = name + 1, *prev = NULL;
    size_t prev_len = 0;
    for (const char *q; (q = strchr(seg, '/')); seg = q + 1) {
        size_t len = (size_t)(q - seg);
        if (!len) continue;
        if (prev && len > prev_len && strncmp(seg, prev, prev_len) == 0 && seg[prev_len] == '.') {
            b.len -= prev_len; /* "layer1" then "layer1.0": keep the longer */
        } else if (b.len) {
            buf_puts(&b, ".");
        }
        buf_put(&b, seg, len);
        prev = seg, prev_len = len;
    }
    *op = seg;
    char *s = b.data ? arena_strdup(a, b.data) : NULL;
    buf_free(&b);
    return s;
}

/* s with every character that cannot be in a name as '_', lowercase (as
 * Python names are), "_output_0" dropped; "t" in front of a leading digit. */
static char *identifier_from(Arena *a, const char *s)
{
    Buf b = {0};
    size_t n = strlen(s);
    if (n > 9 && strcmp(s + n - 9, "_output_0") == 0) n -= 9;
    if (!isalpha((unsigned char)*s) && *s != '_') buf_puts(&b, "t");
    for (size_t i = 0; i < n && b.len < 60; i++) {
        char ch = isalnum((unsigned char)s[i]) ? (char)tolower((unsigned char)s[i]) : '_';
        if (ch == '_' && (!b.len || b.data[b.len - 1] == '_')) continue;
        buf_put(&b, &ch, 1);
    }
    while (b.len && b.data[b.len - 1] == '_') b.data[--b.len] = 0;
    char *r = arena_strdup(a, b.len ? b.data : "t");
    buf_free(&b);
    return r;
}

/* A name as a string of the language and a key of the safetensors JSON:
 * printable ASCII but for '"' and '\\', at most 200 characters. */
static char *safe_key(Arena *a, const char *s)
{
    size_t n = strlen(s) < 200 ? strlen(s) : 200;
    char *r = arena_alloc(a, n + 1);
    for (size_t i = 0; i < n; i++) r[i] = s[i] >= 0x20 && s[i] < 0x7f && s[i] != '"' && s[i] != '\\' ? s[i] : '_';
    return r;
}

/* `base`, or base_2, base_3 ... when taken; recorded in `set` */
static const char *unique_in(Printer *p, NameSet *set, const char *base)
{
    const char *s = base;
    for (int k = 2; names_has(set, s) || is_reserved(s); k++) s = arena_printf(p->a, "%s_%d", base, k);
    names_add(p->a, set, s);
    return s;
}

/* The variable of a tensor: (layers name theirs, begin_layer) after the
 * module path of its node in a torch export, alone when the module has one
 * node (relu), with the op when it has several (layer1_0_add); else after
 * its name. */
static const char *name_var(Printer *p, const Tensor *t)
{
    if (p->var[t->id]) return p->var[t->id];
    const char *op = NULL, *scope = NULL;
    if (t->producer && t->producer->out[0] == t) scope = torch_scope(p->a, t->producer->name, &op);
    if (!scope && !op) scope = torch_scope(p->a, t->name, &op);
    const char *base;
    if (!scope) base = identifier_from(p->a, op ? op : t->name);
    else if (names_count(&p->scopes, scope) == 1) base = identifier_from(p->a, scope);
    else base = arena_printf(p->a, "%s_%s", identifier_from(p->a, scope), identifier_from(p->a, op));
    p->var[t->id] = unique_in(p, &p->vars, base);
    return p->var[t->id];
}

/* ---- values ---- */
static void print_float(Buf *b, double v)
{
    if (isinf(v)) buf_printf(b, v < 0 ? "-1e39" : "1e39");
    else if (v == floor(v) && fabs(v) < 1e15) buf_printf(b, "%.1f", v);
    else buf_printf(b, "%.9g", v);
}

static void print_literal(Buf *b, const Tensor *t, int64_t *k, int depth)
{
    if (depth == t->rank) {
        if (dtype_is_float(t->dtype)) print_float(b, tensor_get_double(t, (*k)++));
        else buf_printf(b, "%lld", (long long)tensor_get_int(t, (*k)++));
        return;
    }
    buf_puts(b, "[");
    for (int64_t i = 0; i < t->dims[depth]; i++) {
        if (i) buf_puts(b, ", ");
        print_literal(b, t, k, depth + 1);
    }
    buf_puts(b, "]");
}

static const char *literal_text(Printer *p, const Tensor *t)
{
    Buf b = {0};
    int64_t k = 0;
    print_literal(&b, t, &k, 0);
    char *s = arena_strdup(p->a, b.data);
    buf_free(&b);
    return s;
}

static int is_const(const Tensor *t) { return t && t->data; }
static int is_const_float(const Tensor *t) { return is_const(t) && t->dtype == DT_FLOAT; }

/* A constant that reads well inline: a number or a short list, as the
 * language makes it (FLOAT from a float literal, INT64 from an integer one). */
static int inlinable(const Tensor *t)
{
    if (!is_const(t) || t->rank > 1 || (t->dtype != DT_FLOAT && t->dtype != DT_INT64)) return 0;
    int64_t n = tensor_numel(t);
    if (n < 1 || n > (t->dtype == DT_FLOAT ? 4 : 16)) return 0;
    for (int64_t i = 0; t->dtype == DT_FLOAT && i < n; i++)
        if (isnan(tensor_get_double(t, i))) return 0;
    return 1;
}

static void add_weight(Printer *p, Tensor *t)
{
    if (p->n_weights == p->cap_weights) {
        int ncap = p->cap_weights ? 2 * p->cap_weights : 64;
        Tensor **nw = arena_alloc_array(p->a, (size_t)ncap, sizeof(Tensor *));
        if (p->n_weights) memcpy(nw, p->weights, (size_t)p->n_weights * sizeof(Tensor *));
        p->weights = nw, p->cap_weights = ncap;
    }
    p->weights[p->n_weights++] = t;
}

/* A constant as a statement before its first use: float -> parameter(...)
 * from the weights file; int64 -> a list (Cast for other integer types and
 * bool). */
static void print_const(Printer *p, Tensor *t)
{
    const char *v = name_var(p, t);
    if (t->dtype == DT_FLOAT) {
        buf_printf(&p->src, "%s = parameter([", v);
        for (int i = 0; i < t->rank; i++) buf_printf(&p->src, "%s%lld", i ? ", " : "", (long long)t->dims[i]);
        buf_printf(&p->src, "]) as \"%s\"\n", p->key[t->id]); /* in p->params from the start */
        Tensor *w = arena_alloc(p->a, sizeof *w);
        *w = *t;
        w->name = p->key[t->id];
        add_weight(p, w);
        return;
    }
    if (dtype_is_float(t->dtype) || tensor_numel(t) > 100000)
        nnc_fail("constant '%s' (%s %s) cannot be written in the language yet", t->name, dtype_name(t->dtype),
                 shape_str(p->a, t));
    int cast = t->dtype != DT_INT64;
    buf_printf(&p->src, "%s = %s", v, cast ? "Cast(" : "");
    if (t->rank == 0) buf_printf(&p->src, "Reshape([%lld], [])", (long long)tensor_get_int(t, 0));
    else buf_puts(&p->src, literal_text(p, t));
    if (cast) buf_printf(&p->src, ", to=%d)", t->dtype);
    buf_puts(&p->src, "\n");
}

/* The text of an input: its variable, or a constant inline (when allowed
 * and short) or printed as a statement first. Call before the statement
 * that uses it is begun. */
static const char *value(Printer *p, Tensor *t, int allow_inline)
{
    if (p->var[t->id]) return p->var[t->id];
    if (!is_const(t)) return name_var(p, t);
    if (allow_inline && inlinable(t)) return literal_text(p, t);
    print_const(p, t);
    return p->var[t->id];
}

/* ---- layers ---- */
/* The state_dict prefix of a layer that takes the tensors own[] as its
 * parameters params[] (both NULL-terminated): its weight's key without
 * ".weight" (or its bias's without ".bias"), else its module path in a torch
 * export, else its node's name, else `fn`; unique, none of its parameter
 * names (LAYER.weight ...) taken by another tensor. */
static const char *layer_name(Printer *p, const Node *n, const char *fn, const char *const *params, Tensor *const *own)
{
    const char *base = NULL, *op;
    for (int i = 0; params[i] && !base; i++) {
        size_t nl = strlen(own[i]->name), sl = strlen(params[i]);
        if (nl > sl + 1 && own[i]->name[nl - sl - 1] == '.' && strcmp(own[i]->name + nl - sl, params[i]) == 0)
            base = arena_printf(p->a, "%.*s", (int)(nl - sl - 1), own[i]->name);
    }
    if (!base) base = torch_scope(p->a, n->name, &op);
    if (!base && n->name[0]) base = n->name;
    if (!base) base = fn;
    base = safe_key(p->a, base);
    const char *s = base;
    for (int k = 2;; k++) {
        int free_ = 1;
        for (int i = 0; params[i] && free_; i++) {
            const char *pn = arena_printf(p->a, "%s.%s", s, params[i]);
            int mine = 0; /* the name of a tensor this layer takes (conv1.weight) is its own */
            for (int j = 0; params[j]; j++) mine |= strcmp(p->key[own[j]->id], pn) == 0;
            free_ = mine || !names_has(&p->params, pn);
        }
        if (free_) break;
        s = arena_printf(p->a, "%s_%d", base, k);
    }
    for (int i = 0; params[i]; i++) names_add(p->a, &p->params, arena_printf(p->a, "%s.%s", s, params[i]));
    return s;
}

/* `VAR = ` for the output y of a layer: the variable is named after it */
static void begin_layer(Printer *p, const Tensor *y, const char *layer)
{
    if (!p->var[y->id]) p->var[y->id] = unique_in(p, &p->vars, identifier_from(p->a, layer));
    buf_printf(&p->src, "%s = ", p->var[y->id]);
}

/* `as LAYER`: bare when it reads back as the same path (names and integers
 * between dots, no two integers in a row, which would lex as a number),
 * else as a string. */
static const char *layer_ref(Printer *p, const char *layer)
{
    int ok = 1, prev_int = 0;
    const char *s = layer;
    for (int first = 1; ok; first = 0) {
        const char *e = strchr(s, '.');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        int is_int = len > 0 && (s[0] != '0' || len == 1), is_name = len > 0 && (isalpha((unsigned char)s[0]) || s[0] == '_');
        for (size_t i = 0; i < len; i++) {
            is_int &= isdigit((unsigned char)s[i]) != 0;
            is_name &= isalnum((unsigned char)s[i]) || s[i] == '_';
        }
        if (is_name) is_name = !is_reserved(arena_printf(p->a, "%.*s", (int)len, s));
        ok = (is_name || (is_int && !first && !prev_int && len < 18)) && len <= 200;
        prev_int = is_int;
        if (!e) break;
        s = e + 1;
    }
    return ok ? layer : arena_printf(p->a, "\"%s\"", layer); /* layer_name made it safe */
}

/* A weight for the safetensors file, as `layer.what` (`t` transposed when
 * `transpose` is set: a [K, N] MatMul weight is Linear's [N, K]). */
static void layer_weight(Printer *p, const char *layer, const char *what, const Tensor *t, int transpose)
{
    Tensor *w = arena_alloc(p->a, sizeof *w);
    *w = *t;
    w->name = arena_printf(p->a, "%s.%s", layer, what);
    if (transpose) {
        int64_t r = t->dims[0], c = t->dims[1];
        w->dims[0] = c, w->dims[1] = r;
        float *d = arena_alloc_array(p->a, (size_t)(r * c) + 1, sizeof(float));
        for (int64_t i = 0; i < r; i++)
            for (int64_t j = 0; j < c; j++) d[j * r + i] = ((const float *)t->data)[i * c + j];
        w->data = d;
    }
    if (t->rank == 2 && t->dims[0] == 1 && !strcmp(what, "bias")) { /* a [1, N] bias as [N] */
        w->rank = 1;
        w->dims[0] = t->dims[1];
    }
    add_weight(p, w);
}

/* A parameter tensor a builtin may take: a float constant only this node reads. */
static int own_param(const Printer *p, const Tensor *t, int rank)
{
    return is_const_float(t) && p->uses[t->id] == 1 && t->rank == rank;
}

static int all_equal(const int64_t *v, int n, int64_t x)
{
    for (int i = 0; i < n; i++)
        if (v[i] != x) return 0;
    return 1;
}

/* ", name=V" or ", name=[a, b]" (one number when all are equal) */
static void kw_ints(Buf *b, const char *name, const int64_t *v, int n)
{
    if (all_equal(v, n, v[0])) {
        buf_printf(b, ", %s=%lld", name, (long long)v[0]);
        return;
    }
    buf_printf(b, ", %s=[", name);
    for (int i = 0; i < n; i++) buf_printf(b, "%s%lld", i ? ", " : "", (long long)v[i]);
    buf_puts(b, "]");
}

/* attribute `name` as n ints, or `def` for each when absent; 0 when it has
 * another length */
static int attr_ints(const Node *n, const char *name, int k, int64_t def, int64_t *out)
{
    const int64_t *v;
    int c = node_attr_ints(n, name, &v);
    if (c < 0 || !node_attr(n, name)) {
        for (int i = 0; i < k; i++) out[i] = def;
        return 1;
    }
    if (c != k) return 0;
    memcpy(out, v, (size_t)k * sizeof(int64_t));
    return 1;
}

/* ONNX pads [b..., e...] as torch's symmetric padding; 0 when asymmetric */
static int sym_pads(const Node *n, int nd, int64_t *pad)
{
    int64_t pads[6];
    if (!attr_ints(n, "pads", 2 * nd, 0, pads)) return 0;
    const char *ap = node_attr_str(n, "auto_pad", "NOTSET");
    if (strcmp(ap, "NOTSET") != 0 && strcmp(ap, "VALID") != 0) return 0;
    for (int i = 0; i < nd; i++) {
        if (pads[i] != pads[nd + i]) return 0;
        pad[i] = strcmp(ap, "VALID") == 0 ? 0 : pads[i];
    }
    return 1;
}

/* Only out[0] of a node is read (optional outputs absent or unused). */
static int first_output_only(const Printer *p, const Node *n)
{
    for (int k = 1; k < n->n_out; k++)
        if (n->out[k] && p->uses[n->out[k]->id]) return 0;
    return 1;
}

/* `VAR = ` for out[0] */
static void begin(Printer *p, const Node *n) { buf_printf(&p->src, "%s = ", name_var(p, n->out[0])); }

static float attr_f(const Node *n, const char *name, float def) { return node_attr_float(n, name, def); }

/* ---- builtins: each prints the node and returns 1, or 0 to leave it to the escape hatch ---- */

/* Conv -> conv1d/2d/3d, ConvTranspose -> conv_transpose1d/2d */
static int print_conv(Printer *p, Node *n)
{
    Tensor *x = n->in[0], *w = node_input(n, 1), *b = node_input(n, 2);
    int tr = n->op == OP_ConvTranspose, nd = x->rank - 2;
    if (nd < 1 || nd > (tr ? 2 : 3) || x->dtype != DT_FLOAT || !own_param(p, w, nd + 2)) return 0;
    int64_t out = tr ? w->dims[1] * node_attr_int(n, "group", 1) : w->dims[0], k[3], st[3], dil[3], pad[6], opad[3];
    if (b && (!own_param(p, b, 1) || b->dims[0] != out)) return 0;
    for (int i = 0; i < nd; i++) k[i] = w->dims[2 + i];
    int64_t ks[3];
    if (!attr_ints(n, "kernel_shape", nd, 0, ks) ||
        (node_attr(n, "kernel_shape") && memcmp(ks, k, (size_t)nd * sizeof(int64_t)) != 0))
        return 0;
    if (!attr_ints(n, "strides", nd, 1, st) || !attr_ints(n, "dilations", nd, 1, dil)) return 0;
    const char *padding = NULL;
    if (!sym_pads(n, nd, pad)) { /* torch's padding='same': the odd pixel at the end */
        int64_t pads[6];
        if (tr || !attr_ints(n, "pads", 2 * nd, 0, pads)) return 0;
        for (int i = 0; i < nd; i++) {
            int64_t total = dil[i] * (k[i] - 1);
            if (st[i] != 1 || pads[i] != total / 2 || pads[nd + i] != total - total / 2) return 0;
        }
        padding = "'same'";
    }
    if (tr) {
        if (node_attr(n, "output_shape") || !attr_ints(n, "output_padding", nd, 0, opad)) return 0;
        for (int i = 0; i < nd; i++)
            if (opad[i] >= st[i] && opad[i] >= dil[i]) return 0;
    }
    const char *xs = value(p, x, 0);
    static const char *const wb[] = {"weight", "bias", NULL}, *const wo[] = {"weight", NULL};
    const char *fn = arena_printf(p->a, "%s%dd", tr ? "conv_transpose" : "conv", nd);
    const char *layer = layer_name(p, n, fn, b ? wb : wo, (Tensor *[]){w, b});
    begin_layer(p, n->out[0], layer);
    Buf *s = &p->src;
    buf_printf(s, "%s(%s, out=%lld", fn, xs, (long long)out);
    kw_ints(s, "kernel", k, nd);
    if (!all_equal(st, nd, 1)) kw_ints(s, "stride", st, nd);
    if (padding) buf_printf(s, ", padding=%s", padding);
    else if (!all_equal(pad, nd, 0)) kw_ints(s, "padding", pad, nd);
    if (tr && !all_equal(opad, nd, 0)) kw_ints(s, "output_padding", opad, nd);
    if (!all_equal(dil, nd, 1)) kw_ints(s, "dilation", dil, nd);
    if (node_attr_int(n, "group", 1) != 1) buf_printf(s, ", groups=%lld", (long long)node_attr_int(n, "group", 1));
    if (!b) buf_puts(s, ", bias=false");
    buf_printf(s, ") as %s\n", layer_ref(p, layer));
    layer_weight(p, layer, "weight", w, 0);
    if (b) layer_weight(p, layer, "bias", b, 0);
    return 1;
}

/* a bias for linear(): a float constant only this node reads, [N] or [1, N] */
static int linear_bias(const Printer *p, const Tensor *b, int64_t N)
{
    return is_const_float(b) && p->uses[b->id] == 1 && tensor_numel(b) == N &&
           (b->rank == 1 || (b->rank == 2 && b->dims[0] == 1));
}

static int print_linear(Printer *p, Node *n, Tensor *x, Tensor *w, int transpose, Tensor *b, const Tensor *y)
{
    const char *xs = value(p, x, 0);
    static const char *const wb[] = {"weight", "bias", NULL}, *const wo[] = {"weight", NULL};
    const char *layer = layer_name(p, n, "linear", b ? wb : wo, (Tensor *[]){w, b});
    begin_layer(p, y, layer);
    buf_printf(&p->src, "linear(%s, out=%lld%s) as %s\n", xs, (long long)w->dims[transpose ? 1 : 0],
               b ? "" : ", bias=false", layer_ref(p, layer));
    layer_weight(p, layer, "weight", w, transpose);
    if (b) layer_weight(p, layer, "bias", b, 0);
    return 1;
}

/* Gemm(x, W, b) with alpha = beta = 1, no transA -> linear */
static int print_gemm(Printer *p, Node *n)
{
    Tensor *x = n->in[0], *w = node_input(n, 1), *b = node_input(n, 2);
    int tb = (int)node_attr_int(n, "transB", 0);
    if (x->dtype != DT_FLOAT || x->rank != 2 || !own_param(p, w, 2) || node_attr_int(n, "transA", 0)) return 0;
    if (attr_f(n, "alpha", 1.0f) != 1.0f || (b && attr_f(n, "beta", 1.0f) != 1.0f)) return 0;
    if (b && !linear_bias(p, b, w->dims[tb ? 0 : 1])) return 0;
    return print_linear(p, n, x, w, !tb, b, n->out[0]);
}

/* MatMul(x, W) (+ Add of a bias, which it absorbs) -> linear; of two
 * variables -> a @ b */
static int print_matmul(Printer *p, Node *n)
{
    Tensor *x = n->in[0], *w = n->in[1], *y = n->out[0];
    if (x->dtype == DT_FLOAT && !is_const(x) && own_param(p, w, 2)) {
        Node *add = p->uses[y->id] == 1 && y->output_index < 0 ? p->reader[y->id] : NULL;
        Tensor *b = NULL;
        if (add && add->op == OP_Add && add->n_in == 2) b = add->in[0] == y ? add->in[1] : add->in[0];
        if (b && b != y && linear_bias(p, b, w->dims[1]) && b->rank <= y->rank) {
            p->absorbed[add->id] = 1;
            return print_linear(p, n, x, w, 1, b, add->out[0]);
        }
        return print_linear(p, n, x, w, 1, NULL, y);
    }
    if (is_const(x) || is_const(w)) return 0;
    const char *a = value(p, x, 0), *b = value(p, w, 0);
    begin(p, n);
    buf_printf(&p->src, "%s @ %s\n", a, b);
    return 1;
}

/* BatchNormalization (inference) -> batchnorm */
static int print_batchnorm(Printer *p, Node *n)
{
    Tensor *x = n->in[0];
    if (x->dtype != DT_FLOAT || x->rank < 2 || x->rank > 5 || n->n_in != 5 || !first_output_only(p, n) ||
        node_attr_int(n, "training_mode", 0))
        return 0;
    for (int k = 1; k < 5; k++)
        if (!own_param(p, n->in[k], 1) || n->in[k]->dims[0] != x->dims[1]) return 0;
    const char *xs = value(p, x, 0);
    static const char *const names[] = {"weight", "bias", "running_mean", "running_var", NULL};
    const char *layer = layer_name(p, n, "batchnorm", names, n->in + 1);
    begin_layer(p, n->out[0], layer);
    buf_printf(&p->src, "batchnorm(%s", xs);
    float eps = attr_f(n, "epsilon", 1e-5f);
    if (eps != 1e-5f) {
        buf_puts(&p->src, ", eps=");
        print_float(&p->src, eps);
    }
    buf_printf(&p->src, ") as %s\n", layer_ref(p, layer));
    for (int k = 0; k < 4; k++) layer_weight(p, layer, names[k], n->in[k + 1], 0);
    return 1;
}

/* LayerNormalization over the last axis, with scale and bias -> layernorm */
static int print_layernorm(Printer *p, Node *n)
{
    Tensor *x = n->in[0], *w = node_input(n, 1), *b = node_input(n, 2);
    int64_t axis = node_attr_int(n, "axis", -1), D = x->dims[x->rank - 1];
    if (x->dtype != DT_FLOAT || x->rank < 1 || (axis != -1 && axis != x->rank - 1) || !first_output_only(p, n) ||
        !own_param(p, w, 1) || !b || !own_param(p, b, 1) || w->dims[0] != D || b->dims[0] != D ||
        node_attr_int(n, "stash_type", 1) != 1)
        return 0;
    const char *xs = value(p, x, 0);
    static const char *const names[] = {"weight", "bias", NULL};
    const char *layer = layer_name(p, n, "layernorm", names, (Tensor *[]){w, b});
    begin_layer(p, n->out[0], layer);
    buf_printf(&p->src, "layernorm(%s", xs);
    float eps = attr_f(n, "epsilon", 1e-5f);
    if (eps != 1e-5f) {
        buf_puts(&p->src, ", eps=");
        print_float(&p->src, eps);
    }
    buf_printf(&p->src, ") as %s\n", layer_ref(p, layer));
    layer_weight(p, layer, "weight", w, 0);
    layer_weight(p, layer, "bias", b, 0);
    return 1;
}

/* MaxPool / AveragePool -> max_pool1d..3d / avg_pool1d..3d (PyTorch's stride
 * defaults to the kernel, count_include_pad to true) */
static int print_pool(Printer *p, Node *n)
{
    Tensor *x = n->in[0];
    int nd = x->rank - 2, avg = n->op == OP_AveragePool;
    int64_t k[3], st[3], dil[3], pad[6];
    if (nd < 1 || nd > 3 || !dtype_is_float(x->dtype) || !first_output_only(p, n) || node_attr_int(n, "storage_order", 0))
        return 0;
    if (!attr_ints(n, "kernel_shape", nd, 0, k) || !node_attr(n, "kernel_shape") || !attr_ints(n, "strides", nd, 1, st) ||
        !attr_ints(n, "dilations", nd, 1, dil) || !sym_pads(n, nd, pad) || (avg && !all_equal(dil, nd, 1)))
        return 0;
    for (int i = 0; i < nd; i++)
        if (2 * pad[i] > dil[i] * (k[i] - 1) + 1) return 0; /* the language refuses what torch refuses */
    int ceil = (int)node_attr_int(n, "ceil_mode", 0), cip = (int)node_attr_int(n, "count_include_pad", 0);
    const char *xs = value(p, x, 0);
    begin(p, n);
    Buf *s = &p->src;
    buf_printf(s, "%s_pool%dd(%s", avg ? "avg" : "max", nd, xs);
    kw_ints(s, "kernel", k, nd);
    if (memcmp(st, k, (size_t)nd * sizeof(int64_t)) != 0) kw_ints(s, "stride", st, nd);
    if (!all_equal(pad, nd, 0)) kw_ints(s, "padding", pad, nd);
    if (ceil) buf_puts(s, ", ceil_mode=true");
    if (!all_equal(dil, nd, 1)) kw_ints(s, "dilation", dil, nd);
    if (avg && !cip && (ceil || !all_equal(pad, nd, 0))) buf_puts(s, ", count_include_pad=false");
    buf_puts(s, ")\n");
    return 1;
}

/* an op of one tensor, as a builtin: relu(x), global_avg_pool(x) ... */
static int print_unary(Printer *p, Node *n, const char *fn)
{
    if (!dtype_is_float(n->in[0]->dtype) || !first_output_only(p, n)) return 0;
    const char *xs = value(p, n->in[0], 0);
    begin(p, n);
    buf_printf(&p->src, "%s(%s", fn, xs);
    if (n->op == OP_LeakyRelu && attr_f(n, "alpha", 0.01f) != 0.01f) {
        buf_puts(&p->src, ", negative_slope=");
        print_float(&p->src, attr_f(n, "alpha", 0.01f));
    }
    if (n->op == OP_Elu && attr_f(n, "alpha", 1.0f) != 1.0f) {
        buf_puts(&p->src, ", alpha=");
        print_float(&p->src, attr_f(n, "alpha", 1.0f));
    }
    buf_puts(&p->src, ")\n");
    return 1;
}

/* Softmax / LogSoftmax over one axis (opset 13; before it, the last axis) */
static int print_softmax(Printer *p, Node *n)
{
    Tensor *x = n->in[0];
    const char *fn = n->op == OP_Softmax ? "softmax" : "log_softmax";
    int64_t axis = node_attr_int(n, "axis", n->opset >= 13 ? -1 : 1);
    if (axis < 0) axis += x->rank;
    if (!dtype_is_float(x->dtype) || axis < 0 || axis >= x->rank) return 0;
    const char *xs = value(p, x, 0);
    if (n->opset < 13 && axis != x->rank - 1) { /* before opset 13: over x viewed as [outer, inner] */
        int64_t outer = 1, inner = 1;
        for (int i = 0; i < x->rank; i++) *(i < axis ? &outer : &inner) *= x->dims[i];
        const char *v = name_var(p, n->out[0]), *t = unique_in(p, &p->vars, arena_printf(p->a, "%s_2d", v));
        buf_printf(&p->src, "%s = %s(reshape(%s, [%lld, %lld]))\n%s = reshape(%s, [", t, fn, xs, (long long)outer,
                   (long long)inner, v, t);
        for (int i = 0; i < x->rank; i++) buf_printf(&p->src, "%s%lld", i ? ", " : "", (long long)x->dims[i]);
        buf_puts(&p->src, "])\n");
        return 1;
    }
    begin(p, n);
    buf_printf(&p->src, "%s(%s", fn, xs);
    if (axis != x->rank - 1) buf_printf(&p->src, ", dim=%lld", (long long)axis);
    buf_puts(&p->src, ")\n");
    return 1;
}

/* Flatten(axis=1) -> flatten(x); Reshape, other Flattens -> reshape(x, shape) */
static int print_reshape(Printer *p, Node *n)
{
    Tensor *x = n->in[0], *y = n->out[0];
    if (n->op == OP_Reshape && n->opset >= 5 && (!is_const(node_input(n, 1)) || node_attr_int(n, "allowzero", 0))) return 0;
    int64_t axis = n->op == OP_Flatten ? node_attr_int(n, "axis", 1) : -1;
    for (int i = 0; i < y->rank; i++)
        if (y->dims[i] == 0) return 0; /* reshape() would read a 0 as "keep this dimension" */
    const char *xs = value(p, x, 0);
    begin(p, n);
    if (axis == 1 && x->rank >= 2) {
        buf_printf(&p->src, "flatten(%s)\n", xs);
        return 1;
    }
    buf_printf(&p->src, "reshape(%s, [", xs);
    for (int i = 0; i < y->rank; i++) buf_printf(&p->src, "%s%lld", i ? ", " : "", (long long)y->dims[i]);
    buf_puts(&p->src, "])\n");
    return 1;
}

static int print_transpose(Printer *p, Node *n)
{
    Tensor *x = n->in[0];
    int64_t perm[NNC_MAX_RANK];
    for (int i = 0; i < x->rank; i++) perm[i] = x->rank - 1 - i; /* ONNX's default: reversed */
    if (x->rank < 1 || (node_attr(n, "perm") && !attr_ints(n, "perm", x->rank, 0, perm))) return 0;
    const char *xs = value(p, x, 0);
    begin(p, n);
    buf_printf(&p->src, "permute(%s, [", xs);
    for (int i = 0; i < x->rank; i++) buf_printf(&p->src, "%s%lld", i ? ", " : "", (long long)perm[i]);
    buf_puts(&p->src, "])\n");
    return 1;
}

static int print_concat(Printer *p, Node *n)
{
    int64_t axis = node_attr_int(n, "axis", n->opset < 4 ? 1 : 0), r = n->out[0]->rank;
    if (axis < 0) axis += r;
    const char **xs = arena_alloc_array(p->a, (size_t)n->n_in + 1, sizeof(char *));
    for (int k = 0; k < n->n_in; k++) {
        if (!n->in[k]) return 0;
        xs[k] = value(p, n->in[k], 0); /* cat() makes float constants of literals: no inline ones */
    }
    begin(p, n);
    buf_puts(&p->src, "cat([");
    for (int k = 0; k < n->n_in; k++) buf_printf(&p->src, "%s%s", k ? ", " : "", xs[k]);
    buf_puts(&p->src, "]");
    if (axis) buf_printf(&p->src, ", dim=%lld", (long long)axis);
    buf_puts(&p->src, ")\n");
    return 1;
}

/* Add, Sub, Mul, Div -> a + b ...; a number or short list inline when it has
 * the other side's type (the language gives a literal that type) */
static int print_arith(Printer *p, Node *n)
{
    static const char *const sym[] = {"+", "-", "*", "/"};
    int k = n->op == OP_Add ? 0 : n->op == OP_Sub ? 1 : n->op == OP_Mul ? 2 : 3;
    Tensor *a = n->in[0], *b = n->in[1];
    if (is_const(a) && is_const(b)) return 0;
    if (a->dtype != b->dtype || (!dtype_is_float(a->dtype) && a->dtype != DT_INT64)) return 0;
    const char *as = value(p, a, !is_const(b)), *bs = value(p, b, !is_const(a));
    begin(p, n);
    buf_printf(&p->src, "%s %s %s\n", as, sym[k], bs);
    return 1;
}

/* Gather(table, indices) of a float [num, dim] table -> embedding */
static int print_embedding(Printer *p, Node *n)
{
    Tensor *w = n->in[0], *x = n->in[1];
    if (node_attr_int(n, "axis", 0) != 0 || !own_param(p, w, 2) || is_const(x) ||
        (x->dtype != DT_INT64 && x->dtype != DT_INT32))
        return 0;
    const char *xs = value(p, x, 0);
    static const char *const names[] = {"weight", NULL};
    const char *layer = layer_name(p, n, "embedding", names, (Tensor *[]){w});
    begin_layer(p, n->out[0], layer);
    buf_printf(&p->src, "embedding(%s, num=%lld, dim=%lld) as %s\n", xs, (long long)w->dims[0], (long long)w->dims[1],
               layer_ref(p, layer));
    layer_weight(p, layer, "weight", w, 0);
    return 1;
}

/* Identity, Dropout and a Pad by zero pixels compute nothing (at inference). */
static int is_noop(const Node *n)
{
    if (n->op != OP_Identity && n->op != OP_Dropout && n->op != OP_Pad) return 0;
    if (n->op == OP_Pad) {
        Tensor *pads = node_input(n, 1);
        if (!is_const(pads) || strcmp(node_attr_str(n, "mode", "constant"), "constant") != 0) return 0;
        for (int64_t i = 0; i < tensor_numel(pads); i++)
            if (tensor_get_int(pads, i) != 0) return 0;
    }
    return 1;
}

/* a no-op's output is its input's variable */
static int print_alias(Printer *p, Node *n)
{
    Tensor *x = n->in[0];
    if (!first_output_only(p, n) || is_const(x) || !is_noop(n)) return 0;
    p->var[n->out[0]->id] = value(p, x, 0);
    return 1;
}

/* The node that alone reads t (a tensor that is no graph output), if it is
 * an `op`; with a constant input of value `c` when c is not NAN. */
static Node *sole_reader(const Printer *p, const Tensor *t, OpKind op, double c)
{
    Node *r = p->uses[t->id] == 1 && t->output_index < 0 ? p->reader[t->id] : NULL;
    if (!r || r->op != op || p->absorbed[r->id]) return NULL;
    if (isnan(c)) return r;
    for (int k = 0; k < r->n_in; k++) {
        const Tensor *k_ = r->in[k];
        if (is_const_float(k_) && tensor_numel(k_) == 1 && k_->rank <= 1 && (float)tensor_get_double(k_, 0) == (float)c)
            return r;
    }
    return NULL;
}

/* The variable of an activation's output: its torch module's name (blocks.0.mlp.1 -> blocks_0_mlp_1) */
static void begin_module(Printer *p, const Node *first, const Tensor *y)
{
    const char *op, *scope = torch_scope(p->a, first->name, &op);
    if (scope && !p->var[y->id]) p->var[y->id] = unique_in(p, &p->vars, identifier_from(p->a, scope));
    buf_printf(&p->src, "%s = ", name_var(p, y));
}

/* x / sqrt(2) -> Erf -> + 1 -> x * . -> * 0.5 (torch's exact GELU, as the
 * language lowers gelu(x)) -> gelu(x), the four later nodes absorbed */
static int print_gelu(Printer *p, Node *n)
{
    Tensor *x = n->in[0];
    Node *erf = NULL, *add = NULL, *mul = NULL, *half = NULL;
    if (!dtype_is_float(x->dtype) || is_const(x) || !is_const_float(n->in[1]) || tensor_numel(n->in[1]) != 1 ||
        (float)tensor_get_double(n->in[1], 0) != (float)sqrt(2.0))
        return 0;
    if (!(erf = sole_reader(p, n->out[0], OP_Erf, NAN)) || !(add = sole_reader(p, erf->out[0], OP_Add, 1.0)) ||
        !(mul = sole_reader(p, add->out[0], OP_Mul, NAN)) || !(half = sole_reader(p, mul->out[0], OP_Mul, 0.5)))
        return 0;
    if (mul->in[0] != x && mul->in[1] != x) return 0;
    p->absorbed[erf->id] = p->absorbed[add->id] = p->absorbed[mul->id] = p->absorbed[half->id] = 1;
    const char *xs = value(p, x, 0);
    begin_module(p, n, half->out[0]);
    buf_printf(&p->src, "gelu(%s)\n", xs);
    return 1;
}

/* x * sigmoid(x) -> silu(x) */
static int print_sigmoid(Printer *p, Node *n)
{
    Tensor *x = n->in[0];
    Node *mul = sole_reader(p, n->out[0], OP_Mul, NAN);
    if (!mul || (mul->in[0] != x && mul->in[1] != x) || is_const(x)) return print_unary(p, n, "sigmoid");
    p->absorbed[mul->id] = 1;
    const char *xs = value(p, x, 0);
    begin_module(p, n, mul->out[0]);
    buf_printf(&p->src, "silu(%s)\n", xs);
    return 1;
}

/* A node of an older opset, whose op has changed since, that its builtin
 * still says exactly: a softmax (print_softmax handles the 2-D view), a
 * no-op, a Reshape (printed with its static shape), a Concat (axis
 * defaulted to 1 before opset 4), BatchNormalization without `spatial`,
 * arithmetic and Gemm without legacy broadcast attributes. */
static int builtin_reads_old(const Node *n)
{
    switch (n->op) {
    case OP_Softmax: case OP_LogSoftmax: case OP_Dropout: case OP_Reshape: case OP_Concat: return 1;
    case OP_BatchNormalization: return node_attr_int(n, "spatial", 1) == 1;
    case OP_Gemm: case OP_Add: case OP_Sub: case OP_Mul: case OP_Div:
        return !node_attr(n, "broadcast") && !node_attr(n, "axis");
    default: return 0;
    }
}

static int print_builtin(Printer *p, Node *n)
{
    if (n->n_out < 1 || !n->out[0] || n->n_in < 1 || !n->in[0]) return 0;
    if (n->opset < op_semantics_version(n->op) && !builtin_reads_old(n)) return 0; /* the escape hatch with _opset */
    switch (n->op) {
    case OP_Conv: case OP_ConvTranspose: return print_conv(p, n);
    case OP_Gemm: return print_gemm(p, n);
    case OP_MatMul: return print_matmul(p, n);
    case OP_BatchNormalization: return print_batchnorm(p, n);
    case OP_LayerNormalization: return print_layernorm(p, n);
    case OP_MaxPool: case OP_AveragePool: return print_pool(p, n);
    case OP_GlobalAveragePool: return n->in[0]->rank >= 3 && print_unary(p, n, "global_avg_pool");
    case OP_GlobalMaxPool: return n->in[0]->rank >= 3 && print_unary(p, n, "global_max_pool");
    case OP_Relu: return print_unary(p, n, "relu");
    case OP_Sigmoid: return print_sigmoid(p, n);
    case OP_Tanh: return print_unary(p, n, "tanh");
    case OP_Exp: return print_unary(p, n, "exp");
    case OP_Sqrt: return print_unary(p, n, "sqrt");
    case OP_LeakyRelu: return print_unary(p, n, "leaky_relu");
    case OP_Elu: return print_unary(p, n, "elu");
    case OP_Softmax: case OP_LogSoftmax: return print_softmax(p, n);
    case OP_Flatten: case OP_Reshape: return print_reshape(p, n);
    case OP_Transpose: return print_transpose(p, n);
    case OP_Concat: return print_concat(p, n);
    case OP_Div: return n->n_in == 2 && (print_gelu(p, n) || print_arith(p, n));
    case OP_Add: case OP_Sub: case OP_Mul: return n->n_in == 2 && print_arith(p, n);
    case OP_Gather: return print_embedding(p, n);
    case OP_Identity: case OP_Dropout: case OP_Pad: return print_alias(p, n);
    default: return 0;
    }
}

/* ---- the escape hatch ---- */
/* A string attribute as a literal of the language: in '' or "" (which it
 * does not hold), on one line, at most 256 characters. */
static const char *quoted(const char *attr, const char *v)
{
    static char buf[300];
    char q = strchr(v, '\'') ? '"' : '\'';
    if (strchr(v, q) || strchr(v, '\n') || strchr(v, '\r') || strlen(v) > 256)
        nnc_fail("attribute '%s': the string cannot be written in the language", attr);
    snprintf(buf, sizeof buf, "%c%s%c", q, v, q);
    return buf;
}

static void print_attr(Printer *p, const Attr *at)
{
    Buf *b = &p->src;
    buf_printf(b, ", %s=", at->name);
    switch (at->type) {
    case ATTR_INT: buf_printf(b, "%lld", (long long)at->i); break;
    case ATTR_FLOAT: print_float(b, at->f); break;
    case ATTR_STRING: buf_puts(b, quoted(at->name, at->s)); break;
    case ATTR_INTS: case ATTR_FLOATS: case ATTR_STRINGS:
        buf_puts(b, "[");
        for (int i = 0; i < at->n; i++) {
            if (i) buf_puts(b, ", ");
            if (at->type == ATTR_INTS) buf_printf(b, "%lld", (long long)at->ints[i]);
            else if (at->type == ATTR_FLOATS) print_float(b, at->floats[i]);
            else buf_puts(b, quoted(at->name, at->strings[i]));
        }
        buf_puts(b, "]");
        break;
    default: nnc_fail("attribute '%s' (a tensor or graph) cannot be written in the language yet", at->name);
    }
}

/* `y = Op(inputs..., attr=value, ...)` (`a, b = Op(..., _outputs=2)`) */
static void print_onnx_call(Printer *p, const Node *n)
{
    const char **xs = arena_alloc_array(p->a, (size_t)n->n_in + 1, sizeof(char *));
    for (int k = 0; k < n->n_in; k++) xs[k] = n->in[k] ? value(p, n->in[k], 1) : "none";
    Buf *b = &p->src;
    for (int k = 0; k < n->n_out; k++) buf_printf(b, "%s%s", k ? ", " : "", n->out[k] ? name_var(p, n->out[k]) : "_");
    buf_printf(b, " = %s(", op_info(n->op)->name);
    for (int k = 0; k < n->n_in; k++) buf_printf(b, "%s%s", k ? ", " : "", xs[k]);
    if (!n->n_in) buf_puts(b, "none");
    for (int i = 0; i < n->n_attrs; i++) print_attr(p, &n->attrs[i]);
    if (n->n_out > 1) buf_printf(b, ", _outputs=%d", n->n_out);
    if (n->opset < op_semantics_version(n->op)) buf_printf(b, ", _opset=%d", n->opset); /* as its model meant it */
    buf_puts(b, ")\n");
}

/* ---- the file ---- */
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
    int rc = convert_write_file(path, out.data, out.len);
    buf_free(&h);
    buf_free(&out);
    if (rc != 0) nnc_fail("cannot write '%s': %s", path, strerror(errno));
}

static int is_folded(const Node *n)
{
    for (int k = 0; k < n->n_out; k++)
        if (n->out[k] && !n->out[k]->data) return 0;
    return 1;
}

/* Readers of every tensor (a graph output counts as one; nodes computed at
 * compile time read nothing), and the name of every float constant read
 * taken as a parameter name (layer names keep clear of them). */
static void count_uses(Printer *p)
{
    Graph *g = p->g;
    for (int i = 0; i < g->n_nodes; i++) {
        Node *n = g->nodes[i];
        for (int k = 0; k < n->n_in && !is_folded(n); k++) {
            Tensor *t = n->in[k];
            int dup = 0;
            for (int j = 0; j < k; j++) dup |= n->in[j] == t;
            if (!t || dup) continue;
            p->uses[t->id]++;
            p->reader[t->id] = n;
        }
        const char *op, *scope = is_folded(n) || is_noop(n) ? NULL : torch_scope(p->a, n->name, &op);
        if (scope) names_add(p->a, &p->scopes, scope);
    }
    for (int i = 0; i < g->n_outputs; i++) p->uses[g->outputs[i]->id]++;
    for (int i = 0; i < g->n_tensors; i++) {
        Tensor *t = g->tensors[i];
        if (!is_const_float(t) || !p->uses[t->id]) continue;
        const char *k = safe_key(p->a, t->name);
        for (int j = 2; names_has(&p->params, k); j++) k = arena_printf(p->a, "%s_%d", safe_key(p->a, t->name), j);
        names_add(p->a, &p->params, k);
        p->key[t->id] = k;
    }
}

static void print_inputs(Printer *p)
{
    static const char *const ty[DT_COUNT_] = {[DT_FLOAT] = "f32", [DT_DOUBLE] = "f64", [DT_INT64] = "i64",
        [DT_INT32] = "i32", [DT_INT16] = "i16", [DT_INT8] = "i8", [DT_UINT8] = "u8", [DT_UINT16] = "u16",
        [DT_UINT32] = "u32", [DT_UINT64] = "u64", [DT_BOOL] = "bool"};
    for (int i = 0; i < p->g->n_inputs; i++) {
        const Tensor *t = p->g->inputs[i];
        /* inputs keep their names when they are names (the generated API's);
         * 'input' and 'output' may name inputs */
        const char *v = t->name;
        if (plain_name(v) && !names_has(&p->vars, v) && (!is_reserved(v) || !strcmp(v, "input") || !strcmp(v, "output")))
            names_add(p->a, &p->vars, v);
        else
            v = unique_in(p, &p->vars, identifier_from(p->a, v));
        p->var[t->id] = v;
        if (!ty[t->dtype]) nnc_fail("input '%s' of type %s cannot be written in the language", t->name, dtype_name(t->dtype));
        buf_printf(&p->src, "input %s: %s[", v, ty[t->dtype]);
        for (int d = 0; d < t->rank; d++) buf_printf(&p->src, "%s%lld", d ? ", " : "", (long long)t->dims[d]);
        buf_puts(&p->src, "]\n");
    }
    buf_puts(&p->src, "\n");
}

/* output NAME = VAR, in order; names kept when they are names */
static void print_outputs(Printer *p)
{
    NameSet outs = {0};
    buf_puts(&p->src, "\n");
    for (int i = 0; i < p->g->n_outputs; i++) {
        Tensor *t = p->g->outputs[i];
        const char *name = t->name, *v = value(p, t, 0);
        if (!plain_name(name) || (is_reserved(name) && strcmp(name, "input") && strcmp(name, "output")))
            name = identifier_from(p->a, name);
        const char *u = name;
        for (int k = 2; names_has(&outs, u); k++) u = arena_printf(p->a, "%s_%d", name, k);
        names_add(p->a, &outs, u);
        buf_printf(&p->src, "output %s = %s\n", u, v);
    }
}

void convert_write_nn(Arena *a, Graph *g, const char *out, const char *model)
{
    Printer P = {0};
    P.a = a, P.g = g;
    int max_id = 0;
    for (int i = 0; i < g->n_nodes; i++) max_id = g->nodes[i]->id > max_id ? g->nodes[i]->id : max_id;
    P.var = arena_alloc_array(a, (size_t)g->n_tensors + 1, sizeof(char *));
    P.uses = arena_alloc_array(a, (size_t)g->n_tensors + 1, sizeof(int));
    P.reader = arena_alloc_array(a, (size_t)g->n_tensors + 1, sizeof(Node *));
    P.absorbed = arena_alloc(a, (size_t)max_id + 1);
    P.key = arena_alloc_array(a, (size_t)g->n_tensors + 1, sizeof(char *));
    count_uses(&P);
    buf_printf(&P.src, "# %s: converted by nnc convert from %s.\n# Weights: the .safetensors file of the same name.\n",
               out, c_comment_text(a, model, 200));
    print_inputs(&P);
    for (int i = 0; i < g->n_nodes; i++) {
        Node *n = g->nodes[i];
        int folded = 1; /* computed at compile time: its outputs are constants where used */
        for (int k = 0; k < n->n_out; k++) folded &= !n->out[k] || n->out[k]->data != NULL;
        if (folded || P.absorbed[n->id]) continue;
        if (!print_builtin(&P, n)) print_onnx_call(&P, n);
    }
    print_outputs(&P);
    const char *dot = strrchr(out, '.');
    write_safetensors(&P, arena_printf(a, "%.*s.safetensors", (int)(dot - out), out));
    int rc = convert_write_file(out, P.src.data, P.src.len);
    buf_free(&P.src);
    if (rc != 0) nnc_fail("cannot write '%s': %s", out, strerror(errno));
}
