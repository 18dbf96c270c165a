/* unit.h — helpers shared by the CUnit suites: running compiler code under an
 * error trap, and building small graphs by hand. */
#ifndef NNC_UNIT_H
#define NNC_UNIT_H

#include "frontend/onnx_load.h"
#include "ir/graph.h"

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>

/* ---- suites (one per file) ---- */
int unit_add_ir_suite(void);
int unit_add_infer_suite(void);
int unit_add_verifier_suite(void);
int unit_add_loader_suite(void);
int unit_add_plan_suite(void);
int unit_add_template_suite(void);

/* ---- error traps ---- */
/* Run fn(ctx) under an ErrorTrap with messages kept quiet. Returns 0 when it
 * returned normally, 1 when it failed through nnc_fail (see nnc_last_error). */
int ut_try(void (*fn)(void *), void *ctx);
/* infer_shapes(g) under a trap; 0 on success. */
int ut_infer(Graph *g);
/* onnx_load under a trap; NULL on failure. */
Graph *ut_load(Arena *a, const char *path, const LoadOptions *lo);

/* The call must fail with a message containing `sub`. */
#define ASSERT_FAILS_WITH(call_result, sub)                                                    \
    do {                                                                                       \
        int failed_ = (call_result);                                                           \
        CU_ASSERT_TRUE(failed_);                                                               \
        if (!failed_) fprintf(stderr, "\n  %s:%d: expected an error containing \"%s\"\n",     \
                              __FILE__, __LINE__, (sub));                                      \
        if (failed_ && !strstr(nnc_last_error(), (sub)))                                       \
            fprintf(stderr, "\n  %s:%d: error \"%s\" lacks \"%s\"\n", __FILE__, __LINE__,     \
                    nnc_last_error(), (sub));                                                  \
        CU_ASSERT_PTR_NOT_NULL(strstr(nnc_last_error(), (sub)));                               \
    } while (0)

/* The call must succeed. */
#define ASSERT_OK(call_result)                                                                 \
    do {                                                                                       \
        int failed_ = (call_result);                                                           \
        if (failed_) fprintf(stderr, "\n  %s:%d: unexpected error: %s\n", __FILE__, __LINE__, \
                             nnc_last_error());                                                \
        CU_ASSERT_FALSE(failed_);                                                              \
    } while (0)

/* Shape of t as "[d0,d1,...]" equals `want` (and t has a known shape). */
#define ASSERT_SHAPE(t, want)                                                                  \
    do {                                                                                       \
        char got_[256];                                                                        \
        ut_shape(got_, sizeof got_, (t));                                                      \
        if (strcmp(got_, (want)) != 0)                                                         \
            fprintf(stderr, "\n  %s:%d: shape %s, want %s\n", __FILE__, __LINE__, got_, (want)); \
        CU_ASSERT_STRING_EQUAL(got_, (want));                                                  \
    } while (0)
void ut_shape(char *buf, size_t cap, const Tensor *t); /* "?" when rank < 0 */

/* ---- graph building ---- */
typedef struct UtGraph {
    Arena arena;
    Graph *g;
} UtGraph;

void ut_graph_init(UtGraph *u);
void ut_graph_free(UtGraph *u);
/* Start a new, empty graph in u's arena (the old one stays allocated). */
Graph *ut_fresh(UtGraph *u);
/* A graph input with a known shape. */
Tensor *ut_input(Graph *g, const char *name, DType dt, int rank, const int64_t *dims);
/* A constant 1-D INT64 tensor. */
Tensor *ut_const_i64(Graph *g, const char *name, int n, const int64_t *vals);
/* A constant FLOAT tensor of the given shape, filled with `fill`. */
Tensor *ut_const_f32(Graph *g, const char *name, int rank, const int64_t *dims, float fill);
/* A node of kind op with the given inputs (NULL entries: omitted) and n_out
 * fresh outputs named NAME_out0.. (producer set). Room for 8 attributes. */
Node *ut_node(Graph *g, OpKind op, int opset, const char *name, int n_in, Tensor *const *ins, int n_out);
void ut_attr_int(Node *n, const char *name, int64_t v);
void ut_attr_float(Node *n, const char *name, float v);
void ut_attr_str(Node *n, const char *name, const char *v);
void ut_attr_ints(Node *n, const char *name, int cnt, const int64_t *v);

#define DIMS(...) ((const int64_t[]){__VA_ARGS__})
#define NDIMS(...) ((int)(sizeof((const int64_t[]){__VA_ARGS__}) / sizeof(int64_t)))
#define INS(...) ((Tensor *const[]){__VA_ARGS__})
#define NINS(...) ((int)(sizeof((Tensor *const[]){__VA_ARGS__}) / sizeof(Tensor *)))

#endif
