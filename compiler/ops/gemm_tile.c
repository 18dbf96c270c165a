/* gemm_tile.c — shared lowering support for the packed GEMM kernels of the
 * avx2, avx512 and neon targets (see gemm_tile.h). */
#include "gemm_tile.h"

#include "../backend/cpu_model.h"

#include <string.h>

/* The register tile is the ISA's; the cache blocks KC and NC are the
 * target's too, unless --tune kc=N / nc=N forces them (benchmarking; NC is
 * rounded up to whole panels of NR). */
int tile_shape(Lowering *L, TileShape *ts)
{
    const char *isa = lower_target(L);
    if (strcmp(isa, "avx512") == 0)
        *ts = (TileShape){8, 32, 256, 128};
    else if (strcmp(isa, "avx2") == 0)
        *ts = (TileShape){6, 16, 256, 128};
    else if (strcmp(isa, "neon") == 0) /* 8 x 12: 24 of 32 registers (bench/neon_mca.sh) */
        *ts = (TileShape){8, 12, 256, 96};
    else
        return 0;
    const Tuning *t = tuning_of(lower_graph(L));
    if (t->gemm_kc) ts->kc = t->gemm_kc;
    if (t->gemm_nc) ts->nc = (t->gemm_nc + ts->nr - 1) / ts->nr * ts->nr;
    return 1;
}

int tile_lanes(Lowering *L)
{
    const char *isa = lower_target(L);
    return strcmp(isa, "avx512") == 0 ? 16 : strcmp(isa, "avx2") == 0 ? 8 : strcmp(isa, "neon") == 0 ? 4 : 1;
}

/* The tile's activation code: 0 none, 1 relu, 2 leaky relu, 3 clip,
 * 4 sigmoid, 5 tanh, 6 elu, 7 gelu, 8 silu. */
static int vact_code(const Epilogue *e)
{
    switch (e->act) {
    case EPI_ACT_NONE: return 0;
    case EPI_ACT_RELU: return 1;
    case EPI_ACT_LEAKY_RELU: return 2;
    case EPI_ACT_CLIP: return 3;
    case EPI_ACT_SIGMOID: return 4;
    case EPI_ACT_TANH: return 5;
    case EPI_ACT_ELU: return 6;
    case EPI_ACT_GELU: return 7;
    case EPI_ACT_SILU: return 8;
    }
    return -1;
}

static void bind_act(Lowering *L, KParams *p, const Node *n)
{
    const Epilogue *e = &n->epi;
    int vact = vact_code(e);
    kp_int(L, p, "VEC_EPI", vact >= 0);
    kp_int(L, p, "VACT", vact > 0 ? vact : 0);
    kp_float(L, p, "ACT_A", vact == 2 || vact == 3 || vact == 6 ? e->alpha : 0.0, DT_FLOAT);
    kp_float(L, p, "ACT_B", vact == 3 ? e->beta : 0.0, DT_FLOAT);
    kp_int(L, p, "ACT_FIRST", e->residual && e->act_first);
}

void tile_bind_vact(Lowering *L, KParams *p, const Node *n) { bind_act(L, p, n); }

/* The tile kernel (named after n) with epi's epilogue, reading B rows at
 * stride ldb floats, prefetching bpf rows ahead (0: none). */
static const char *tile_kernel(Lowering *L, const Node *n, const Node *epi, int64_t ldb, int bpf)
{
    KParams q = {0};
    bind_act(L, &q, epi);
    kp_int(L, &q, "LDB", ldb);
    kp_int(L, &q, "BPF", bpf);
    return lower_kernel(L, n, "gemm_tile", &q);
}

static int tile_nr(Lowering *L)
{
    TileShape ts;
    return tile_shape(L, &ts) ? ts.nr : 0;
}

const char *tile_plain(Lowering *L, const Node *n, int bpf)
{
    Node plain = *n;
    plain.epi.act = EPI_ACT_NONE;
    plain.epi.residual = 0;
    return tile_kernel(L, n, &plain, tile_nr(L), bpf);
}

const char *tile_direct(Lowering *L, const Node *n, int64_t ldb) { return tile_kernel(L, n, n, ldb, 0); }

Tensor *tile_bind(Lowering *L, KParams *p, const Node *n, const TileShape *ts)
{
    Tensor *res = op_bind_epilogue(L, p, n, DT_FLOAT);
    bind_act(L, p, n);
    kp_str(L, p, "TILE", tile_kernel(L, n, n, ts->nr, 0));
    kp_int(L, p, "MR", ts->mr);
    kp_int(L, p, "NR", ts->nr);
    kp_int(L, p, "KC", ts->kc);
    kp_int(L, p, "NC", ts->nc);
    return res;
}

const char *tile_constant(Lowering *L, const Node *n, const char *what, const float *data, int64_t count)
{
    Arena *a = lower_arena(L);
    Tensor *t = arena_alloc(a, sizeof *t);
    memset(t, 0, sizeof *t);
    t->name = arena_printf(a, "%s (%s)", n->name, what);
    t->dtype = DT_FLOAT;
    t->rank = 1;
    t->dims[0] = count;
    t->data = (void *)data;
    t->id = -1;
    t->input_index = -1;
    t->output_index = -1;
    t->ws_offset = -1;
    return lower_constant(L, t);
}

/* B (element (k, j) at b[k * sk + j * sj]) times alpha, packed into panels
 * of nr columns over all of K ([k][nr] each, zero past N). */
const char *tile_pack_b(Lowering *L, const Node *n, const float *b, int64_t k, int64_t nn, int64_t sk, int64_t sj,
                        float alpha, int nr)
{
    int64_t npan = (nn + nr - 1) / nr, count = npan * k * nr;
    float *bp = arena_alloc_array(lower_arena(L), (size_t)count, sizeof(float));
    for (int64_t j = 0; j < nn; j++)
        for (int64_t kk = 0; kk < k; kk++) bp[(j / nr * k + kk) * nr + j % nr] = alpha * b[kk * sk + j * sj];
    return tile_constant(L, n, "packed B", bp, count);
}

/* Work units of gemm_packed and matmul_packed per product: the column
 * panels of an M x N output times its row tiles. */
int64_t tile_units(const TileShape *ts, int64_t m, int64_t nn)
{
    return (nn + ts->nr - 1) / ts->nr * ((m + ts->mr - 1) / ts->mr);
}
