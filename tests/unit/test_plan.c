/* test_plan.c — the static memory planner. Live ranges are recomputed here
 * independently of the planner; every pair of intermediates whose ranges
 * intersect must occupy disjoint workspace bytes. */
#include "unit.h"

#include "passes/passes.h"

#include <stdlib.h>

/* A node reading `ins` and writing one fresh FLOAT tensor of `elems`
 * elements (shapes set by hand: the planner needs no shape inference). */
static Tensor *step(Graph *g, const char *name, int n_in, Tensor *const *ins, int64_t elems)
{
    Node *n = ut_node(g, OP_Relu, 13, name, n_in, ins, 1);
    tensor_set_shape(n->out[0], DT_FLOAT, 1, &elems);
    return n->out[0];
}

static void mark_output(Graph *g, Tensor *t)
{
    t->output_index = g->n_outputs;
    g->outputs[g->n_outputs++] = t;
}

static int in_workspace(const Tensor *t) { return t->producer && !t->data && t->output_index < 0; }

/* Independent live ranges: [index of producer, index of last reader]. */
static void live_range(const Graph *g, const Tensor *t, int *first, int *last)
{
    *first = *last = -1;
    for (int i = 0; i < g->n_nodes; i++) {
        const Node *n = g->nodes[i];
        for (int k = 0; k < n->n_out; k++)
            if (n->out[k] == t) *first = *last = i;
        for (int k = 0; k < n->n_in; k++)
            if (n->in[k] == t) *last = i;
    }
}

static int64_t padded_bytes(const Tensor *t)
{
    int64_t b = tensor_bytes(t);
    return b ? b : 1;
}

/* Check the plan's invariants; returns the number of violations. */
static int check_plan(const Graph *g)
{
    int bad = 0;
    for (int i = 0; i < g->n_tensors; i++) {
        const Tensor *a = g->tensors[i];
        if (!in_workspace(a)) {
            if (a->ws_offset != -1) {
                fprintf(stderr, "\n  '%s' is not an intermediate but has offset %lld\n", a->name,
                        (long long)a->ws_offset);
                bad++;
            }
            continue;
        }
        if (a->ws_offset < 0 || a->ws_offset % 64 != 0 || a->ws_offset + padded_bytes(a) > g->workspace_size) {
            fprintf(stderr, "\n  '%s': offset %lld (%lld bytes) in a workspace of %lld\n", a->name,
                    (long long)a->ws_offset, (long long)padded_bytes(a), (long long)g->workspace_size);
            bad++;
        }
        int af, al;
        live_range(g, a, &af, &al);
        for (int j = i + 1; j < g->n_tensors; j++) {
            const Tensor *b = g->tensors[j];
            if (!in_workspace(b)) continue;
            int bf, bl;
            live_range(g, b, &bf, &bl);
            if (al < bf || bl < af) continue; /* never live together */
            int64_t a0 = a->ws_offset, a1 = a0 + padded_bytes(a), b0 = b->ws_offset, b1 = b0 + padded_bytes(b);
            if (a0 < b1 && b0 < a1) {
                fprintf(stderr, "\n  '%s' [%lld,%lld) and '%s' [%lld,%lld) are live together and overlap\n",
                        a->name, (long long)a0, (long long)a1, b->name, (long long)b0, (long long)b1);
                bad++;
            }
        }
    }
    return bad;
}

typedef struct PlanCtx {
    Graph *g;
    int64_t lower_bound;
} PlanCtx;

static void plan_thunk(void *p)
{
    PlanCtx *c = p;
    c->lower_bound = plan_lower_bound(c->g);
    pass_plan_memory(c->g);
}

static int64_t plan(Graph *g)
{
    PlanCtx c = {g, -1};
    ASSERT_OK(ut_try(plan_thunk, &c));
    return c.lower_bound;
}

/* X -> t0 -> t1 -> t2 -> Y: t0 and t2 can share memory, t1 cannot. */
static void test_chain(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Graph *g = u.g;
    Tensor *x = ut_input(g, "X", DT_FLOAT, 1, DIMS(10));
    Tensor *t0 = step(g, "n0", 1, INS(x), 16);  /* 64 bytes */
    Tensor *t1 = step(g, "n1", 1, INS(t0), 32); /* 128 */
    Tensor *t2 = step(g, "n2", 1, INS(t1), 48); /* 192 */
    Tensor *y = step(g, "n3", 1, INS(t2), 5);
    mark_output(g, y);
    int64_t lb = plan(g);
    CU_ASSERT_EQUAL(lb, 128 + 192);
    CU_ASSERT_EQUAL(g->workspace_size, lb);
    CU_ASSERT_EQUAL(check_plan(g), 0);
    CU_ASSERT_EQUAL(x->ws_offset, -1);
    CU_ASSERT_EQUAL(y->ws_offset, -1);
    /* in 320 bytes t0 must avoid t1, so it reuses bytes of t2 */
    CU_ASSERT_TRUE(t0->ws_offset < t2->ws_offset + 192 && t2->ws_offset < t0->ws_offset + 64);
    CU_ASSERT_NOT_EQUAL(t1->ws_offset, t0->ws_offset);
    CU_ASSERT_NOT_EQUAL(t1->ws_offset, t2->ws_offset);
    ut_graph_free(&u);
}

/* Sizes that are not multiples of 64 round up; a long chain of equal sizes
 * ping-pongs between two buffers. */
static void test_chain_alignment_and_reuse(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Graph *g = u.g;
    Tensor *t = ut_input(g, "X", DT_FLOAT, 1, DIMS(3));
    Tensor *mid[10];
    for (int i = 0; i < 10; i++) {
        t = step(g, arena_printf(g->arena, "n%d", i), 1, INS(t), 25); /* 100 bytes -> 128 */
        mid[i] = t;
    }
    Tensor *y = step(g, "last", 1, INS(t), 1);
    mark_output(g, y);
    int64_t lb = plan(g);
    CU_ASSERT_EQUAL(lb, 256);
    CU_ASSERT_EQUAL(g->workspace_size, 256);
    CU_ASSERT_EQUAL(check_plan(g), 0);
    for (int i = 0; i < 10; i++) CU_ASSERT_EQUAL(mid[i]->ws_offset % 64, 0);
    ut_graph_free(&u);
}

/*        +-> t1 (512) --+
 *  t0 ---+              +-> t3 -> Y        t0 is read by n1 and n2
 *  (256) +-> t2 (128) --+                  live at step 2: t0 t1 t2  */
static void test_diamond(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Graph *g = u.g;
    Tensor *x = ut_input(g, "X", DT_FLOAT, 1, DIMS(4));
    Tensor *t0 = step(g, "a", 1, INS(x), 64);
    Tensor *t1 = step(g, "b", 1, INS(t0), 128);
    Tensor *t2 = step(g, "c", 1, INS(t0), 32);
    Tensor *t3 = step(g, "d", 2, INS(t1, t2), 16);
    Tensor *y = step(g, "e", 1, INS(t3), 4);
    mark_output(g, y);
    int64_t lb = plan(g);
    CU_ASSERT_EQUAL(lb, 256 + 512 + 128);
    CU_ASSERT_EQUAL(g->workspace_size, lb);
    CU_ASSERT_EQUAL(check_plan(g), 0);
    /* t0 is dead once c has run: t3 fits in the bytes t0 left */
    CU_ASSERT_TRUE(t3->ws_offset >= t0->ws_offset && t3->ws_offset + 64 <= t0->ws_offset + 256);
    ut_graph_free(&u);
}

/* Inputs, outputs and constants stay out of the workspace; an intermediate
 * nobody reads still gets room while its producer runs. */
static void test_what_is_planned(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Graph *g = u.g;
    Tensor *x = ut_input(g, "X", DT_FLOAT, 1, DIMS(4));
    Tensor *w = ut_const_f32(g, "W", 1, DIMS(4), 1.0f);
    Tensor *t0 = step(g, "a", 2, INS(x, w), 16);
    Node *drop = ut_node(g, OP_Dropout, 13, "drop", 1, INS(t0), 2);
    tensor_set_shape(drop->out[0], DT_FLOAT, 1, DIMS(16));
    tensor_set_shape(drop->out[1], DT_BOOL, 1, DIMS(16));
    drop->out[1]->data = arena_alloc(g->arena, 16); /* a folded constant */
    Tensor *unused = step(g, "side", 1, INS(t0), 1000);
    Tensor *y = step(g, "b", 1, INS(drop->out[0]), 4);
    mark_output(g, y);
    int64_t lb = plan(g);
    CU_ASSERT_EQUAL(x->ws_offset, -1);
    CU_ASSERT_EQUAL(w->ws_offset, -1);
    CU_ASSERT_EQUAL(y->ws_offset, -1);
    CU_ASSERT_EQUAL(drop->out[1]->ws_offset, -1);
    CU_ASSERT_TRUE(t0->ws_offset >= 0);
    CU_ASSERT_TRUE(unused->ws_offset >= 0);
    CU_ASSERT_TRUE(drop->out[0]->ws_offset >= 0);
    CU_ASSERT_EQUAL(lb, 64 + 64 + 4032); /* t0, drop's output and `unused` at node side */
    CU_ASSERT_EQUAL(check_plan(g), 0);
    ut_graph_free(&u);
}

static void test_empty_plan(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Graph *g = u.g;
    Tensor *x = ut_input(g, "X", DT_FLOAT, 1, DIMS(4));
    Tensor *y = step(g, "only", 1, INS(x), 4);
    mark_output(g, y);
    CU_ASSERT_EQUAL(plan(g), 0);
    CU_ASSERT_EQUAL(g->workspace_size, 0);
    ut_graph_free(&u);
}

/* Random DAGs: the invariants hold and the plan is never below the bound. */
static uint32_t rng_state;
static uint32_t rnd(uint32_t n)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return (rng_state >> 8) % n;
}

static void test_random_dags(void)
{
    int violations = 0, below = 0, tight = 0;
    for (int trial = 0; trial < 60; trial++) {
        rng_state = 12345u + (uint32_t)trial * 7919u;
        UtGraph u;
        ut_graph_init(&u);
        Graph *g = u.g;
        Tensor *pool[64];
        int np = 0;
        pool[np++] = ut_input(g, "X", DT_FLOAT, 1, DIMS(8));
        int nodes = 5 + (int)rnd(30);
        for (int i = 0; i < nodes && np < 64; i++) {
            int k = 1 + (int)rnd(3);
            Tensor *ins[3];
            for (int j = 0; j < k; j++) ins[j] = pool[np - 1 - (int)rnd((uint32_t)(np < 6 ? np : 6))];
            int64_t elems = 1 + (int64_t)rnd(2000);
            pool[np++] = step(g, arena_printf(g->arena, "n%d", i), k, ins, elems);
        }
        mark_output(g, pool[np - 1]);
        int64_t lb = plan(g);
        violations += check_plan(g);
        if (g->workspace_size < lb) below++;
        if (g->workspace_size == lb) tight++;
        ut_graph_free(&u);
    }
    CU_ASSERT_EQUAL(violations, 0);
    CU_ASSERT_EQUAL(below, 0);
    CU_ASSERT_TRUE(tight > 0);
}

int unit_add_plan_suite(void)
{
    CU_pSuite s = CU_add_suite("memory planner", NULL, NULL);
    if (!s) return -1;
    return !CU_add_test(s, "chain", test_chain) ||
           !CU_add_test(s, "chain: alignment and reuse", test_chain_alignment_and_reuse) ||
           !CU_add_test(s, "diamond", test_diamond) ||
           !CU_add_test(s, "what is planned", test_what_is_planned) ||
           !CU_add_test(s, "nothing to plan", test_empty_plan) ||
           !CU_add_test(s, "random DAGs", test_random_dags)
               ? -1
               : 0;
}
