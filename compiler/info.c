/* info.c — `nnc info MODEL`: a per-layer table of output shape, parameters,
 * FLOPs and output bytes, then totals and the memory plan against its lower
 * bound; `--graph` prints the graph after the passes, one node per line
 * (a channel-blocked output is marked nchw8c / nchw16c). Byte counts are
 * storage bytes (a blocked tensor's padding lanes included). */
#include "info.h"

#include "backend/cpu_model.h"
#include "ir/ops.h"
#include "passes/passes.h"

#include <string.h>

/* Parameters of a node: elements of the float constants it reads that hold
 * parameters: initializers and values computed from them at compile time (a
 * folded transpose of a weight), not the outputs of Constant nodes or the
 * masks and scales the model language's lowering makes (Tensor's
 * lowering_const), so a model written in the language counts what torch
 * counts. */
static int is_param(const Tensor *t) { return t && t->data && dtype_is_float(t->dtype) && !t->lowering_const; }

/* A node whose outputs were all computed at compile time does not run (at
 * --opt 0 it is still in the graph): it reads no parameters. */
static int is_folded(const Node *n)
{
    for (int k = 0; k < n->n_out; k++)
        if (n->out[k] && !n->out[k]->data) return 0;
    return 1;
}

static int64_t node_params(const Node *n)
{
    int64_t p = 0;
    if (is_folded(n)) return 0;
    for (int k = 0; k < n->n_in; k++) {
        int dup = 0;
        for (int j = 0; j < k; j++) dup |= n->in[j] == n->in[k];
        if (is_param(n->in[k]) && !dup) p += tensor_numel(n->in[k]);
    }
    return p;
}

static void print_graph(const Graph *g)
{
    static const char *const acts[] = {"", "relu", "leaky_relu", "clip", "sigmoid", "tanh", "elu", "gelu", "silu"};
    for (int i = 0; i < g->n_nodes; i++) {
        const Node *n = g->nodes[i];
        printf("%-32s %s(", n->name, n->op_type);
        for (int k = 0; k < n->n_in; k++)
            printf("%s%s", k ? ", " : "", n->in[k] ? n->in[k]->name : "-");
        printf(") -> ");
        for (int k = 0; k < n->n_out; k++)
            if (n->out[k]) {
                printf("%s%s %s", k ? ", " : "", n->out[k]->name, shape_str(g->arena, n->out[k]));
                if (n->out[k]->layout) printf(" nchw%dc", n->out[k]->layout);
            }
        const Epilogue *e = &n->epi;
        if (e->bias || e->residual || e->act) {
            printf("  [epilogue:");
            if (e->bias) printf(" +bias(%s)", n->in[e->bias]->name);
            if (e->residual && !e->act_first) printf(" +residual(%s)", n->in[e->residual]->name);
            if (e->act) printf(" %s", acts[e->act]);
            if (e->residual && e->act_first) printf(" +residual(%s)", n->in[e->residual]->name);
            printf("]");
        }
        if (n->out[0] && n->out[0]->alias)
            printf(n->out[0]->inplace ? "  [in place of %s]" : "  [alias of %s]", tensor_storage(n->out[0])->name);
        printf("\n");
    }
}

static const char *human(Arena *a, double v)
{
    static const char *const unit[] = {"", "K", "M", "G", "T"};
    int u = 0;
    while (v >= 1000 && u < 4) {
        v /= 1000;
        u++;
    }
    return u ? arena_printf(a, "%.2f%s", v, unit[u]) : arena_printf(a, "%.0f", v);
}

static void print_table(Graph *g, const char *model, int opt)
{
    Arena *a = g->arena;
    printf("%s (opt %d)\n", model, opt);
    const Tuning *t = tuning_of(g);
    printf("cpu %s, target %s\n", t->cpu ? cpu_model_summary(a, t->cpu) : "-", t->isa);
    printf("%-36s %-18s %-20s %12s %14s %12s\n", "node", "op", "output", "params", "FLOPs", "out bytes");
    int64_t flops = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        const Node *n = g->nodes[i];
        if (n->op == OP_Constant) continue;
        const Tensor *y = NULL;
        for (int k = n->n_out - 1; k >= 0; k--)
            if (n->out[k]) y = n->out[k];
        int64_t f = op_info(n->op)->flops ? op_info(n->op)->flops(n) : 0;
        flops += f;
        printf("%-36.36s %-18s %-20s %12lld %14lld %12lld\n", n->name, n->op_type, shape_str(a, y),
               (long long)node_params(n), (long long)f, (long long)tensor_storage_bytes(y));
    }
    /* totals count each weight tensor once, however many nodes read it */
    char *seen = arena_alloc(a, (size_t)g->n_tensors + 1);
    int64_t params = 0, wbytes = 0;
    for (int i = 0; i < g->n_nodes; i++)
        for (int k = 0; k < g->nodes[i]->n_in && !is_folded(g->nodes[i]); k++) {
            const Tensor *t = g->nodes[i]->in[k];
            if (!t || !t->data || seen[t->id]) continue;
            seen[t->id] = 1;
            wbytes += tensor_bytes(t);
            if (is_param(t)) params += tensor_numel(t);
        }
    int64_t bound = plan_lower_bound(g), naive = 0;
    for (int i = 0; i < g->n_nodes; i++)
        for (int k = 0; k < g->nodes[i]->n_out; k++) {
            const Tensor *t = g->nodes[i]->out[k];
            if (t && !t->data && !t->alias && t->output_index < 0)
                naive += (tensor_storage_bytes(t) + 63) & ~(int64_t)63;
        }
    printf("\nnodes %d\nparameters %lld\nFLOPs %lld (%s)\nweight bytes %lld\n", g->n_nodes, (long long)params,
           (long long)flops, human(a, (double)flops), (long long)wbytes);
    printf("workspace bytes %lld\nlower bound %lld (plan is %.1f%% above)\nsum of intermediates %lld\n",
           (long long)g->workspace_size, (long long)bound,
           bound ? 100.0 * (double)(g->workspace_size - bound) / (double)bound : 0.0, (long long)naive);
}

int info_model(const CompileOptions *o, int graph_only)
{
    Arena arena;
    arena_init(&arena);
    Graph *g = compile_graph(&arena, o);
    if (!g) {
        arena_free(&arena);
        return 1;
    }
    if (graph_only) print_graph(g);
    else print_table(g, o->model_path, o->opt_level);
    arena_free(&arena);
    return 0;
}
