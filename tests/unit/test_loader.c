/* test_loader.c — the ONNX frontend on small models that gen_models.py
 * writes (with the system python3 and onnx) into a temporary directory when
 * the suite starts. */
#include "unit.h"

#include "ir/infer.h"
#include "ir/ops.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef NNC_UNIT_PYTHON
#define NNC_UNIT_PYTHON "/usr/bin/python3"
#endif
#ifndef NNC_UNIT_SOURCE_DIR
#error "NNC_UNIT_SOURCE_DIR must name tests/unit (for gen_models.py)"
#endif

static char model_dir[] = "/tmp/nnc-unit-XXXXXX";
static int have_dir;

static const char *model(const char *name)
{
    static char buf[8][512];
    static int k;
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%s/%s", model_dir, name);
    return buf[k];
}

static int suite_init(void)
{
    if (!mkdtemp(model_dir)) {
        fprintf(stderr, "loader suite: mkdtemp: %s\n", strerror(errno));
        return -1;
    }
    have_dir = 1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        char *argv[] = {(char *)NNC_UNIT_PYTHON, (char *)NNC_UNIT_SOURCE_DIR "/gen_models.py", model_dir, NULL};
        execv(argv[0], argv);
        fprintf(stderr, "loader suite: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) return -1;
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "loader suite: %s gen_models.py failed (status %d)\n", NNC_UNIT_PYTHON, st);
        return -1;
    }
    return 0;
}

static int suite_cleanup(void)
{
    if (!have_dir) return 0;
    DIR *d = opendir(model_dir);
    if (d) {
        for (struct dirent *e; (e = readdir(d));)
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) unlink(model(e->d_name));
        closedir(d);
    }
    rmdir(model_dir);
    return 0;
}

static int load_fails(const char *name, const LoadOptions *lo)
{
    Arena a;
    arena_init(&a);
    Graph *g = ut_load(&a, model(name), lo);
    arena_free(&a);
    return g == NULL;
}

static int is_topological(const Graph *g)
{
    for (int i = 0; i < g->n_nodes; i++) {
        const Node *n = g->nodes[i];
        if (n->id != i) return 0;
        for (int k = 0; k < n->n_in; k++)
            if (n->in[k] && n->in[k]->producer && n->in[k]->producer->id >= i) return 0;
    }
    return 1;
}

static void test_basic(void)
{
    Arena a;
    arena_init(&a);
    Graph *g = ut_load(&a, model("basic.onnx"), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    CU_ASSERT_EQUAL(g->opset, 13);
    CU_ASSERT_STRING_EQUAL(g->name, "basic_graph");
    CU_ASSERT_STRING_EQUAL(g->producer, "nnc-unit 1.0");
    /* inputs */
    CU_ASSERT_EQUAL_FATAL(g->n_inputs, 1);
    Tensor *x = g->inputs[0];
    CU_ASSERT_STRING_EQUAL(x->name, "X");
    CU_ASSERT_EQUAL(x->dtype, DT_FLOAT);
    ASSERT_SHAPE(x, "[1,3,4,4]");
    CU_ASSERT_EQUAL(x->input_index, 0);
    CU_ASSERT_PTR_NULL(x->data);
    /* initializers */
    Tensor *w = graph_find_tensor(g, "W"), *b = graph_find_tensor(g, "B");
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    ASSERT_SHAPE(w, "[2,3,1,1]");
    CU_ASSERT_EQUAL(w->input_index, -1);
    CU_ASSERT_TRUE_FATAL(tensor_is_const(w));
    CU_ASSERT_DOUBLE_EQUAL(tensor_get_double(w, 0), 0.0, 0);
    CU_ASSERT_DOUBLE_EQUAL(tensor_get_double(w, 5), 2.5, 0);
    CU_ASSERT_TRUE_FATAL(tensor_is_const(b));
    CU_ASSERT_DOUBLE_EQUAL(tensor_get_double(b, 0), 10.0, 0);
    CU_ASSERT_DOUBLE_EQUAL(tensor_get_double(b, 1), -1.0, 0);
    /* outputs */
    CU_ASSERT_EQUAL_FATAL(g->n_outputs, 1);
    CU_ASSERT_STRING_EQUAL(g->outputs[0]->name, "Z");
    CU_ASSERT_EQUAL(g->outputs[0]->output_index, 0);
    /* nodes: sorted although the file lists Reshape first */
    CU_ASSERT_EQUAL_FATAL(g->n_nodes, 3);
    CU_ASSERT_TRUE(is_topological(g));
    CU_ASSERT_EQUAL(g->nodes[2]->op, OP_Reshape);
    CU_ASSERT_STRING_EQUAL(g->nodes[2]->name, "reshape");
    Node *c = NULL;
    for (int i = 0; i < g->n_nodes; i++)
        if (g->nodes[i]->op == OP_Constant) c = g->nodes[i];
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL(c->opset, 13);
    CU_ASSERT_EQUAL(c->n_in, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(node_attr(c, "value"));
    CU_ASSERT_EQUAL(node_attr(c, "value")->type, ATTR_TENSOR);
    CU_ASSERT_PTR_EQUAL(c->out[0]->producer, c);
    /* shapes after inference; the Constant's value is materialised */
    ASSERT_OK(ut_infer(g));
    Tensor *s = graph_find_tensor(g, "S");
    CU_ASSERT_TRUE_FATAL(tensor_is_const(s));
    ASSERT_SHAPE(s, "[2]");
    CU_ASSERT_EQUAL(tensor_get_int(s, 0), 1);
    CU_ASSERT_EQUAL(tensor_get_int(s, 1), -1);
    ASSERT_SHAPE(graph_find_tensor(g, "Y"), "[1,2,4,4]");
    ASSERT_SHAPE(g->outputs[0], "[1,32]");
    arena_free(&a);
}

static void test_initializer_listed_as_input(void)
{
    Arena a;
    arena_init(&a);
    Graph *g = ut_load(&a, model("init_as_input.onnx"), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    CU_ASSERT_EQUAL(g->opset, 9);
    CU_ASSERT_EQUAL_FATAL(g->n_inputs, 1);
    CU_ASSERT_STRING_EQUAL(g->inputs[0]->name, "X");
    Tensor *w = graph_find_tensor(g, "W");
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    CU_ASSERT_EQUAL(w->input_index, -1);
    CU_ASSERT_TRUE(tensor_is_const(w));
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(g->outputs[0], "[1,2,4,4]");
    arena_free(&a);
}

static void test_external_data(void)
{
    Arena a;
    arena_init(&a);
    Graph *g = ut_load(&a, model("external.onnx"), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    Tensor *w = graph_find_tensor(g, "W"), *b = graph_find_tensor(g, "B");
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_TRUE_FATAL(tensor_is_const(w) && tensor_is_const(b));
    for (int i = 0; i < 6; i++) CU_ASSERT_DOUBLE_EQUAL(tensor_get_double(w, i), 0.5 * i, 0);
    CU_ASSERT_DOUBLE_EQUAL(tensor_get_double(b, 0), 10.0, 0); /* at a non-zero offset */
    CU_ASSERT_DOUBLE_EQUAL(tensor_get_double(b, 1), -1.0, 0);
    arena_free(&a);

    ASSERT_FAILS_WITH(load_fails("external_escape.onnx", NULL),
                      "tensor 'W': external data path '../escape.bin' leaves the model directory");
    ASSERT_FAILS_WITH(load_fails("external_short.onnx", NULL),
                      "tensor 'W': external data offset 0 + 24 bytes lies outside 'short.bin'");
}

static void test_symbolic_dims(void)
{
    ASSERT_FAILS_WITH(load_fails("symbolic.onnx", NULL),
                      "graph input 'X': dimension 0 ('N') is not fixed; give it with --shape X=d0,d1,...");

    ShapeOverride ov = {"X", 2, {5, 3}};
    LoadOptions lo = {.shapes = &ov, .n_shapes = 1};
    Arena a;
    arena_init(&a);
    Graph *g = ut_load(&a, model("symbolic.onnx"), &lo);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    ASSERT_SHAPE(g->inputs[0], "[5,3]");
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(g->outputs[0], "[5,3]");
    arena_free(&a);

    ShapeOverride bad_dim = {"X", 2, {5, 4}};
    lo.shapes = &bad_dim;
    ASSERT_FAILS_WITH(load_fails("symbolic.onnx", &lo),
                      "--shape sets dimension 1 to 4 but the model fixes it at 3");
    ShapeOverride bad_rank = {"X", 1, {5}};
    lo.shapes = &bad_rank;
    ASSERT_FAILS_WITH(load_fails("symbolic.onnx", &lo), "--shape gives rank 1 but the model declares rank 2");
    ShapeOverride two[2] = {{"X", 2, {5, 3}}, {"Q", 1, {1}}};
    lo.shapes = two;
    lo.n_shapes = 2;
    ASSERT_FAILS_WITH(load_fails("symbolic.onnx", &lo), "--shape names 'Q', which is not a graph input");
}

static void test_freeze_input(void)
{
    const char *names[] = {"S"};
    const char *files[] = {model("shape.pb")};
    LoadOptions lo = {.freeze_names = names, .freeze_files = files, .n_freeze = 1};
    Arena a;
    arena_init(&a);
    Graph *g = ut_load(&a, model("reshape_in.onnx"), &lo);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    CU_ASSERT_EQUAL(g->n_inputs, 1);
    Tensor *s = graph_find_tensor(g, "S");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_TRUE(tensor_is_const(s));
    CU_ASSERT_EQUAL(s->input_index, -1);
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(g->outputs[0], "[3,4]");
    arena_free(&a);

    files[0] = model("shape3.pb");
    ASSERT_FAILS_WITH(load_fails("reshape_in.onnx", &lo), "does not match the input's type and shape");
    /* Known bug: load_io accepts --freeze of an initializer (it has data and
     * no producer) and silently ignores it. */
    names[0] = "W";
    files[0] = model("shape.pb");
    ASSERT_FAILS_WITH(load_fails("basic.onnx", &lo), "--freeze names 'W', which is not a graph input");
    ASSERT_FAILS_WITH(load_fails("init_as_input.onnx", &lo), "--freeze names 'W', which is not a graph input");
    names[0] = "nope";
    files[0] = model("shape.pb");
    ASSERT_FAILS_WITH(load_fails("reshape_in.onnx", &lo), "--freeze names 'nope', which is not a graph input");
}

static void test_bad_files(void)
{
    const char *path = model("garbage.onnx");
    ASSERT_FAILS_WITH(load_fails("garbage.onnx", NULL), "not a valid ONNX model (truncated or corrupt protobuf)");
    CU_ASSERT_PTR_NOT_NULL(strstr(nnc_last_error(), path)); /* the message names the file */
    CU_ASSERT_EQUAL(strncmp(nnc_last_error(), "nnc: error: ", 12), 0);
    ASSERT_FAILS_WITH(load_fails("empty.onnx", NULL), "not a valid ONNX model (no graph)");
    ASSERT_FAILS_WITH(load_fails("no_such_file.onnx", NULL), "cannot read: No such file or directory");
}

static void test_bad_graphs(void)
{
    ASSERT_FAILS_WITH(load_fails("cycle.onnx", NULL), "the graph has a cycle through this node");
    ASSERT_FAILS_WITH(load_fails("unknown_op.onnx", NULL), "node 'foo' (FooBar): unsupported operator");
    ASSERT_FAILS_WITH(load_fails("undefined_input.onnx", NULL), "node 'relu' (Relu): input 'Q' is not defined");
    ASSERT_FAILS_WITH(load_fails("opset18.onnx", NULL), "opset version 18 is not supported (1 to 17 are)");
    ASSERT_FAILS_WITH(load_fails("dup_output.onnx", NULL), "node 'relu2' (Relu): output 'Y' is already defined");
}

typedef struct TensorFileCtx {
    Graph *g;
    const char *path;
    Tensor *t;
} TensorFileCtx;

static void tensor_file_thunk(void *p)
{
    TensorFileCtx *c = p;
    c->t = onnx_load_tensor_file(c->g, c->path);
}

static void test_tensor_file(void)
{
    UtGraph u;
    ut_graph_init(&u);
    TensorFileCtx c = {u.g, model("tensor.pb"), NULL};
    ASSERT_OK(ut_try(tensor_file_thunk, &c));
    CU_ASSERT_PTR_NOT_NULL_FATAL(c.t);
    CU_ASSERT_STRING_EQUAL(c.t->name, "vals");
    CU_ASSERT_EQUAL(c.t->dtype, DT_INT32);
    ASSERT_SHAPE(c.t, "[1,3]");
    CU_ASSERT_EQUAL(tensor_get_int(c.t, 0), 1);
    CU_ASSERT_EQUAL(tensor_get_int(c.t, 1), -2);
    CU_ASSERT_EQUAL(tensor_get_int(c.t, 2), 3);
    c.path = model("missing.pb");
    ASSERT_FAILS_WITH(ut_try(tensor_file_thunk, &c), "missing.pb: cannot read");
    ut_graph_free(&u);
}

int unit_add_loader_suite(void)
{
    CU_pSuite s = CU_add_suite("loader", suite_init, suite_cleanup);
    if (!s) return -1;
    return !CU_add_test(s, "inputs, initializers, Constant, opset", test_basic) ||
           !CU_add_test(s, "initializer listed as input", test_initializer_listed_as_input) ||
           !CU_add_test(s, "external data", test_external_data) ||
           !CU_add_test(s, "symbolic dims need --shape", test_symbolic_dims) ||
           !CU_add_test(s, "--freeze", test_freeze_input) ||
           !CU_add_test(s, "garbage and missing files", test_bad_files) ||
           !CU_add_test(s, "bad graphs (cycle, unknown op, ...)", test_bad_graphs) ||
           !CU_add_test(s, "TensorProto file", test_tensor_file)
               ? -1
               : 0;
}
