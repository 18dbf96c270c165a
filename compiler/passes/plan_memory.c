/* plan_memory.c — static workspace plan. Every intermediate tensor (not an
 * input, output or constant) gets a 64-byte aligned offset in one workspace,
 * sized by its storage bytes (a channel-blocked tensor keeps its padding
 * lanes). Live intervals come from the schedule. Tensors are placed one by
 * one, each in the tightest gap left by the already placed tensors whose
 * intervals intersect its own (best fit); the placement is tried in four orders
 * (largest first, largest size x lifetime, earliest start, longest life)
 * and the smallest workspace wins. */
#include "passes.h"

#include <stdlib.h>
#include <string.h>

typedef struct Interval {
    Tensor *t;
    int first, last; /* node indices: produced, last read */
    int64_t size;    /* bytes placed (64-aligned, with the 4 KiB skew) */
    int64_t bytes;   /* the tensor's own bytes, 64-aligned (for the lower bound) */
} Interval;

/* Orders tried for placement; the plan keeps the smallest result. */
static int by_size_desc(const void *a, const void *b)
{
    const Interval *x = a, *y = b;
    if (x->size != y->size) return x->size < y->size ? 1 : -1;
    return x->t->id - y->t->id; /* deterministic */
}

static int by_area_desc(const void *a, const void *b)
{
    const Interval *x = a, *y = b;
    int64_t ax = x->size * (x->last - x->first + 1), ay = y->size * (y->last - y->first + 1);
    if (ax != ay) return ax < ay ? 1 : -1;
    return by_size_desc(a, b);
}

static int by_start(const Interval *x, const Interval *y)
{
    if (x->first != y->first) return x->first - y->first;
    return by_size_desc(x, y);
}

static int by_start_asc(const void *a, const void *b) { return by_start(a, b); }

static int by_duration_desc(const void *a, const void *b)
{
    const Interval *x = a, *y = b;
    int dx = x->last - x->first, dy = y->last - y->first;
    if (dx != dy) return dy - dx;
    return by_size_desc(a, b);
}

static int needs_workspace(const Tensor *t)
{
    return t->producer && !t->data && t->output_index < 0 && !t->alias;
}

static Interval *collect_intervals(Graph *g, int *count)
{
    Interval *iv = arena_alloc_array(g->arena, (size_t)g->n_tensors + 1, sizeof *iv);
    int *slot = arena_alloc_array(g->arena, (size_t)g->n_tensors + 1, sizeof(int));
    int n = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        Node *nd = g->nodes[i];
        nnc_stage_node(nd);
        for (int k = 0; k < nd->n_out; k++) {
            Tensor *t = nd->out[k];
            if (!t || !needs_workspace(t)) continue;
            int64_t sz = (tensor_storage_bytes(t) + 63) & ~(int64_t)63, own = sz ? sz : 64;
            /* a 64-byte skew keeps buffers from sitting a multiple of 4 KiB
             * apart: a kernel streaming one into the other would otherwise
             * stall on 4K aliasing (measured: up to 20% on the zoo's convs) */
            if (sz % 4096 == 0) sz += 64;
            iv[n] = (Interval){t, i, i, sz ? sz : 64, own};
            slot[t->id] = ++n;
        }
        for (int k = 0; k < nd->n_in; k++) {
            Tensor *t = nd->in[k] ? tensor_storage(nd->in[k]) : NULL; /* a reshape's reader reads its storage */
            if (t && slot[t->id]) iv[slot[t->id] - 1].last = i;
        }
    }
    *count = n;
    return iv;
}

/* The step (node index) where the most intermediate bytes are live, and
 * that total; -1 and 0 for a graph without intermediates. */
static int peak_step(const Interval *iv, int n, int n_nodes, int64_t *bytes)
{
    int at = -1;
    *bytes = 0;
    for (int step = 0; step < n_nodes; step++) {
        int64_t live = 0;
        for (int i = 0; i < n; i++)
            if (iv[i].first <= step && step <= iv[i].last) live += iv[i].bytes;
        if (live > *bytes) {
            *bytes = live;
            at = step;
        }
    }
    return at;
}

int64_t plan_lower_bound(Graph *g)
{
    int n;
    Interval *iv = collect_intervals(g, &n);
    int64_t best;
    peak_step(iv, n, g->n_nodes, &best);
    return best;
}

static int by_bytes_desc(const void *a, const void *b)
{
    const Interval *x = a, *y = b;
    if (x->bytes != y->bytes) return x->bytes < y->bytes ? 1 : -1;
    return x->t->id - y->t->id;
}

int plan_peak(Graph *g, PlanPeak *pk)
{
    int n;
    Interval *iv = collect_intervals(g, &n);
    memset(pk, 0, sizeof *pk);
    int step = peak_step(iv, n, g->n_nodes, &pk->live_bytes);
    if (step < 0) return 0;
    pk->node = g->nodes[step];
    int k = 0;
    for (int i = 0; i < n; i++) /* the live set, largest first */
        if (iv[i].first <= step && step <= iv[i].last) iv[k++] = iv[i];
    qsort(iv, (size_t)k, sizeof *iv, by_bytes_desc);
    pk->n_live = k;
    for (int i = 0; i < k && i < PLAN_PEAK_MAX; i++) {
        pk->live[i] = iv[i].t;
        pk->live_size[i] = iv[i].bytes;
    }
    return 1;
}

/* Place intervals in the given order, each at the lowest offset of the
 * tightest gap among the already placed ones it overlaps in time (best fit).
 * Returns the workspace size; fills off[]. */
static int64_t place(const Interval *iv, int n, int64_t *off)
{
    int64_t total = 0;
    for (int i = 0; i < n; i++) {
        int64_t best = -1, best_gap = INT64_MAX;
        for (int c = -1; c < i; c++) {
            if (c >= 0 && (iv[c].last < iv[i].first || iv[i].last < iv[c].first)) continue;
            int64_t start = c < 0 ? 0 : off[c] + iv[c].size;
            int64_t end = INT64_MAX; /* the gap ends at the next overlapping block */
            int fits = 1;
            for (int d = 0; d < i; d++) {
                if (iv[d].last < iv[i].first || iv[i].last < iv[d].first) continue;
                int64_t ds = off[d], de = off[d] + iv[d].size;
                if (de <= start) continue;
                if (ds < start + iv[i].size) {
                    fits = 0;
                    break;
                }
                if (ds < end) end = ds;
            }
            if (!fits) continue;
            int64_t gap = end == INT64_MAX ? INT64_MAX - 1 : end - start;
            if (gap < best_gap || (gap == best_gap && start < best)) {
                best = start;
                best_gap = gap;
            }
        }
        NNC_ASSERT(best >= 0);
        off[i] = best;
        if (best + iv[i].size > total) total = best + iv[i].size;
    }
    return total;
}

void pass_plan_memory(Graph *g)
{
    static int (*const orders[])(const void *, const void *) = {by_size_desc, by_area_desc, by_start_asc,
                                                                 by_duration_desc};
    int n;
    Interval *iv = collect_intervals(g, &n);
    Interval *best_iv = arena_alloc_array(g->arena, (size_t)n + 1, sizeof *iv);
    int64_t *off = arena_alloc_array(g->arena, (size_t)n + 1, sizeof(int64_t));
    int64_t *best_off = arena_alloc_array(g->arena, (size_t)n + 1, sizeof(int64_t));
    int64_t best = INT64_MAX;
    for (size_t o = 0; o < sizeof orders / sizeof orders[0]; o++) {
        qsort(iv, (size_t)n, sizeof *iv, orders[o]);
        int64_t total = place(iv, n, off);
        if (total < best) {
            best = total;
            memcpy(best_iv, iv, (size_t)n * sizeof *iv);
            memcpy(best_off, off, (size_t)n * sizeof *off);
        }
    }
    for (int i = 0; i < n; i++) best_iv[i].t->ws_offset = best_off[i];
    g->workspace_size = n ? best : 0;
}
