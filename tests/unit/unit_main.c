/* unit_main.c — the CUnit runner for nnc's unit tests, and the helpers of
 * unit.h. Exit status: 0 when every suite initialised and every assert held. */
#include "unit.h"

#include "ir/infer.h"
#include "ir/ops.h"

#include <CUnit/Basic.h>
#include <stdlib.h>

/* ---- error traps ---- */
int ut_try(void (*fn)(void *), void *ctx)
{
    ErrorTrap trap;
    nnc_error_set_quiet(1);
    if (setjmp(trap.env) != 0) {
        nnc_trap_pop(&trap);
        return 1;
    }
    nnc_trap_push(&trap);
    fn(ctx);
    nnc_trap_pop(&trap);
    return 0;
}

static void infer_thunk(void *g) { infer_shapes(g); }
int ut_infer(Graph *g) { return ut_try(infer_thunk, g); }

typedef struct LoadCtx {
    Arena *a;
    const char *path;
    const LoadOptions *lo;
    Graph *g;
} LoadCtx;

static void load_thunk(void *p)
{
    LoadCtx *c = p;
    c->g = onnx_load(c->a, c->path, c->lo);
}

Graph *ut_load(Arena *a, const char *path, const LoadOptions *lo)
{
    LoadCtx c = {a, path, lo, NULL};
    nnc_error_set_file(path);
    if (ut_try(load_thunk, &c)) return NULL;
    return c.g;
}

void ut_shape(char *buf, size_t cap, const Tensor *t)
{
    if (!t || t->rank < 0) {
        snprintf(buf, cap, "?");
        return;
    }
    size_t n = (size_t)snprintf(buf, cap, "[");
    for (int i = 0; i < t->rank && n < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%lld", i ? "," : "", (long long)t->dims[i]);
    if (n < cap) snprintf(buf + n, cap - n, "]");
}

/* ---- graph building ---- */
Graph *ut_fresh(UtGraph *u)
{
    u->g = graph_new(&u->arena);
    u->g->opset = 13;
    u->g->inputs = arena_alloc_array(&u->arena, 16, sizeof(Tensor *));
    u->g->outputs = arena_alloc_array(&u->arena, 16, sizeof(Tensor *));
    return u->g;
}

void ut_graph_init(UtGraph *u)
{
    arena_init(&u->arena);
    ut_fresh(u);
}

void ut_graph_free(UtGraph *u) { arena_free(&u->arena); }

Tensor *ut_input(Graph *g, const char *name, DType dt, int rank, const int64_t *dims)
{
    Tensor *t = graph_add_tensor(g, name);
    tensor_set_shape(t, dt, rank, dims);
    t->input_index = g->n_inputs;
    g->inputs[g->n_inputs++] = t;
    return t;
}

Tensor *ut_const_i64(Graph *g, const char *name, int n, const int64_t *vals)
{
    Tensor *t = graph_add_tensor(g, name);
    int64_t d = n;
    tensor_set_shape(t, DT_INT64, 1, &d);
    t->data = arena_alloc_array(g->arena, (size_t)n + 1, sizeof(int64_t));
    if (n) memcpy(t->data, vals, (size_t)n * sizeof(int64_t));
    return t;
}

Tensor *ut_const_f32(Graph *g, const char *name, int rank, const int64_t *dims, float fill)
{
    Tensor *t = graph_add_tensor(g, name);
    tensor_set_shape(t, DT_FLOAT, rank, dims);
    int64_t n = tensor_numel(t);
    float *d = arena_alloc_array(g->arena, (size_t)n + 1, sizeof(float));
    for (int64_t i = 0; i < n; i++) d[i] = fill;
    t->data = d;
    return t;
}

Node *ut_node(Graph *g, OpKind op, int opset, const char *name, int n_in, Tensor *const *ins, int n_out)
{
    Node *n = graph_add_node(g, name, op < OP_COUNT_ ? op_info(op)->name : "?", n_in, n_out);
    n->op = op;
    n->opset = opset;
    for (int k = 0; k < n_in; k++) n->in[k] = ins[k];
    for (int k = 0; k < n_out; k++) {
        n->out[k] = graph_add_tensor(g, arena_printf(g->arena, "%s_out%d", name, k));
        n->out[k]->producer = n;
    }
    n->attrs = arena_alloc_array(g->arena, 8, sizeof(Attr));
    return n;
}

static Attr *new_attr(Node *n, const char *name, AttrType t)
{
    if (n->n_attrs >= 8) {
        fprintf(stderr, "unit tests: too many attributes on one node\n");
        abort();
    }
    Attr *a = &n->attrs[n->n_attrs++];
    memset(a, 0, sizeof *a);
    a->name = name;
    a->type = t;
    return a;
}

void ut_attr_int(Node *n, const char *name, int64_t v) { new_attr(n, name, ATTR_INT)->i = v; }
void ut_attr_float(Node *n, const char *name, float v) { new_attr(n, name, ATTR_FLOAT)->f = v; }
void ut_attr_str(Node *n, const char *name, const char *v) { new_attr(n, name, ATTR_STRING)->s = v; }
void ut_attr_ints(Node *n, const char *name, int cnt, const int64_t *v)
{
    Attr *a = new_attr(n, name, ATTR_INTS);
    a->n = cnt;
    a->ints = (int64_t *)v;
}

/* ---- runner ---- */
int unit_add_passes_suite(void); /* test_passes.c */
int unit_add_vmath_suite(void);  /* test_vmath.c */
int unit_add_layout_suite(void); /* test_layout.c */
int unit_add_cpu_model_suite(void); /* test_cpu_model.c */

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 2;
    int (*const adders[])(void) = {unit_add_ir_suite,     unit_add_infer_suite, unit_add_verifier_suite,
                                   unit_add_loader_suite, unit_add_plan_suite,  unit_add_template_suite,
                                   unit_add_passes_suite, unit_add_vmath_suite, unit_add_layout_suite,
                                   unit_add_cpu_model_suite};
    for (size_t i = 0; i < sizeof adders / sizeof adders[0]; i++)
        if (adders[i]() != 0) {
            fprintf(stderr, "cannot register a suite: %s\n", CU_get_error_msg());
            CU_cleanup_registry();
            return 2;
        }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failures = CU_get_number_of_failures() + CU_get_number_of_suites_failed() +
                        CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failures ? 1 : 0;
}
