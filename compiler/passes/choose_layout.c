/* choose_layout.c — stores the tensors that flow between channel-blocked
 * kernels (convolution, pooling) in the NCHW[c] layout, c being the target's
 * vector width (8 on AVX2, 16 on AVX-512): one vector then holds c channels
 * of one pixel, so those kernels load, broadcast and store whole vectors with
 * no transposes and no channel tails. Each op tells what it can do through
 * its registry row's layout_fn (which inputs it reads blocked, which in any
 * layout, whether it writes its output blocked). Nodes are asked in schedule
 * order, so the layouts of a node's inputs are final when it is asked. Where
 * a reader needs the other layout than the one a tensor has, a LayoutConvert
 * makes a copy: one per tensor, shared by every reader that needs it, placed
 * right before the first of them. Graph inputs, constants and graph outputs
 * stay plain; a node writing a graph output blocked writes a new tensor, and
 * a LayoutConvert right after it writes the output (which keeps its name,
 * position and Tensor). New names derive from the original ones ("x.nchw16c",
 * "x.nchw"), made unique, so the result is deterministic. */
#include "passes.h"

#include <string.h>

typedef struct LayoutCtx {
    Graph *g;
    int c;
    LayoutFn use;
    int cap_tensors;  /* twin[] and moved[] size: at most one new tensor per old one */
    Tensor **twin;    /* per tensor id: the same values in the other layout, or NULL */
    char *moved;      /* per tensor id: a graph output now written by a LayoutConvert from its twin */
    Node **order;     /* the new schedule */
    int n_order, cap_order;
} LayoutCtx;

static LayoutUse registry_use(const Graph *g, const Node *n, int c)
{
    LayoutFn f = op_info(n->op)->layout;
    return f ? f(g, n, c) : (LayoutUse){0, 0, 0};
}

static int has_bit(unsigned mask, int k) { return k < (int)(8 * sizeof mask) && (mask >> k & 1u); }

static int name_taken(const Graph *g, const char *s)
{
    for (int i = 0; i < g->n_tensors; i++)
        if (strcmp(g->tensors[i]->name, s) == 0) return 1;
    for (int i = 0; i < g->n_nodes; i++)
        if (strcmp(g->nodes[i]->name, s) == 0) return 1;
    return 0;
}

/* `base`, or base_2, base_3, ...: a name no tensor and no node has. */
static const char *unique_name(Graph *g, const char *base)
{
    const char *s = base;
    for (int k = 2; name_taken(g, s); k++) s = arena_printf(g->arena, "%s_%d", base, k);
    return s;
}

static void schedule(LayoutCtx *x, Node *n)
{
    NNC_ASSERT(x->n_order < x->cap_order);
    x->order[x->n_order++] = n;
}

/* A new tensor holding t's values in `layout`; t and it become twins. */
static Tensor *new_twin(LayoutCtx *x, Tensor *t, int layout)
{
    NNC_ASSERT(t->rank == 4 && t->dtype == DT_FLOAT && !x->twin[t->id]);
    const char *base = layout ? arena_printf(x->g->arena, "%s.nchw%dc", t->name, layout)
                              : arena_printf(x->g->arena, "%s.nchw", t->name);
    Tensor *u = graph_add_tensor(x->g, unique_name(x->g, base));
    NNC_ASSERT(u->id < x->cap_tensors);
    tensor_set_shape(u, t->dtype, t->rank, t->dims);
    u->layout = layout;
    x->twin[t->id] = u;
    x->twin[u->id] = t;
    return u;
}

/* Schedule now a LayoutConvert `name` writing `out` from `in`. */
static void add_convert(LayoutCtx *x, const char *name, Tensor *in, Tensor *out)
{
    Node *n = graph_add_node(x->g, name, "LayoutConvert", 1, 1);
    n->op = OP_LayoutConvert;
    n->opset = x->g->opset;
    n->in[0] = in;
    n->out[0] = out;
    out->producer = n;
    schedule(x, n);
}

/* t stored in `layout` (0 or c): t itself, or its twin, converted right now
 * (that is, right before the reader being visited) the first time. */
static Tensor *in_layout(LayoutCtx *x, Tensor *t, int layout)
{
    if (t->layout == layout) return t;
    if (!x->twin[t->id]) { /* the copy's name is new to tensors and nodes: the convert takes it too */
        Tensor *u = new_twin(x, t, layout);
        add_convert(x, u->name, t, u);
    }
    NNC_ASSERT(x->twin[t->id]->layout == layout);
    return x->twin[t->id];
}

/* n writes out[0] blocked; a graph output gets a blocked twin to be written
 * instead, and a LayoutConvert after n writes the output itself. */
static void write_blocked(LayoutCtx *x, Node *n)
{
    Tensor *y = n->out[0];
    if (!y || y->data) return; /* constants stay plain */
    NNC_ASSERT(y->rank == 4 && y->dtype == DT_FLOAT && y->layout == 0);
    if (y->output_index < 0) {
        y->layout = x->c;
        return;
    }
    Tensor *yb = new_twin(x, y, x->c);
    n->out[0] = yb;
    yb->producer = n;
    x->moved[y->id] = 1;
    add_convert(x, unique_name(x->g, arena_printf(x->g->arena, "%s.nchw", y->name)), yb, y);
}

static void visit(LayoutCtx *x, Node *n)
{
    for (int k = 0; k < n->n_in; k++) /* readers of a moved graph output read what was really written */
        if (n->in[k] && x->moved[n->in[k]->id]) n->in[k] = x->twin[n->in[k]->id];
    LayoutUse u = x->use(x->g, n, x->c);
    for (int k = 0; k < n->n_in; k++) {
        Tensor *t = n->in[k];
        if (!t || (has_bit(u.any, k) && !has_bit(u.blocked, k))) continue;
        n->in[k] = in_layout(x, t, has_bit(u.blocked, k) ? x->c : 0);
    }
    schedule(x, n);
    if (u.out_blocked) write_blocked(x, n);
}

void pass_choose_layout_by(Graph *g, int c, LayoutFn use)
{
    NNC_ASSERT(c > 0);
    LayoutCtx x = {g, c, use ? use : registry_use, 0, NULL, NULL, NULL, 0, 0};
    x.cap_tensors = 2 * g->n_tensors + 1;
    x.twin = arena_alloc_array(g->arena, (size_t)x.cap_tensors, sizeof *x.twin);
    x.moved = arena_alloc(g->arena, (size_t)x.cap_tensors);
    x.cap_order = g->n_nodes + g->n_tensors + 1; /* at most one LayoutConvert per old tensor */
    x.order = arena_alloc_array(g->arena, (size_t)x.cap_order, sizeof *x.order);
    int n0 = g->n_nodes;
    Node **old = arena_alloc_array(g->arena, (size_t)n0 + 1, sizeof *old);
    if (n0) memcpy(old, g->nodes, (size_t)n0 * sizeof *old); /* graph_add_node may move g->nodes */
    for (int i = 0; i < n0; i++) {
        nnc_stage_node(old[i]);
        if (old[i]->dead) schedule(&x, old[i]);
        else visit(&x, old[i]);
    }
    for (int i = 0; i < x.n_order; i++) x.order[i]->id = i;
    g->nodes = x.order;
    g->n_nodes = x.n_order;
    g->cap_nodes = x.cap_order;
}

void pass_choose_layout(Graph *g, int c) { pass_choose_layout_by(g, c, NULL); }
