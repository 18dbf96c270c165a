/* test_passes.c — the graph passes of compiler/passes on small hand-built
 * graphs. Each case runs infer_shapes first (shapes, constant folding), then
 * the pass, and checks the resulting structure; where values matter (folded
 * BatchNorm weights, recognised GELU/LayerNorm semantics) they are compared
 * with formulas computed here or with the ops' own eval functions. */
#include "unit.h"

#include "ir/infer.h"
#include "ir/ops.h"
#include "passes/passes.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

#define F DT_FLOAT

/* ---- helpers ---- */
typedef struct PassCtx {
    Graph *g;
    void (*pass)(Graph *);
} PassCtx;

static void pass_thunk(void *p)
{
    PassCtx *c = p;
    c->pass(c->g);
}

static int run_pass(Graph *g, void (*pass)(Graph *))
{
    PassCtx c = {g, pass};
    return ut_try(pass_thunk, &c);
}

#define PASS(g, fn) ASSERT_OK(run_pass((g), (fn)))

static void mark_output(Graph *g, Tensor *t)
{
    t->output_index = g->n_outputs;
    g->outputs[g->n_outputs++] = t;
}

/* A constant FLOAT tensor holding vals (numel of them). */
static Tensor *cvals(Graph *g, const char *name, int rank, const int64_t *dims, const float *vals)
{
    Tensor *t = ut_const_f32(g, name, rank, dims, 0.0f);
    memcpy(t->data, vals, (size_t)tensor_bytes(t));
    return t;
}

static Tensor *scalar(Graph *g, const char *name, float v) { return ut_const_f32(g, name, 0, DIMS(1), v); }

static Node *op1(Graph *g, OpKind op, const char *name, Tensor *x) { return ut_node(g, op, 13, name, 1, INS(x), 1); }
static Node *op2(Graph *g, OpKind op, const char *name, Tensor *a, Tensor *b)
{
    return ut_node(g, op, 13, name, 2, INS(a, b), 1);
}

static int count_op(const Graph *g, OpKind op)
{
    int c = 0;
    for (int i = 0; i < g->n_nodes; i++) c += g->nodes[i]->op == op;
    return c;
}

static int index_of(const Graph *g, const Node *n)
{
    for (int i = 0; i < g->n_nodes; i++)
        if (g->nodes[i] == n) return i;
    return -1;
}

/* Structural invariants every pass must keep: no dead node left, ids are
 * positions, outputs point back at their producer, and every input made by
 * a node is made by an earlier node still in the graph. Returns violations. */
static int graph_violations(const Graph *g)
{
    int bad = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        const Node *n = g->nodes[i];
        if (n->dead || n->id != i) bad++;
        for (int k = 0; k < n->n_out; k++)
            if (n->out[k] && n->out[k]->producer != n) bad++;
        for (int k = 0; k < n->n_in; k++) {
            const Tensor *t = n->in[k];
            if (!t || !t->producer || t->data) continue;
            int j = index_of(g, t->producer);
            if (j < 0 || j >= i) {
                fprintf(stderr, "\n  node '%s' reads '%s' whose producer is not before it\n", n->name, t->name);
                bad++;
            }
        }
    }
    for (int i = 0; i < g->n_outputs; i++) {
        const Tensor *t = g->outputs[i];
        if (t->producer && !t->data && index_of(g, t->producer) < 0) bad++;
    }
    return bad;
}

/* Shape inference run again over the rewritten graph succeeds and changes
 * no tensor's type or shape. Returns the number of differences (or 1000 if
 * inference failed). */
static int reinfer_changes(Graph *g)
{
    int n = g->n_tensors, diff = 0;
    Tensor *saved = malloc((size_t)n * sizeof *saved);
    for (int i = 0; i < n; i++) saved[i] = *g->tensors[i];
    if (ut_infer(g)) {
        fprintf(stderr, "\n  re-inference failed: %s\n", nnc_last_error());
        free(saved);
        return 1000;
    }
    for (int i = 0; i < n; i++) {
        const Tensor *a = &saved[i], *b = g->tensors[i];
        int same = a->rank == b->rank && a->dtype == b->dtype;
        for (int d = 0; same && d < a->rank; d++) same = a->dims[d] == b->dims[d];
        if (!same) {
            char was[256], now[256];
            ut_shape(was, sizeof was, a);
            ut_shape(now, sizeof now, b);
            fprintf(stderr, "\n  re-inference changed '%s' from %s to %s\n", b->name, was, now);
            diff++;
        }
    }
    free(saved);
    return diff;
}

static int near_rel(double got, double want, double tol) { return fabs(got - want) <= tol * (1.0 + fabs(want)); }

/* Every element of t (constant) is within tol of want[i]; returns mismatches. */
static int check_values(const Tensor *t, const double *want, int64_t n, double tol)
{
    int bad = 0;
    if (!t || !t->data || tensor_numel(t) != n) {
        fprintf(stderr, "\n  tensor '%s' is not a constant of %lld elements\n", t ? t->name : "(null)", (long long)n);
        return 1;
    }
    for (int64_t i = 0; i < n; i++) {
        double v = tensor_get_double(t, i);
        if (!near_rel(v, want[i], tol)) {
            fprintf(stderr, "\n  %s[%lld] = %.9g, want %.9g\n", t->name, (long long)i, v, want[i]);
            bad++;
        }
    }
    return bad;
}

/* ======================= eliminate_dead ======================= */

/* A branch feeding no output goes; the path to the output stays. */
static void test_dead_unused_branch(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Graph *g = u.g;
    Tensor *x = ut_input(g, "X", F, 2, DIMS(2, 3));
    Node *a = op1(g, OP_Relu, "a", x);
    Node *b = op1(g, OP_Sigmoid, "b", x);
    Node *c = op1(g, OP_Tanh, "c", b->out[0]); /* b -> c lead nowhere */
    Node *d = op1(g, OP_Neg, "d", a->out[0]);
    mark_output(g, d->out[0]);
    ASSERT_OK(ut_infer(g));
    PASS(g, pass_eliminate_dead);
    CU_ASSERT_EQUAL(g->n_nodes, 2);
    CU_ASSERT_EQUAL(index_of(g, a), 0);
    CU_ASSERT_EQUAL(index_of(g, d), 1);
    CU_ASSERT_EQUAL(index_of(g, b), -1);
    CU_ASSERT_EQUAL(index_of(g, c), -1);
    CU_ASSERT_PTR_EQUAL(g->outputs[0], d->out[0]);
    CU_ASSERT_EQUAL(graph_violations(g), 0);
    ut_graph_free(&u);
}

/* A node folded to a constant by inference is dropped; its reader keeps the
 * folded tensor (with its data). */
static void test_dead_folded(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Graph *g = u.g;
    Tensor *x = ut_input(g, "X", F, 2, DIMS(2, 3));
    Tensor *c1 = cvals(g, "c1", 1, DIMS(3), (const float[]){1, 2, 3});
    Tensor *c2 = cvals(g, "c2", 1, DIMS(3), (const float[]){10, 20, 30});
    Node *f = op2(g, OP_Add, "f", c1, c2);
    Node *h = op1(g, OP_Neg, "h", f->out[0]); /* folded too */
    Node *m = op2(g, OP_Mul, "m", x, h->out[0]);
    mark_output(g, m->out[0]);
    ASSERT_OK(ut_infer(g));
    CU_ASSERT_EQUAL(check_values(h->out[0], (const double[]){-11, -22, -33}, 3, 0), 0);
    PASS(g, pass_eliminate_dead);
    CU_ASSERT_EQUAL(g->n_nodes, 1);
    CU_ASSERT_PTR_EQUAL(g->nodes[0], m);
    CU_ASSERT_PTR_EQUAL(m->in[1], h->out[0]);
    CU_ASSERT_PTR_NOT_NULL(m->in[1]->data);
    CU_ASSERT_EQUAL(graph_violations(g), 0);
    ut_graph_free(&u);
}

/* Every node on a path to any graph output survives, including a node whose
 * output is both a graph output and read by another node. */
static void test_dead_outputs_kept(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Graph *g = u.g;
    Tensor *x = ut_input(g, "X", F, 1, DIMS(4));
    Node *a = op1(g, OP_Relu, "a", x);
    Node *b = op1(g, OP_Sigmoid, "b", a->out[0]);
    Node *unused = op1(g, OP_Tanh, "unused", a->out[0]);
    Node *c = op1(g, OP_Neg, "c", x);
    mark_output(g, b->out[0]);
    mark_output(g, a->out[0]);
    mark_output(g, c->out[0]);
    ASSERT_OK(ut_infer(g));
    PASS(g, pass_eliminate_dead);
    CU_ASSERT_EQUAL(g->n_nodes, 3);
    CU_ASSERT_TRUE(index_of(g, a) >= 0 && index_of(g, b) >= 0 && index_of(g, c) >= 0);
    CU_ASSERT_EQUAL(index_of(g, unused), -1);
    CU_ASSERT_EQUAL(g->n_outputs, 3);
    CU_ASSERT_EQUAL(graph_violations(g), 0);
    ut_graph_free(&u);
}

/* ======================= remove_noops ======================= */

/* Identity and inference Dropout go; the reader reads the input. A Dropout
 * whose mask output is named is not a no-op and stays. */
static void test_noop_identity_dropout(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Graph *g = u.g;
    Tensor *x = ut_input(g, "X", F, 2, DIMS(2, 3));
    Node *id = op1(g, OP_Identity, "id", x);
    Node *dr = op1(g, OP_Dropout, "drop", id->out[0]);
    Node *r = op1(g, OP_Relu, "r", dr->out[0]);
    Node *dm = ut_node(g, OP_Dropout, 13, "dropmask", 1, INS(x), 2);
    Node *s = op1(g, OP_Sigmoid, "s", dm->out[0]);
    mark_output(g, r->out[0]);
    mark_output(g, s->out[0]);
    ASSERT_OK(ut_infer(g));
    PASS(g, pass_remove_noops);
    CU_ASSERT_EQUAL(count_op(g, OP_Identity), 0);
    CU_ASSERT_EQUAL(count_op(g, OP_Dropout), 1);
    CU_ASSERT_EQUAL(index_of(g, dm), index_of(g, s) - 1);
    CU_ASSERT_EQUAL(g->n_nodes, 3);
    CU_ASSERT_PTR_EQUAL(r->in[0], x);
    CU_ASSERT_PTR_EQUAL(s->in[0], dm->out[0]);
    CU_ASSERT_EQUAL(graph_violations(g), 0);
    ut_graph_free(&u);
}

/* Reshape/Flatten/Squeeze to the input's own shape go; a real reshape stays. */
static void test_noop_reshape(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Graph *g = u.g;
    Tensor *x = ut_input(g, "X", F, 2, DIMS(2, 3));
    Node *same = op2(g, OP_Reshape, "same", x, ut_const_i64(g, "s1", 2, DIMS(2, 3)));
    Node *infer = op2(g, OP_Reshape, "infer", x, ut_const_i64(g, "s2", 2, DIMS(-1, 3)));
    Node *real = op2(g, OP_Reshape, "real", x, ut_const_i64(g, "s3", 2, DIMS(3, 2)));
    Node *fl = op1(g, OP_Flatten, "flat", x); /* axis 1: [2,3] -> [2,3] */
    Node *sq = op1(g, OP_Squeeze, "sq", x);   /* no size-1 dims */
    Node *ra = op1(g, OP_Relu, "ra", same->out[0]);
    Node *rb = op1(g, OP_Relu, "rb", infer->out[0]);
    Node *rc = op1(g, OP_Relu, "rc", real->out[0]);
    Node *rd = op2(g, OP_Add, "rd", fl->out[0], sq->out[0]);
    mark_output(g, ra->out[0]);
    mark_output(g, rb->out[0]);
    mark_output(g, rc->out[0]);
    mark_output(g, rd->out[0]);
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(infer->out[0], "[2,3]");
    PASS(g, pass_remove_noops);
    CU_ASSERT_EQUAL(count_op(g, OP_Reshape), 1);
    CU_ASSERT_TRUE(index_of(g, real) >= 0);
    CU_ASSERT_EQUAL(count_op(g, OP_Flatten) + count_op(g, OP_Squeeze), 0);
    CU_ASSERT_PTR_EQUAL(ra->in[0], x);
    CU_ASSERT_PTR_EQUAL(rb->in[0], x);
    CU_ASSERT_PTR_EQUAL(rc->in[0], real->out[0]);
    CU_ASSERT_PTR_EQUAL(rd->in[0], x);
    CU_ASSERT_PTR_EQUAL(rd->in[1], x);
    CU_ASSERT_EQUAL(g->n_nodes, 5);
    CU_ASSERT_EQUAL(graph_violations(g), 0);
    ut_graph_free(&u);
}

/* Transpose: identity perm goes; a perm moving only size-1 dims goes (also
 * the default reversed perm on [1,3,1]); a real transpose that keeps the
 * shape ([3,3] swapped, [2,1,2] reversed) stays. */
static void test_noop_transpose(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Graph *g = u.g;
    struct {
        const char *name;
        int rank;
        const int64_t *dims;
        const int64_t *perm; /* NULL: default (reverse) */
        int removed;
    } cases[] = {
        {"ident", 2, DIMS(2, 3), DIMS(0, 1), 1},
        {"ones", 4, DIMS(1, 4, 1, 5), DIMS(2, 1, 0, 3), 1},
        {"rev131", 3, DIMS(1, 3, 1), NULL, 1},
        {"swap33", 2, DIMS(3, 3), DIMS(1, 0), 0},
        {"rev212", 3, DIMS(2, 1, 2), DIMS(2, 1, 0), 0},
        {"moved", 4, DIMS(1, 4, 1, 5), DIMS(0, 3, 2, 1), 0},
    };
    int nc = (int)(sizeof cases / sizeof cases[0]);
    Node *tr[8], *rd[8];
    Tensor *xs[8];
    for (int i = 0; i < nc; i++) {
        xs[i] = ut_input(g, cases[i].name, F, cases[i].rank, cases[i].dims);
        tr[i] = op1(g, OP_Transpose, arena_printf(g->arena, "t_%s", cases[i].name), xs[i]);
        if (cases[i].perm) ut_attr_ints(tr[i], "perm", cases[i].rank, cases[i].perm);
        rd[i] = op1(g, OP_Relu, arena_printf(g->arena, "r_%s", cases[i].name), tr[i]->out[0]);
        mark_output(g, rd[i]->out[0]);
    }
    ASSERT_OK(ut_infer(g));
    PASS(g, pass_remove_noops);
    for (int i = 0; i < nc; i++) {
        int gone = index_of(g, tr[i]) < 0;
        if (gone != cases[i].removed)
            fprintf(stderr, "\n  transpose %s: removed %d, want %d\n", cases[i].name, gone, cases[i].removed);
        CU_ASSERT_EQUAL(gone, cases[i].removed);
        CU_ASSERT_PTR_EQUAL(rd[i]->in[0], cases[i].removed ? xs[i] : tr[i]->out[0]);
    }
    CU_ASSERT_EQUAL(count_op(g, OP_Transpose), 3);
    CU_ASSERT_EQUAL(graph_violations(g), 0);
    ut_graph_free(&u);
}

/* A no-op whose output is a graph output must stay (the output is written). */
static void test_noop_graph_output_kept(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Graph *g = u.g;
    Tensor *x = ut_input(g, "X", F, 2, DIMS(2, 3));
    Node *id = op1(g, OP_Identity, "id", x);
    Node *rs = op2(g, OP_Reshape, "rs", x, ut_const_i64(g, "s", 2, DIMS(2, 3)));
    Node *rl = op1(g, OP_Relu, "rl", rs->out[0]);
    mark_output(g, id->out[0]);
    mark_output(g, rs->out[0]);
    mark_output(g, rl->out[0]);
    ASSERT_OK(ut_infer(g));
    PASS(g, pass_remove_noops);
    CU_ASSERT_EQUAL(g->n_nodes, 3);
    CU_ASSERT_TRUE(index_of(g, id) >= 0);
    CU_ASSERT_TRUE(index_of(g, rs) >= 0);
    CU_ASSERT_PTR_EQUAL(rl->in[0], rs->out[0]);
    CU_ASSERT_PTR_EQUAL(id->out[0]->producer, id);
    ut_graph_free(&u);
}

/* ======================= cse ======================= */

/* Two Relu of X merge; the Sigmoids reading them then merge as well. */
static void test_cse_merge(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Graph *g = u.g;
    Tensor *x = ut_input(g, "X", F, 2, DIMS(2, 3));
    Node *r1 = op1(g, OP_Relu, "r1", x);
    Node *r2 = op1(g, OP_Relu, "r2", x);
    Node *s1 = op1(g, OP_Sigmoid, "s1", r1->out[0]);
    Node *s2 = op1(g, OP_Sigmoid, "s2", r2->out[0]);
    Node *add = op2(g, OP_Add, "add", s1->out[0], s2->out[0]);
    mark_output(g, add->out[0]);
    ASSERT_OK(ut_infer(g));
    PASS(g, pass_cse);
    CU_ASSERT_EQUAL(g->n_nodes, 3);
    CU_ASSERT_EQUAL(index_of(g, r2), -1);
    CU_ASSERT_EQUAL(index_of(g, s2), -1);
    CU_ASSERT_PTR_EQUAL(add->in[0], s1->out[0]);
    CU_ASSERT_PTR_EQUAL(add->in[1], s1->out[0]);
    CU_ASSERT_PTR_EQUAL(s1->in[0], r1->out[0]);
    CU_ASSERT_EQUAL(graph_violations(g), 0);
    ut_graph_free(&u);
}

/* Attributes decide: LeakyRelu alpha 0.1 twice merges, 0.2 does not; Clip
 * min/max given in another order merges, other bounds do not; Add(X, Y) and
 * Add(Y, X) are different nodes. */
static void test_cse_attributes(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Graph *g = u.g;
    Tensor *x = ut_input(g, "X", F, 1, DIMS(4));
    Tensor *y = ut_input(g, "Y", F, 1, DIMS(4));
    Node *l1 = op1(g, OP_LeakyRelu, "l1", x);
    ut_attr_float(l1, "alpha", 0.1f);
    Node *l2 = op1(g, OP_LeakyRelu, "l2", x);
    ut_attr_float(l2, "alpha", 0.2f);
    Node *l3 = op1(g, OP_LeakyRelu, "l3", x);
    ut_attr_float(l3, "alpha", 0.1f);
    Node *c1 = ut_node(g, OP_Clip, 6, "c1", 1, INS(x), 1);
    ut_attr_float(c1, "min", 0.0f);
    ut_attr_float(c1, "max", 6.0f);
    Node *c2 = ut_node(g, OP_Clip, 6, "c2", 1, INS(x), 1);
    ut_attr_float(c2, "max", 6.0f);
    ut_attr_float(c2, "min", 0.0f);
    Node *c3 = ut_node(g, OP_Clip, 6, "c3", 1, INS(x), 1);
    ut_attr_float(c3, "min", 0.0f);
    ut_attr_float(c3, "max", 5.0f);
    Node *a1 = op2(g, OP_Sub, "a1", x, y);
    Node *a2 = op2(g, OP_Sub, "a2", y, x);
    Node *nodes[] = {l1, l2, l3, c1, c2, c3, a1, a2};
    Node *sum[8];
    Tensor *acc = l1->out[0];
    for (int i = 1; i < 8; i++) {
        sum[i] = op2(g, OP_Add, arena_printf(g->arena, "sum%d", i), acc, nodes[i]->out[0]);
        acc = sum[i]->out[0];
    }
    mark_output(g, acc);
    ASSERT_OK(ut_infer(g));
    PASS(g, pass_cse);
    CU_ASSERT_EQUAL(index_of(g, l3), -1);
    CU_ASSERT_EQUAL(index_of(g, c2), -1);
    CU_ASSERT_TRUE(index_of(g, l2) >= 0 && index_of(g, c3) >= 0 && index_of(g, a1) >= 0 && index_of(g, a2) >= 0);
    CU_ASSERT_PTR_EQUAL(sum[2]->in[1], l1->out[0]);
    CU_ASSERT_PTR_EQUAL(sum[4]->in[1], c1->out[0]);
    CU_ASSERT_PTR_EQUAL(sum[1]->in[1], l2->out[0]);
    CU_ASSERT_PTR_EQUAL(sum[5]->in[1], c3->out[0]);
    CU_ASSERT_EQUAL(g->n_nodes, 6 + 7);
    CU_ASSERT_EQUAL(graph_violations(g), 0);
    ut_graph_free(&u);
}

/* A duplicate whose output is a graph output is not merged away; one whose
 * twin (the earlier node) is the graph output is, and reads the output. */
static void test_cse_graph_output(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Graph *g = u.g;
    Tensor *x = ut_input(g, "X", F, 1, DIMS(4));
    Node *r1 = op1(g, OP_Relu, "r1", x);
    Node *s = op1(g, OP_Sigmoid, "s", r1->out[0]);
    Node *r2 = op1(g, OP_Relu, "r2", x); /* produces graph output Y2 */
    Node *t1 = op1(g, OP_Tanh, "t1", x); /* produces graph output Y3 */
    Node *t2 = op1(g, OP_Tanh, "t2", x);
    Node *n2 = op1(g, OP_Neg, "n2", t2->out[0]);
    mark_output(g, s->out[0]);
    mark_output(g, r2->out[0]);
    mark_output(g, t1->out[0]);
    mark_output(g, n2->out[0]);
    ASSERT_OK(ut_infer(g));
    PASS(g, pass_cse);
    CU_ASSERT_TRUE(index_of(g, r1) >= 0);
    CU_ASSERT_TRUE(index_of(g, r2) >= 0);
    CU_ASSERT_PTR_EQUAL(r2->out[0], g->outputs[1]);
    CU_ASSERT_PTR_EQUAL(s->in[0], r1->out[0]);
    CU_ASSERT_EQUAL(index_of(g, t2), -1);
    CU_ASSERT_PTR_EQUAL(n2->in[0], t1->out[0]);
    CU_ASSERT_EQUAL(g->n_nodes, 5);
    CU_ASSERT_EQUAL(graph_violations(g), 0);
    ut_graph_free(&u);
}

/* ======================= fold_batchnorm ======================= */
static const float BN_SCALE[] = {1.5f, -0.5f, 2.0f, 0.75f, 1.0f, 3.0f};
static const float BN_BIAS[] = {0.1f, 0.2f, -0.3f, 1.0f, 0.0f, -2.0f};
static const float BN_MEAN[] = {0.5f, -1.0f, 2.0f, 0.0f, 3.0f, -0.25f};
static const float BN_VAR[] = {4.0f, 0.25f, 1.0f, 9.0f, 0.5f, 2.0f};
#define BN_EPS 1e-3f

/* BatchNormalization(x) with the statistics above (m <= 6 channels). */
static Node *add_bn(Graph *g, Tensor *x, int64_t m)
{
    Tensor *sc = cvals(g, "bn_scale", 1, &m, BN_SCALE);
    Tensor *b = cvals(g, "bn_B", 1, &m, BN_BIAS);
    Tensor *mean = cvals(g, "bn_mean", 1, &m, BN_MEAN);
    Tensor *var = cvals(g, "bn_var", 1, &m, BN_VAR);
    Node *bn = ut_node(g, OP_BatchNormalization, 15, "bn", 5, INS(x, sc, b, mean, var), 1);
    ut_attr_float(bn, "epsilon", BN_EPS);
    return bn;
}

/* s = scale / sqrt(var + eps), t = B - mean * s */
static double bn_s(int c) { return BN_SCALE[c] / sqrt((double)BN_VAR[c] + (double)BN_EPS); }
static double bn_t(int c) { return BN_BIAS[c] - BN_MEAN[c] * bn_s(c); }

/* Common checks after a fold: the BN is gone, p produces its output. */
static void check_folded(Graph *g, Node *p, Node *bn, Tensor *old_w)
{
    CU_ASSERT_EQUAL(count_op(g, OP_BatchNormalization), 0);
    CU_ASSERT_PTR_EQUAL(p->out[0], bn->out[0]);
    CU_ASSERT_PTR_EQUAL(bn->out[0]->producer, p);
    CU_ASSERT_EQUAL(p->n_in, 3);
    CU_ASSERT_PTR_NOT_EQUAL(p->in[1], old_w); /* new constants, never edited in place */
    CU_ASSERT_PTR_NOT_NULL(p->in[2]);
    CU_ASSERT_EQUAL(graph_violations(g), 0);
}

static void test_bn_conv_with_bias(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Graph *g = u.g;
    static const float wv[] = {1, -2, 3, 0.5f, -1, 2};
    static const float bv[] = {0.5f, -1, 2};
    Tensor *x = ut_input(g, "X", F, 4, DIMS(1, 2, 4, 4));
    Tensor *w = cvals(g, "W", 4, DIMS(3, 2, 1, 1), wv);
    Tensor *b = cvals(g, "B", 1, DIMS(3), bv);
    Node *conv = ut_node(g, OP_Conv, 13, "conv", 3, INS(x, w, b), 1);
    Node *bn = add_bn(g, conv->out[0], 3);
    Node *relu = op1(g, OP_Relu, "relu", bn->out[0]);
    mark_output(g, relu->out[0]);
    ASSERT_OK(ut_infer(g));
    PASS(g, pass_fold_batchnorm);
    check_folded(g, conv, bn, w);
    CU_ASSERT_EQUAL(g->n_nodes, 2);
    CU_ASSERT_PTR_EQUAL(relu->in[0], conv->out[0]);
    CU_ASSERT_PTR_EQUAL(conv->in[0], x);
    double ww[6], wb[3];
    for (int i = 0; i < 6; i++) ww[i] = wv[i] * bn_s(i / 2);
    for (int c = 0; c < 3; c++) wb[c] = bv[c] * bn_s(c) + bn_t(c);
    CU_ASSERT_EQUAL(check_values(conv->in[1], ww, 6, 1e-6), 0);
    CU_ASSERT_EQUAL(check_values(conv->in[2], wb, 3, 1e-6), 0);
    ASSERT_SHAPE(conv->in[1], "[3,2,1,1]");
    CU_ASSERT_EQUAL(((float *)w->data)[1], -2.0f); /* the original is untouched */
    CU_ASSERT_EQUAL(((float *)b->data)[2], 2.0f);
    CU_ASSERT_EQUAL(reinfer_changes(g), 0);
    ut_graph_free(&u);
}

/* Grouped Conv (group 2) without a bias: weights scaled per output channel
 * (W's first dim), the new bias is t. */
static void test_bn_conv_no_bias(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Graph *g = u.g;
    float wv[18];
    for (int i = 0; i < 18; i++) wv[i] = (float)(i % 7) - 3.0f + 0.5f;
    Tensor *x = ut_input(g, "X", F, 4, DIMS(1, 2, 5, 5));
    Tensor *w = cvals(g, "W", 4, DIMS(2, 1, 3, 3), wv);
    Node *conv = ut_node(g, OP_Conv, 13, "conv", 2, INS(x, w), 1);
    ut_attr_int(conv, "group", 2);
    Node *bn = add_bn(g, conv->out[0], 2);
    mark_output(g, bn->out[0]);
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(conv->out[0], "[1,2,3,3]");
    PASS(g, pass_fold_batchnorm);
    check_folded(g, conv, bn, w);
    CU_ASSERT_EQUAL(g->n_nodes, 1);
    double ww[18], wb[2] = {bn_t(0), bn_t(1)};
    for (int i = 0; i < 18; i++) ww[i] = wv[i] * bn_s(i / 9);
    CU_ASSERT_EQUAL(check_values(conv->in[1], ww, 18, 1e-6), 0);
    CU_ASSERT_EQUAL(check_values(conv->in[2], wb, 2, 1e-6), 0);
    ASSERT_SHAPE(conv->in[2], "[2]");
    CU_ASSERT_EQUAL(node_attr_int(conv, "group", 1), 2);
    CU_ASSERT_EQUAL(reinfer_changes(g), 0);
    ut_graph_free(&u);
}

/* ConvTranspose group 2: W[C=4, M/g=3, 1, 1], M = 6; input channel c of
 * group c/2 feeds output channel (c/2)*3 + j. */
static void test_bn_convtranspose_group(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Graph *g = u.g;
    float wv[12];
    for (int i = 0; i < 12; i++) wv[i] = (float)(i + 1) * (i % 2 ? -0.5f : 1.0f);
    static const int out_channel[12] = {0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5};
    Tensor *x = ut_input(g, "X", F, 4, DIMS(1, 4, 3, 3));
    Tensor *w = cvals(g, "W", 4, DIMS(4, 3, 1, 1), wv);
    Node *ct = ut_node(g, OP_ConvTranspose, 13, "ct", 2, INS(x, w), 1);
    ut_attr_int(ct, "group", 2);
    Node *bn = add_bn(g, ct->out[0], 6);
    mark_output(g, bn->out[0]);
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(ct->out[0], "[1,6,3,3]");
    PASS(g, pass_fold_batchnorm);
    check_folded(g, ct, bn, w);
    double ww[12], wb[6];
    for (int i = 0; i < 12; i++) ww[i] = wv[i] * bn_s(out_channel[i]);
    for (int c = 0; c < 6; c++) wb[c] = bn_t(c);
    CU_ASSERT_EQUAL(check_values(ct->in[1], ww, 12, 1e-6), 0);
    CU_ASSERT_EQUAL(check_values(ct->in[2], wb, 6, 1e-6), 0);
    CU_ASSERT_EQUAL(reinfer_changes(g), 0);
    ut_graph_free(&u);
}

/* Gemm: transB with C [N], alpha 2, beta 0.5 -> B rows scaled, C' = beta*C*s + t,
 * beta 1, alpha kept. Then C [M,N] (stays 2-D) and C [1,N] (becomes [N]). */
static void test_bn_gemm(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Graph *g = u.g;
    static const float bv[12] = {1, 2, 3, -1, -2, -3, 0.5f, 0.25f, 4, 2, -2, 1};
    static const float cv[8] = {0.5f, -1, 2, 3, -0.5f, 1, 0, 7};
    Tensor *a = ut_input(g, "A", F, 2, DIMS(2, 3));
    Tensor *b = cvals(g, "B", 2, DIMS(4, 3), bv);
    Tensor *c = cvals(g, "C", 1, DIMS(4), cv);
    Node *gm = ut_node(g, OP_Gemm, 13, "gemm", 3, INS(a, b, c), 1);
    ut_attr_int(gm, "transB", 1);
    ut_attr_float(gm, "alpha", 2.0f);
    ut_attr_float(gm, "beta", 0.5f);
    Node *bn = add_bn(g, gm->out[0], 4);
    mark_output(g, bn->out[0]);
    ASSERT_OK(ut_infer(g));
    PASS(g, pass_fold_batchnorm);
    check_folded(g, gm, bn, b);
    double wb[12], wc[4];
    for (int i = 0; i < 12; i++) wb[i] = bv[i] * bn_s(i / 3); /* B[n,k]: row n */
    for (int n = 0; n < 4; n++) wc[n] = 0.5 * cv[n] * bn_s(n) + bn_t(n);
    CU_ASSERT_EQUAL(check_values(gm->in[1], wb, 12, 1e-6), 0);
    CU_ASSERT_EQUAL(check_values(gm->in[2], wc, 4, 1e-6), 0);
    CU_ASSERT_EQUAL(node_attr_float(gm, "beta", -1), 1.0f);
    CU_ASSERT_EQUAL(node_attr_float(gm, "alpha", -1), 2.0f);
    CU_ASSERT_EQUAL(node_attr_int(gm, "transB", 0), 1);
    CU_ASSERT_EQUAL(reinfer_changes(g), 0);

    /* C [2,4], no transB: B[k,n] scaled by column */
    g = ut_fresh(&u);
    a = ut_input(g, "A", F, 2, DIMS(2, 3));
    b = cvals(g, "B", 2, DIMS(3, 4), bv);
    c = cvals(g, "C", 2, DIMS(2, 4), cv);
    gm = ut_node(g, OP_Gemm, 13, "gemm", 3, INS(a, b, c), 1);
    bn = add_bn(g, gm->out[0], 4);
    mark_output(g, bn->out[0]);
    ASSERT_OK(ut_infer(g));
    PASS(g, pass_fold_batchnorm);
    check_folded(g, gm, bn, b);
    double wc2[8];
    for (int i = 0; i < 12; i++) wb[i] = bv[i] * bn_s(i % 4);
    for (int i = 0; i < 8; i++) wc2[i] = cv[i] * bn_s(i % 4) + bn_t(i % 4);
    CU_ASSERT_EQUAL(check_values(gm->in[1], wb, 12, 1e-6), 0);
    CU_ASSERT_EQUAL(check_values(gm->in[2], wc2, 8, 1e-6), 0);
    ASSERT_SHAPE(gm->in[2], "[2,4]");
    CU_ASSERT_EQUAL(reinfer_changes(g), 0);

    /* C [1,4] */
    g = ut_fresh(&u);
    a = ut_input(g, "A", F, 2, DIMS(2, 3));
    b = cvals(g, "B", 2, DIMS(3, 4), bv);
    c = cvals(g, "C", 2, DIMS(1, 4), cv + 4);
    gm = ut_node(g, OP_Gemm, 13, "gemm", 3, INS(a, b, c), 1);
    bn = add_bn(g, gm->out[0], 4);
    mark_output(g, bn->out[0]);
    ASSERT_OK(ut_infer(g));
    PASS(g, pass_fold_batchnorm);
    check_folded(g, gm, bn, b);
    for (int n = 0; n < 4; n++) wc[n] = cv[4 + n] * bn_s(n) + bn_t(n);
    CU_ASSERT_EQUAL(check_values(gm->in[2], wc, 4, 1e-6), 0);
    CU_ASSERT_EQUAL(reinfer_changes(g), 0);
    ut_graph_free(&u);
}

/* A 2-D MatMul becomes a Gemm with B scaled by column and C = t. */
static void test_bn_matmul(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Graph *g = u.g;
    static const float bv[12] = {1, 2, 3, -1, -2, -3, 0.5f, 0.25f, 4, 2, -2, 1};
    Tensor *a = ut_input(g, "A", F, 2, DIMS(2, 3));
    Tensor *b = cvals(g, "B", 2, DIMS(3, 4), bv);
    Node *mm = op2(g, OP_MatMul, "mm", a, b);
    Node *bn = add_bn(g, mm->out[0], 4);
    mark_output(g, bn->out[0]);
    ASSERT_OK(ut_infer(g));
    PASS(g, pass_fold_batchnorm);
    check_folded(g, mm, bn, b);
    CU_ASSERT_EQUAL(mm->op, OP_Gemm);
    CU_ASSERT_STRING_EQUAL(mm->op_type, "Gemm");
    double wb[12], wc[4];
    for (int i = 0; i < 12; i++) wb[i] = bv[i] * bn_s(i % 4);
    for (int n = 0; n < 4; n++) wc[n] = bn_t(n);
    CU_ASSERT_EQUAL(check_values(mm->in[1], wb, 12, 1e-6), 0);
    CU_ASSERT_EQUAL(check_values(mm->in[2], wc, 4, 1e-6), 0);
    CU_ASSERT_EQUAL(node_attr_float(mm, "beta", -1), 1.0f);
    CU_ASSERT_EQUAL(node_attr_float(mm, "alpha", 1.0f), 1.0f);
    CU_ASSERT_EQUAL(node_attr_int(mm, "transA", 0) + node_attr_int(mm, "transB", 0), 0);
    CU_ASSERT_EQUAL(reinfer_changes(g), 0);
    ASSERT_SHAPE(mm->out[0], "[2,4]");
    ut_graph_free(&u);
}

/* Cases that must not fold: the conv output has a second reader or is a
 * graph output, the weights or a bias or a statistic are not constant, a
 * 3-D MatMul (the BN channel is not the MatMul's N). */
static void test_bn_not_folded(void)
{
    UtGraph u;
    ut_graph_init(&u);
    for (int kase = 0; kase < 6; kase++) {
        Graph *g = ut_fresh(&u);
        Tensor *x = ut_input(g, "X", F, 4, DIMS(1, 2, 4, 4));
        Tensor *w = kase == 1 ? ut_input(g, "W", F, 4, DIMS(3, 2, 1, 1)) : ut_const_f32(g, "W", 4, DIMS(3, 2, 1, 1), 0.5f);
        Tensor *bias = kase == 2 ? ut_input(g, "Bc", F, 1, DIMS(3)) : NULL;
        Node *p;
        Node *bn;
        if (kase == 5) {
            Tensor *a = ut_input(g, "A", F, 3, DIMS(2, 3, 4));
            p = op2(g, OP_MatMul, "mm", a, ut_const_f32(g, "B", 2, DIMS(4, 5), 1.0f));
            bn = add_bn(g, p->out[0], 3);
        } else {
            p = ut_node(g, OP_Conv, 13, "conv", bias ? 3 : 2, INS(x, w, bias), 1);
            bn = add_bn(g, p->out[0], 3);
        }
        if (kase == 3) bn->in[3] = ut_input(g, "mean", F, 1, DIMS(3));
        mark_output(g, bn->out[0]);
        if (kase == 0) mark_output(g, op1(g, OP_Relu, "second", p->out[0])->out[0]);
        if (kase == 4) mark_output(g, p->out[0]);
        Tensor *w_before = p->in[1];
        int nin = p->n_in;
        ASSERT_OK(ut_infer(g));
        PASS(g, pass_fold_batchnorm);
        if (count_op(g, OP_BatchNormalization) != 1) fprintf(stderr, "\n  BN case %d folded\n", kase);
        CU_ASSERT_EQUAL(count_op(g, OP_BatchNormalization), 1);
        CU_ASSERT_PTR_EQUAL(p->in[1], w_before);
        CU_ASSERT_EQUAL(p->n_in, nin);
        CU_ASSERT_PTR_EQUAL(bn->in[0], p->out[0]);
        CU_ASSERT_EQUAL(p->op, kase == 5 ? OP_MatMul : OP_Conv);
    }
    ut_graph_free(&u);
}

/* ======================= recognize: GELU ======================= */

/* The torch GELU chains on x; variant 0: ((x/sqrt2 -> Erf + 1) * x) * 0.5,
 * 1: (x*0.5) * (Erf(x/sqrt2) + 1), 2: x * ((1 + Erf(x*sqrt(1/2))) * 0.5).
 * Returns the last node; *erf the Erf node. */
static Node *build_gelu(Graph *g, Tensor *x, int variant, float half, Node **erf)
{
    Node *pd = variant == 2 ? op2(g, OP_Mul, "g_scale", x, scalar(g, "g_c", (float)sqrt(0.5)))
                            : op2(g, OP_Div, "g_scale", x, scalar(g, "g_c", (float)sqrt(2.0)));
    Node *e = op1(g, OP_Erf, "g_erf", pd->out[0]);
    Tensor *one = scalar(g, "g_one", 1.0f);
    Node *a = variant == 2 ? op2(g, OP_Add, "g_add", one, e->out[0]) : op2(g, OP_Add, "g_add", e->out[0], one);
    if (erf) *erf = e;
    Tensor *h = scalar(g, "g_half", half);
    switch (variant) {
    case 0: {
        Node *m1 = op2(g, OP_Mul, "g_mul1", x, a->out[0]);
        return op2(g, OP_Mul, "g_mul2", m1->out[0], h);
    }
    case 1: {
        Node *xh = op2(g, OP_Mul, "g_xh", x, h);
        return op2(g, OP_Mul, "g_mul", xh->out[0], a->out[0]);
    }
    default: {
        Node *m1 = op2(g, OP_Mul, "g_mul1", a->out[0], h);
        return op2(g, OP_Mul, "g_mul2", x, m1->out[0]);
    }
    }
}

static void test_gelu(void)
{
    static const float xv[10] = {-3, -1.5f, -0.5f, 0, 0.3f, 1, 2, 4, -0.01f, 0.7f};
    UtGraph u;
    ut_graph_init(&u);
    for (int variant = 0; variant < 3; variant++) {
        /* reference: the same chain on a constant, folded by the ops' evals */
        Graph *g = ut_fresh(&u);
        Node *ref = build_gelu(g, cvals(g, "Xc", 2, DIMS(2, 5), xv), variant, 0.5f, NULL);
        mark_output(g, ref->out[0]);
        ASSERT_OK(ut_infer(g));
        CU_ASSERT_PTR_NOT_NULL_FATAL(ref->out[0]->data);
        double want[10];
        for (int i = 0; i < 10; i++) want[i] = 0.5 * xv[i] * (1 + erf(xv[i] / sqrt(2.0)));
        CU_ASSERT_EQUAL(check_values(ref->out[0], want, 10, 1e-6), 0);

        g = ut_fresh(&u);
        Tensor *x = ut_input(g, "X", F, 2, DIMS(2, 5));
        Node *last = build_gelu(g, x, variant, 0.5f, NULL);
        Node *after = op1(g, OP_Neg, "after", last->out[0]);
        mark_output(g, after->out[0]);
        Tensor *y = last->out[0];
        ASSERT_OK(ut_infer(g));
        PASS(g, pass_recognize_patterns);
        if (g->n_nodes != 2) fprintf(stderr, "\n  GELU variant %d: %d nodes left\n", variant, g->n_nodes);
        CU_ASSERT_EQUAL(g->n_nodes, 2);
        CU_ASSERT_PTR_EQUAL(g->nodes[0], last);
        CU_ASSERT_EQUAL(last->op, OP_Gelu);
        CU_ASSERT_STRING_EQUAL(last->op_type, "Gelu");
        CU_ASSERT_EQUAL(last->n_in, 1);
        CU_ASSERT_PTR_EQUAL(last->in[0], x);
        CU_ASSERT_PTR_EQUAL(last->out[0], y);
        CU_ASSERT_EQUAL(last->n_attrs, 0);
        CU_ASSERT_PTR_EQUAL(after->in[0], y);
        CU_ASSERT_EQUAL(graph_violations(g), 0);
        CU_ASSERT_EQUAL(reinfer_changes(g), 0);
        /* the rewritten node computes what the chain computed */
        if (last->op == OP_Gelu) {
            x->data = (void *)xv;
            y->data = arena_alloc(g->arena, (size_t)tensor_bytes(y));
            op_info(OP_Gelu)->eval(g, last);
            double refv[10];
            for (int i = 0; i < 10; i++) refv[i] = tensor_get_double(ref->out[0], i);
            CU_ASSERT_EQUAL(check_values(y, refv, 10, 1e-6), 0);
        }
    }
    ut_graph_free(&u);
}

/* Not rewritten: an intermediate (the Erf output) has another reader; the
 * constant is 0.6 instead of 0.5; the divisor is 2 instead of sqrt 2. */
static void test_gelu_not_rewritten(void)
{
    UtGraph u;
    ut_graph_init(&u);
    for (int kase = 0; kase < 3; kase++) {
        Graph *g = ut_fresh(&u);
        Tensor *x = ut_input(g, "X", F, 2, DIMS(2, 5));
        Node *erf;
        Node *last = build_gelu(g, x, 0, kase == 1 ? 0.6f : 0.5f, &erf);
        mark_output(g, last->out[0]);
        if (kase == 0) mark_output(g, op1(g, OP_Relu, "peek", erf->out[0])->out[0]);
        if (kase == 2) *(float *)g->nodes[0]->in[1]->data = 2.0f;
        int before = g->n_nodes;
        ASSERT_OK(ut_infer(g));
        PASS(g, pass_recognize_patterns);
        CU_ASSERT_EQUAL(count_op(g, OP_Gelu), 0);
        CU_ASSERT_EQUAL(g->n_nodes, before);
        CU_ASSERT_EQUAL(last->op, OP_Mul);
    }
    ut_graph_free(&u);
}

/* ======================= recognize: LayerNorm ======================= */
typedef struct LnChain {
    Node *r1, *sub, *pow, *r2, *add_eps, *sqrt, *div, *mul, *add, *last;
} LnChain;

/* ReduceMean, Sub, Pow 2, ReduceMean, Add eps, Sqrt, Div [, Mul gamma [, Add beta]] */
static LnChain build_ln(Graph *g, Tensor *x, int nax, const int64_t *axes, float eps, Tensor *gamma, Tensor *beta)
{
    LnChain c = {0};
    c.r1 = op1(g, OP_ReduceMean, "ln_mean", x);
    ut_attr_ints(c.r1, "axes", nax, axes);
    c.sub = op2(g, OP_Sub, "ln_sub", x, c.r1->out[0]);
    c.pow = op2(g, OP_Pow, "ln_pow", c.sub->out[0], scalar(g, "ln_two", 2.0f));
    c.r2 = op1(g, OP_ReduceMean, "ln_var", c.pow->out[0]);
    ut_attr_ints(c.r2, "axes", nax, axes);
    c.add_eps = op2(g, OP_Add, "ln_addeps", c.r2->out[0], scalar(g, "ln_eps", eps));
    c.sqrt = op1(g, OP_Sqrt, "ln_sqrt", c.add_eps->out[0]);
    c.div = op2(g, OP_Div, "ln_div", c.sub->out[0], c.sqrt->out[0]);
    c.last = c.div;
    if (gamma) c.last = c.mul = op2(g, OP_Mul, "ln_mul", c.div->out[0], gamma);
    if (gamma && beta) c.last = c.add = op2(g, OP_Add, "ln_add", c.mul->out[0], beta);
    return c;
}

static void test_layernorm(void)
{
    static const float gv[12] = {1.5f, -0.5f, 2, 0.25f, 1, 1, 3, -1, 0.5f, 2, 1, -2};
    static const float bv[4] = {0.1f, -0.2f, 0.3f, 1};
    float xv[24];
    for (int i = 0; i < 24; i++) xv[i] = (float)((i * 7) % 11) - 5.0f + 0.25f * (float)i;
    UtGraph u;
    ut_graph_init(&u);

    /* axes [-1], gamma [4] and beta [4] */
    Graph *g = u.g;
    Tensor *x = ut_input(g, "X", F, 3, DIMS(2, 3, 4));
    Tensor *gamma = cvals(g, "gamma", 1, DIMS(4), gv);
    Tensor *beta = cvals(g, "beta", 1, DIMS(4), bv);
    LnChain c = build_ln(g, x, 1, DIMS(-1), 2e-5f, gamma, beta);
    Node *after = op1(g, OP_Relu, "after", c.last->out[0]);
    mark_output(g, after->out[0]);
    Tensor *y = c.last->out[0];
    ASSERT_OK(ut_infer(g));
    PASS(g, pass_recognize_patterns);
    CU_ASSERT_EQUAL(g->n_nodes, 2);
    CU_ASSERT_PTR_EQUAL(g->nodes[0], c.add);
    CU_ASSERT_EQUAL(c.add->op, OP_LayerNormalization);
    CU_ASSERT_EQUAL(c.add->n_in, 3);
    CU_ASSERT_PTR_EQUAL(c.add->in[0], x);
    CU_ASSERT_PTR_EQUAL(c.add->in[1], gamma);
    CU_ASSERT_PTR_EQUAL(c.add->in[2], beta);
    CU_ASSERT_PTR_EQUAL(c.add->out[0], y);
    CU_ASSERT_EQUAL(node_attr_int(c.add, "axis", 0), -1);
    CU_ASSERT_EQUAL(node_attr_float(c.add, "epsilon", 0), 2e-5f);
    CU_ASSERT_EQUAL(graph_violations(g), 0);
    CU_ASSERT_EQUAL(reinfer_changes(g), 0);

    /* numeric: the decomposition folded by the ops' evals is LayerNorm with
     * the recognised epsilon (x - mean) / sqrt(var + eps) * gamma + beta */
    float eps = node_attr_float(c.add, "epsilon", 0);
    g = ut_fresh(&u);
    Tensor *xc = cvals(g, "Xc", 3, DIMS(2, 3, 4), xv);
    LnChain rc = build_ln(g, xc, 1, DIMS(-1), 2e-5f, cvals(g, "gamma", 1, DIMS(4), gv), cvals(g, "beta", 1, DIMS(4), bv));
    mark_output(g, rc.last->out[0]);
    ASSERT_OK(ut_infer(g));
    double want[24];
    for (int r = 0; r < 6; r++) {
        double mean = 0, var = 0;
        for (int j = 0; j < 4; j++) mean += xv[r * 4 + j] / 4.0;
        for (int j = 0; j < 4; j++) var += (xv[r * 4 + j] - mean) * (xv[r * 4 + j] - mean) / 4.0;
        for (int j = 0; j < 4; j++) want[r * 4 + j] = (xv[r * 4 + j] - mean) / sqrt(var + eps) * gv[j] + bv[j];
    }
    CU_ASSERT_EQUAL(check_values(rc.last->out[0], want, 24, 1e-5), 0);

    /* axes [1,2] and gamma [3,4], no beta: axis -2, two inputs */
    g = ut_fresh(&u);
    x = ut_input(g, "X", F, 3, DIMS(2, 3, 4));
    gamma = cvals(g, "gamma", 2, DIMS(3, 4), gv);
    c = build_ln(g, x, 2, DIMS(1, 2), 1e-5f, gamma, NULL);
    mark_output(g, c.last->out[0]);
    ASSERT_OK(ut_infer(g));
    PASS(g, pass_recognize_patterns);
    CU_ASSERT_EQUAL(g->n_nodes, 1);
    CU_ASSERT_PTR_EQUAL(g->nodes[0], c.mul);
    CU_ASSERT_EQUAL(c.mul->op, OP_LayerNormalization);
    CU_ASSERT_EQUAL(c.mul->n_in, 2);
    CU_ASSERT_PTR_EQUAL(c.mul->in[1], gamma);
    CU_ASSERT_EQUAL(node_attr_int(c.mul, "axis", 0), -2);
    CU_ASSERT_EQUAL(node_attr_float(c.mul, "epsilon", 0), 1e-5f);
    CU_ASSERT_EQUAL(reinfer_changes(g), 0);

    /* no gamma at all: a ones scale of the normalised shape is made */
    g = ut_fresh(&u);
    x = ut_input(g, "X", F, 3, DIMS(2, 3, 4));
    c = build_ln(g, x, 1, DIMS(2), 1e-5f, NULL, NULL);
    mark_output(g, c.last->out[0]);
    ASSERT_OK(ut_infer(g));
    PASS(g, pass_recognize_patterns);
    CU_ASSERT_EQUAL(g->n_nodes, 1);
    CU_ASSERT_EQUAL(c.div->op, OP_LayerNormalization);
    CU_ASSERT_EQUAL(c.div->n_in, 2);
    if (c.div->n_in >= 2) {
        ASSERT_SHAPE(c.div->in[1], "[4]");
        CU_ASSERT_EQUAL(check_values(c.div->in[1], (const double[]){1, 1, 1, 1}, 4, 0), 0);
    }
    CU_ASSERT_EQUAL(node_attr_int(c.div, "axis", 0), -1);
    CU_ASSERT_EQUAL(reinfer_changes(g), 0);
    ut_graph_free(&u);
}

/* Not rewritten: the centred x (Sub output) has a third reader; the mean is
 * over a non-trailing axis; gamma [4,1] broadcasts x [1,4] up to [4,4], so
 * the chain's result does not have x's shape. */
static void test_layernorm_not_rewritten(void)
{
    UtGraph u;
    ut_graph_init(&u);
    for (int kase = 0; kase < 3; kase++) {
        Graph *g = ut_fresh(&u);
        Tensor *x = kase == 2 ? ut_input(g, "X", F, 2, DIMS(1, 4)) : ut_input(g, "X", F, 3, DIMS(2, 3, 4));
        Tensor *gamma = kase == 2 ? ut_const_f32(g, "gamma", 2, DIMS(4, 1), 2.0f) : ut_const_f32(g, "gamma", 1, DIMS(4), 2.0f);
        LnChain c = build_ln(g, x, 1, kase == 1 ? DIMS(1) : DIMS(-1), 1e-5f, gamma, NULL);
        mark_output(g, c.last->out[0]);
        if (kase == 0) mark_output(g, op1(g, OP_Neg, "peek", c.sub->out[0])->out[0]);
        int before = g->n_nodes;
        ASSERT_OK(ut_infer(g));
        if (kase == 2) ASSERT_SHAPE(c.last->out[0], "[4,4]");
        PASS(g, pass_recognize_patterns);
        if (count_op(g, OP_LayerNormalization)) fprintf(stderr, "\n  LayerNorm case %d was rewritten\n", kase);
        CU_ASSERT_EQUAL(count_op(g, OP_LayerNormalization), 0);
        CU_ASSERT_EQUAL(g->n_nodes, before);
    }
    ut_graph_free(&u);
}

/* ======================= recognize: attention ======================= */
typedef struct AttChain {
    Tensor *q, *k, *v, *mask;
    Node *tr, *mm1, *scale, *add, *sm, *mm2;
} AttChain;

/* MatMul(Q, Transpose(K)) -> Div c | Mul c -> [Add mask] -> Softmax -> MatMul V.
 * kt: K is [.., Sk, D] and transposed; else K is given as [.., D, Sk]. */
static AttChain build_att(Graph *g, const int64_t *qd, int64_t sk, int kt, int div, float c, int mask_first,
                          int with_mask, int64_t sm_axis)
{
    AttChain a = {0};
    int64_t d = qd[3];
    a.q = ut_input(g, "Q", F, 4, qd);
    a.k = kt ? ut_input(g, "K", F, 4, DIMS(qd[0], qd[1], sk, d)) : ut_input(g, "K", F, 4, DIMS(qd[0], qd[1], d, sk));
    a.v = ut_input(g, "V", F, 4, DIMS(qd[0], qd[1], sk, 8));
    static const int64_t swap_last[4] = {0, 1, 3, 2}; /* the attribute keeps the pointer */
    Tensor *kk = a.k;
    if (kt) {
        a.tr = op1(g, OP_Transpose, "att_tr", a.k);
        ut_attr_ints(a.tr, "perm", 4, swap_last);
        kk = a.tr->out[0];
    }
    a.mm1 = op2(g, OP_MatMul, "att_mm1", a.q, kk);
    a.scale = op2(g, div ? OP_Div : OP_Mul, "att_scale", a.mm1->out[0], scalar(g, "att_c", c));
    Tensor *z = a.scale->out[0];
    if (with_mask) {
        a.mask = ut_input(g, "mask", F, 4, DIMS(1, 1, with_mask == 2 ? sk : qd[2], sk));
        a.add = mask_first ? op2(g, OP_Add, "att_mask", a.mask, z) : op2(g, OP_Add, "att_mask", z, a.mask);
        z = a.add->out[0];
    }
    a.sm = op1(g, OP_Softmax, "att_sm", z);
    if (sm_axis != -1) ut_attr_int(a.sm, "axis", sm_axis);
    a.mm2 = op2(g, OP_MatMul, "att_mm2", a.sm->out[0], a.v);
    return a;
}

static void test_attention(void)
{
    UtGraph u;
    ut_graph_init(&u);
    /* Div by sqrt(8), Add mask, transposed K */
    Graph *g = u.g;
    AttChain a = build_att(g, DIMS(1, 2, 4, 8), 4, 1, 1, (float)sqrt(8.0), 0, 1, -1);
    mark_output(g, a.mm2->out[0]);
    Tensor *y = a.mm2->out[0];
    ASSERT_OK(ut_infer(g));
    ASSERT_SHAPE(y, "[1,2,4,8]");
    PASS(g, pass_recognize_patterns);
    CU_ASSERT_EQUAL(g->n_nodes, 1);
    CU_ASSERT_PTR_EQUAL(g->nodes[0], a.mm2);
    CU_ASSERT_EQUAL(a.mm2->op, OP_Attention);
    CU_ASSERT_EQUAL(a.mm2->n_in, 5);
    CU_ASSERT_PTR_EQUAL(node_input(a.mm2, 0), a.q);
    CU_ASSERT_PTR_EQUAL(node_input(a.mm2, 1), a.k);
    CU_ASSERT_PTR_EQUAL(node_input(a.mm2, 2), a.v);
    CU_ASSERT_PTR_EQUAL(node_input(a.mm2, 3), a.mask);
    CU_ASSERT_PTR_NULL(node_input(a.mm2, 4));
    CU_ASSERT_PTR_EQUAL(a.mm2->out[0], y);
    CU_ASSERT_EQUAL(node_attr_int(a.mm2, "kt", -1), 1);
    CU_ASSERT_TRUE(near_rel(node_attr_float(a.mm2, "scale", 0), 1.0 / sqrt(8.0), 1e-6));
    CU_ASSERT_EQUAL(node_attr_float(a.mm2, "fill", -1), 0.0f);
    CU_ASSERT_EQUAL(node_attr_int(a.mm2, "select_keep", -1), 0);
    CU_ASSERT_EQUAL(graph_violations(g), 0);
    CU_ASSERT_EQUAL(reinfer_changes(g), 0);

    /* Mul by 0.125, K already [D, Sk], no mask: kt 0, no mask input */
    g = ut_fresh(&u);
    a = build_att(g, DIMS(2, 3, 5, 16), 6, 0, 0, 0.125f, 0, 0, -1);
    mark_output(g, a.mm2->out[0]);
    ASSERT_OK(ut_infer(g));
    PASS(g, pass_recognize_patterns);
    CU_ASSERT_EQUAL(g->n_nodes, 1);
    CU_ASSERT_EQUAL(a.mm2->op, OP_Attention);
    CU_ASSERT_PTR_EQUAL(node_input(a.mm2, 1), a.k);
    CU_ASSERT_PTR_NULL(node_input(a.mm2, 3));
    CU_ASSERT_EQUAL(node_attr_int(a.mm2, "kt", -1), 0);
    CU_ASSERT_EQUAL(node_attr_float(a.mm2, "scale", 0), 0.125f);
    CU_ASSERT_EQUAL(reinfer_changes(g), 0);

    /* Add(mask, scores): the mask is found on either side */
    g = ut_fresh(&u);
    a = build_att(g, DIMS(1, 2, 4, 8), 4, 1, 1, 2.0f, 1, 1, -1);
    mark_output(g, a.mm2->out[0]);
    ASSERT_OK(ut_infer(g));
    PASS(g, pass_recognize_patterns);
    CU_ASSERT_EQUAL(g->n_nodes, 1);
    CU_ASSERT_EQUAL(a.mm2->op, OP_Attention);
    CU_ASSERT_PTR_EQUAL(node_input(a.mm2, 3), a.mask);
    CU_ASSERT_EQUAL(node_attr_float(a.mm2, "scale", 0), 0.5f);
    ut_graph_free(&u);
}

/* Not rewritten: the Softmax output is also a graph output; the scaled
 * scores have a second reader; Softmax over axis 2; and (a broadcast the
 * Attention op cannot express) a mask [.., Sk, Sk] widening one query row
 * [.., 1, Sk] to Sk rows. */
static void test_attention_not_rewritten(void)
{
    UtGraph u;
    ut_graph_init(&u);
    for (int kase = 0; kase < 4; kase++) {
        Graph *g = ut_fresh(&u);
        AttChain a = kase == 3 ? build_att(g, DIMS(1, 2, 1, 8), 4, 1, 1, 2.0f, 0, 2, -1)
                               : build_att(g, DIMS(1, 2, 4, 8), 4, 1, 1, 2.0f, 0, 1, kase == 2 ? 2 : -1);
        mark_output(g, a.mm2->out[0]);
        if (kase == 0) mark_output(g, a.sm->out[0]);
        if (kase == 1) mark_output(g, op1(g, OP_Relu, "peek", a.scale->out[0])->out[0]);
        int before = g->n_nodes;
        ASSERT_OK(ut_infer(g));
        if (kase == 3) ASSERT_SHAPE(a.mm2->out[0], "[1,2,4,8]");
        PASS(g, pass_recognize_patterns);
        if (count_op(g, OP_Attention)) fprintf(stderr, "\n  attention case %d was rewritten\n", kase);
        CU_ASSERT_EQUAL(count_op(g, OP_Attention), 0);
        CU_ASSERT_EQUAL(g->n_nodes, before);
    }
    ut_graph_free(&u);
}

/* ======================= fuse_epilogue ======================= */
static Node *conv1x1(Graph *g, Tensor *x, int64_t cin, int64_t cout, int with_bias)
{
    Tensor *w = ut_const_f32(g, "W", 4, DIMS(cout, cin, 1, 1), 0.5f);
    Tensor *b = with_bias ? ut_const_f32(g, "Bc", 1, DIMS(cout), 0.25f) : NULL;
    return ut_node(g, OP_Conv, 13, "conv", b ? 3 : 2, INS(x, w, b), 1);
}

/* Conv -> Add(residual computed in between) -> Relu: the conv takes the
 * residual as an extra input, relu after the add, and moves after the
 * residual's producer, writing the Relu's output. */
static void test_fuse_residual_relu(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Graph *g = u.g;
    Tensor *x = ut_input(g, "X", F, 4, DIMS(1, 2, 4, 4));
    Tensor *x2 = ut_input(g, "X2", F, 4, DIMS(1, 3, 4, 4));
    Node *conv = conv1x1(g, x, 2, 3, 1);
    Node *side = op1(g, OP_Tanh, "side", x2);
    Node *add = op2(g, OP_Add, "add", conv->out[0], side->out[0]);
    Node *relu = op1(g, OP_Relu, "relu", add->out[0]);
    Node *tail = op1(g, OP_Neg, "tail", relu->out[0]);
    mark_output(g, tail->out[0]);
    Tensor *bias = conv->in[2];
    ASSERT_OK(ut_infer(g));
    PASS(g, pass_fuse_epilogue);
    CU_ASSERT_EQUAL(g->n_nodes, 3);
    CU_ASSERT_EQUAL(index_of(g, side), 0);
    CU_ASSERT_EQUAL(index_of(g, conv), 1);
    CU_ASSERT_EQUAL(index_of(g, tail), 2);
    CU_ASSERT_EQUAL(count_op(g, OP_Add) + count_op(g, OP_Relu), 0);
    CU_ASSERT_EQUAL(conv->epi.act, EPI_ACT_RELU);
    CU_ASSERT_EQUAL(conv->epi.act_first, 0);
    CU_ASSERT_EQUAL(conv->epi.bias, 0);
    CU_ASSERT_TRUE(conv->epi.residual > 0 && conv->epi.residual < conv->n_in);
    if (conv->epi.residual > 0 && conv->epi.residual < conv->n_in)
        CU_ASSERT_PTR_EQUAL(conv->in[conv->epi.residual], side->out[0]);
    CU_ASSERT_PTR_EQUAL(node_input(conv, 2), bias); /* the bias stays the bias */
    CU_ASSERT_PTR_EQUAL(conv->out[0], relu->out[0]);
    CU_ASSERT_PTR_EQUAL(relu->out[0]->producer, conv);
    CU_ASSERT_PTR_EQUAL(tail->in[0], relu->out[0]);
    CU_ASSERT_EQUAL(graph_violations(g), 0);
    ut_graph_free(&u);
}

/* Conv -> Relu -> Add(residual): act_first. */
static void test_fuse_relu_then_residual(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Graph *g = u.g;
    Tensor *x = ut_input(g, "X", F, 4, DIMS(1, 2, 4, 4));
    Tensor *r = ut_input(g, "R", F, 4, DIMS(1, 3, 4, 4));
    Node *conv = conv1x1(g, x, 2, 3, 1);
    Node *relu = op1(g, OP_Relu, "relu", conv->out[0]);
    Node *add = op2(g, OP_Add, "add", r, relu->out[0]);
    Node *sig = op1(g, OP_Sigmoid, "sig", add->out[0]); /* a second activation is not taken */
    mark_output(g, sig->out[0]);
    ASSERT_OK(ut_infer(g));
    PASS(g, pass_fuse_epilogue);
    CU_ASSERT_EQUAL(g->n_nodes, 2);
    CU_ASSERT_EQUAL(index_of(g, conv), 0);
    CU_ASSERT_EQUAL(index_of(g, sig), 1);
    CU_ASSERT_EQUAL(conv->epi.act, EPI_ACT_RELU);
    CU_ASSERT_EQUAL(conv->epi.act_first, 1);
    CU_ASSERT_TRUE(conv->epi.residual > 0 && conv->epi.residual < conv->n_in);
    if (conv->epi.residual > 0 && conv->epi.residual < conv->n_in) CU_ASSERT_PTR_EQUAL(conv->in[conv->epi.residual], r);
    CU_ASSERT_PTR_EQUAL(conv->out[0], add->out[0]);
    CU_ASSERT_PTR_EQUAL(sig->in[0], add->out[0]);
    CU_ASSERT_EQUAL(graph_violations(g), 0);
    ut_graph_free(&u);
}

/* A residual fused into a Conv without bias, or a Gemm without C, must not
 * land in input slot 2, which the lowering reads as the bias / C. */
static void test_fuse_residual_without_bias(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Graph *g = u.g;
    Tensor *x = ut_input(g, "X", F, 4, DIMS(1, 2, 4, 4));
    Tensor *r = ut_input(g, "R", F, 4, DIMS(1, 3, 4, 4));
    Node *conv = conv1x1(g, x, 2, 3, 0);
    Node *add = op2(g, OP_Add, "add", conv->out[0], r);
    mark_output(g, add->out[0]);
    ASSERT_OK(ut_infer(g));
    PASS(g, pass_fuse_epilogue);
    CU_ASSERT_EQUAL(g->n_nodes, 1);
    CU_ASSERT_TRUE(conv->epi.residual > 0 && conv->epi.residual < conv->n_in);
    if (conv->epi.residual > 0 && conv->epi.residual < conv->n_in) CU_ASSERT_PTR_EQUAL(conv->in[conv->epi.residual], r);
    if (node_input(conv, 2)) fprintf(stderr, "\n  residual '%s' sits in the Conv's bias slot\n", node_input(conv, 2)->name);
    CU_ASSERT_PTR_NULL(node_input(conv, 2));

    g = ut_fresh(&u);
    Tensor *a = ut_input(g, "A", F, 2, DIMS(2, 3));
    Tensor *rr = ut_input(g, "R", F, 2, DIMS(2, 4));
    Node *gm = op2(g, OP_Gemm, "gemm", a, ut_const_f32(g, "B", 2, DIMS(3, 4), 1.0f));
    Node *add2 = op2(g, OP_Add, "add", gm->out[0], rr);
    mark_output(g, add2->out[0]);
    ASSERT_OK(ut_infer(g));
    PASS(g, pass_fuse_epilogue);
    CU_ASSERT_EQUAL(g->n_nodes, 1);
    CU_ASSERT_TRUE(gm->epi.residual > 0);
    if (node_input(gm, 2)) fprintf(stderr, "\n  residual '%s' sits in the Gemm's C slot\n", node_input(gm, 2)->name);
    CU_ASSERT_PTR_NULL(node_input(gm, 2));
    ut_graph_free(&u);
}

/* MatMul -> Add(const [N]) -> Gelu: bias input and GELU; also the bias on
 * the left of the Add. A Gemm without C takes a row bias as C. */
static void test_fuse_matmul_bias_gelu(void)
{
    UtGraph u;
    ut_graph_init(&u);
    for (int left = 0; left < 2; left++) {
        Graph *g = ut_fresh(&u);
        Tensor *a = ut_input(g, "A", F, 3, DIMS(2, 3, 4));
        Tensor *b = ut_const_f32(g, "B", 2, DIMS(4, 5), 0.5f);
        Tensor *bias = ut_const_f32(g, "bias", 1, DIMS(5), 0.1f);
        Node *mm = op2(g, OP_MatMul, "mm", a, b);
        Node *add = left ? op2(g, OP_Add, "add", bias, mm->out[0]) : op2(g, OP_Add, "add", mm->out[0], bias);
        Node *ge = op1(g, OP_Gelu, "gelu", add->out[0]);
        mark_output(g, ge->out[0]);
        ASSERT_OK(ut_infer(g));
        PASS(g, pass_fuse_epilogue);
        CU_ASSERT_EQUAL(g->n_nodes, 1);
        CU_ASSERT_PTR_EQUAL(g->nodes[0], mm);
        CU_ASSERT_EQUAL(mm->epi.bias, 2);
        CU_ASSERT_EQUAL(mm->n_in, 3);
        CU_ASSERT_PTR_EQUAL(node_input(mm, 2), bias);
        CU_ASSERT_EQUAL(mm->epi.act, EPI_ACT_GELU);
        CU_ASSERT_EQUAL(mm->epi.residual, 0);
        CU_ASSERT_PTR_EQUAL(mm->out[0], ge->out[0]);
    }
    /* a [1,N] bias that is not constant is a residual only if shapes match: here not fused */
    Graph *g = ut_fresh(&u);
    Tensor *a = ut_input(g, "A", F, 2, DIMS(2, 3));
    Tensor *bias = ut_input(g, "bias", F, 1, DIMS(4));
    Node *mm = op2(g, OP_MatMul, "mm", a, ut_const_f32(g, "B", 2, DIMS(3, 4), 1.0f));
    Node *add = op2(g, OP_Add, "add", mm->out[0], bias);
    mark_output(g, add->out[0]);
    ASSERT_OK(ut_infer(g));
    PASS(g, pass_fuse_epilogue);
    CU_ASSERT_EQUAL(g->n_nodes, 2);
    CU_ASSERT_EQUAL(mm->epi.bias + mm->epi.residual, 0);

    /* Gemm without C + Add(const [N]) -> C */
    g = ut_fresh(&u);
    a = ut_input(g, "A", F, 2, DIMS(2, 3));
    Tensor *cb = ut_const_f32(g, "cb", 1, DIMS(4), 0.3f);
    Node *gm = op2(g, OP_Gemm, "gemm", a, ut_const_f32(g, "B", 2, DIMS(3, 4), 1.0f));
    add = op2(g, OP_Add, "add", gm->out[0], cb);
    mark_output(g, add->out[0]);
    ASSERT_OK(ut_infer(g));
    PASS(g, pass_fuse_epilogue);
    CU_ASSERT_EQUAL(g->n_nodes, 1);
    CU_ASSERT_PTR_EQUAL(node_input(gm, 2), cb);
    CU_ASSERT_EQUAL(gm->epi.bias + gm->epi.residual, 0);
    CU_ASSERT_PTR_EQUAL(gm->out[0], add->out[0]);
    ut_graph_free(&u);
}

/* SiLU written as x * Sigmoid(x), either operand order. */
static void test_fuse_silu(void)
{
    UtGraph u;
    ut_graph_init(&u);
    for (int order = 0; order < 2; order++) {
        Graph *g = ut_fresh(&u);
        Tensor *x = ut_input(g, "X", F, 4, DIMS(1, 2, 4, 4));
        Node *conv = conv1x1(g, x, 2, 3, 1);
        Node *sg = op1(g, OP_Sigmoid, "sig", conv->out[0]);
        Node *mul = order ? op2(g, OP_Mul, "mul", sg->out[0], conv->out[0]) : op2(g, OP_Mul, "mul", conv->out[0], sg->out[0]);
        Node *tail = op1(g, OP_Neg, "tail", mul->out[0]);
        mark_output(g, tail->out[0]);
        ASSERT_OK(ut_infer(g));
        PASS(g, pass_fuse_epilogue);
        CU_ASSERT_EQUAL(g->n_nodes, 2);
        CU_ASSERT_EQUAL(count_op(g, OP_Sigmoid) + count_op(g, OP_Mul), 0);
        CU_ASSERT_EQUAL(conv->epi.act, EPI_ACT_SILU);
        CU_ASSERT_PTR_EQUAL(conv->out[0], mul->out[0]);
        CU_ASSERT_PTR_EQUAL(tail->in[0], mul->out[0]);
        CU_ASSERT_EQUAL(graph_violations(g), 0);
    }
    /* the Sigmoid's output read elsewhere too: no SiLU */
    Graph *g = ut_fresh(&u);
    Tensor *x = ut_input(g, "X", F, 4, DIMS(1, 2, 4, 4));
    Node *conv = conv1x1(g, x, 2, 3, 1);
    Node *sg = op1(g, OP_Sigmoid, "sig", conv->out[0]);
    Node *mul = op2(g, OP_Mul, "mul", conv->out[0], sg->out[0]);
    mark_output(g, mul->out[0]);
    mark_output(g, sg->out[0]);
    ASSERT_OK(ut_infer(g));
    PASS(g, pass_fuse_epilogue);
    CU_ASSERT_EQUAL(g->n_nodes, 3);
    CU_ASSERT_EQUAL(conv->epi.act, EPI_ACT_NONE);
    ut_graph_free(&u);
}

/* A producer whose output is a graph output, or has two readers, keeps its
 * readers. */
static void test_fuse_blocked(void)
{
    UtGraph u;
    ut_graph_init(&u);
    for (int kase = 0; kase < 2; kase++) {
        Graph *g = ut_fresh(&u);
        Tensor *x = ut_input(g, "X", F, 4, DIMS(1, 2, 4, 4));
        Node *conv = conv1x1(g, x, 2, 3, 1);
        Node *relu = op1(g, OP_Relu, "relu", conv->out[0]);
        mark_output(g, relu->out[0]);
        if (kase == 0) mark_output(g, conv->out[0]);
        else mark_output(g, op1(g, OP_Neg, "other", conv->out[0])->out[0]);
        Tensor *y = conv->out[0];
        ASSERT_OK(ut_infer(g));
        PASS(g, pass_fuse_epilogue);
        CU_ASSERT_EQUAL(count_op(g, OP_Relu), 1);
        CU_ASSERT_EQUAL(conv->epi.act, EPI_ACT_NONE);
        CU_ASSERT_PTR_EQUAL(conv->out[0], y);
        CU_ASSERT_PTR_EQUAL(relu->in[0], y);
    }
    ut_graph_free(&u);
}

/* Clip with constant bounds -> EPI_ACT_CLIP (alpha min, beta max): opset 13
 * inputs, opset 6 attributes, a missing min; a bound that is not constant
 * blocks the fusion. */
static void test_fuse_clip(void)
{
    UtGraph u;
    ut_graph_init(&u);
    for (int kase = 0; kase < 4; kase++) {
        Graph *g = ut_fresh(&u);
        Tensor *x = ut_input(g, "X", F, 4, DIMS(1, 2, 4, 4));
        Node *conv = conv1x1(g, x, 2, 3, 1);
        Node *clip;
        if (kase == 0) clip = ut_node(g, OP_Clip, 13, "clip", 3, INS(conv->out[0], scalar(g, "lo", 0), scalar(g, "hi", 6)), 1);
        else if (kase == 1) {
            clip = ut_node(g, OP_Clip, 6, "clip", 1, INS(conv->out[0]), 1);
            ut_attr_float(clip, "min", -1.5f);
            ut_attr_float(clip, "max", 2.5f);
        } else if (kase == 2) clip = ut_node(g, OP_Clip, 13, "clip", 3, INS(conv->out[0], NULL, scalar(g, "hi", 3)), 1);
        else clip = ut_node(g, OP_Clip, 13, "clip", 3, INS(conv->out[0], scalar(g, "lo", 0), ut_input(g, "hi", F, 0, DIMS(1))), 1);
        mark_output(g, clip->out[0]);
        ASSERT_OK(ut_infer(g));
        PASS(g, pass_fuse_epilogue);
        if (kase == 3) {
            CU_ASSERT_EQUAL(g->n_nodes, 2);
            CU_ASSERT_EQUAL(conv->epi.act, EPI_ACT_NONE);
            continue;
        }
        static const float lo[] = {0, -1.5f, -FLT_MAX}, hi[] = {6, 2.5f, 3};
        CU_ASSERT_EQUAL(g->n_nodes, 1);
        CU_ASSERT_EQUAL(conv->epi.act, EPI_ACT_CLIP);
        CU_ASSERT_EQUAL(conv->epi.alpha, lo[kase]);
        CU_ASSERT_EQUAL(conv->epi.beta, hi[kase]);
        CU_ASSERT_PTR_EQUAL(conv->out[0], clip->out[0]);
    }
    ut_graph_free(&u);
}

/* ======================= alias_reshapes + plan_memory ======================= */
static int64_t padded(const Tensor *t) { return (tensor_storage_bytes(t) + 63) & ~(int64_t)63; }

/* Live range of a workspace tensor counting reads through aliases. */
static void storage_range(const Graph *g, Tensor *t, int *first, int *last)
{
    *first = *last = -1;
    for (int i = 0; i < g->n_nodes; i++) {
        const Node *n = g->nodes[i];
        for (int k = 0; k < n->n_out; k++)
            if (n->out[k] == t) *first = *last = i;
        for (int k = 0; k < n->n_in; k++)
            if (n->in[k] && tensor_storage(n->in[k]) == t) *last = i;
    }
}

/* Pairs of workspace tensors live together (reads through aliases count)
 * whose bytes overlap; also offsets of tensors that should have none. */
static int plan_violations(Graph *g)
{
    int bad = 0;
    for (int i = 0; i < g->n_tensors; i++) {
        Tensor *a = g->tensors[i];
        int ws = a->producer && !a->data && a->output_index < 0 && !a->alias;
        if (!ws) {
            if (a->ws_offset != -1) bad++;
            continue;
        }
        if (a->ws_offset < 0 || a->ws_offset + padded(a) > g->workspace_size) bad++;
        int af, al;
        storage_range(g, a, &af, &al);
        for (int j = i + 1; j < g->n_tensors; j++) {
            Tensor *b = g->tensors[j];
            if (!b->producer || b->data || b->output_index >= 0 || b->alias) continue;
            int bf, bl;
            storage_range(g, b, &bf, &bl);
            if (al < bf || bl < af) continue;
            if (a->ws_offset < b->ws_offset + padded(b) && b->ws_offset < a->ws_offset + padded(a)) {
                fprintf(stderr, "\n  '%s' and '%s' are live together and overlap\n", a->name, b->name);
                bad++;
            }
        }
    }
    return bad;
}

/* t0 = Relu(X) [2,8]; t1 = Reshape(t0) [16] aliases t0; t2 = Relu(Xb) made
 * after the reshape; t3 = Add(t1, t2). t0's bytes must stay live until the
 * Add, so t0, t2 and t3 are all live there: 3 x 64 bytes, disjoint. */
static void test_alias_plan(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Graph *g = u.g;
    Tensor *x = ut_input(g, "X", F, 2, DIMS(2, 8));
    Tensor *xb = ut_input(g, "Xb", F, 1, DIMS(16));
    Node *a = op1(g, OP_Relu, "a", x);
    Node *r = op2(g, OP_Reshape, "r", a->out[0], ut_const_i64(g, "shape", 1, DIMS(16)));
    Node *b = op1(g, OP_Relu, "b", xb);
    Node *c = op2(g, OP_Add, "c", r->out[0], b->out[0]);
    Node *d = op1(g, OP_Relu, "d", c->out[0]);
    mark_output(g, d->out[0]);
    Tensor *t0 = a->out[0], *t1 = r->out[0], *t2 = b->out[0], *t3 = c->out[0];
    ASSERT_OK(ut_infer(g));
    PASS(g, pass_alias_reshapes);
    CU_ASSERT_PTR_EQUAL(t1->alias, t0);
    CU_ASSERT_PTR_EQUAL(tensor_storage(t1), t0);
    CU_ASSERT_PTR_NULL(t0->alias);
    CU_ASSERT_PTR_NULL(t2->alias);
    CU_ASSERT_EQUAL(g->n_nodes, 5); /* the reshape node stays; it emits nothing */
    PASS(g, pass_plan_memory);
    CU_ASSERT_EQUAL(t1->ws_offset, -1);
    CU_ASSERT_TRUE(t0->ws_offset >= 0 && t2->ws_offset >= 0 && t3->ws_offset >= 0);
    CU_ASSERT_EQUAL(plan_lower_bound(g), 3 * 64);
    CU_ASSERT_EQUAL(g->workspace_size, 3 * 64);
    CU_ASSERT_NOT_EQUAL(t0->ws_offset, t2->ws_offset);
    CU_ASSERT_NOT_EQUAL(t0->ws_offset, t3->ws_offset);
    CU_ASSERT_EQUAL(plan_violations(g), 0);
    ut_graph_free(&u);
}

/* Which nodes alias: Reshape, Flatten, Squeeze, Unsqueeze, Identity and
 * Dropout do (chains resolve to the first storage, which stays live until
 * the last reader at the end); Transpose does not; a reshape whose output is
 * a graph output does not. */
static void test_alias_kinds(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Graph *g = u.g;
    Tensor *x = ut_input(g, "X", F, 3, DIMS(2, 1, 8));
    Node *a = op1(g, OP_Relu, "a", x);
    Node *sq = op2(g, OP_Squeeze, "sq", a->out[0], ut_const_i64(g, "ax", 1, DIMS(1))); /* [2,8] */
    Node *fl = op1(g, OP_Flatten, "fl", sq->out[0]);                                 /* [2,8] */
    Node *un = op2(g, OP_Unsqueeze, "un", fl->out[0], ut_const_i64(g, "ax0", 1, DIMS(0)));
    Node *id = op1(g, OP_Identity, "id", un->out[0]);
    Node *dr = op1(g, OP_Dropout, "dr", id->out[0]);
    Node *tr = op1(g, OP_Transpose, "tr", a->out[0]); /* [8,1,2] */
    Node *filler = op1(g, OP_Sigmoid, "filler", tr->out[0]);
    Node *rs = op2(g, OP_Reshape, "rs", filler->out[0], ut_const_i64(g, "s16", 1, DIMS(16)));
    Node *last = op2(g, OP_Add, "last", dr->out[0], ut_const_f32(g, "one", 0, DIMS(1), 1.0f));
    mark_output(g, last->out[0]);
    mark_output(g, rs->out[0]);
    ASSERT_OK(ut_infer(g));
    PASS(g, pass_alias_reshapes);
    Node *aliasing[] = {sq, fl, un, id, dr};
    for (int i = 0; i < 5; i++) {
        CU_ASSERT_PTR_EQUAL(aliasing[i]->out[0]->alias, aliasing[i]->in[0]);
        CU_ASSERT_PTR_EQUAL(tensor_storage(aliasing[i]->out[0]), a->out[0]);
    }
    CU_ASSERT_PTR_NULL(tr->out[0]->alias);
    CU_ASSERT_PTR_NULL(rs->out[0]->alias);
    PASS(g, pass_plan_memory);
    for (int i = 0; i < 5; i++) CU_ASSERT_EQUAL(aliasing[i]->out[0]->ws_offset, -1);
    CU_ASSERT_TRUE(tr->out[0]->ws_offset >= 0 && filler->out[0]->ws_offset >= 0);
    /* a's bytes are read (through dr) by `last`, after tr and filler ran */
    CU_ASSERT_EQUAL(plan_lower_bound(g), 3 * 64);
    CU_ASSERT_EQUAL(plan_violations(g), 0);
    ut_graph_free(&u);
}

/* ======================= choose_layout ======================= */
/* Layout decisions for the tests (c = 8): Relu reads input 0 and writes
 * blocked, Add reads both inputs and writes blocked, Neg reads any layout and
 * writes what it reads; only rank-4 FLOAT tensors; everything else plain. */
static LayoutUse test_layout_use(const Graph *g, const Node *n, int c)
{
    (void)g;
    const Tensor *x = n->in[0];
    if (!x || x->rank != 4 || x->dtype != F) return (LayoutUse){0, 0, 0};
    switch (n->op) {
    case OP_Relu: return (LayoutUse){1u, 0, 1};
    case OP_Add: return (LayoutUse){3u, 0, 1};
    case OP_Neg: return (LayoutUse){0, 1u, x->layout == c};
    default: return (LayoutUse){0, 0, 0};
    }
}

static void choose_layout_thunk(Graph *g) { pass_choose_layout_by(g, 8, test_layout_use); }

static Node *find_node(const Graph *g, const char *name)
{
    for (int i = 0; i < g->n_nodes; i++)
        if (strcmp(g->nodes[i]->name, name) == 0) return g->nodes[i];
    return NULL;
}

/* The node writing t is a LayoutConvert reading `from` into layout `to`,
 * scheduled right before node `next` (or right after node `prev`). */
static int is_convert(const Graph *g, const Tensor *t, const Tensor *from, int to)
{
    const Node *p = t->producer;
    return p && p->op == OP_LayoutConvert && p->in[0] == from && t->layout == to && from->layout == (to ? 0 : 8) &&
           index_of(g, p) >= 0;
}

/* X -> Relu a -> Relu b -> Sigmoid s -> Y, with C = 3 (one block of 8, five
 * padding lanes): X is converted before a, b reads a as it is, s reads a
 * plain copy of b's output made right before it. */
static void test_layout_chain(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Graph *g = u.g;
    Tensor *x = ut_input(g, "X", F, 4, DIMS(1, 3, 4, 5));
    Node *a = op1(g, OP_Relu, "a", x);
    Node *b = op1(g, OP_Relu, "b", a->out[0]);
    Node *s = op1(g, OP_Sigmoid, "s", b->out[0]);
    mark_output(g, s->out[0]);
    ASSERT_OK(ut_infer(g));
    PASS(g, choose_layout_thunk);
    CU_ASSERT_EQUAL(g->n_nodes, 5);
    CU_ASSERT_EQUAL(count_op(g, OP_LayoutConvert), 2);
    CU_ASSERT_EQUAL(x->layout, 0);
    CU_ASSERT_STRING_EQUAL(a->in[0]->name, "X.nchw8c");
    CU_ASSERT_TRUE(is_convert(g, a->in[0], x, 8));
    CU_ASSERT_EQUAL(index_of(g, a->in[0]->producer), index_of(g, a) - 1);
    CU_ASSERT_EQUAL(a->out[0]->layout, 8);
    CU_ASSERT_PTR_EQUAL(b->in[0], a->out[0]);
    CU_ASSERT_EQUAL(b->out[0]->layout, 8);
    CU_ASSERT_STRING_EQUAL(s->in[0]->name, "b_out0.nchw");
    CU_ASSERT_TRUE(is_convert(g, s->in[0], b->out[0], 0));
    CU_ASSERT_EQUAL(index_of(g, s->in[0]->producer), index_of(g, s) - 1);
    CU_ASSERT_STRING_EQUAL(s->in[0]->producer->name, "b_out0.nchw");
    CU_ASSERT_EQUAL(s->out[0]->layout, 0);
    CU_ASSERT_EQUAL(graph_violations(g), 0);
    CU_ASSERT_EQUAL(reinfer_changes(g), 0); /* LayoutConvert keeps the shape */
    /* the plan sizes blocked tensors with their padding lanes: 1x8x4x5 floats */
    PASS(g, pass_plan_memory);
    CU_ASSERT_EQUAL(tensor_storage_bytes(a->out[0]), 8 * 20 * 4);
    CU_ASSERT_EQUAL(tensor_bytes(a->out[0]), 3 * 20 * 4);
    CU_ASSERT_EQUAL(plan_violations(g), 0);
    CU_ASSERT_EQUAL(plan_lower_bound(g), 640 + 640); /* a and b live at b */
    PlanPeak pk; /* what --max-workspace reports: the live set at the peak, largest first */
    CU_ASSERT_TRUE(plan_peak(g, &pk));
    CU_ASSERT_EQUAL(pk.live_bytes, 640 + 640);
    CU_ASSERT_EQUAL(pk.n_live, 2);
    CU_ASSERT_EQUAL(pk.live_size[0] + pk.live_size[1], 640 + 640);
    CU_ASSERT_TRUE(pk.live_size[0] >= pk.live_size[1]);
    CU_ASSERT_PTR_NOT_NULL(pk.node);
    ut_graph_free(&u);
}

/* Two plain readers of a blocked tensor share one plain copy, two blocked
 * readers of a plain tensor share one blocked copy, each made right before
 * the first reader; a constant read blocked is converted too (constants and
 * graph inputs stay plain). Two builds give the same schedule and names. */
static Graph *build_sharing(UtGraph *u)
{
    Graph *g = ut_fresh(u);
    Tensor *x = ut_input(g, "X", F, 4, DIMS(2, 12, 3, 3));
    Node *a = op1(g, OP_Relu, "a", x);
    Node *s1 = op1(g, OP_Sigmoid, "s1", a->out[0]);
    Node *s2 = op1(g, OP_Tanh, "s2", a->out[0]);
    Node *b = op1(g, OP_Relu, "b", x);
    Node *k = op2(g, OP_Add, "k", b->out[0], ut_const_f32(g, "K", 4, DIMS(2, 12, 3, 3), 1.0f));
    Node *m = op2(g, OP_Mul, "m", s1->out[0], s2->out[0]);
    mark_output(g, m->out[0]);
    mark_output(g, op1(g, OP_Sigmoid, "y2", k->out[0])->out[0]);
    ASSERT_OK(ut_infer(g));
    PASS(g, choose_layout_thunk);
    return g;
}

static void test_layout_sharing(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Graph *g = build_sharing(&u);
    Node *a = find_node(g, "a"), *s1 = find_node(g, "s1"), *s2 = find_node(g, "s2"), *b = find_node(g, "b");
    Node *k = find_node(g, "k");
    CU_ASSERT_EQUAL(count_op(g, OP_LayoutConvert), 4); /* X, a, K to or from blocked; k's output to plain */
    CU_ASSERT_PTR_EQUAL(s1->in[0], s2->in[0]);
    CU_ASSERT_TRUE(is_convert(g, s1->in[0], a->out[0], 0));
    CU_ASSERT_EQUAL(index_of(g, s1->in[0]->producer), index_of(g, s1) - 1);
    CU_ASSERT_PTR_EQUAL(a->in[0], b->in[0]);
    CU_ASSERT_TRUE(is_convert(g, a->in[0], g->inputs[0], 8));
    Tensor *kc = k->in[1];
    CU_ASSERT_STRING_EQUAL(kc->name, "K.nchw8c");
    CU_ASSERT_TRUE(kc->producer && kc->producer->op == OP_LayoutConvert && kc->producer->in[0]->data);
    CU_ASSERT_EQUAL(kc->producer->in[0]->layout, 0);
    CU_ASSERT_EQUAL(graph_violations(g), 0);
    CU_ASSERT_EQUAL(reinfer_changes(g), 0);
    /* deterministic: the same graph again gives the same schedule and names */
    int n = g->n_nodes;
    const char **names = calloc((size_t)n * 3, sizeof *names);
    for (int i = 0; i < n; i++) {
        names[3 * i] = g->nodes[i]->name;
        names[3 * i + 1] = g->nodes[i]->in[0] ? g->nodes[i]->in[0]->name : "";
        names[3 * i + 2] = g->nodes[i]->out[0]->name;
    }
    Graph *h = build_sharing(&u);
    CU_ASSERT_EQUAL(h->n_nodes, n);
    for (int i = 0; i < n && i < h->n_nodes; i++) {
        CU_ASSERT_STRING_EQUAL(h->nodes[i]->name, names[3 * i]);
        CU_ASSERT_STRING_EQUAL(h->nodes[i]->in[0] ? h->nodes[i]->in[0]->name : "", names[3 * i + 1]);
        CU_ASSERT_STRING_EQUAL(h->nodes[i]->out[0]->name, names[3 * i + 2]);
    }
    free(names);
    ut_graph_free(&u);
}

/* A blocked node writing a graph output writes a new blocked tensor, and a
 * LayoutConvert right after it writes the output, which keeps its Tensor,
 * name and position. Later readers: one reading any layout gets the blocked
 * tensor, a plain one reads the output itself (no second convert). */
static void test_layout_graph_output(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Graph *g = u.g;
    Tensor *x = ut_input(g, "X", F, 4, DIMS(1, 16, 2, 2));
    Node *a = op1(g, OP_Relu, "a", x);
    Tensor *y = a->out[0];
    mark_output(g, y);
    Node *ng = op1(g, OP_Neg, "ng", y);
    Node *s = op1(g, OP_Sigmoid, "s", y);
    Node *t = op1(g, OP_Tanh, "t", ng->out[0]);
    mark_output(g, s->out[0]);
    mark_output(g, t->out[0]);
    ASSERT_OK(ut_infer(g));
    PASS(g, choose_layout_thunk);
    CU_ASSERT_PTR_EQUAL(g->outputs[0], y);
    CU_ASSERT_EQUAL(y->output_index, 0);
    CU_ASSERT_STRING_EQUAL(y->name, "a_out0");
    CU_ASSERT_EQUAL(y->layout, 0);
    Tensor *yb = a->out[0];
    CU_ASSERT_PTR_NOT_EQUAL(yb, y);
    CU_ASSERT_STRING_EQUAL(yb->name, "a_out0.nchw8c");
    CU_ASSERT_EQUAL(yb->layout, 8);
    CU_ASSERT_EQUAL(yb->output_index, -1);
    CU_ASSERT_PTR_EQUAL(yb->producer, a);
    CU_ASSERT_TRUE(is_convert(g, y, yb, 0));
    CU_ASSERT_STRING_EQUAL(y->producer->name, "a_out0.nchw");
    CU_ASSERT_EQUAL(index_of(g, y->producer), index_of(g, a) + 1);
    CU_ASSERT_PTR_EQUAL(ng->in[0], yb);
    CU_ASSERT_EQUAL(ng->out[0]->layout, 8);
    CU_ASSERT_PTR_EQUAL(s->in[0], y);
    CU_ASSERT_TRUE(is_convert(g, t->in[0], ng->out[0], 0));
    CU_ASSERT_EQUAL(count_op(g, OP_LayoutConvert), 3); /* X in, a's output, ng's output */
    for (int i = 0; i < g->n_outputs; i++) CU_ASSERT_EQUAL(g->outputs[i]->layout, 0);
    CU_ASSERT_EQUAL(graph_violations(g), 0);
    CU_ASSERT_EQUAL(reinfer_changes(g), 0);
    ut_graph_free(&u);
}

/* New names never clash with a tensor's or a node's; nodes on tensors other
 * than rank-4 FLOAT are left alone. */
static void test_layout_names_and_ranks(void)
{
    UtGraph u;
    ut_graph_init(&u);
    Graph *g = u.g;
    Tensor *x = ut_input(g, "X", F, 4, DIMS(1, 4, 2, 2));
    (void)ut_input(g, "X.nchw8c", F, 1, DIMS(1));
    Node *clash = op1(g, OP_Sigmoid, "X.nchw8c_2", g->inputs[1]);
    Node *a = op1(g, OP_Relu, "a", x);
    Node *v = op1(g, OP_Relu, "v", ut_input(g, "V", F, 2, DIMS(4, 4)));
    mark_output(g, clash->out[0]);
    mark_output(g, op1(g, OP_Sigmoid, "s", a->out[0])->out[0]);
    mark_output(g, v->out[0]);
    ASSERT_OK(ut_infer(g));
    PASS(g, choose_layout_thunk);
    CU_ASSERT_STRING_EQUAL(a->in[0]->name, "X.nchw8c_3");
    CU_ASSERT_STRING_EQUAL(a->in[0]->producer->name, "X.nchw8c_3");
    CU_ASSERT_EQUAL(v->out[0]->layout, 0);
    CU_ASSERT_EQUAL(v->in[0]->layout, 0);
    CU_ASSERT_EQUAL(count_op(g, OP_LayoutConvert), 2);
    CU_ASSERT_EQUAL(graph_violations(g), 0);
    ut_graph_free(&u);
}

int unit_add_passes_suite(void)
{
    CU_pSuite s = CU_add_suite("passes", NULL, NULL);
    if (!s) return -1;
    return !CU_add_test(s, "eliminate_dead: unused branch", test_dead_unused_branch) ||
           !CU_add_test(s, "eliminate_dead: folded nodes", test_dead_folded) ||
           !CU_add_test(s, "eliminate_dead: outputs kept", test_dead_outputs_kept) ||
           !CU_add_test(s, "remove_noops: Identity, Dropout", test_noop_identity_dropout) ||
           !CU_add_test(s, "remove_noops: reshapes", test_noop_reshape) ||
           !CU_add_test(s, "remove_noops: transposes", test_noop_transpose) ||
           !CU_add_test(s, "remove_noops: graph output kept", test_noop_graph_output_kept) ||
           !CU_add_test(s, "cse: merge", test_cse_merge) ||
           !CU_add_test(s, "cse: attributes", test_cse_attributes) ||
           !CU_add_test(s, "cse: graph outputs", test_cse_graph_output) ||
           !CU_add_test(s, "fold_batchnorm: Conv with bias", test_bn_conv_with_bias) ||
           !CU_add_test(s, "fold_batchnorm: grouped Conv without bias", test_bn_conv_no_bias) ||
           !CU_add_test(s, "fold_batchnorm: ConvTranspose group 2", test_bn_convtranspose_group) ||
           !CU_add_test(s, "fold_batchnorm: Gemm", test_bn_gemm) ||
           !CU_add_test(s, "fold_batchnorm: MatMul becomes Gemm", test_bn_matmul) ||
           !CU_add_test(s, "fold_batchnorm: not folded", test_bn_not_folded) ||
           !CU_add_test(s, "recognize: GELU", test_gelu) ||
           !CU_add_test(s, "recognize: GELU not rewritten", test_gelu_not_rewritten) ||
           !CU_add_test(s, "recognize: LayerNorm", test_layernorm) ||
           !CU_add_test(s, "recognize: LayerNorm not rewritten", test_layernorm_not_rewritten) ||
           !CU_add_test(s, "recognize: attention", test_attention) ||
           !CU_add_test(s, "recognize: attention not rewritten", test_attention_not_rewritten) ||
           !CU_add_test(s, "fuse_epilogue: residual then Relu", test_fuse_residual_relu) ||
           !CU_add_test(s, "fuse_epilogue: Relu then residual", test_fuse_relu_then_residual) ||
           !CU_add_test(s, "fuse_epilogue: residual without bias", test_fuse_residual_without_bias) ||
           !CU_add_test(s, "fuse_epilogue: MatMul bias + Gelu", test_fuse_matmul_bias_gelu) ||
           !CU_add_test(s, "fuse_epilogue: SiLU", test_fuse_silu) ||
           !CU_add_test(s, "fuse_epilogue: blocked", test_fuse_blocked) ||
           !CU_add_test(s, "fuse_epilogue: Clip", test_fuse_clip) ||
           !CU_add_test(s, "choose_layout: chain", test_layout_chain) ||
           !CU_add_test(s, "choose_layout: shared converts", test_layout_sharing) ||
           !CU_add_test(s, "choose_layout: graph output", test_layout_graph_output) ||
           !CU_add_test(s, "choose_layout: names and ranks", test_layout_names_and_ranks) ||
           !CU_add_test(s, "alias_reshapes + plan: live range", test_alias_plan) ||
           !CU_add_test(s, "alias_reshapes: kinds", test_alias_kinds)
               ? -1
               : 0;
}
