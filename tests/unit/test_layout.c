/* test_layout.c — the channel-blocked layout NCHW[c] outside the pass: the
 * storage size of a blocked tensor, LayoutConvert's shape function, and the
 * layout_convert kernel template, included here as C (its parameters are
 * plain identifiers, so #defines specialise it the way the emitter does) and
 * checked element by element against the layout's definition, both ways,
 * run whole and split into its work units (as P_run_parallel splits it). */
#include "unit.h"

#include "ir/ops.h"

#include <stdlib.h>

#define F DT_FLOAT

/* ---- storage size ---- */
static void test_storage_size(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Tensor *t = ut_input(u.g, "t", F, 4, DIMS(2, 20, 3, 5));
    CU_ASSERT_EQUAL(tensor_storage_numel(t), 2 * 20 * 15);
    t->layout = 16; /* ceil(20/16) = 2 blocks of 16 */
    CU_ASSERT_EQUAL(tensor_storage_numel(t), 2 * 32 * 15);
    CU_ASSERT_EQUAL(tensor_storage_bytes(t), 2 * 32 * 15 * 4);
    CU_ASSERT_EQUAL(tensor_bytes(t), 2 * 20 * 15 * 4);
    t->layout = 8; /* 20 -> 24 */
    CU_ASSERT_EQUAL(tensor_storage_numel(t), 2 * 24 * 15);
    Tensor *w = ut_input(u.g, "w", F, 4, DIMS(1, 16, 7, 7));
    w->layout = 16; /* whole blocks: no padding */
    CU_ASSERT_EQUAL(tensor_storage_bytes(w), tensor_bytes(w));
    Tensor *e = ut_input(u.g, "e", F, 4, DIMS(1, 0, 7, 7));
    e->layout = 8;
    CU_ASSERT_EQUAL(tensor_storage_numel(e), 0);
    ut_graph_free(&u);
}

/* ---- LayoutConvert's shape function ---- */
static void test_convert_shape(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Graph *g = u.g;
    Node *n = ut_node(g, OP_LayoutConvert, 13, "cv", 1, INS(ut_input(g, "X", F, 4, DIMS(1, 3, 5, 7))), 1);
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(n->out[0], "[1,3,5,7]");
    CU_ASSERT_EQUAL(n->out[0]->dtype, F);
    g = ut_fresh(&u);
    ut_node(g, OP_LayoutConvert, 13, "cv", 1, INS(ut_input(g, "X", F, 3, DIMS(3, 5, 7))), 1);
    ASSERT_FAILS_WITH(ut_infer(g), "rank-4 FLOAT");
    g = ut_fresh(&u);
    ut_node(g, OP_LayoutConvert, 13, "cv", 1, INS(ut_input(g, "X", DT_INT32, 4, DIMS(1, 3, 5, 7))), 1);
    ASSERT_FAILS_WITH(ut_infer(g), "rank-4 FLOAT");
    ut_graph_free(&u);
}

/* ---- the kernel template ---- */
/* KERNEL(x, y, lo, hi) for [N_,C_,HW_] with LANES_ lanes, both directions:
 * to_blocked_<id>, to_plain_<id>; work units of PAR_CHUNK positions (small
 * here, so that planes hold several, the last one short). */
#define PAR_CHUNK 4
#define T float
#define N N_
#define C C_
#define HW HW_
#define LANES LANES_

#define N_ 1
#define C_ 3
#define HW_ 5
#define LANES_ 8
#define TO_BLOCKED 1
#define KERNEL to_blocked_a
#include "../../templates/generic/layout_convert.c"
#undef TO_BLOCKED
#undef KERNEL
#define TO_BLOCKED 0
#define KERNEL to_plain_a
#include "../../templates/generic/layout_convert.c"
#undef TO_BLOCKED
#undef KERNEL
#undef N_
#undef C_
#undef HW_
#undef LANES_

#define N_ 2
#define C_ 20
#define HW_ 7
#define LANES_ 16
#define TO_BLOCKED 1
#define KERNEL to_blocked_b
#include "../../templates/generic/layout_convert.c"
#undef TO_BLOCKED
#undef KERNEL
#define TO_BLOCKED 0
#define KERNEL to_plain_b
#include "../../templates/generic/layout_convert.c"
#undef TO_BLOCKED
#undef KERNEL
#undef N_
#undef C_
#undef HW_
#undef LANES_

#define N_ 3
#define C_ 32
#define HW_ 1
#define LANES_ 16
#define TO_BLOCKED 1
#define KERNEL to_blocked_c
#include "../../templates/generic/layout_convert.c"
#undef TO_BLOCKED
#undef KERNEL
#define TO_BLOCKED 0
#define KERNEL to_plain_c
#include "../../templates/generic/layout_convert.c"
#undef TO_BLOCKED
#undef KERNEL
#undef N_
#undef C_
#undef HW_
#undef LANES_

#define N_ 1
#define C_ 8
#define HW_ 9
#define LANES_ 8
#define TO_BLOCKED 1
#define KERNEL to_blocked_d
#include "../../templates/generic/layout_convert.c"
#undef TO_BLOCKED
#undef KERNEL
#define TO_BLOCKED 0
#define KERNEL to_plain_d
#include "../../templates/generic/layout_convert.c"
#undef TO_BLOCKED
#undef KERNEL
#undef N_
#undef C_
#undef HW_
#undef LANES_

#undef T
#undef N
#undef C
#undef HW
#undef LANES

typedef void (*ConvertFn)(const float *restrict, float *restrict, long, long);

/* fn over all `units` work units: whole (split 0), or one call per unit in
 * reverse order (split 1), which must come to the same. */
static void run_units(ConvertFn fn, const float *x, float *y, long units, int split)
{
    if (!split) {
        fn(x, y, 0, units);
        return;
    }
    for (long u = units - 1; u >= 0; u--) fn(x, y, u, u + 1);
}

/* Plain -> blocked -> plain on [n,c,hw] with `lanes` lanes: every element
 * lands at (((n*CB + ch/lanes)*HW + p)*lanes + ch%lanes), padding lanes are 0,
 * nothing past either buffer is written, the round trip is exact, and
 * garbage in the padding lanes never reaches the plain side. */
static void check_round_trip(ConvertFn to_blocked, ConvertFn to_plain, long n, long c, long hw, long lanes,
                             int split)
{
    const long cb = (c + lanes - 1) / lanes, plain = n * c * hw, blocked = n * cb * lanes * hw;
    const long units = n * cb * ((hw + PAR_CHUNK - 1) / PAR_CHUNK);
    const float sentinel = -7777.0f;
    float *x = malloc((size_t)(plain + 1) * sizeof *x), *y = malloc((size_t)(blocked + 1) * sizeof *y);
    float *z = malloc((size_t)(plain + 1) * sizeof *z);
    for (long i = 0; i < plain; i++) x[i] = (float)(i * 7 % 101) - 50.5f;
    for (long i = 0; i <= blocked; i++) y[i] = sentinel;
    for (long i = 0; i <= plain; i++) z[i] = sentinel;
    run_units(to_blocked, x, y, units, split);
    int bad = 0;
    for (long b = 0; b < n; b++)
        for (long ch = 0; ch < cb * lanes; ch++)
            for (long p = 0; p < hw; p++) {
                float got = y[((b * cb + ch / lanes) * hw + p) * lanes + ch % lanes];
                bad += got != (ch < c ? x[(b * c + ch) * hw + p] : 0.0f);
            }
    bad += y[blocked] != sentinel;
    for (long b = 0; b < n; b++) /* padding lanes hold garbage: it must not matter */
        for (long ch = c; ch < cb * lanes; ch++)
            for (long p = 0; p < hw; p++) y[((b * cb + ch / lanes) * hw + p) * lanes + ch % lanes] = 1e30f;
    run_units(to_plain, y, z, units, split);
    for (long i = 0; i < plain; i++) bad += z[i] != x[i];
    bad += z[plain] != sentinel;
    if (bad)
        fprintf(stderr, "\n  layout_convert [%ld,%ld,%ld] x%ld%s: %d wrong elements\n", n, c, hw, lanes,
                split ? " (split)" : "", bad);
    CU_ASSERT_EQUAL(bad, 0);
    free(x);
    free(y);
    free(z);
}

static void test_convert_kernel(void)
{
    for (int split = 0; split < 2; split++) {
        check_round_trip(to_blocked_a, to_plain_a, 1, 3, 5, 8, split);   /* one partial block */
        check_round_trip(to_blocked_b, to_plain_b, 2, 20, 7, 16, split); /* a full block and a partial one, batch 2 */
        check_round_trip(to_blocked_c, to_plain_c, 3, 32, 1, 16, split); /* whole blocks, 1x1 planes */
        check_round_trip(to_blocked_d, to_plain_d, 1, 8, 9, 8, split);   /* exactly one block */
    }
}

int unit_add_layout_suite(void)
{
    CU_pSuite s = CU_add_suite("layout", NULL, NULL);
    if (!s) return -1;
    return !CU_add_test(s, "storage size of blocked tensors", test_storage_size) ||
           !CU_add_test(s, "LayoutConvert shape", test_convert_shape) ||
           !CU_add_test(s, "layout_convert kernel round trip", test_convert_kernel)
               ? -1
               : 0;
}
