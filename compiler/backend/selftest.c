/* selftest.c — nnc --selftest DIR: embeds one input/output pair of an ONNX
 * test_data_set folder (input_K.pb, output_K.pb: what `nnc verify` reads,
 * through the same TensorProto reader) and emits P_selftest(), which runs
 * the model on the input and compares every output with the expected one
 * within tolerance. A product can then check a build on the device, or on a
 * production line, with no file system and no reference framework.
 *
 * The data are C constants in OUT.c in every weight mode (the weights'
 * encoding: little-endian byte strings for large tensors); the outputs are
 * written to the caller's workspace after the run's own part, so
 * P_selftest needs no memory of its own beyond a few pointers on the stack. */
#include "selftest.h"

#include "../frontend/onnx_load.h"
#include "lower.h"
#include "weights.h"

#include <ctype.h>
#include <string.h>
#include <sys/stat.h>

struct SelfTest {
    const char *dir;  /* as given on the command line */
    Graph *g;         /* the compiled graph */
    Tensor **in;      /* per graph input: the data set's value */
    Tensor **out;     /* per graph output: the expected value */
};

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int same_type_and_shape(const Tensor *x, const Tensor *y)
{
    if (x->dtype != y->dtype || x->rank != y->rank) return 0;
    for (int i = 0; i < x->rank; i++)
        if (x->dims[i] != y->dims[i]) return 0;
    return 1;
}

/* The data set's tensor in `file` must have the type and shape of graph
 * tensor `want` (kind "input" or "output", position k). */
static void check_fits(Arena *a, const char *file, const Tensor *t, const char *kind, int k, const Tensor *want)
{
    if (!same_type_and_shape(t, want))
        nnc_fail("--selftest: '%s' holds %s %s, but graph %s %d '%s' is %s %s", file, dtype_name(t->dtype),
                 shape_str(a, t), kind, k, want->name, dtype_name(want->dtype), shape_str(a, want));
}

/* The input files, positionally when there is one per graph input, else
 * (inputs were frozen) by the names the files hold. */
static void load_inputs(SelfTest *st, Graph *data)
{
    Graph *g = st->g;
    Arena *a = g->arena;
    int n = 0;
    while (n <= g->n_inputs + 1024 && is_file(arena_printf(a, "%s/input_%d.pb", st->dir, n))) n++;
    Tensor **files = arena_alloc_array(a, (size_t)n + 1, sizeof *files);
    const char **paths = arena_alloc_array(a, (size_t)n + 1, sizeof *paths);
    for (int k = 0; k < n; k++) {
        paths[k] = arena_printf(a, "%s/input_%d.pb", st->dir, k);
        files[k] = onnx_load_tensor_file(data, paths[k]);
    }
    for (int i = 0; i < g->n_inputs; i++) {
        int k = n == g->n_inputs ? i : -1;
        for (int j = 0; k < 0 && j < n; j++)
            if (strcmp(files[j]->name, g->inputs[i]->name) == 0) k = j;
        if (k < 0)
            nnc_fail("--selftest: '%s' has %d input_K.pb files for %d graph inputs, and none holds input '%s' by name",
                     st->dir, n, g->n_inputs, g->inputs[i]->name);
        check_fits(a, paths[k], files[k], "input", i, g->inputs[i]);
        st->in[i] = files[k];
    }
}

SelfTest *selftest_load(Graph *g, const char *dir)
{
    Arena *a = g->arena;
    SelfTest *st = arena_alloc(a, sizeof *st);
    st->dir = dir;
    st->g = g;
    st->in = arena_alloc_array(a, (size_t)g->n_inputs + 1, sizeof(Tensor *));
    st->out = arena_alloc_array(a, (size_t)g->n_outputs + 1, sizeof(Tensor *));
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) nnc_fail("--selftest '%s' is not a folder", dir);
    Graph *data = graph_new(a); /* the files' tensors stay out of the model's graph */
    load_inputs(st, data);
    for (int k = 0; k < g->n_outputs; k++) {
        const char *path = arena_printf(a, "%s/output_%d.pb", dir, k);
        if (!is_file(path)) nnc_fail("--selftest: '%s' is missing (the model has %d outputs)", path, g->n_outputs);
        st->out[k] = onnx_load_tensor_file(data, path);
        check_fits(a, path, st->out[k], "output", k, g->outputs[k]);
    }
    return st;
}

static char *upper(Arena *a, const char *s)
{
    char *r = arena_strdup(a, s);
    for (char *p = r; *p; p++) *p = (char)toupper((unsigned char)*p);
    return r;
}

/* Bytes of workspace the outputs take, each at a 64-byte boundary. */
static int64_t outputs_bytes(const Graph *g)
{
    int64_t n = 0;
    for (int k = 0; k < g->n_outputs; k++) n += (tensor_bytes(g->outputs[k]) + 63) / 64 * 64;
    return n;
}

void selftest_emit_api(const EmitOptions *o, Buf *h)
{
    const SelfTest *st = o->selftest;
    Arena *a = st->g->arena;
    const char *p = o->prefix, *P = upper(a, p);
    buf_printf(h, "/* Self-test (nnc --selftest %s): %s_selftest runs the model on the input\n"
                  " * embedded from that folder and compares each output with the expected one:\n"
                  " * |got - want| <= %s_SELFTEST_ATOL + %s_SELFTEST_RTOL * |want| for floating-point\n"
                  " * outputs (a NaN matches only a NaN, an infinity only itself), integer and\n"
                  " * boolean outputs exactly. Returns %s_OK (0) when every output matches,\n"
                  " * %s_ERR_SELFTEST when one does not, or the run's error code. workspace holds\n"
                  " * %s_SELFTEST_WORKSPACE_SIZE bytes, 64-byte aligned: the run's workspace, then\n"
                  " * the outputs. */\n",
               c_comment_text(a, st->dir, 120), p, P, P, P, P, P);
    buf_printf(h, "#define %s_SELFTEST_RTOL %s\n#define %s_SELFTEST_ATOL %s\n", P, NNC_SELFTEST_RTOL, P,
               NNC_SELFTEST_ATOL);
    buf_printf(h, "#define %s_SELFTEST_WORKSPACE_SIZE (((size_t)%s_WORKSPACE_SIZE + 63) / 64 * 64 + %lld)\n", P, P,
               (long long)outputs_bytes(st->g));
    buf_printf(h, "#define %s_ERR_SELFTEST %d /* an output differs from the expected one */\n", P,
               NNC_STATUS_SELFTEST);
    buf_printf(h, "int %s_selftest(%svoid *workspace);\n\n", p, o->separate ? "const void *weights, " : "");
}

/* static int P_selftest_near_<type>(got, want, n): the tolerance check for
 * one floating-point type. */
static void emit_near(Buf *c, const char *p, const char *P, const char *ctype)
{
    buf_printf(c, "static int %s_selftest_near_%s(const %s *got, const %s *want, size_t n)\n{\n"
                  "    size_t i;\n"
                  "    for (i = 0; i < n; i++) {\n"
                  "        double x = got[i], w = want[i];\n"
                  "        if (isnan(x) || isnan(w)) {\n"
                  "            if (!(isnan(x) && isnan(w))) return 0;\n"
                  "        } else if (isinf(x) || isinf(w)) {\n"
                  "            if (x != w) return 0;\n"
                  "        } else if (fabs(x - w) > %s_SELFTEST_ATOL + %s_SELFTEST_RTOL * fabs(w)) {\n"
                  "            return 0;\n"
                  "        }\n"
                  "    }\n"
                  "    return 1;\n}\n\n",
               p, ctype, ctype, ctype, P, P);
}

/* Where output k goes in the workspace, after the run's part. */
static const char *output_place(Arena *a, const Graph *g, const char *P, int k)
{
    int64_t off = 0;
    for (int i = 0; i < k; i++) off += (tensor_bytes(g->outputs[i]) + 63) / 64 * 64;
    return arena_printf(a, "ws + ((size_t)%s_WORKSPACE_SIZE + 63) / 64 * 64 + %lld", P, (long long)off);
}

void selftest_emit(const EmitOptions *o, Buf *c)
{
    const SelfTest *st = o->selftest;
    Graph *g = st->g;
    Arena *a = g->arena;
    const char *p = o->prefix, *P = upper(a, p);
    WeightTable *wt = weights_new(g, arena_printf(a, "%s_selftest", p), NULL, NULL);
    const char **in = arena_alloc_array(a, (size_t)g->n_inputs + 1, sizeof(char *));
    const char **want = arena_alloc_array(a, (size_t)g->n_outputs + 1, sizeof(char *));
    for (int i = 0; i < g->n_inputs; i++) in[i] = weights_add(wt, st->in[i]);
    for (int k = 0; k < g->n_outputs; k++) want[k] = weights_add(wt, st->out[k]);
    buf_printf(c, "\n/* ---- self-test (nnc --selftest %s): inputs, then expected outputs ---- */\n",
               c_comment_text(a, st->dir, 120));
    weights_emit(wt, c, arena_alloc(a, (size_t)g->n_tensors + 1));
    int f32 = 0, f64 = 0;
    for (int k = 0; k < g->n_outputs; k++) {
        f32 |= g->outputs[k]->dtype == DT_FLOAT;
        f64 |= g->outputs[k]->dtype == DT_DOUBLE;
    }
    buf_puts(c, "\n");
    if (f32) emit_near(c, p, P, "float");
    if (f64) emit_near(c, p, P, "double");
    buf_printf(c, "int %s_selftest(%svoid *workspace)\n{\n", p, o->separate ? "const void *weights, " : "");
    buf_puts(c, "    unsigned char *const ws = (unsigned char *)workspace;\n    const void *inputs[");
    buf_printf(c, "%d] = {", g->n_inputs ? g->n_inputs : 1);
    for (int i = 0; i < g->n_inputs; i++) buf_printf(c, "%s%s", i ? ", " : "", in[i]);
    buf_printf(c, "%s};\n    void *outputs[%d];\n    int status;\n", g->n_inputs ? "" : "0", g->n_outputs);
    buf_printf(c, "    if (!ws || ((uintptr_t)ws & 63u) != 0) return %s_ERR_ARGUMENT;\n", P);
    for (int k = 0; k < g->n_outputs; k++) buf_printf(c, "    outputs[%d] = %s;\n", k, output_place(a, g, P, k));
    if (o->separate) buf_printf(c, "    status = %s_run_with_weights(weights, inputs, outputs, ws);\n", p);
    else buf_printf(c, "    status = %s_run(inputs, outputs, ws);\n", p);
    buf_printf(c, "    if (status != %s_OK) return status;\n", P);
    for (int k = 0; k < g->n_outputs; k++) {
        const Tensor *t = g->outputs[k];
        if (t->dtype == DT_FLOAT || t->dtype == DT_DOUBLE)
            buf_printf(c, "    if (!%s_selftest_near_%s((const %s *)outputs[%d], %s, %lldu)) return %s_ERR_SELFTEST;\n", p,
                       dtype_ctype(t->dtype), dtype_ctype(t->dtype), k, want[k], (long long)tensor_numel(t), P);
        else
            buf_printf(c, "    if (memcmp(outputs[%d], %s, %lldu) != 0) return %s_ERR_SELFTEST;\n", k, want[k],
                       (long long)tensor_bytes(t), P);
    }
    buf_printf(c, "    return %s_OK;\n}\n", P);
}
