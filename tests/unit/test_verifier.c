/* test_verifier.c — the checks infer_shapes makes on every node before its
 * shape function runs: arity from ops.def, required inputs, element types,
 * and that every output and graph output ends up with a shape. (Cycles are
 * found by the loader: see test_loader.c.) */
#include "unit.h"

static void test_too_many_inputs(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Graph *g = ut_fresh(&u);
    Tensor *x = ut_input(g, "x", DT_FLOAT, 1, DIMS(3));
    ut_node(g, OP_Relu, 13, "r", 2, INS(x, x), 1);
    ASSERT_FAILS_WITH(ut_infer(g), "node 'r' (Relu): takes 1 to 1 inputs, got 2");

    g = ut_fresh(&u);
    x = ut_input(g, "x", DT_FLOAT, 1, DIMS(3));
    ut_node(g, OP_Add, 13, "add", 3, INS(x, x, x), 1);
    ASSERT_FAILS_WITH(ut_infer(g), "node 'add' (Add): takes 2 to 2 inputs, got 3");
    ut_graph_free(&u);
}

static void test_too_few_inputs(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Graph *g = ut_fresh(&u);
    Tensor *x = ut_input(g, "x", DT_FLOAT, 4, DIMS(1, 1, 3, 3));
    ut_node(g, OP_Conv, 13, "c", 1, INS(x), 1);
    ASSERT_FAILS_WITH(ut_infer(g), "node 'c' (Conv): takes 2 to 3 inputs, got 1");

    /* trailing omitted inputs do not count: Conv(x, "") has one input */
    g = ut_fresh(&u);
    x = ut_input(g, "x", DT_FLOAT, 4, DIMS(1, 1, 3, 3));
    ut_node(g, OP_Conv, 13, "c", 2, INS(x, NULL), 1);
    ASSERT_FAILS_WITH(ut_infer(g), "takes 2 to 3 inputs, got 1");

    g = ut_fresh(&u);
    ut_node(g, OP_BatchNormalization, 13, "bn", 0, NULL, 1);
    ASSERT_FAILS_WITH(ut_infer(g), "takes 5 to 5 inputs, got 0");
    ut_graph_free(&u);
}

static void test_missing_required_input(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Graph *g = ut_fresh(&u);
    Tensor *a = ut_input(g, "a", DT_FLOAT, 2, DIMS(2, 2));
    Tensor *c = ut_input(g, "c", DT_FLOAT, 2, DIMS(2, 2));
    ut_node(g, OP_Gemm, 13, "gemm", 3, INS(a, NULL, c), 1);
    ASSERT_FAILS_WITH(ut_infer(g), "node 'gemm' (Gemm): required input 1 is missing");

    g = ut_fresh(&u);
    a = ut_input(g, "a", DT_FLOAT, 2, DIMS(2, 2));
    ut_node(g, OP_MatMul, 13, "mm", 2, INS(NULL, a), 1);
    ASSERT_FAILS_WITH(ut_infer(g), "required input 0 is missing");
    ut_graph_free(&u);
}

static void test_optional_inputs_omitted(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Graph *g = ut_fresh(&u);
    Tensor *x = ut_input(g, "x", DT_FLOAT, 1, DIMS(3));
    Tensor *hi = ut_const_f32(g, "hi", 0, NULL, 6.0f);
    Node *a = ut_node(g, OP_Clip, 13, "clip_all_omitted", 3, INS(x, NULL, NULL), 1);
    Node *b = ut_node(g, OP_Clip, 13, "clip_max_only", 3, INS(x, NULL, hi), 1);
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(a->out[0], "[3]");
    ASSERT_SHAPE(b->out[0], "[3]");
    ut_graph_free(&u);
}

static void test_output_arity(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Graph *g = ut_fresh(&u);
    Tensor *x = ut_input(g, "x", DT_FLOAT, 4, DIMS(1, 1, 4, 4));
    Node *n = ut_node(g, OP_MaxPool, 13, "mp", 1, INS(x), 3);
    ut_attr_ints(n, "kernel_shape", 2, DIMS(2, 2));
    ASSERT_FAILS_WITH(ut_infer(g), "node 'mp' (MaxPool): has 1 to 2 outputs, got 3");

    g = ut_fresh(&u);
    x = ut_input(g, "x", DT_FLOAT, 1, DIMS(3));
    ut_node(g, OP_Relu, 13, "r", 1, INS(x), 0);
    ASSERT_FAILS_WITH(ut_infer(g), "has 1 to 1 outputs, got 0");

    g = ut_fresh(&u);
    x = ut_input(g, "x", DT_FLOAT, 1, DIMS(3));
    n = ut_node(g, OP_Relu, 13, "r", 1, INS(x), 1);
    n->out[0] = NULL;
    ASSERT_FAILS_WITH(ut_infer(g), "node 'r' (Relu): its first output is unnamed");
    ut_graph_free(&u);
}

static void test_unsupported_types(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Graph *g = ut_fresh(&u);
    Tensor *x = ut_input(g, "half", DT_FLOAT16, 1, DIMS(3));
    ut_node(g, OP_Relu, 13, "r", 1, INS(x), 1);
    ASSERT_FAILS_WITH(ut_infer(g), "node 'r' (Relu): input 'half' has unsupported element type FLOAT16");

    g = ut_fresh(&u);
    x = ut_input(g, "s", DT_STRING, 1, DIMS(3));
    ut_node(g, OP_Identity, 13, "id", 1, INS(x), 1);
    ASSERT_FAILS_WITH(ut_infer(g), "input 's' has unsupported element type STRING");
    ut_graph_free(&u);
}

static void test_graph_output_without_shape(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Graph *g = ut_fresh(&u);
    Tensor *x = ut_input(g, "x", DT_FLOAT, 1, DIMS(3));
    Node *n = ut_node(g, OP_Relu, 13, "r", 1, INS(x), 1);
    Tensor *orphan = graph_add_tensor(g, "orphan");
    g->outputs[g->n_outputs++] = n->out[0];
    g->outputs[g->n_outputs++] = orphan;
    ASSERT_FAILS_WITH(ut_infer(g), "graph output 'orphan' has no shape");
    ut_graph_free(&u);
}

/* The first failing node stops inference; later nodes keep unknown shapes. */
static void test_stops_at_first_error(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Graph *g = ut_fresh(&u);
    Tensor *x = ut_input(g, "x", DT_FLOAT, 2, DIMS(2, 3));
    Node *ok = ut_node(g, OP_Relu, 13, "ok", 1, INS(x), 1);
    Node *bad = ut_node(g, OP_Transpose, 13, "bad", 1, INS(ok->out[0]), 1);
    ut_attr_ints(bad, "perm", 2, DIMS(0, 0));
    Node *after = ut_node(g, OP_Relu, 13, "after", 1, INS(x), 1);
    ASSERT_FAILS_WITH(ut_infer(g), "node 'bad' (Transpose): perm is not a permutation");
    ASSERT_SHAPE(ok->out[0], "[2,3]");
    CU_ASSERT_EQUAL(after->out[0]->rank, -1);
    ut_graph_free(&u);
}

int unit_add_verifier_suite(void)
{
    CU_pSuite s = CU_add_suite("verifier", NULL, NULL);
    if (!s) return -1;
    return !CU_add_test(s, "too many inputs", test_too_many_inputs) ||
           !CU_add_test(s, "too few inputs", test_too_few_inputs) ||
           !CU_add_test(s, "missing required input", test_missing_required_input) ||
           !CU_add_test(s, "omitted optional inputs", test_optional_inputs_omitted) ||
           !CU_add_test(s, "output arity", test_output_arity) ||
           !CU_add_test(s, "unsupported element types", test_unsupported_types) ||
           !CU_add_test(s, "graph output without shape", test_graph_output_without_shape) ||
           !CU_add_test(s, "stops at the first error", test_stops_at_first_error)
               ? -1
               : 0;
}
