/* test_infer.c — static shape inference, op by op: the shapes the ONNX spec
 * gives for each attribute combination, and the errors for bad nodes. Each
 * case builds a fresh one-node graph and runs infer_shapes on it. */
#include "unit.h"

#include "ir/infer.h"

#define F DT_FLOAT

/* ---- Conv ---- */
static Node *conv_node(Graph *g, int rank, const int64_t *xd, const int64_t *wd, int64_t bias)
{
    Tensor *x = ut_input(g, "X", F, rank, xd);
    Tensor *w = ut_const_f32(g, "W", rank, wd, 0.5f);
    Tensor *b = bias > 0 ? ut_const_f32(g, "B", 1, &bias, 0.0f) : NULL;
    return ut_node(g, OP_Conv, 13, "conv", b ? 3 : 2, INS(x, w, b), 1);
}

static void test_conv(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Graph *g;
    Node *n;
#define CONV2D() (g = ut_fresh(&u), n = conv_node(g, 4, DIMS(1, 3, 32, 32), DIMS(16, 3, 3, 3), 16))
    CONV2D();
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(n->out[0], "[1,16,30,30]");
    CU_ASSERT_EQUAL(n->out[0]->dtype, DT_FLOAT);

    CONV2D();
    ut_attr_ints(n, "pads", 4, DIMS(1, 1, 1, 1));
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(n->out[0], "[1,16,32,32]");

    CONV2D();
    ut_attr_ints(n, "pads", 4, DIMS(1, 1, 1, 1));
    ut_attr_ints(n, "strides", 2, DIMS(2, 2));
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(n->out[0], "[1,16,16,16]");

    CONV2D();
    ut_attr_ints(n, "dilations", 2, DIMS(2, 2));
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(n->out[0], "[1,16,28,28]");

    CONV2D(); /* pads are [h_begin, w_begin, h_end, w_end] */
    ut_attr_ints(n, "pads", 4, DIMS(0, 1, 2, 3));
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(n->out[0], "[1,16,32,34]");

    CONV2D();
    ut_attr_ints(n, "strides", 2, DIMS(3, 2));
    ut_attr_ints(n, "kernel_shape", 2, DIMS(3, 3));
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(n->out[0], "[1,16,10,15]");

    CONV2D();
    ut_attr_ints(n, "kernel_shape", 2, DIMS(5, 5));
    ASSERT_FAILS_WITH(ut_infer(g), "kernel_shape[0] = 5 does not match the weight's 3");
#undef CONV2D

    /* 1-D and 3-D */
    g = ut_fresh(&u);
    n = conv_node(g, 3, DIMS(2, 2, 10), DIMS(4, 2, 3), 0);
    ut_attr_ints(n, "strides", 1, DIMS(2));
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(n->out[0], "[2,4,4]");

    g = ut_fresh(&u);
    n = conv_node(g, 5, DIMS(1, 1, 4, 5, 6), DIMS(2, 1, 2, 2, 2), 2);
    ut_attr_ints(n, "pads", 6, DIMS(1, 1, 1, 1, 1, 1));
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(n->out[0], "[1,2,5,6,7]");
    ut_graph_free(&u);
}

static void test_conv_auto_pad(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Graph *g;
    Node *n;
#define CONV7(kh) (g = ut_fresh(&u), n = conv_node(g, 4, DIMS(1, 3, 7, 7), DIMS(4, 3, kh, kh), 0))
    CONV7(3);
    ut_attr_str(n, "auto_pad", "SAME_UPPER");
    ut_attr_ints(n, "strides", 2, DIMS(2, 2));
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(n->out[0], "[1,4,4,4]");

    CONV7(3);
    ut_attr_str(n, "auto_pad", "SAME_LOWER");
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(n->out[0], "[1,4,7,7]");

    CONV7(2); /* even kernel: odd total padding */
    ut_attr_str(n, "auto_pad", "SAME_LOWER");
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(n->out[0], "[1,4,7,7]");

    CONV7(3);
    ut_attr_str(n, "auto_pad", "SAME_UPPER");
    ut_attr_ints(n, "strides", 2, DIMS(3, 3));
    ut_attr_ints(n, "dilations", 2, DIMS(2, 2));
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(n->out[0], "[1,4,3,3]");

    CONV7(3); /* VALID ignores explicit pads */
    ut_attr_str(n, "auto_pad", "VALID");
    ut_attr_ints(n, "pads", 4, DIMS(5, 5, 5, 5));
    ut_attr_ints(n, "strides", 2, DIMS(2, 2));
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(n->out[0], "[1,4,3,3]");

    CONV7(3);
    ut_attr_str(n, "auto_pad", "NOTSET");
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(n->out[0], "[1,4,5,5]");

    CONV7(3);
    ut_attr_str(n, "auto_pad", "SAME");
    ASSERT_FAILS_WITH(ut_infer(g), "unknown auto_pad 'SAME'");
#undef CONV7
    ut_graph_free(&u);
}

static void test_conv_group(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Graph *g = ut_fresh(&u);
    Node *n = conv_node(g, 4, DIMS(1, 4, 8, 8), DIMS(8, 2, 3, 3), 8);
    ut_attr_int(n, "group", 2);
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(n->out[0], "[1,8,6,6]");

    g = ut_fresh(&u); /* depthwise */
    n = conv_node(g, 4, DIMS(1, 4, 8, 8), DIMS(4, 1, 3, 3), 0);
    ut_attr_int(n, "group", 4);
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(n->out[0], "[1,4,6,6]");
    ut_graph_free(&u);
}

static void test_conv_errors(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Graph *g;
    Node *n;
#define C4(...) (g = ut_fresh(&u), n = conv_node(g, 4, DIMS(1, 4, 8, 8), DIMS(__VA_ARGS__), 0))
    C4(8, 4, 3, 3);
    ut_attr_ints(n, "strides", 2, DIMS(0, 1));
    ASSERT_FAILS_WITH(ut_infer(g), "node 'conv' (Conv): stride 0 must be at least 1");

    C4(8, 4, 3, 3);
    ut_attr_ints(n, "dilations", 2, DIMS(1, 0));
    ASSERT_FAILS_WITH(ut_infer(g), "dilation 0 must be at least 1");

    C4(6, 1, 3, 3);
    ut_attr_int(n, "group", 3);
    ASSERT_FAILS_WITH(ut_infer(g), "group 3 does not divide the 4 input channels");

    C4(8, 4, 3, 3);
    ut_attr_int(n, "group", 0);
    ASSERT_FAILS_WITH(ut_infer(g), "group must be positive, got 0");

    C4(8, 3, 3, 3);
    ASSERT_FAILS_WITH(ut_infer(g), "weight has 3 channels per group; input has 4 channels in 1 groups");

    C4(3, 2, 3, 3);
    ut_attr_int(n, "group", 2);
    ASSERT_FAILS_WITH(ut_infer(g), "group 2 does not divide the 3 output channels");

    C4(8, 4, 3, 3);
    ut_attr_ints(n, "pads", 4, DIMS(1, -1, 1, 1));
    ASSERT_FAILS_WITH(ut_infer(g), "pads must not be negative");

    C4(8, 4, 3, 3);
    ut_attr_ints(n, "pads", 2, DIMS(1, 1));
    ASSERT_FAILS_WITH(ut_infer(g), "must match the 2 spatial dims");

    C4(8, 4, 9, 3);
    ASSERT_FAILS_WITH(ut_infer(g), "kernel (9 with dilation) is larger than the padded input (8)");

    C4(8, 4, 0, 3);
    ASSERT_FAILS_WITH(ut_infer(g), "kernel size must be at least 1");
#undef C4

    g = ut_fresh(&u);
    n = conv_node(g, 4, DIMS(1, 4, 8, 8), DIMS(8, 4, 3, 3), 5);
    ASSERT_FAILS_WITH(ut_infer(g), "bias must have shape [8]");

    g = ut_fresh(&u);
    {
        Tensor *x = ut_input(g, "X", F, 4, DIMS(1, 4, 8, 8));
        Tensor *w = ut_const_f32(g, "W", 3, DIMS(8, 4, 3), 1);
        ut_node(g, OP_Conv, 13, "conv", 2, INS(x, w), 1);
    }
    ASSERT_FAILS_WITH(ut_infer(g), "weight rank 3 does not match input rank 4");

    g = ut_fresh(&u);
    {
        Tensor *x = ut_input(g, "X", F, 2, DIMS(4, 8));
        Tensor *w = ut_const_f32(g, "W", 2, DIMS(4, 8), 1);
        ut_node(g, OP_Conv, 13, "conv", 2, INS(x, w), 1);
    }
    ASSERT_FAILS_WITH(ut_infer(g), "input must have 1 to 3 spatial dims, got rank 2");

    g = ut_fresh(&u);
    {
        Tensor *x = ut_input(g, "X", DT_INT64, 4, DIMS(1, 1, 4, 4));
        Tensor *w = ut_input(g, "W", DT_INT64, 4, DIMS(1, 1, 3, 3));
        ut_node(g, OP_Conv, 13, "conv", 2, INS(x, w), 1);
    }
    ASSERT_FAILS_WITH(ut_infer(g), "input 'X' must be a float tensor, not INT64");

    g = ut_fresh(&u);
    {
        Tensor *x = ut_input(g, "X", F, 4, DIMS(1, 1, 4, 4));
        Tensor *w = ut_input(g, "W", DT_DOUBLE, 4, DIMS(1, 1, 3, 3));
        ut_node(g, OP_Conv, 13, "conv", 2, INS(x, w), 1);
    }
    ASSERT_FAILS_WITH(ut_infer(g), "input 'W' is DOUBLE but input 'X' is FLOAT");
    ut_graph_free(&u);
}

/* ---- ConvTranspose: X [1,C,3,3], W [C, M/group, 3, 3] ---- */
static Node *convt_node(Graph *g, int64_t c, const int64_t *wd)
{
    Tensor *x = ut_input(g, "X", F, 4, DIMS(1, c, 3, 3));
    Tensor *w = ut_const_f32(g, "W", 4, wd, 1.0f);
    return ut_node(g, OP_ConvTranspose, 13, "convt", 2, INS(x, w), 1);
}

static void test_conv_transpose(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Graph *g;
    Node *n;
#define CT() (g = ut_fresh(&u), n = convt_node(g, 2, DIMS(2, 3, 3, 3)))
    CT();
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(n->out[0], "[1,3,5,5]");

    CT();
    ut_attr_ints(n, "strides", 2, DIMS(2, 2));
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(n->out[0], "[1,3,7,7]");

    CT();
    ut_attr_ints(n, "strides", 2, DIMS(2, 2));
    ut_attr_ints(n, "output_padding", 2, DIMS(1, 0));
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(n->out[0], "[1,3,8,7]");

    CT();
    ut_attr_ints(n, "strides", 2, DIMS(2, 2));
    ut_attr_ints(n, "pads", 4, DIMS(1, 0, 1, 2));
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(n->out[0], "[1,3,5,5]");

    CT();
    ut_attr_ints(n, "strides", 2, DIMS(2, 2));
    ut_attr_ints(n, "dilations", 2, DIMS(2, 1));
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(n->out[0], "[1,3,9,7]");

    CT(); /* output_shape wins over pads */
    ut_attr_ints(n, "strides", 2, DIMS(2, 2));
    ut_attr_ints(n, "pads", 4, DIMS(1, 1, 1, 1));
    ut_attr_ints(n, "output_shape", 2, DIMS(10, 6));
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(n->out[0], "[1,3,10,6]");

    CT(); /* output_shape may include N and C */
    ut_attr_ints(n, "strides", 2, DIMS(2, 2));
    ut_attr_ints(n, "output_shape", 4, DIMS(1, 3, 6, 7));
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(n->out[0], "[1,3,6,7]");

    CT();
    ut_attr_str(n, "auto_pad", "SAME_UPPER");
    ut_attr_ints(n, "strides", 2, DIMS(2, 2));
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(n->out[0], "[1,3,6,6]");

    CT();
    ut_attr_str(n, "auto_pad", "SAME_LOWER");
    ut_attr_ints(n, "strides", 2, DIMS(3, 1));
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(n->out[0], "[1,3,9,3]");

    CT();
    ut_attr_str(n, "auto_pad", "VALID");
    ut_attr_ints(n, "pads", 4, DIMS(1, 1, 1, 1));
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(n->out[0], "[1,3,5,5]");

    CT();
    ut_attr_ints(n, "output_padding", 1, DIMS(1));
    ASSERT_FAILS_WITH(ut_infer(g), "output_padding must have 2 values");

    CT();
    ut_attr_ints(n, "output_shape", 3, DIMS(1, 5, 5));
    ASSERT_FAILS_WITH(ut_infer(g), "output_shape must have 2 values");

    CT();
    ut_attr_ints(n, "pads", 4, DIMS(3, 3, 3, 3));
    ASSERT_FAILS_WITH(ut_infer(g), "output size -1 is not positive");
#undef CT

    g = ut_fresh(&u); /* group 2: M = W.dims[1] * group */
    n = convt_node(g, 4, DIMS(4, 3, 3, 3));
    ut_attr_int(n, "group", 2);
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(n->out[0], "[1,6,5,5]");

    g = ut_fresh(&u);
    n = convt_node(g, 2, DIMS(3, 3, 3, 3));
    ASSERT_FAILS_WITH(ut_infer(g), "weight has 3 input channels, input has 2");

    g = ut_fresh(&u);
    {
        Tensor *x = ut_input(g, "X", F, 4, DIMS(1, 2, 3, 3));
        Tensor *w = ut_const_f32(g, "W", 4, DIMS(2, 3, 3, 3), 1.0f);
        Tensor *b = ut_const_f32(g, "B", 1, DIMS(2), 1.0f);
        ut_node(g, OP_ConvTranspose, 13, "convt", 3, INS(x, w, b), 1);
    }
    ASSERT_FAILS_WITH(ut_infer(g), "bias must have shape [3]");
    ut_graph_free(&u);
}

/* ---- Gemm and MatMul ---- */
static Node *gemm_node(Graph *g, const int64_t *ad, const int64_t *bd, int crank, const int64_t *cd)
{
    Tensor *a = ut_input(g, "A", F, 2, ad);
    Tensor *b = ut_const_f32(g, "B", 2, bd, 1.0f);
    Tensor *c = crank >= 0 ? ut_const_f32(g, "C", crank, cd, 1.0f) : NULL;
    return ut_node(g, OP_Gemm, 13, "gemm", c ? 3 : 2, INS(a, b, c), 1);
}

static void test_gemm(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Graph *g = ut_fresh(&u);
    Node *n = gemm_node(g, DIMS(4, 3), DIMS(3, 5), -1, NULL);
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(n->out[0], "[4,5]");

    g = ut_fresh(&u);
    n = gemm_node(g, DIMS(3, 4), DIMS(3, 5), 1, DIMS(5));
    ut_attr_int(n, "transA", 1);
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(n->out[0], "[4,5]");

    g = ut_fresh(&u);
    n = gemm_node(g, DIMS(4, 3), DIMS(5, 3), 2, DIMS(4, 1));
    ut_attr_int(n, "transB", 1);
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(n->out[0], "[4,5]");

    g = ut_fresh(&u);
    n = gemm_node(g, DIMS(3, 4), DIMS(5, 3), 0, NULL);
    ut_attr_int(n, "transA", 1);
    ut_attr_int(n, "transB", 1);
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(n->out[0], "[4,5]");

    g = ut_fresh(&u);
    n = gemm_node(g, DIMS(4, 3), DIMS(3, 5), 1, DIMS(3));
    ASSERT_FAILS_WITH(ut_infer(g), "C [3] does not broadcast to [4,5]");

    g = ut_fresh(&u);
    n = gemm_node(g, DIMS(4, 3), DIMS(4, 5), -1, NULL);
    ASSERT_FAILS_WITH(ut_infer(g), "inner dimensions differ: 3 vs 4");

    g = ut_fresh(&u); /* without transA the same A does not fit */
    n = gemm_node(g, DIMS(3, 4), DIMS(3, 5), -1, NULL);
    ASSERT_FAILS_WITH(ut_infer(g), "inner dimensions differ: 4 vs 3");

    g = ut_fresh(&u);
    {
        Tensor *a = ut_input(g, "A", F, 3, DIMS(1, 4, 3));
        Tensor *b = ut_const_f32(g, "B", 2, DIMS(3, 5), 1.0f);
        ut_node(g, OP_Gemm, 13, "gemm", 2, INS(a, b), 1);
    }
    ASSERT_FAILS_WITH(ut_infer(g), "A and B must be 2-D (got rank 3 and 2)");
    ut_graph_free(&u);
}

static int matmul_case(UtGraph *u, int ra, const int64_t *da, int rb, const int64_t *db, char *shape, size_t cap)
{
    Graph *g = ut_fresh(u);
    Tensor *a = ut_input(g, "A", F, ra, da);
    Tensor *b = ut_input(g, "B", F, rb, db);
    Node *n = ut_node(g, OP_MatMul, 13, "mm", 2, INS(a, b), 1);
    int failed = ut_infer(g);
    ut_shape(shape, cap, n->out[0]);
    return failed;
}

#define MATMUL(ra, da, rb, db, want)                                          \
    do {                                                                       \
        char s_[128];                                                          \
        ASSERT_OK(matmul_case(&u, ra, da, rb, db, s_, sizeof s_));            \
        if (strcmp(s_, want)) fprintf(stderr, "\n  MatMul: %s, want %s\n", s_, want); \
        CU_ASSERT_STRING_EQUAL(s_, want);                                      \
    } while (0)

static void test_matmul(void)
{
    UtGraph u;
    ut_graph_init(&u);
    char s[128];
    MATMUL(2, DIMS(2, 3), 2, DIMS(3, 4), "[2,4]");
    MATMUL(1, DIMS(3), 1, DIMS(3), "[]");
    MATMUL(1, DIMS(3), 2, DIMS(3, 4), "[4]");
    MATMUL(2, DIMS(2, 3), 1, DIMS(3), "[2]");
    MATMUL(1, DIMS(3), 3, DIMS(5, 3, 4), "[5,4]");
    MATMUL(3, DIMS(5, 2, 3), 1, DIMS(3), "[5,2]");
    MATMUL(3, DIMS(2, 3, 4), 2, DIMS(4, 5), "[2,3,5]");
    MATMUL(2, DIMS(3, 4), 3, DIMS(7, 4, 5), "[7,3,5]");
    MATMUL(4, DIMS(2, 1, 3, 4), 3, DIMS(5, 4, 6), "[2,5,3,6]");
    MATMUL(3, DIMS(1, 3, 4), 3, DIMS(6, 4, 2), "[6,3,2]");
    ASSERT_FAILS_WITH(matmul_case(&u, 3, DIMS(2, 3, 4), 3, DIMS(3, 4, 5), s, sizeof s),
                      "batch dimensions 2 and 3 do not broadcast");
    ASSERT_FAILS_WITH(matmul_case(&u, 2, DIMS(2, 3), 2, DIMS(4, 5), s, sizeof s), "inner dimensions differ: 3 vs 4");
    ASSERT_FAILS_WITH(matmul_case(&u, 0, NULL, 1, DIMS(3), s, sizeof s), "operands must have rank 1 or more");
    ut_graph_free(&u);
}

/* ---- elementwise ---- */
static int binary_case(UtGraph *u, OpKind op, DType ta, int ra, const int64_t *da, DType tb, int rb,
                       const int64_t *db, Tensor **y)
{
    Graph *g = ut_fresh(u);
    Tensor *a = ut_input(g, "A", ta, ra, da);
    Tensor *b = ut_input(g, "B", tb, rb, db);
    Node *n = ut_node(g, op, 13, "bin", 2, INS(a, b), 1);
    *y = n->out[0];
    return ut_infer(g);
}

static void test_binary_broadcast(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Tensor *y;
    ASSERT_OK(binary_case(&u, OP_Add, F, 3, DIMS(2, 3, 4), F, 1, DIMS(4), &y));
    ASSERT_SHAPE(y, "[2,3,4]");
    ASSERT_OK(binary_case(&u, OP_Mul, F, 3, DIMS(2, 1, 4), F, 2, DIMS(3, 1), &y));
    ASSERT_SHAPE(y, "[2,3,4]");
    ASSERT_OK(binary_case(&u, OP_Sub, F, 0, NULL, F, 1, DIMS(5), &y));
    ASSERT_SHAPE(y, "[5]");
    ASSERT_OK(binary_case(&u, OP_Div, F, 0, NULL, F, 0, NULL, &y));
    CU_ASSERT_EQUAL(y->rank, 0);
    ASSERT_OK(binary_case(&u, OP_Add, F, 2, DIMS(1, 1), F, 4, DIMS(2, 1, 3, 1), &y));
    ASSERT_SHAPE(y, "[2,1,3,1]");
    ASSERT_OK(binary_case(&u, OP_Add, F, 2, DIMS(0, 3), F, 1, DIMS(1), &y));
    ASSERT_SHAPE(y, "[0,3]");
    ASSERT_OK(binary_case(&u, OP_Add, DT_INT64, 1, DIMS(3), DT_INT64, 2, DIMS(2, 1), &y));
    ASSERT_SHAPE(y, "[2,3]");
    CU_ASSERT_EQUAL(y->dtype, DT_INT64);
    ASSERT_OK(binary_case(&u, OP_Pow, F, 1, DIMS(3), DT_INT32, 0, NULL, &y)); /* Pow mixes types */
    ASSERT_SHAPE(y, "[3]");
    CU_ASSERT_EQUAL(y->dtype, DT_FLOAT);

    ASSERT_FAILS_WITH(binary_case(&u, OP_Add, F, 2, DIMS(2, 3), F, 1, DIMS(4), &y),
                      "cannot broadcast 'A' and 'B' (dimension 1: 3 vs 4)");
    ASSERT_FAILS_WITH(binary_case(&u, OP_Mul, F, 3, DIMS(2, 3, 4), F, 3, DIMS(3, 3, 4), &y),
                      "(dimension 0: 2 vs 3)");
    ASSERT_FAILS_WITH(binary_case(&u, OP_Add, F, 1, DIMS(3), DT_INT64, 1, DIMS(3), &y),
                      "input 'B' is INT64 but input 'A' is FLOAT");
    ASSERT_FAILS_WITH(binary_case(&u, OP_Add, DT_BOOL, 1, DIMS(3), DT_BOOL, 1, DIMS(3), &y),
                      "element type BOOL is not supported by this op");
    ut_graph_free(&u);
}

static void test_unary_and_misc(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Graph *g = ut_fresh(&u);
    Tensor *x = ut_input(g, "X", F, 3, DIMS(2, 3, 4));
    Node *r = ut_node(g, OP_Relu, 13, "relu", 1, INS(x), 1);
    Node *s = ut_node(g, OP_Sigmoid, 13, "sig", 1, INS(r->out[0]), 1);
    Node *d = ut_node(g, OP_Dropout, 13, "drop", 1, INS(s->out[0]), 2);
    Node *c = ut_node(g, OP_Clip, 13, "clip", 3, INS(d->out[0], NULL, NULL), 1);
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(c->out[0], "[2,3,4]");
    CU_ASSERT_EQUAL(c->out[0]->dtype, DT_FLOAT);
    ASSERT_SHAPE(d->out[1], "[2,3,4]"); /* the mask: a constant, all true */
    CU_ASSERT_EQUAL(d->out[1]->dtype, DT_BOOL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d->out[1]->data);
    CU_ASSERT_EQUAL(((uint8_t *)d->out[1]->data)[0], 1);
    CU_ASSERT_EQUAL(((uint8_t *)d->out[1]->data)[23], 1);

    g = ut_fresh(&u);
    x = ut_input(g, "X", DT_INT32, 1, DIMS(4));
    ut_node(g, OP_Sigmoid, 13, "sig", 1, INS(x), 1);
    ASSERT_FAILS_WITH(ut_infer(g), "node 'sig' (Sigmoid): element type INT32 is not supported by this op");

    g = ut_fresh(&u);
    x = ut_input(g, "X", F, 1, DIMS(4));
    Tensor *lo = ut_const_f32(g, "lo", 1, DIMS(2), 0.0f);
    ut_node(g, OP_Clip, 13, "clip", 2, INS(x, lo), 1);
    ASSERT_FAILS_WITH(ut_infer(g), "min and max must be scalars");

    g = ut_fresh(&u);
    x = ut_input(g, "X", F, 4, DIMS(2, 3, 4, 4));
    Tensor *p = ut_const_f32(g, "p", 1, DIMS(3), 1.0f);
    Node *bn = ut_node(g, OP_BatchNormalization, 13, "bn", 5, INS(x, p, p, p, p), 1);
    Node *gp = ut_node(g, OP_GlobalAveragePool, 13, "gap", 1, INS(bn->out[0]), 1);
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(bn->out[0], "[2,3,4,4]");
    ASSERT_SHAPE(gp->out[0], "[2,3,1,1]");

    g = ut_fresh(&u);
    x = ut_input(g, "X", F, 4, DIMS(2, 3, 4, 4));
    p = ut_const_f32(g, "p", 1, DIMS(4), 1.0f);
    ut_node(g, OP_BatchNormalization, 13, "bn", 5, INS(x, p, p, p, p), 1);
    ASSERT_FAILS_WITH(ut_infer(g), "input 'p' must have shape [3]");

    g = ut_fresh(&u);
    x = ut_input(g, "X", F, 2, DIMS(2, 3));
    ut_node(g, OP_GlobalMaxPool, 13, "gmp", 1, INS(x), 1);
    ASSERT_FAILS_WITH(ut_infer(g), "input must have rank 3 or more");
    ut_graph_free(&u);
}

/* ---- pools ---- */
static Node *pool_node(Graph *g, OpKind op, int64_t hw, int n_out)
{
    Tensor *x = ut_input(g, "X", F, 4, DIMS(1, 2, hw, hw));
    return ut_node(g, op, 13, "pool", 1, INS(x), n_out);
}

static void test_pool(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Graph *g;
    Node *n;
#define POOL(op, hw, k, s)                                                 \
    (g = ut_fresh(&u), n = pool_node(g, op, hw, 1),                        \
     ut_attr_ints(n, "kernel_shape", 2, DIMS(k, k)), ut_attr_ints(n, "strides", 2, DIMS(s, s)))
    POOL(OP_MaxPool, 5, 2, 2);
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(n->out[0], "[1,2,2,2]");

    POOL(OP_MaxPool, 5, 2, 2);
    ut_attr_int(n, "ceil_mode", 1);
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(n->out[0], "[1,2,3,3]");

    POOL(OP_AveragePool, 5, 2, 2);
    ut_attr_int(n, "ceil_mode", 0);
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(n->out[0], "[1,2,2,2]");

    POOL(OP_AveragePool, 7, 3, 2); /* exact fit: ceil_mode changes nothing */
    ut_attr_int(n, "ceil_mode", 1);
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(n->out[0], "[1,2,3,3]");

    /* ceil_mode: a window that would start in the end padding is dropped */
    POOL(OP_MaxPool, 6, 2, 2);
    ut_attr_ints(n, "pads", 4, DIMS(0, 0, 1, 1));
    ut_attr_int(n, "ceil_mode", 1);
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(n->out[0], "[1,2,3,3]");

    POOL(OP_MaxPool, 5, 3, 1);
    ut_attr_ints(n, "pads", 4, DIMS(1, 1, 1, 1));
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(n->out[0], "[1,2,5,5]");

    POOL(OP_MaxPool, 5, 3, 2);
    ut_attr_str(n, "auto_pad", "SAME_UPPER");
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(n->out[0], "[1,2,3,3]");

    POOL(OP_MaxPool, 5, 3, 2);
    ut_attr_str(n, "auto_pad", "VALID");
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(n->out[0], "[1,2,2,2]");

    POOL(OP_MaxPool, 5, 2, 1);
    ut_attr_ints(n, "dilations", 2, DIMS(2, 2));
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(n->out[0], "[1,2,3,3]");

    POOL(OP_MaxPool, 5, 6, 1);
    ASSERT_FAILS_WITH(ut_infer(g), "the pooling window is larger than the padded input");

    POOL(OP_MaxPool, 5, 2, 0);
    ASSERT_FAILS_WITH(ut_infer(g), "kernel_shape, strides and dilations must be at least 1");
#undef POOL

    g = ut_fresh(&u); /* MaxPool's indices output */
    n = pool_node(g, OP_MaxPool, 4, 2);
    ut_attr_ints(n, "kernel_shape", 2, DIMS(2, 2));
    ut_attr_ints(n, "strides", 2, DIMS(2, 2));
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(n->out[1], "[1,2,2,2]");
    CU_ASSERT_EQUAL(n->out[1]->dtype, DT_INT64);

    g = ut_fresh(&u);
    n = pool_node(g, OP_MaxPool, 4, 1);
    ASSERT_FAILS_WITH(ut_infer(g), "kernel_shape must have 2 values");

    g = ut_fresh(&u);
    {
        Tensor *x = ut_input(g, "X", DT_INT32, 4, DIMS(1, 1, 4, 4));
        n = ut_node(g, OP_AveragePool, 13, "avg", 1, INS(x), 1);
        ut_attr_ints(n, "kernel_shape", 2, DIMS(2, 2));
    }
    ASSERT_FAILS_WITH(ut_infer(g), "must be a float tensor, not INT32");
    ut_graph_free(&u);
}

/* ---- softmax and reductions ---- */
static int softmax_case(UtGraph *u, OpKind op, int opset, int rank, const int64_t *d, int has_axis, int64_t axis,
                        Tensor **y)
{
    Graph *g = ut_fresh(u);
    Tensor *x = ut_input(g, "X", F, rank, d);
    Node *n = ut_node(g, op, opset, "sm", 1, INS(x), 1);
    if (has_axis) ut_attr_int(n, "axis", axis);
    *y = n->out[0];
    return ut_infer(g);
}

static void test_softmax(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Tensor *y;
    ASSERT_OK(softmax_case(&u, OP_Softmax, 13, 2, DIMS(2, 5), 1, -1, &y));
    ASSERT_SHAPE(y, "[2,5]");
    ASSERT_OK(softmax_case(&u, OP_LogSoftmax, 13, 3, DIMS(2, 5, 3), 1, 1, &y));
    ASSERT_SHAPE(y, "[2,5,3]");
    ASSERT_OK(softmax_case(&u, OP_Softmax, 13, 1, DIMS(7), 0, 0, &y)); /* default -1 */
    ASSERT_SHAPE(y, "[7]");
    ASSERT_OK(softmax_case(&u, OP_Softmax, 11, 3, DIMS(2, 5, 3), 1, -3, &y));
    ASSERT_SHAPE(y, "[2,5,3]");
    ASSERT_FAILS_WITH(softmax_case(&u, OP_Softmax, 13, 2, DIMS(2, 5), 1, 2, &y), "axis 2 is out of range for rank 2");
    ASSERT_FAILS_WITH(softmax_case(&u, OP_Softmax, 13, 2, DIMS(2, 5), 1, -3, &y),
                      "axis -3 is out of range for rank 2");
    /* opset < 13 defaults to axis 1, which a 1-D input does not have */
    ASSERT_FAILS_WITH(softmax_case(&u, OP_Softmax, 11, 1, DIMS(7), 0, 0, &y), "axis 1 is out of range for rank 1");
    ut_graph_free(&u);
}

typedef struct ReduceSpec {
    OpKind op;
    int n_axes;          /* -1: no axes attribute */
    const int64_t *axes;
    int keepdims;        /* -1: attribute absent */
    int axes_input;      /* pass axes as input 1 instead */
    int noop;
} ReduceSpec;

static int reduce_case(UtGraph *u, ReduceSpec s, Tensor **y)
{
    Graph *g = ut_fresh(u);
    Tensor *x = ut_input(g, "X", F, 3, DIMS(2, 3, 4));
    Tensor *ax = s.axes_input ? ut_const_i64(g, "axes", s.n_axes, s.axes) : NULL;
    Node *n = ut_node(g, s.op, s.axes_input ? 18 : 13, "red", ax ? 2 : 1, INS(x, ax), 1);
    if (!s.axes_input && s.n_axes >= 0) ut_attr_ints(n, "axes", s.n_axes, s.axes);
    if (s.keepdims >= 0) ut_attr_int(n, "keepdims", s.keepdims);
    if (s.noop) ut_attr_int(n, "noop_with_empty_axes", 1);
    *y = n->out[0];
    return ut_infer(g);
}

static void test_reduce(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Tensor *y;
    ASSERT_OK(reduce_case(&u, (ReduceSpec){OP_ReduceMean, 1, DIMS(1), -1, 0, 0}, &y));
    ASSERT_SHAPE(y, "[2,1,4]");
    ASSERT_OK(reduce_case(&u, (ReduceSpec){OP_ReduceMean, 1, DIMS(1), 0, 0, 0}, &y));
    ASSERT_SHAPE(y, "[2,4]");
    ASSERT_OK(reduce_case(&u, (ReduceSpec){OP_ReduceMax, -1, NULL, 1, 0, 0}, &y));
    ASSERT_SHAPE(y, "[1,1,1]");
    ASSERT_OK(reduce_case(&u, (ReduceSpec){OP_ReduceMax, -1, NULL, 0, 0, 0}, &y));
    CU_ASSERT_EQUAL(y->rank, 0);
    ASSERT_OK(reduce_case(&u, (ReduceSpec){OP_ReduceMean, 2, DIMS(-1, 0), 0, 0, 0}, &y));
    ASSERT_SHAPE(y, "[3]");
    ASSERT_OK(reduce_case(&u, (ReduceSpec){OP_ReduceMean, 1, DIMS(2), 0, 1, 0}, &y));
    ASSERT_SHAPE(y, "[2,3]");
    ASSERT_OK(reduce_case(&u, (ReduceSpec){OP_ReduceMean, 0, NULL, 1, 1, 1}, &y)); /* empty axes, noop */
    ASSERT_SHAPE(y, "[2,3,4]");
    ASSERT_OK(reduce_case(&u, (ReduceSpec){OP_ReduceMean, 0, NULL, 1, 1, 0}, &y)); /* empty axes: all */
    ASSERT_SHAPE(y, "[1,1,1]");
    ASSERT_FAILS_WITH(reduce_case(&u, (ReduceSpec){OP_ReduceMean, 2, DIMS(1, -2), 1, 0, 0}, &y),
                      "axis -2 is repeated");
    ASSERT_FAILS_WITH(reduce_case(&u, (ReduceSpec){OP_ReduceMax, 1, DIMS(3), 1, 0, 0}, &y),
                      "axis 3 is out of range for rank 3");
    ut_graph_free(&u);
}

/* ---- shape ops ---- */
static int flatten_case(UtGraph *u, int64_t axis, Tensor **y)
{
    Graph *g = ut_fresh(u);
    Tensor *x = ut_input(g, "X", F, 4, DIMS(2, 3, 4, 5));
    Node *n = ut_node(g, OP_Flatten, 13, "flat", 1, INS(x), 1);
    if (axis != 99) ut_attr_int(n, "axis", axis);
    *y = n->out[0];
    return ut_infer(g);
}

static void test_flatten(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Tensor *y;
    ASSERT_OK(flatten_case(&u, 99, &y));
    ASSERT_SHAPE(y, "[2,60]");
    ASSERT_OK(flatten_case(&u, 0, &y));
    ASSERT_SHAPE(y, "[1,120]");
    ASSERT_OK(flatten_case(&u, 4, &y));
    ASSERT_SHAPE(y, "[120,1]");
    ASSERT_OK(flatten_case(&u, -1, &y));
    ASSERT_SHAPE(y, "[24,5]");
    ASSERT_OK(flatten_case(&u, -3, &y));
    ASSERT_SHAPE(y, "[2,60]");
    ASSERT_OK(flatten_case(&u, -4, &y));
    ASSERT_SHAPE(y, "[1,120]");
    ASSERT_FAILS_WITH(flatten_case(&u, 5, &y), "axis 5 is out of range for rank 4");
    ASSERT_FAILS_WITH(flatten_case(&u, -5, &y), "axis -5 is out of range");
    ut_graph_free(&u);
}

static int reshape_case(UtGraph *u, int n_shape, const int64_t *shape, int allowzero, int const_shape, Tensor **y)
{
    Graph *g = ut_fresh(u);
    Tensor *x = ut_input(g, "X", F, 3, DIMS(2, 3, 4));
    Tensor *s = const_shape ? ut_const_i64(g, "shape", n_shape, shape)
                            : ut_input(g, "shape", DT_INT64, 1, DIMS(n_shape));
    Node *n = ut_node(g, OP_Reshape, 14, "rs", 2, INS(x, s), 1);
    if (allowzero) ut_attr_int(n, "allowzero", 1);
    *y = n->out[0];
    return ut_infer(g);
}

static void test_reshape(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Tensor *y;
    ASSERT_OK(reshape_case(&u, 2, DIMS(0, -1), 0, 1, &y));
    ASSERT_SHAPE(y, "[2,12]");
    ASSERT_OK(reshape_case(&u, 1, DIMS(-1), 0, 1, &y));
    ASSERT_SHAPE(y, "[24]");
    ASSERT_OK(reshape_case(&u, 3, DIMS(4, 0, 2), 0, 1, &y));
    ASSERT_SHAPE(y, "[4,3,2]");
    ASSERT_OK(reshape_case(&u, 4, DIMS(-1, 0, 2, 1), 0, 1, &y));
    ASSERT_SHAPE(y, "[4,3,2,1]");
    ASSERT_OK(reshape_case(&u, 3, DIMS(0, 0, 0), 0, 1, &y));
    ASSERT_SHAPE(y, "[2,3,4]");
    ASSERT_FAILS_WITH(reshape_case(&u, 2, DIMS(-1, -1), 0, 1, &y), "shape has more than one -1");
    ASSERT_FAILS_WITH(reshape_case(&u, 2, DIMS(5, -1), 0, 1, &y),
                      "cannot infer the -1 dimension (24 elements into 5)");
    ASSERT_FAILS_WITH(reshape_case(&u, 2, DIMS(7, 2), 0, 1, &y), "output has 14 elements but input has 24");
    ASSERT_FAILS_WITH(reshape_case(&u, 2, DIMS(0, 24), 1, 1, &y), "output has 0 elements but input has 24");
    ASSERT_FAILS_WITH(reshape_case(&u, 4, DIMS(0, 0, 0, 0), 0, 1, &y),
                      "shape[3] = 0 copies a dimension the input does not have");
    ASSERT_FAILS_WITH(reshape_case(&u, 2, DIMS(-2, 12), 0, 1, &y), "shape[0] = -2 is invalid");
    ASSERT_FAILS_WITH(reshape_case(&u, 2, DIMS(2, 12), 0, 0, &y), "input 'shape' must be a constant");
    ut_graph_free(&u);
}

static int squeeze_case(UtGraph *u, OpKind op, int opset, int xr, const int64_t *xd, int n_axes,
                        const int64_t *axes, Tensor **y)
{
    Graph *g = ut_fresh(u);
    Tensor *x = ut_input(g, "X", F, xr, xd);
    Tensor *ax = opset >= 13 && n_axes >= 0 ? ut_const_i64(g, "axes", n_axes, axes) : NULL;
    Node *n = ut_node(g, op, opset, "sq", ax ? 2 : 1, INS(x, ax), 1);
    if (opset < 13 && n_axes >= 0) ut_attr_ints(n, "axes", n_axes, axes);
    *y = n->out[0];
    return ut_infer(g);
}

static void test_squeeze_unsqueeze(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Tensor *y;
    const int64_t *x = DIMS(1, 3, 1, 5);
    ASSERT_OK(squeeze_case(&u, OP_Squeeze, 11, 4, x, 1, DIMS(0), &y));
    ASSERT_SHAPE(y, "[3,1,5]");
    ASSERT_OK(squeeze_case(&u, OP_Squeeze, 11, 4, x, -1, NULL, &y));
    ASSERT_SHAPE(y, "[3,5]");
    ASSERT_OK(squeeze_case(&u, OP_Squeeze, 13, 4, x, 1, DIMS(-2), &y));
    ASSERT_SHAPE(y, "[1,3,5]");
    ASSERT_OK(squeeze_case(&u, OP_Squeeze, 13, 4, x, -1, NULL, &y));
    ASSERT_SHAPE(y, "[3,5]");
    ASSERT_FAILS_WITH(squeeze_case(&u, OP_Squeeze, 13, 4, x, 1, DIMS(1), &y), "cannot squeeze axis 1 of size 3");
    ASSERT_FAILS_WITH(squeeze_case(&u, OP_Squeeze, 11, 4, x, 1, DIMS(4), &y), "axis 4 is out of range for rank 4");

    ASSERT_OK(squeeze_case(&u, OP_Unsqueeze, 11, 2, DIMS(3, 4), 2, DIMS(0, 3), &y));
    ASSERT_SHAPE(y, "[1,3,4,1]");
    ASSERT_OK(squeeze_case(&u, OP_Unsqueeze, 13, 2, DIMS(3, 4), 1, DIMS(-1), &y));
    ASSERT_SHAPE(y, "[3,4,1]");
    ASSERT_OK(squeeze_case(&u, OP_Unsqueeze, 13, 2, DIMS(3, 4), 2, DIMS(1, -1), &y));
    ASSERT_SHAPE(y, "[3,1,4,1]");
    ASSERT_OK(squeeze_case(&u, OP_Unsqueeze, 13, 0, NULL, 1, DIMS(0), &y));
    ASSERT_SHAPE(y, "[1]");
    ASSERT_FAILS_WITH(squeeze_case(&u, OP_Unsqueeze, 13, 2, DIMS(3, 4), 2, DIMS(0, -4), &y), "axis -4 is repeated");
    ASSERT_FAILS_WITH(squeeze_case(&u, OP_Unsqueeze, 11, 2, DIMS(3, 4), -1, NULL, &y), "axes are required");
    ASSERT_FAILS_WITH(squeeze_case(&u, OP_Unsqueeze, 13, 2, DIMS(3, 4), 1, DIMS(3), &y),
                      "axis 3 is out of range for rank 3");
    ut_graph_free(&u);
}

static int transpose_case(UtGraph *u, int n_perm, const int64_t *perm, Tensor **y)
{
    Graph *g = ut_fresh(u);
    Tensor *x = ut_input(g, "X", DT_INT32, 3, DIMS(2, 3, 4));
    Node *n = ut_node(g, OP_Transpose, 13, "tr", 1, INS(x), 1);
    if (n_perm >= 0) ut_attr_ints(n, "perm", n_perm, perm);
    *y = n->out[0];
    return ut_infer(g);
}

static void test_transpose(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Tensor *y;
    ASSERT_OK(transpose_case(&u, -1, NULL, &y));
    ASSERT_SHAPE(y, "[4,3,2]");
    CU_ASSERT_EQUAL(y->dtype, DT_INT32);
    ASSERT_OK(transpose_case(&u, 3, DIMS(1, 0, 2), &y));
    ASSERT_SHAPE(y, "[3,2,4]");
    ASSERT_OK(transpose_case(&u, 3, DIMS(2, 0, 1), &y));
    ASSERT_SHAPE(y, "[4,2,3]");
    ASSERT_FAILS_WITH(transpose_case(&u, 3, DIMS(0, 0, 1), &y), "perm is not a permutation");
    ASSERT_FAILS_WITH(transpose_case(&u, 3, DIMS(0, 1, 3), &y), "perm is not a permutation");
    ASSERT_FAILS_WITH(transpose_case(&u, 2, DIMS(1, 0), &y), "perm has 2 entries for rank 3");
    ut_graph_free(&u);
}

static void test_concat(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Graph *g = ut_fresh(&u);
    Tensor *a = ut_input(g, "a", F, 2, DIMS(2, 3));
    Tensor *b = ut_input(g, "b", F, 2, DIMS(2, 5));
    Tensor *c = ut_const_f32(g, "c", 2, DIMS(2, 1), 0);
    Node *n = ut_node(g, OP_Concat, 13, "cat", 3, INS(a, b, c), 1);
    ut_attr_int(n, "axis", 1);
    Node *m = ut_node(g, OP_Concat, 13, "cat2", 2, INS(a, a), 1);
    ut_attr_int(m, "axis", -2);
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(n->out[0], "[2,9]");
    ASSERT_SHAPE(m->out[0], "[4,3]");

    g = ut_fresh(&u);
    a = ut_input(g, "a", F, 2, DIMS(2, 3));
    b = ut_input(g, "b", F, 2, DIMS(2, 5));
    n = ut_node(g, OP_Concat, 13, "cat", 2, INS(a, b), 1);
    ut_attr_int(n, "axis", 0);
    ASSERT_FAILS_WITH(ut_infer(g), "input 'b' differs in dimension 1");

    g = ut_fresh(&u);
    a = ut_input(g, "a", F, 2, DIMS(2, 3));
    b = ut_input(g, "b", DT_INT64, 2, DIMS(2, 3));
    n = ut_node(g, OP_Concat, 13, "cat", 2, INS(a, b), 1);
    ut_attr_int(n, "axis", 0);
    ASSERT_FAILS_WITH(ut_infer(g), "input 'b' differs in type or rank from 'a'");

    g = ut_fresh(&u);
    a = ut_input(g, "a", F, 2, DIMS(2, 3));
    ut_node(g, OP_Concat, 13, "cat", 2, INS(a, a), 1);
    ASSERT_FAILS_WITH(ut_infer(g), "attribute 'axis' is required");

    g = ut_fresh(&u);
    a = ut_input(g, "a", F, 2, DIMS(2, 3));
    n = ut_node(g, OP_Concat, 13, "cat", 2, INS(a, a), 1);
    ut_attr_int(n, "axis", 2);
    ASSERT_FAILS_WITH(ut_infer(g), "axis 2 is out of range for rank 2");
    ut_graph_free(&u);
}

static int gather_case(UtGraph *u, int64_t axis, DType it, int ir, const int64_t *id, const int64_t *values,
                       Tensor **y)
{
    Graph *g = ut_fresh(u);
    Tensor *x = ut_input(g, "data", F, 2, DIMS(5, 4));
    Tensor *idx;
    if (values) {
        idx = ut_const_i64(g, "idx", (int)id[0], values);
    } else {
        idx = ut_input(g, "idx", it, ir, id);
    }
    Node *n = ut_node(g, OP_Gather, 13, "gather", 2, INS(x, idx), 1);
    ut_attr_int(n, "axis", axis);
    *y = n->out[0];
    return ut_infer(g);
}

static void test_gather(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Tensor *y;
    ASSERT_OK(gather_case(&u, 0, DT_INT64, 2, DIMS(2, 3), NULL, &y));
    ASSERT_SHAPE(y, "[2,3,4]");
    ASSERT_OK(gather_case(&u, 1, DT_INT32, 2, DIMS(2, 3), NULL, &y));
    ASSERT_SHAPE(y, "[5,2,3]");
    ASSERT_OK(gather_case(&u, -1, DT_INT64, 1, DIMS(6), NULL, &y));
    ASSERT_SHAPE(y, "[5,6]");
    ASSERT_OK(gather_case(&u, 0, DT_INT64, 0, NULL, NULL, &y));
    ASSERT_SHAPE(y, "[4]");
    ASSERT_OK(gather_case(&u, 0, DT_INT64, 1, DIMS(2), DIMS(4, -5), &y));
    ASSERT_SHAPE(y, "[2,4]");
    ASSERT_FAILS_WITH(gather_case(&u, 0, DT_INT64, 1, DIMS(2), DIMS(0, 5), &y),
                      "index 5 is out of range for axis of size 5");
    ASSERT_FAILS_WITH(gather_case(&u, 0, DT_INT64, 1, DIMS(1), DIMS(-6), &y), "index -6 is out of range");
    ASSERT_FAILS_WITH(gather_case(&u, 0, F, 1, DIMS(2), NULL, &y), "indices must be INT32 or INT64");
    ASSERT_FAILS_WITH(gather_case(&u, 2, DT_INT64, 1, DIMS(2), NULL, &y), "axis 2 is out of range for rank 2");
    ut_graph_free(&u);
}

static int pad_case(UtGraph *u, int opset, int n_pads, const int64_t *pads, const char *mode, Tensor **y)
{
    Graph *g = ut_fresh(u);
    Tensor *x = ut_input(g, "X", F, 2, DIMS(2, 3));
    Tensor *p = opset >= 11 ? ut_const_i64(g, "pads", n_pads, pads) : NULL;
    Node *n = ut_node(g, OP_Pad, opset, "pad", p ? 2 : 1, INS(x, p), 1);
    if (opset < 11) ut_attr_ints(n, opset < 2 ? "paddings" : "pads", n_pads, pads);
    if (mode) ut_attr_str(n, "mode", mode);
    *y = n->out[0];
    return ut_infer(g);
}

static void test_pad(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Tensor *y;
    ASSERT_OK(pad_case(&u, 13, 4, DIMS(1, 0, 2, 1), NULL, &y));
    ASSERT_SHAPE(y, "[5,4]");
    ASSERT_OK(pad_case(&u, 2, 4, DIMS(0, 1, 0, 1), "constant", &y));
    ASSERT_SHAPE(y, "[2,5]");
    ASSERT_OK(pad_case(&u, 1, 4, DIMS(1, 1, 1, 1), "edge", &y));
    ASSERT_SHAPE(y, "[4,5]");
    ASSERT_OK(pad_case(&u, 13, 4, DIMS(1, 2, 1, 2), "reflect", &y));
    ASSERT_SHAPE(y, "[4,7]");
    ASSERT_FAILS_WITH(pad_case(&u, 13, 4, DIMS(2, 0, 0, 0), "reflect", &y),
                      "reflect padding must be smaller than the dimension");
    ASSERT_FAILS_WITH(pad_case(&u, 13, 2, DIMS(1, 1), NULL, &y), "pads must have 4 values, got 2");
    ASSERT_OK(pad_case(&u, 13, 4, DIMS(0, -1, 0, 0), NULL, &y)); /* negative pads crop */
    ASSERT_SHAPE(y, "[2,2]");
    ASSERT_FAILS_WITH(pad_case(&u, 13, 4, DIMS(0, 0, 0, 0), "wrap", &y), "unknown mode 'wrap'");
    ut_graph_free(&u);
}

static void test_constant(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Graph *g = ut_fresh(&u);
    Node *c = ut_node(g, OP_Constant, 13, "c", 0, NULL, 1);
    ut_attr_ints(c, "value_ints", 3, DIMS(4, -1, 7));
    Node *f = ut_node(g, OP_Constant, 13, "f", 0, NULL, 1);
    ut_attr_float(f, "value_float", 2.5f);
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(c->out[0], "[3]");
    CU_ASSERT_EQUAL(c->out[0]->dtype, DT_INT64);
    CU_ASSERT_TRUE_FATAL(tensor_is_const(c->out[0]));
    CU_ASSERT_EQUAL(tensor_get_int(c->out[0], 1), -1);
    CU_ASSERT_EQUAL(tensor_get_int(c->out[0], 2), 7);
    CU_ASSERT_EQUAL(f->out[0]->rank, 0);
    CU_ASSERT_EQUAL(f->out[0]->dtype, DT_FLOAT);
    CU_ASSERT_TRUE_FATAL(tensor_is_const(f->out[0]));
    CU_ASSERT_DOUBLE_EQUAL(tensor_get_double(f->out[0], 0), 2.5, 0);

    g = ut_fresh(&u);
    c = ut_node(g, OP_Constant, 13, "c", 0, NULL, 1);
    ut_attr_int(c, "value_int", 1);
    ut_attr_float(c, "value_float", 1.0f);
    ASSERT_FAILS_WITH(ut_infer(g), "needs exactly one value attribute");

    g = ut_fresh(&u);
    ut_node(g, OP_Constant, 13, "c", 0, NULL, 1);
    ASSERT_FAILS_WITH(ut_infer(g), "needs exactly one value attribute");
    ut_graph_free(&u);
}

/* A small network: shapes flow from node to node. */
static void test_chain_propagation(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Graph *g = ut_fresh(&u);
    Tensor *x = ut_input(g, "X", F, 4, DIMS(2, 1, 28, 28));
    Tensor *w = ut_const_f32(g, "W", 4, DIMS(8, 1, 5, 5), 0.1f);
    Node *conv = ut_node(g, OP_Conv, 13, "conv", 2, INS(x, w), 1);
    ut_attr_ints(conv, "pads", 4, DIMS(2, 2, 2, 2));
    Node *relu = ut_node(g, OP_Relu, 13, "relu", 1, INS(conv->out[0]), 1);
    Node *pool = ut_node(g, OP_MaxPool, 13, "pool", 1, INS(relu->out[0]), 1);
    ut_attr_ints(pool, "kernel_shape", 2, DIMS(2, 2));
    ut_attr_ints(pool, "strides", 2, DIMS(2, 2));
    Node *flat = ut_node(g, OP_Flatten, 13, "flat", 1, INS(pool->out[0]), 1);
    Tensor *fc = ut_const_f32(g, "FC", 2, DIMS(10, 1568), 0.1f);
    Node *gemm = ut_node(g, OP_Gemm, 13, "gemm", 2, INS(flat->out[0], fc), 1);
    ut_attr_int(gemm, "transB", 1);
    Node *sm = ut_node(g, OP_Softmax, 13, "sm", 1, INS(gemm->out[0]), 1);
    g->outputs[g->n_outputs++] = sm->out[0];
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(conv->out[0], "[2,8,28,28]");
    ASSERT_SHAPE(pool->out[0], "[2,8,14,14]");
    ASSERT_SHAPE(flat->out[0], "[2,1568]");
    ASSERT_SHAPE(sm->out[0], "[2,10]");
    ut_graph_free(&u);
}

int unit_add_infer_suite(void)
{
    CU_pSuite s = CU_add_suite("shape inference", NULL, NULL);
    if (!s) return -1;
    return !CU_add_test(s, "Conv pads/strides/dilations", test_conv) ||
           !CU_add_test(s, "Conv auto_pad", test_conv_auto_pad) ||
           !CU_add_test(s, "Conv group", test_conv_group) ||
           !CU_add_test(s, "Conv errors", test_conv_errors) ||
           !CU_add_test(s, "ConvTranspose", test_conv_transpose) ||
           !CU_add_test(s, "Gemm", test_gemm) ||
           !CU_add_test(s, "MatMul", test_matmul) ||
           !CU_add_test(s, "binary broadcasting", test_binary_broadcast) ||
           !CU_add_test(s, "unary, Dropout, BatchNorm, global pools", test_unary_and_misc) ||
           !CU_add_test(s, "pools", test_pool) ||
           !CU_add_test(s, "Softmax axis", test_softmax) ||
           !CU_add_test(s, "Reduce keepdims/axes", test_reduce) ||
           !CU_add_test(s, "Flatten", test_flatten) ||
           !CU_add_test(s, "Reshape", test_reshape) ||
           !CU_add_test(s, "Squeeze/Unsqueeze", test_squeeze_unsqueeze) ||
           !CU_add_test(s, "Transpose", test_transpose) ||
           !CU_add_test(s, "Concat", test_concat) ||
           !CU_add_test(s, "Gather", test_gather) ||
           !CU_add_test(s, "Pad", test_pad) ||
           !CU_add_test(s, "Constant", test_constant) ||
           !CU_add_test(s, "chain propagation", test_chain_propagation)
               ? -1
               : 0;
}
