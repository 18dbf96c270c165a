/* verify_layers.c — the comparison half of `nnc verify --layers`. A build
 * compiled with --trace writes every tensor a node outputs to trace.bin (see
 * templates/generic/verify_harness.c); this file reads it back as plain
 * row-major tensors, matches them by ONNX name with a reference (nnc's own
 * unoptimised generic build, or a folder of TensorProto files another
 * framework dumped), and prints one row per tensor in schedule order, naming
 * the first node out of tolerance. A fused node is reported at its fused
 * output, with the original nodes it covers: those of the unoptimised graph
 * between its output and the tensors the optimised graph still has. */
#include "verify_layers.h"

#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

Diff diff_tensor(const Tensor *want, const void *got, const VerifyOptions *vo)
{
    Diff r = {0, 0, tensor_numel(want), 0, -1};
    int is_float = dtype_is_float(want->dtype);
    Tensor g = *want;
    g.data = (void *)got;
    for (int64_t i = 0; i < r.n; i++) {
        double w = tensor_get_double(want, i), x = tensor_get_double(&g, i);
        int ok;
        if (is_float) {
            if (isnan(w) || isnan(x)) ok = isnan(w) && isnan(x);
            else if (isinf(w) || isinf(x)) ok = w == x;
            else {
                double d = fabs(x - w);
                if (d > r.max_abs) r.max_abs = d;
                if (w != 0 && d / fabs(w) > r.max_rel) r.max_rel = d / fabs(w);
                ok = d <= vo->atol + vo->rtol * fabs(w);
            }
        } else {
            ok = tensor_get_int(want, i) == tensor_get_int(&g, i);
            double d = fabs(x - w);
            if (d > r.max_abs) r.max_abs = d;
        }
        if (!ok && r.bad++ == 0) r.first_bad = i;
    }
    return r;
}

/* NCHW[c] storage [N][ceil(C/c)][H][W][c] -> dense [N][C][H][W]. */
static void *unblock(Arena *a, const Tensor *t, const unsigned char *src)
{
    int64_t es = dtype_size(t->dtype), c = t->layout;
    int64_t N = t->dims[0], C = t->dims[1], HW = t->dims[2] * t->dims[3], CB = (C + c - 1) / c;
    unsigned char *dst = arena_alloc(a, (size_t)(tensor_bytes(t) + 1));
    for (int64_t n = 0; n < N; n++)
        for (int64_t ch = 0; ch < C; ch++)
            for (int64_t p = 0; p < HW; p++)
                memcpy(dst + (((n * C + ch) * HW) + p) * es,
                       src + ((((n * CB + ch / c) * HW) + p) * c + ch % c) * es, (size_t)es);
    return dst;
}

/* Reads the next n bytes of the trace (host order), or fails. */
typedef struct Reader {
    const unsigned char *d;
    size_t len, at;
    const char *path;
} Reader;

static const unsigned char *take(Reader *r, uint64_t n)
{
    if (n > r->len - r->at) nnc_fail("%s: truncated trace", r->path);
    r->at += (size_t)n;
    return r->d + r->at - n;
}

static int32_t take_i32(Reader *r)
{
    int32_t v;
    memcpy(&v, take(r, 4), 4);
    return v;
}

static int64_t take_i64(Reader *r)
{
    int64_t v;
    memcpy(&v, take(r, 8), 8);
    return v;
}

/* The output of a node of g named `name` (not another tensor of that name:
 * verify loads the data sets' tensors into g too). */
static Tensor *node_output(const Graph *g, const char *name)
{
    for (int i = 0; i < g->n_nodes; i++)
        for (int k = 0; k < g->nodes[i]->n_out; k++)
            if (g->nodes[i]->out[k] && strcmp(g->nodes[i]->out[k]->name, name) == 0) return g->nodes[i]->out[k];
    return NULL;
}

/* One trace record (see verify_harness.c) as a plain copy of g's tensor. */
static Tensor *trace_record(Arena *a, Graph *g, Reader *r)
{
    int32_t nl = take_i32(r);
    if (nl < 0) nnc_fail("%s: corrupt trace", r->path);
    const char *name = arena_printf(a, "%.*s", (int)nl, (const char *)take(r, (uint64_t)nl));
    Tensor *t = node_output(g, name);
    int32_t dtype = take_i32(r), rank = take_i32(r);
    int same = t && dtype == (int32_t)t->dtype && rank == t->rank;
    if (rank < 0 || rank > NNC_MAX_RANK) nnc_fail("%s: corrupt trace", r->path);
    for (int d = 0; d < rank; d++) {
        int64_t v = take_i64(r);
        same &= t && v == t->dims[d];
    }
    int32_t block = take_i32(r);
    int64_t bytes = take_i64(r);
    same &= t && block == t->layout && bytes == tensor_storage_bytes(t);
    if (!same) nnc_fail("%s: traced tensor '%s' does not match the compiled graph", r->path, name);
    const unsigned char *src = take(r, (uint64_t)bytes);
    Tensor *c = arena_alloc(a, sizeof *c);
    *c = *t;
    c->layout = 0;
    if (t->layout) {
        c->data = unblock(a, t, src);
    } else {
        c->data = arena_alloc(a, (size_t)bytes + 1); /* aligned for its type */
        memcpy(c->data, src, (size_t)bytes);
    }
    return c;
}

Tensor **trace_read(Arena *a, Graph *g, const char *dir, int *n)
{
    const char *err;
    Reader r = {NULL, 0, 0, arena_printf(a, "%s/trace.bin", dir)};
    r.d = read_file(a, r.path, &r.len, &err);
    if (!r.d) nnc_fail("%s: cannot read the trace: %s", r.path, err);
    int cap = 64;
    Tensor **list = arena_alloc_array(a, (size_t)cap, sizeof *list);
    *n = 0;
    while (r.at < r.len) {
        if (*n == cap) {
            Tensor **more = arena_alloc_array(a, (size_t)cap * 2, sizeof *more);
            memcpy(more, list, (size_t)cap * sizeof *more);
            list = more;
            cap *= 2;
        }
        list[(*n)++] = trace_record(a, g, &r);
    }
    return list;
}

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), m = strlen(tail);
    return n >= m && strcmp(s + n - m, tail) == 0;
}

static int cmp_str(const void *x, const void *y) { return strcmp(*(char *const *)x, *(char *const *)y); }

Tensor **reference_folder_read(Arena *a, const char *dir, int *n)
{
    DIR *d = opendir(dir);
    if (!d) nnc_fail("%s: cannot open the reference folder", dir);
    int cap = 16;
    const char **files = arena_alloc_array(a, (size_t)cap, sizeof *files);
    int nf = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (!ends_with(e->d_name, ".pb")) continue;
        if (nf == cap) {
            const char **more = arena_alloc_array(a, (size_t)cap * 2, sizeof *more);
            memcpy(more, files, (size_t)cap * sizeof *more);
            files = more;
            cap *= 2;
        }
        files[nf++] = arena_printf(a, "%s/%s", dir, e->d_name);
    }
    closedir(d);
    qsort(files, (size_t)nf, sizeof *files, cmp_str);
    Graph *scratch = graph_new(a);
    Tensor **list = arena_alloc_array(a, (size_t)nf + 1, sizeof *list);
    for (int i = 0; i < nf; i++) list[i] = onnx_load_tensor_file(scratch, files[i]);
    if (nf == 0) nnc_fail("%s: no .pb tensors in the reference folder", dir);
    *n = nf;
    return list;
}

/* ---- which original nodes a node covers ---- */
/* Is `name` computed by a node of g, or a graph input of g? */
static int visible(const Graph *g, const char *name)
{
    for (int i = 0; i < g->n_inputs; i++)
        if (strcmp(g->inputs[i]->name, name) == 0) return 1;
    return node_output(g, name) != NULL;
}

/* The nodes of `s` (the unoptimised graph) that computed the tensor named t
 * there, walking back until tensors g still has, constants and inputs; their
 * op types in schedule order, "A, B, C". NULL when that is one node of the
 * same op as n (nothing fused). */
static const char *covers(Arena *a, const Graph *g, Graph *s, const Node *n, const char *name)
{
    enum { MAXN = 64 };
    const Tensor *t = node_output(s, name);
    if (!t || !t->producer) return NULL;
    const Node *seen[MAXN];
    int ns = 0, more = 0;
    seen[ns++] = t->producer;
    for (int i = 0; i < ns; i++)
        for (int k = 0; k < seen[i]->n_in; k++) {
            const Tensor *u = seen[i]->in[k];
            if (!u || u->data || !u->producer || visible(g, u->name)) continue;
            int dup = 0;
            for (int j = 0; j < ns; j++) dup |= seen[j] == u->producer;
            if (dup) continue;
            if (ns == MAXN) more = 1;
            else seen[ns++] = u->producer;
        }
    if (ns == 1 && strcmp(seen[0]->op_type, n->op_type) == 0) return NULL;
    Buf b = {0};
    for (int i = 0; i < s->n_nodes; i++) /* schedule order */
        for (int j = 0; j < ns; j++)
            if (s->nodes[i] == seen[j]) buf_printf(&b, "%s%s", b.len ? ", " : "", seen[j]->op_type);
    if (more) buf_puts(&b, ", ...");
    const char *r = arena_strdup(a, b.data ? b.data : "");
    buf_free(&b);
    return r;
}

/* ---- the table ---- */
static const Tensor *find_ref(Tensor **ref, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(ref[i]->name, name) == 0) return ref[i];
    return NULL;
}

static int same_dims(const Tensor *x, const Tensor *y)
{
    if (x->rank != y->rank || x->dtype != y->dtype) return 0;
    for (int i = 0; i < x->rank; i++)
        if (x->dims[i] != y->dims[i]) return 0;
    return 1;
}

/* One traced tensor against its reference; *why says how it fails. */
static Diff compare_layer(Arena *a, const Tensor *t, const Tensor *want, const VerifyOptions *vo, const char **why)
{
    Diff d = {0, 0, 0, 1, -1};
    *why = NULL;
    if (!same_dims(t, want)) {
        *why = arena_printf(a, "reference is %s %s, nnc's %s %s", dtype_name(want->dtype), shape_str(a, want),
                            dtype_name(t->dtype), shape_str(a, t));
        return d;
    }
    d = diff_tensor(want, t->data, vo);
    if (d.bad)
        *why = arena_printf(a, "%lld of %lld elements; first at %lld: got %.9g, want %.9g", (long long)d.bad,
                            (long long)d.n, (long long)d.first_bad, tensor_get_double(t, d.first_bad),
                            tensor_get_double(want, d.first_bad));
    return d;
}

int layers_report(Arena *a, Graph *g, Tensor **got, int n_got, Tensor **ref, int n_ref, Graph *structure,
                  const VerifyOptions *vo)
{
    int rows = 0, bad = 0, no_ref = 0;
    const Tensor *first = NULL;
    const char *first_why = NULL, *why;
    printf("  layer  max abs err  max rel err  status    node (op) -> tensor [shape]\n");
    for (int i = 0; i < n_got; i++) {
        const Tensor *t = got[i], *want = find_ref(ref, n_ref, t->name);
        const Node *n = t->producer;
        if (!want || !n) {
            no_ref++;
            continue;
        }
        Diff d = compare_layer(a, t, want, vo, &why);
        const char *cov = covers(a, g, structure, n, t->name);
        printf("  %5d  %-11.3g  %-11.3g  %-8s  '%s' (%s) -> '%s' %s%s%s%s\n", ++rows, d.max_abs, d.max_rel,
               d.bad ? "MISMATCH" : "ok", n->name, n->op_type, t->name, shape_str(a, t), cov ? " [covers " : "",
               cov ? cov : "", cov ? "]" : "");
        if (d.bad && bad++ == 0) {
            first = t;
            first_why = why;
        }
    }
    if (no_ref)
        printf("  (%d traced tensors have no reference tensor of the same name: made by passes, or missing "
               "from the reference)\n", no_ref);
    if (rows == 0) {
        printf("  no traced tensor has a reference tensor of the same name  MISMATCH\n");
        return 0;
    }
    if (!first) {
        printf("  all %d layers within tolerance\n", rows);
        return 1;
    }
    const Node *n = first->producer;
    const char *cov = covers(a, g, structure, n, first->name);
    printf("  first out of tolerance: node '%s' (%s%s%s) output '%s': %s\n", n->name, n->op_type,
           cov ? "; covers " : "", cov ? cov : "", first->name, first_why);
    printf("  %d of %d layers out of tolerance\n", bad, rows);
    return 0;
}
