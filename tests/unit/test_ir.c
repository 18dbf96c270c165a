/* test_ir.c — the IR and its toolbox: dtype tables, tensors (element counts,
 * overflow), attributes (defaults, wrong types), node inputs, the operator
 * registry, checked arithmetic and the error traps. */
#include "unit.h"

#include "ir/ops.h"

static void test_dtype_tables(void)
{
    CU_ASSERT_STRING_EQUAL(dtype_name(DT_FLOAT), "FLOAT");
    CU_ASSERT_STRING_EQUAL(dtype_name(DT_INT64), "INT64");
    CU_ASSERT_STRING_EQUAL(dtype_name(DT_FLOAT16), "FLOAT16");
    CU_ASSERT_STRING_EQUAL(dtype_name((DType)14), "COMPLEX64");
    CU_ASSERT_STRING_EQUAL(dtype_name((DType)16), "BFLOAT16");
    CU_ASSERT_STRING_EQUAL(dtype_name((DType)17), "UNKNOWN");
    CU_ASSERT_STRING_EQUAL(dtype_name((DType)-1), "UNKNOWN");
    CU_ASSERT_STRING_EQUAL(dtype_ctype(DT_FLOAT), "float");
    CU_ASSERT_STRING_EQUAL(dtype_ctype(DT_DOUBLE), "double");
    CU_ASSERT_STRING_EQUAL(dtype_ctype(DT_INT8), "int8_t");
    CU_ASSERT_STRING_EQUAL(dtype_ctype(DT_UINT64), "uint64_t");
    CU_ASSERT_STRING_EQUAL(dtype_ctype(DT_BOOL), "uint8_t");
    static const struct { DType t; int size, supported, is_float; } want[] = {
        {DT_UNDEFINED, 0, 0, 0}, {DT_FLOAT, 4, 1, 1},  {DT_UINT8, 1, 1, 0},   {DT_INT8, 1, 1, 0},
        {DT_UINT16, 2, 1, 0},    {DT_INT16, 2, 1, 0},  {DT_INT32, 4, 1, 0},   {DT_INT64, 8, 1, 0},
        {DT_STRING, 0, 0, 0},    {DT_BOOL, 1, 1, 0},   {DT_FLOAT16, 2, 0, 0}, {DT_DOUBLE, 8, 1, 1},
        {DT_UINT32, 4, 1, 0},    {DT_UINT64, 8, 1, 0}, {(DType)16, 0, 0, 0},  {(DType)99, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        CU_ASSERT_EQUAL(dtype_size(want[i].t), want[i].size);
        CU_ASSERT_EQUAL(dtype_supported(want[i].t), want[i].supported);
        CU_ASSERT_EQUAL(dtype_is_float(want[i].t), want[i].is_float);
    }
}

static void test_graph_add_tensor_defaults(void)
{
    UtGraph u;
    ut_graph_init(&u);
    char name[8] = "abc";
    Tensor *a = graph_add_tensor(u.g, name);
    Tensor *b = graph_add_tensor(u.g, "b");
    name[0] = 'X'; /* the graph keeps its own copy */
    CU_ASSERT_STRING_EQUAL(a->name, "abc");
    CU_ASSERT_EQUAL(a->id, 0);
    CU_ASSERT_EQUAL(b->id, 1);
    CU_ASSERT_EQUAL(a->rank, -1);
    CU_ASSERT_EQUAL(a->input_index, -1);
    CU_ASSERT_EQUAL(a->output_index, -1);
    CU_ASSERT_EQUAL(a->ws_offset, -1);
    CU_ASSERT_PTR_NULL(a->data);
    CU_ASSERT_PTR_NULL(a->producer);
    CU_ASSERT_FALSE(tensor_is_const(a));
    CU_ASSERT_FALSE(tensor_is_const(NULL));
    CU_ASSERT_PTR_EQUAL(graph_find_tensor(u.g, "abc"), a);
    CU_ASSERT_PTR_EQUAL(graph_find_tensor(u.g, "b"), b);
    CU_ASSERT_PTR_NULL(graph_find_tensor(u.g, "Xbc"));
    /* growth past the first block keeps earlier tensors findable */
    for (int i = 0; i < 200; i++) graph_add_tensor(u.g, arena_printf(u.g->arena, "t%d", i));
    CU_ASSERT_EQUAL(u.g->n_tensors, 202);
    CU_ASSERT_PTR_EQUAL(graph_find_tensor(u.g, "abc"), a);
    CU_ASSERT_EQUAL(graph_find_tensor(u.g, "t150")->id, 152);
    ut_graph_free(&u);
}

static void test_graph_add_node(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Node *n = graph_add_node(u.g, "n0", "Relu", 2, 1);
    CU_ASSERT_STRING_EQUAL(n->name, "n0");
    CU_ASSERT_STRING_EQUAL(n->op_type, "Relu");
    CU_ASSERT_EQUAL(n->op, OP_COUNT_);
    CU_ASSERT_EQUAL(n->n_in, 2);
    CU_ASSERT_EQUAL(n->n_out, 1);
    CU_ASSERT_PTR_NULL(n->in[0]);
    CU_ASSERT_PTR_NULL(n->in[1]);
    CU_ASSERT_PTR_NULL(n->out[0]);
    CU_ASSERT_EQUAL(n->id, 0);
    CU_ASSERT_EQUAL(graph_add_node(u.g, "n1", "Relu", 0, 0)->id, 1);
    CU_ASSERT_EQUAL(u.g->n_nodes, 2);
    ut_graph_free(&u);
}

static void test_node_input(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Tensor *x = ut_input(u.g, "x", DT_FLOAT, 1, DIMS(4));
    Tensor *y = ut_input(u.g, "y", DT_FLOAT, 1, DIMS(4));
    Node *n = ut_node(u.g, OP_Clip, 13, "clip", 3, INS(x, NULL, y), 1);
    CU_ASSERT_PTR_EQUAL(node_input(n, 0), x);
    CU_ASSERT_PTR_NULL(node_input(n, 1)); /* omitted optional */
    CU_ASSERT_PTR_EQUAL(node_input(n, 2), y);
    CU_ASSERT_PTR_NULL(node_input(n, 3)); /* beyond n_in */
    CU_ASSERT_PTR_NULL(node_input(n, 100));
    ut_graph_free(&u);
}

/* ---- element counts ---- */
typedef struct NumelCtx {
    Tensor t;
    int64_t result;
} NumelCtx;

static void numel_thunk(void *p)
{
    NumelCtx *c = p;
    c->result = tensor_numel(&c->t);
}

static int numel_of(int rank, const int64_t *dims, int64_t *out)
{
    NumelCtx c;
    memset(&c, 0, sizeof c);
    c.t.name = "t";
    c.t.dtype = DT_FLOAT;
    c.t.rank = rank;
    for (int i = 0; i < rank; i++) c.t.dims[i] = dims[i];
    c.result = -7;
    int failed = ut_try(numel_thunk, &c);
    *out = c.result;
    return failed;
}

static void test_tensor_numel(void)
{
    int64_t n;
    ASSERT_OK(numel_of(3, DIMS(2, 3, 4), &n));
    CU_ASSERT_EQUAL(n, 24);
    ASSERT_OK(numel_of(0, NULL, &n));
    CU_ASSERT_EQUAL(n, 1); /* a scalar */
    ASSERT_OK(numel_of(2, DIMS(0, 5), &n));
    CU_ASSERT_EQUAL(n, 0);
    ASSERT_OK(numel_of(1, DIMS(NNC_MAX_ELEMS), &n));
    CU_ASSERT_EQUAL(n, NNC_MAX_ELEMS);
    ASSERT_FAILS_WITH(numel_of(1, DIMS(NNC_MAX_ELEMS + 1), &n), "tensor 't': element count overflows");
    ASSERT_FAILS_WITH(numel_of(2, DIMS(65536, 65536), &n), "element count overflows");
    /* overflows int64 itself, not only the limit */
    ASSERT_FAILS_WITH(numel_of(3, DIMS(1LL << 40, 1LL << 40, 1LL << 40), &n), "element count overflows");
    /* a zero dim after a huge product still fails at the first overflow */
    ASSERT_FAILS_WITH(numel_of(3, DIMS(1LL << 20, 1LL << 20, 0), &n), "overflows");
}

static void test_tensor_bytes_and_set_shape(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Tensor *t = ut_input(u.g, "t", DT_DOUBLE, 2, DIMS(3, 5));
    CU_ASSERT_EQUAL(tensor_bytes(t), 120);
    Tensor *b = ut_input(u.g, "b", DT_BOOL, 1, DIMS(7));
    CU_ASSERT_EQUAL(tensor_bytes(b), 7);
    ASSERT_SHAPE(t, "[3,5]");
    char *s = shape_str(u.g->arena, t);
    CU_ASSERT_STRING_EQUAL(s, "[3,5]");
    Tensor *sc = ut_input(u.g, "sc", DT_INT32, 0, NULL);
    CU_ASSERT_STRING_EQUAL(shape_str(u.g->arena, sc), "[]");
    CU_ASSERT_EQUAL(tensor_bytes(sc), 4);
    ut_graph_free(&u);
}

static void set_negative_thunk(void *p)
{
    Tensor *t = p;
    tensor_set_shape(t, DT_FLOAT, 2, DIMS(3, -1));
}

static void test_tensor_set_shape_negative(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Tensor *t = graph_add_tensor(u.g, "neg");
    ASSERT_FAILS_WITH(ut_try(set_negative_thunk, t), "tensor 'neg': negative dimension -1");
    ut_graph_free(&u);
}

/* ---- reading constants ---- */
typedef struct GetIntCtx {
    const Tensor *t;
    int64_t i, v;
} GetIntCtx;

static void get_int_thunk(void *p)
{
    GetIntCtx *c = p;
    c->v = tensor_get_int(c->t, c->i);
}

static void test_tensor_get_int_and_double(void)
{
    int32_t i32[] = {-5, 7};
    uint8_t u8[] = {250, 1};
    uint64_t u64[] = {42};
    int16_t i16[] = {-300};
    float f32[] = {2.75f, -1.5f};
    uint16_t f16[] = {0x3c00};
    Tensor t = {.name = "c", .rank = 1};
    t.dtype = DT_INT32;
    t.data = i32;
    CU_ASSERT_EQUAL(tensor_get_int(&t, 0), -5);
    CU_ASSERT_EQUAL(tensor_get_int(&t, 1), 7);
    CU_ASSERT_DOUBLE_EQUAL(tensor_get_double(&t, 1), 7.0, 0);
    t.dtype = DT_UINT8;
    t.data = u8;
    CU_ASSERT_EQUAL(tensor_get_int(&t, 0), 250);
    t.dtype = DT_BOOL;
    CU_ASSERT_EQUAL(tensor_get_int(&t, 1), 1);
    t.dtype = DT_UINT64;
    t.data = u64;
    CU_ASSERT_EQUAL(tensor_get_int(&t, 0), 42);
    t.dtype = DT_INT16;
    t.data = i16;
    CU_ASSERT_EQUAL(tensor_get_int(&t, 0), -300);
    t.dtype = DT_FLOAT;
    t.data = f32;
    CU_ASSERT_EQUAL(tensor_get_int(&t, 0), 2); /* truncates */
    CU_ASSERT_DOUBLE_EQUAL(tensor_get_double(&t, 0), 2.75, 0);
    CU_ASSERT_DOUBLE_EQUAL(tensor_get_double(&t, 1), -1.5, 0);
    t.dtype = DT_FLOAT16;
    t.data = f16;
    GetIntCtx c = {&t, 0, -1};
    ASSERT_FAILS_WITH(ut_try(get_int_thunk, &c), "tensor 'c': expected an integer tensor");
}

/* ---- attributes ---- */
typedef struct AttrCtx {
    const Node *n;
    const char *name;
    int kind; /* 0 int, 1 float, 2 str, 3 ints, 4 floats */
} AttrCtx;

static void attr_thunk(void *p)
{
    AttrCtx *c = p;
    const int64_t *iv;
    const float *fv;
    switch (c->kind) {
    case 0: (void)node_attr_int(c->n, c->name, 0); break;
    case 1: (void)node_attr_float(c->n, c->name, 0); break;
    case 2: (void)node_attr_str(c->n, c->name, ""); break;
    case 3: (void)node_attr_ints(c->n, c->name, &iv); break;
    default: (void)node_attr_floats(c->n, c->name, &fv); break;
    }
}

static void test_node_attrs(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Tensor *x = ut_input(u.g, "x", DT_FLOAT, 1, DIMS(4));
    Node *n = ut_node(u.g, OP_LeakyRelu, 13, "lr", 1, INS(x), 1);
    ut_attr_float(n, "alpha", 0.25f);
    ut_attr_int(n, "count", -3);
    ut_attr_str(n, "mode", "edge");
    ut_attr_ints(n, "pads", 3, DIMS(1, 2, 3));
    static float fl[] = {0.5f, 1.5f};
    Attr *fa = &n->attrs[n->n_attrs++];
    *fa = (Attr){.name = "scales", .type = ATTR_FLOATS, .n = 2, .floats = fl};

    /* present */
    CU_ASSERT_DOUBLE_EQUAL(node_attr_float(n, "alpha", 9.0f), 0.25, 0);
    CU_ASSERT_EQUAL(node_attr_int(n, "count", 5), -3);
    CU_ASSERT_STRING_EQUAL(node_attr_str(n, "mode", "constant"), "edge");
    const int64_t *iv = NULL;
    CU_ASSERT_EQUAL(node_attr_ints(n, "pads", &iv), 3);
    CU_ASSERT_PTR_NOT_NULL_FATAL(iv);
    CU_ASSERT_EQUAL(iv[0], 1);
    CU_ASSERT_EQUAL(iv[2], 3);
    const float *fv = NULL;
    CU_ASSERT_EQUAL(node_attr_floats(n, "scales", &fv), 2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(fv);
    CU_ASSERT_DOUBLE_EQUAL(fv[1], 1.5, 0);
    CU_ASSERT_PTR_EQUAL(node_attr(n, "mode"), &n->attrs[2]);

    /* absent: defaults */
    CU_ASSERT_EQUAL(node_attr_int(n, "missing", 77), 77);
    CU_ASSERT_DOUBLE_EQUAL(node_attr_float(n, "missing", 0.125f), 0.125, 0);
    CU_ASSERT_STRING_EQUAL(node_attr_str(n, "missing", "NOTSET"), "NOTSET");
    iv = DIMS(1);
    CU_ASSERT_EQUAL(node_attr_ints(n, "missing", &iv), -1);
    CU_ASSERT_PTR_NULL(iv);
    fv = fl;
    CU_ASSERT_EQUAL(node_attr_floats(n, "missing", &fv), -1);
    CU_ASSERT_PTR_NULL(fv);
    CU_ASSERT_PTR_NULL(node_attr(n, "missing"));
    CU_ASSERT_PTR_NULL(node_attr(n, "alph")); /* exact names only */

    /* present with the wrong type: an error naming the node and both types */
    AttrCtx c = {n, "alpha", 0};
    ASSERT_FAILS_WITH(ut_try(attr_thunk, &c), "node 'lr' (LeakyRelu): attribute 'alpha' must be int, got float");
    c = (AttrCtx){n, "count", 1};
    ASSERT_FAILS_WITH(ut_try(attr_thunk, &c), "attribute 'count' must be float, got int");
    c = (AttrCtx){n, "pads", 2};
    ASSERT_FAILS_WITH(ut_try(attr_thunk, &c), "attribute 'pads' must be string, got ints");
    c = (AttrCtx){n, "mode", 3};
    ASSERT_FAILS_WITH(ut_try(attr_thunk, &c), "attribute 'mode' must be ints, got string");
    c = (AttrCtx){n, "pads", 4};
    ASSERT_FAILS_WITH(ut_try(attr_thunk, &c), "attribute 'pads' must be floats, got ints");
    ut_graph_free(&u);
}

/* ---- registry ---- */
static void test_op_registry(void)
{
    CU_ASSERT_EQUAL(op_lookup("", "Conv"), OP_Conv);
    CU_ASSERT_EQUAL(op_lookup(NULL, "Relu"), OP_Relu);
    CU_ASSERT_EQUAL(op_lookup("ai.onnx", "MatMul"), OP_MatMul);
    CU_ASSERT_EQUAL(op_lookup("com.microsoft", "Conv"), OP_COUNT_);
    CU_ASSERT_EQUAL(op_lookup("", "conv"), OP_COUNT_);
    CU_ASSERT_EQUAL(op_lookup("", "NoSuchOp"), OP_COUNT_);
    const OpInfo *c = op_info(OP_Conv);
    CU_ASSERT_STRING_EQUAL(c->name, "Conv");
    CU_ASSERT_EQUAL(c->min_in, 2);
    CU_ASSERT_EQUAL(c->max_in, 3);
    CU_ASSERT_EQUAL(op_info(OP_Concat)->max_in, 1000000);
    CU_ASSERT_EQUAL(op_info(OP_MaxPool)->max_out, 2);
    CU_ASSERT_EQUAL(op_info(OP_Constant)->min_in, 0);
    for (int k = 0; k < OP_COUNT_; k++) { /* every row names its own kind */
        const OpInfo *oi = op_info((OpKind)k);
        /* internal ops (created by passes) cannot be named by a model */
        CU_ASSERT_EQUAL((int)op_lookup("", oi->name), op_is_internal((OpKind)k) ? (int)OP_COUNT_ : k);
        CU_ASSERT_PTR_NOT_NULL(oi->shape);
        CU_ASSERT_PTR_NOT_NULL(oi->lower);
        CU_ASSERT_TRUE(oi->min_in <= oi->max_in && oi->min_out <= oi->max_out && oi->max_out >= 1);
    }
}

/* ---- util ---- */
static void test_checked_arith(void)
{
    int64_t r = 0;
    CU_ASSERT_TRUE(checked_mul_i64(3, -4, &r));
    CU_ASSERT_EQUAL(r, -12);
    CU_ASSERT_FALSE(checked_mul_i64(INT64_MAX / 2 + 1, 2, &r));
    CU_ASSERT_FALSE(checked_mul_i64(INT64_MIN, -1, &r));
    CU_ASSERT_TRUE(checked_add_i64(INT64_MAX - 1, 1, &r));
    CU_ASSERT_EQUAL(r, INT64_MAX);
    CU_ASSERT_FALSE(checked_add_i64(INT64_MAX, 1, &r));
    CU_ASSERT_FALSE(checked_add_i64(INT64_MIN, -1, &r));
}

static void test_c_comment_text(void)
{
    Arena a;
    arena_init(&a);
    static const char src[] = "a*/b/*c?" "?/d\\e\nf"; /* split: no trigraph */
    char *s = c_comment_text(&a, src, 100);
    CU_ASSERT_PTR_NULL(strstr(s, "*/"));
    CU_ASSERT_PTR_NULL(strstr(s, "/*"));
    CU_ASSERT_PTR_NULL(strstr(s, "?" "?"));
    CU_ASSERT_PTR_NULL(strchr(s, '\\'));
    CU_ASSERT_PTR_NULL(strchr(s, '\n'));
    CU_ASSERT_EQUAL(strlen(s), strlen(src));
    CU_ASSERT_STRING_EQUAL(c_comment_text(&a, "abcdef", 3), "abc");
    arena_free(&a);
}

static void fail_inner(void *p)
{
    (void)p;
    nnc_fail("inner %d", 42);
}

static void nested_thunk(void *p)
{
    int *inner_failed = p;
    *inner_failed = ut_try(fail_inner, NULL); /* caught here, not by the outer trap */
    nnc_fail("outer %s", "too");
}

static void test_error_traps(void)
{
    int inner = 0;
    nnc_error_set_file("model.onnx");
    int outer = ut_try(nested_thunk, &inner);
    CU_ASSERT_EQUAL(inner, 1);
    CU_ASSERT_EQUAL(outer, 1);
    CU_ASSERT_STRING_EQUAL(nnc_last_error(), "nnc: error: model.onnx: outer too");
    CU_ASSERT_STRING_EQUAL(nnc_error_file(), "model.onnx");
    ASSERT_FAILS_WITH(ut_try(fail_inner, NULL), "model.onnx: inner 42");
}

static void buf_thunk(void *p)
{
    Buf *b = p;
    buf_puts(b, "ab");
    buf_printf(b, "%d-%s", 12, "x");
    for (int i = 0; i < 1000; i++) buf_put(b, "0123456789", 10); /* grows past 4 KiB */
}

static void test_buf(void)
{
    Buf b = {0};
    ASSERT_OK(ut_try(buf_thunk, &b));
    CU_ASSERT_EQUAL(b.len, 2 + 4 + 10000);
    CU_ASSERT_EQUAL(strncmp(b.data, "ab12-x0123", 10), 0);
    CU_ASSERT_EQUAL(b.data[b.len], 0);
    buf_free(&b);
    CU_ASSERT_PTR_NULL(b.data);
}

int unit_add_ir_suite(void)
{
    CU_pSuite s = CU_add_suite("ir", NULL, NULL);
    if (!s) return -1;
    return !CU_add_test(s, "dtype tables", test_dtype_tables) ||
           !CU_add_test(s, "graph_add_tensor defaults", test_graph_add_tensor_defaults) ||
           !CU_add_test(s, "graph_add_node", test_graph_add_node) ||
           !CU_add_test(s, "node_input", test_node_input) ||
           !CU_add_test(s, "tensor_numel and overflow", test_tensor_numel) ||
           !CU_add_test(s, "tensor_bytes, shape_str", test_tensor_bytes_and_set_shape) ||
           !CU_add_test(s, "tensor_set_shape negative dim", test_tensor_set_shape_negative) ||
           !CU_add_test(s, "tensor_get_int/double", test_tensor_get_int_and_double) ||
           !CU_add_test(s, "node attributes", test_node_attrs) ||
           !CU_add_test(s, "op registry", test_op_registry) ||
           !CU_add_test(s, "checked arithmetic", test_checked_arith) ||
           !CU_add_test(s, "c_comment_text", test_c_comment_text) ||
           !CU_add_test(s, "nested error traps", test_error_traps) ||
           !CU_add_test(s, "Buf", test_buf)
               ? -1
               : 0;
}
