/* cse.c — common-subexpression elimination: two nodes with the same op, the
 * same inputs and the same attributes compute the same outputs, so the later
 * one's consumers read the earlier one's outputs and it is dropped. */
#include "passes.h"

#include <string.h>

static int same_attr(const Attr *a, const Attr *b)
{
    if (strcmp(a->name, b->name) || a->type != b->type) return 0;
    switch (a->type) {
    case ATTR_INT: return a->i == b->i;
    case ATTR_FLOAT: return memcmp(&a->f, &b->f, sizeof a->f) == 0;
    case ATTR_STRING: return strcmp(a->s, b->s) == 0;
    case ATTR_INTS: return a->n == b->n && memcmp(a->ints, b->ints, (size_t)a->n * sizeof(int64_t)) == 0;
    case ATTR_FLOATS: return a->n == b->n && memcmp(a->floats, b->floats, (size_t)a->n * sizeof(float)) == 0;
    default: return 0; /* tensors, graphs: not compared, not merged */
    }
}

static int same_node(const Node *a, const Node *b)
{
    if (a->op != b->op || a->opset != b->opset || a->n_in != b->n_in || a->n_out != b->n_out ||
        a->n_attrs != b->n_attrs)
        return 0;
    for (int k = 0; k < a->n_in; k++)
        if (a->in[k] != b->in[k]) return 0;
    for (int k = 0; k < a->n_out; k++)
        if ((a->out[k] == NULL) != (b->out[k] == NULL)) return 0;
    for (int i = 0; i < a->n_attrs; i++) {
        const Attr *m = NULL;
        for (int j = 0; j < b->n_attrs; j++)
            if (strcmp(a->attrs[i].name, b->attrs[j].name) == 0) m = &b->attrs[j];
        if (!m || !same_attr(&a->attrs[i], m)) return 0;
    }
    return 1;
}

static uint32_t node_hash(const Node *n)
{
    uint32_t h = (uint32_t)n->op * 2654435761u;
    for (int k = 0; k < n->n_in; k++) h = (h ^ (uint32_t)(n->in[k] ? n->in[k]->id + 1 : 0)) * 16777619u;
    return h;
}

void pass_cse(Graph *g)
{
    int cap = 64;
    while (cap < 2 * g->n_nodes + 2) cap *= 2;
    Node **table = arena_alloc_array(g->arena, (size_t)cap, sizeof(Node *));
    for (int i = 0; i < g->n_nodes; i++) {
        Node *n = g->nodes[i];
        nnc_stage_node(n);
        uint32_t s = node_hash(n) & (uint32_t)(cap - 1);
        Node *hit = NULL;
        for (; table[s]; s = (s + 1) & (uint32_t)(cap - 1))
            if (same_node(table[s], n)) {
                hit = table[s];
                break;
            }
        int keep_outputs = 0;
        for (int k = 0; k < n->n_out; k++) keep_outputs |= n->out[k] && n->out[k]->output_index >= 0;
        if (!hit || keep_outputs) {
            if (!hit) table[s] = n;
            continue;
        }
        for (int k = 0; k < n->n_out; k++)
            if (n->out[k]) graph_replace_uses(g, n->out[k], hit->out[k]);
        n->dead = 1;
    }
    graph_compact(g);
}
