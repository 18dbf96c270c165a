/* rnn.c — the recurrent ops RNN, LSTM and GRU: shape inference with every
 * attribute checked, and lowering to one kernel call per direction
 * (templates/generic/{rnn,lstm,gru}.c). The three ops share inputs
 * X, W, R, B, sequence_lens, initial_h (LSTM adds initial_c and P), outputs
 * Y, Y_h (LSTM adds Y_c), the attributes direction, layout, hidden_size,
 * clip and activations with their alpha / beta, and one loop structure; a
 * RnnSpec row says what differs. A kernel keeps its scratch (input
 * projections of a block of steps, the state of a block of batch rows) in
 * local arrays of constant size, planned here to stay within 64 KB.
 * On the avx2 and avx512 targets, a FLOAT node whose W, R and B are
 * constants runs rnn_vec instead: W^T and R^T packed here into the panels of
 * the GEMM tile (gemm_tile.h), biases folded, gates vectorised (every
 * activation but Softplus; a node using that stays generic). */
#include "common.h"
#include "gemm_tile.h"

#include <ctype.h>
#include <math.h>
#include <string.h>

/* Local arrays of one recurrent kernel stay within this many bytes. */
#define RNN_SCRATCH_BYTES 65536
/* Rows (steps x batch rows) of input projections per GEMM-like block. */
#define RNN_BLOCK_ROWS 64

enum { IN_X, IN_W, IN_R, IN_B, IN_LENS, IN_H0, IN_C0, IN_P };
enum { OUT_Y, OUT_YH, OUT_YC };

/* What differs between RNN, LSTM and GRU. */
typedef struct RnnSpec {
    OpKind op;
    const char *tmpl;
    int gates;                    /* blocks of HIDDEN rows in W and R */
    int nact;                     /* activations per direction */
    const char *def_act[3];       /* their defaults */
    int states;                   /* state vectors per batch row: h (and c) */
    int tmp;                      /* extra HIDDEN-sized scratch vectors */
} RnnSpec;

static const RnnSpec rnn_specs[] = {
    {OP_RNN, "rnn", 1, 1, {"Tanh"}, 1, 0},
    {OP_LSTM, "lstm", 4, 3, {"Sigmoid", "Tanh", "Tanh"}, 2, 0},
    {OP_GRU, "gru", 3, 2, {"Sigmoid", "Tanh"}, 1, 1},
};

typedef struct RnnGeom {
    const RnnSpec *spec;
    int dirs, reverse;            /* reverse: direction is "reverse" */
    int layout;
    int64_t seq, batch, input, hidden;
    int64_t bb, tc;               /* kernel blocks: batch rows, steps */
} RnnGeom;

static const RnnSpec *rnn_spec(const Node *n)
{
    for (size_t i = 0; i < sizeof rnn_specs / sizeof rnn_specs[0]; i++)
        if (rnn_specs[i].op == n->op) return &rnn_specs[i];
    NNC_ASSERT(0);
    return NULL;
}

static const char *dims_str(Arena *a, int rank, const int64_t *dims)
{
    const char *s = "[";
    for (int i = 0; i < rank; i++) s = arena_printf(a, "%s%s%lld", s, i ? "," : "", (long long)dims[i]);
    return arena_printf(a, "%s]", s);
}

/* Optional input k, when present, must have exactly the given shape. */
static void rnn_check_shape(Arena *a, const Node *n, int k, const char *what, int rank, const int64_t *dims)
{
    const Tensor *t = node_input(n, k);
    if (!t) return;
    int ok = t->rank == rank;
    for (int i = 0; ok && i < rank; i++) ok = t->dims[i] == dims[i];
    if (!ok)
        nnc_fail_node(n, "%s '%s' must have shape %s, got %s", what, t->name, dims_str(a, rank, dims),
                      shape_str(a, t));
}

static int rnn_direction(const Node *n, int *reverse)
{
    const char *d = node_attr_str(n, "direction", "forward");
    *reverse = strcmp(d, "reverse") == 0;
    if (strcmp(d, "forward") == 0 || *reverse) return 1;
    if (strcmp(d, "bidirectional") == 0) return 2;
    nnc_fail_node(n, "direction '%s' is not forward, reverse or bidirectional", d);
}

/* X[seq,batch,input] (layout 1: [batch,seq,input]), W[dirs,G*H,input],
 * R[dirs,G*H,H] give the sizes; the optional inputs are checked against them. */
static void rnn_sizes(Arena *a, const Node *n, RnnGeom *g)
{
    const Tensor *x = n->in[IN_X], *w = n->in[IN_W], *r = n->in[IN_R];
    int64_t gates = g->spec->gates;
    if (x->rank != 3 || w->rank != 3 || r->rank != 3)
        nnc_fail_node(n, "X, W and R must be 3-D (got rank %d, %d and %d)", x->rank, w->rank, r->rank);
    g->seq = x->dims[g->layout ? 1 : 0];
    g->batch = x->dims[g->layout ? 0 : 1];
    g->input = x->dims[2];
    g->hidden = node_attr_int(n, "hidden_size", r->dims[2]);
    if (g->hidden != r->dims[2])
        nnc_fail_node(n, "hidden_size %lld does not match R %s", (long long)g->hidden, shape_str(a, r));
    if (g->seq <= 0 || g->batch <= 0 || g->input <= 0 || g->hidden <= 0)
        nnc_fail_node(n, "sequence length, batch size, input size and hidden_size must be positive (got %lld, "
                      "%lld, %lld and %lld)", (long long)g->seq, (long long)g->batch, (long long)g->input,
                      (long long)g->hidden);
    if (g->hidden > NNC_MAX_ELEMS / 8)
        nnc_fail_node(n, "hidden_size %lld is too large", (long long)g->hidden);
    int64_t wd[3] = {g->dirs, gates * g->hidden, g->input};
    int64_t rd[3] = {g->dirs, gates * g->hidden, g->hidden};
    int64_t bd[2] = {g->dirs, 2 * gates * g->hidden};
    int64_t ld[1] = {g->batch};
    int64_t hd[3] = {g->layout ? g->batch : g->dirs, g->layout ? g->dirs : g->batch, g->hidden};
    int64_t pd[2] = {g->dirs, 3 * g->hidden};
    rnn_check_shape(a, n, IN_W, "W", 3, wd);
    rnn_check_shape(a, n, IN_R, "R", 3, rd);
    rnn_check_shape(a, n, IN_B, "B", 2, bd);
    rnn_check_shape(a, n, IN_LENS, "sequence_lens", 1, ld);
    rnn_check_shape(a, n, IN_H0, "initial_h", 3, hd);
    if (n->op == OP_LSTM) {
        rnn_check_shape(a, n, IN_C0, "initial_c", 3, hd);
        rnn_check_shape(a, n, IN_P, "P", 2, pd);
    }
}

/* Element types: X and every weight or state input FLOAT or DOUBLE alike,
 * sequence_lens INT32 (or INT64); constant lengths within [0, seq]. */
static void rnn_check_types(const Node *n, const RnnGeom *g)
{
    op_require_float(n, IN_X);
    DType t = n->in[IN_X]->dtype;
    for (int k = IN_W; k < n->n_in; k++) {
        const Tensor *in = n->in[k];
        if (!in || k == IN_LENS) continue;
        if (in->dtype != t)
            nnc_fail_node(n, "input '%s' is %s but X is %s", in->name, dtype_name(in->dtype), dtype_name(t));
    }
    const Tensor *lens = node_input(n, IN_LENS);
    if (!lens) return;
    if (lens->dtype != DT_INT32 && lens->dtype != DT_INT64)
        nnc_fail_node(n, "sequence_lens '%s' must be INT32, not %s", lens->name, dtype_name(lens->dtype));
    for (int64_t b = 0; lens->data && b < g->batch; b++) {
        int64_t v = tensor_get_int(lens, b);
        if (v < 0 || v > g->seq)
            nnc_fail_node(n, "sequence_lens[%lld] = %lld is outside [0, %lld]", (long long)b, (long long)v,
                          (long long)g->seq);
    }
}

/* Block sizes for the kernel's local arrays: `bb` batch rows (state of
 * `states` vectors and the gates of one step each), `tc` steps of input
 * projections, all within RNN_SCRATCH_BYTES. The generic kernels have `tmp`
 * HIDDEN-sized vectors in all, rnn_vec (`vec`) `tmp` per batch row. Returns
 * 0 when not even one row fits. */
static int rnn_plan_scratch(const Node *n, RnnGeom *g, int vec)
{
    const RnnSpec *s = g->spec;
    int64_t esz = dtype_size(n->in[IN_X]->dtype), h = g->hidden;
    int64_t fixed = vec ? 0 : s->tmp * h * esz;
    int64_t state = (s->states + (vec ? s->tmp : 0)) * h * esz + (int64_t)sizeof(long);
    int64_t row = s->gates * h * esz + state; /* one batch row, one step */
    if (fixed + row > RNN_SCRATCH_BYTES) return 0;
    int64_t bb = (RNN_SCRATCH_BYTES - fixed) / row;
    if (bb > g->batch) bb = g->batch;
    if (bb > RNN_BLOCK_ROWS) bb = RNN_BLOCK_ROWS;
    int64_t left = RNN_SCRATCH_BYTES - fixed - bb * state;
    int64_t tc = left / (bb * s->gates * h * esz);
    if (tc > RNN_BLOCK_ROWS / bb) tc = RNN_BLOCK_ROWS / bb;
    if (tc > g->seq) tc = g->seq;
    if (tc < 1) tc = 1;
    g->bb = bb;
    g->tc = tc;
    return 1;
}

static void rnn_geometry(Arena *a, const Node *n, RnnGeom *g)
{
    memset(g, 0, sizeof *g);
    g->spec = rnn_spec(n);
    g->dirs = rnn_direction(n, &g->reverse);
    int64_t layout = node_attr_int(n, "layout", 0);
    if (layout != 0 && layout != 1) nnc_fail_node(n, "layout must be 0 or 1, got %lld", (long long)layout);
    g->layout = (int)layout;
    rnn_sizes(a, n, g);
    rnn_check_types(n, g);
    if (!rnn_plan_scratch(n, g, 0)) {
        int64_t h = g->hidden, esz = dtype_size(n->in[IN_X]->dtype);
        nnc_fail_node(n, "hidden_size %lld needs %lld bytes of kernel scratch; at most %d are supported",
                      (long long)h, (long long)((g->spec->gates + g->spec->states + g->spec->tmp) * h * esz +
                                                (int64_t)sizeof(long)), RNN_SCRATCH_BYTES);
    }
}

/* ---- activations ---- */
typedef enum {
    ACT_RELU, ACT_TANH, ACT_SIGMOID, ACT_AFFINE, ACT_LEAKYRELU, ACT_THRESHOLDEDRELU,
    ACT_SCALEDTANH, ACT_HARDSIGMOID, ACT_ELU, ACT_SOFTSIGN, ACT_SOFTPLUS
} ActKind;

/* Name, whether it takes alpha / beta, and their defaults (those of the ONNX
 * operator of the same name). */
static const struct {
    const char *name;
    int alpha, beta;
    float def_alpha, def_beta;
} rnn_acts[] = {
    [ACT_RELU] = {"Relu", 0, 0, 0, 0},
    [ACT_TANH] = {"Tanh", 0, 0, 0, 0},
    [ACT_SIGMOID] = {"Sigmoid", 0, 0, 0, 0},
    [ACT_AFFINE] = {"Affine", 1, 1, 1.0f, 0.0f},
    [ACT_LEAKYRELU] = {"LeakyRelu", 1, 0, 0.01f, 0},
    [ACT_THRESHOLDEDRELU] = {"ThresholdedRelu", 1, 0, 1.0f, 0},
    [ACT_SCALEDTANH] = {"ScaledTanh", 1, 1, 1.0f, 1.0f},
    [ACT_HARDSIGMOID] = {"HardSigmoid", 1, 1, 0.2f, 0.5f},
    [ACT_ELU] = {"Elu", 1, 0, 1.0f, 0},
    [ACT_SOFTSIGN] = {"Softsign", 0, 0, 0, 0},
    [ACT_SOFTPLUS] = {"Softplus", 0, 0, 0, 0},
};

static int rnn_act_kind(const Node *n, const char *name)
{
    for (size_t i = 0; i < sizeof rnn_acts / sizeof rnn_acts[0]; i++) {
        const char *a = rnn_acts[i].name, *b = name;
        while (*a && tolower((unsigned char)*a) == tolower((unsigned char)*b)) a++, b++;
        if (!*a && !*b) return (int)i;
    }
    nnc_fail_node(n, "activation '%s' is not one of Relu, Tanh, Sigmoid, Affine, LeakyRelu, ThresholdedRelu, "
                     "ScaledTanh, HardSigmoid, Elu, Softsign, Softplus", name);
}

/* The activation as a C expression of `v` (type T, math names bound by
 * bind_math), with its constants as literals of type t. */
static const char *rnn_act_expr(Arena *ar, int kind, double alpha, double beta, DType t)
{
    const char *a = c_float_literal(ar, alpha, t), *b = c_float_literal(ar, beta, t);
    switch ((ActKind)kind) {
    case ACT_RELU: return "(v < 0 ? (T)0 : v)";
    case ACT_TANH: return "TANH(v)";
    case ACT_SIGMOID: return "((T)1 / ((T)1 + EXP(-v)))";
    case ACT_AFFINE: return arena_printf(ar, "(%s * v + %s)", a, b);
    case ACT_LEAKYRELU: return arena_printf(ar, "(v < 0 ? %s * v : v)", a);
    case ACT_THRESHOLDEDRELU: return arena_printf(ar, "(v >= %s ? v : (T)0)", a);
    case ACT_SCALEDTANH: return arena_printf(ar, "(%s * TANH(%s * v))", a, b);
    case ACT_HARDSIGMOID:
        return arena_printf(ar, "(%s * v + %s < 0 ? (T)0 : (%s * v + %s > 1 ? (T)1 : %s * v + %s))", a, b, a, b, a, b);
    case ACT_ELU: return arena_printf(ar, "(v < 0 ? %s * EXPM1(v) : v)", a);
    case ACT_SOFTSIGN: return "(v / ((T)1 + FABS(v)))";
    case ACT_SOFTPLUS: return "(v > 0 ? v + LOG1P(EXP(-v)) : LOG1P(EXP(v)))";
    }
    NNC_ASSERT(0);
    return NULL;
}

/* The values of a STRINGS attribute, or -1 when it is absent. */
static int rnn_attr_strings(const Node *n, const char *name, const char *const **out)
{
    return node_attr_strings(n, name, out);
}

/* An activation with its constants, for kernels that vectorise it. */
typedef struct RnnAct {
    int kind; /* ActKind */
    double alpha, beta;
} RnnAct;

/* Fill expr[d * nact + i] (and acts[d * nact + i] unless NULL) with
 * activation i of direction d. The list holds
 * nact names per direction (forward first); one direction's list is also
 * accepted for both. alpha / beta values are consumed in list order by the
 * activations that take them; missing ones get the defaults. */
static void rnn_activations(Arena *ar, const Node *n, const RnnGeom *g, const char **expr, RnnAct *acts)
{
    const RnnSpec *s = g->spec;
    const char *const *names;
    int cnt = rnn_attr_strings(n, "activations", &names);
    if (cnt < 0) {
        names = s->def_act;
        cnt = s->nact;
    }
    if (cnt != s->nact * g->dirs && cnt != s->nact)
        nnc_fail_node(n, "activations has %d names; %s needs %d per direction", cnt, n->op_type, s->nact);
    const float *al, *be;
    int nal = node_attr_floats(n, "activation_alpha", &al), nbe = node_attr_floats(n, "activation_beta", &be);
    int ia = 0, ib = 0;
    DType t = n->in[IN_X]->dtype;
    for (int i = 0; i < s->nact * g->dirs; i++) {
        int k = rnn_act_kind(n, names[i % cnt]);
        double alpha = rnn_acts[k].def_alpha, beta = rnn_acts[k].def_beta;
        if (rnn_acts[k].alpha && ia < nal) alpha = al[ia++];
        if (rnn_acts[k].beta && ib < nbe) beta = be[ib++];
        expr[i] = rnn_act_expr(ar, k, alpha, beta, t);
        if (acts) acts[i] = (RnnAct){k, alpha, beta};
    }
}

/* clip (> 0) and the op's flags: input_forget (LSTM), linear_before_reset (GRU). */
static void rnn_check_flags(const Node *n)
{
    const Attr *c = node_attr(n, "clip");
    if (c && !(node_attr_float(n, "clip", 0) > 0)) nnc_fail_node(n, "clip must be positive, got %g", c->f);
    int64_t f = n->op == OP_LSTM ? node_attr_int(n, "input_forget", 0) : 0;
    int64_t l = n->op == OP_GRU ? node_attr_int(n, "linear_before_reset", 0) : 0;
    if ((f != 0 && f != 1) || (l != 0 && l != 1))
        nnc_fail_node(n, "%s must be 0 or 1", f != 0 && f != 1 ? "input_forget" : "linear_before_reset");
}

/* RNN / LSTM / GRU: X[seq,batch,input] (layout 1: [batch,seq,input]),
 * W[dirs,G*H,input], R[dirs,G*H,H], B[dirs,2*G*H], sequence_lens[batch],
 * initial_h (, initial_c)[dirs,batch,H] (layout 1: [batch,dirs,H]), P[dirs,3*H]
 *   -> Y[seq,dirs,batch,H] (layout 1: [batch,seq,dirs,H]), Y_h (, Y_c) like initial_h */
void shape_recurrent(Graph *gr, Node *n)
{
    RnnGeom g;
    rnn_geometry(gr->arena, n, &g);
    rnn_check_flags(n);
    const char *expr[6];
    rnn_activations(gr->arena, n, &g, expr, NULL);
    DType t = n->in[IN_X]->dtype;
    int64_t y[4] = {g.seq, g.dirs, g.batch, g.hidden}, y1[4] = {g.batch, g.seq, g.dirs, g.hidden};
    int64_t h[3] = {g.dirs, g.batch, g.hidden}, h1[3] = {g.batch, g.dirs, g.hidden};
    op_set_output(n, OUT_Y, t, 4, g.layout ? y1 : y);
    op_set_output(n, OUT_YH, t, 3, g.layout ? h1 : h);
    if (n->op == OP_LSTM) op_set_output(n, OUT_YC, t, 3, g.layout ? h1 : h);
}

/* Bind the math names an activation may use to the C functions for type t. */
static void rnn_bind_math(Lowering *L, KParams *p, DType t)
{
    static const char *const names[] = {"EXP", "EXPM1", "TANH", "LOG1P", "FABS"};
    static const char *const fns[] = {"exp", "expm1", "tanh", "log1p", "fabs"};
    for (int i = 0; i < 5; i++)
        kp_str(L, p, names[i], t == DT_FLOAT ? arena_printf(lower_arena(L), "%sf", fns[i]) : fns[i]);
}

/* Output k, or NULL when it is omitted or nothing reads it (then the kernel
 * does not write it). */
static Tensor *rnn_out(Lowering *L, const Node *n, int k)
{
    Tensor *t = k < n->n_out ? n->out[k] : NULL;
    if (t && t->output_index < 0 && graph_count_uses(lower_graph(L), t) == 0) return NULL;
    return t;
}

/* Sizes, strides and offsets of direction d (layout 0 or 1). */
static void rnn_bind_geometry(Lowering *L, KParams *p, const RnnGeom *g, int d)
{
    int64_t gh = g->spec->gates * g->hidden, dirs = g->dirs, h = g->hidden;
    kp_int(L, p, "SEQ", g->seq);
    kp_int(L, p, "BATCH", g->batch);
    kp_int(L, p, "INPUT", g->input);
    kp_int(L, p, "HIDDEN", h);
    kp_int(L, p, "REVERSE", g->reverse || d == 1);
    kp_int(L, p, "XS_T", g->layout ? g->input : g->batch * g->input);
    kp_int(L, p, "XS_B", g->layout ? g->seq * g->input : g->input);
    kp_int(L, p, "YS_T", g->layout ? dirs * h : dirs * g->batch * h);
    kp_int(L, p, "YS_B", g->layout ? g->seq * dirs * h : h);
    kp_int(L, p, "Y_OFF", g->layout ? d * h : d * g->batch * h);
    kp_int(L, p, "HS_B", g->layout ? dirs * h : h);
    kp_int(L, p, "H_OFF", g->layout ? d * h : d * g->batch * h);
    kp_int(L, p, "W_OFF", d * gh * g->input);
    kp_int(L, p, "R_OFF", d * gh * h);
    kp_int(L, p, "B_OFF", d * 2 * gh);
    kp_int(L, p, "P_OFF", d * 3 * h);
    kp_int(L, p, "BB", g->bb);
    kp_int(L, p, "TC", g->tc);
}

/* sequence_lens is specialised away when it is a constant equal to seq everywhere. */
static int rnn_lens_needed(const Node *n, const RnnGeom *g)
{
    const Tensor *lens = node_input(n, IN_LENS);
    if (!lens) return 0;
    if (!lens->data) return 1;
    for (int64_t b = 0; b < g->batch; b++)
        if (tensor_get_int(lens, b) != g->seq) return 1;
    return 0;
}

/* Which inputs and outputs direction d's kernel has, the activations, clip
 * and the op's flags. */
static void rnn_bind_options(Lowering *L, KParams *p, const Node *n, const RnnGeom *g, int d, const char **expr,
                             int has_lens)
{
    static const char *const act_keys[] = {"ACT_F", "ACT_G", "ACT_H"};
    float clip = node_attr_float(n, "clip", 0);
    int clipped = clip > 0 && !isinf(clip);
    kp_int(L, p, "HAS_B", node_input(n, IN_B) != NULL);
    kp_int(L, p, "HAS_LENS", has_lens);
    kp_int(L, p, "HAS_H0", node_input(n, IN_H0) != NULL);
    kp_int(L, p, "HAS_Y", rnn_out(L, n, OUT_Y) != NULL);
    kp_int(L, p, "HAS_YH", rnn_out(L, n, OUT_YH) != NULL);
    kp_int(L, p, "HAS_CLIP", clipped);
    kp_float(L, p, "CLIP", clipped ? clip : 0.0, n->in[IN_X]->dtype);
    for (int i = 0; i < g->spec->nact; i++) kp_str(L, p, act_keys[i], expr[d * g->spec->nact + i]);
    if (n->op == OP_LSTM) {
        kp_int(L, p, "HAS_C0", node_input(n, IN_C0) != NULL);
        kp_int(L, p, "HAS_P", node_input(n, IN_P) != NULL);
        kp_int(L, p, "HAS_YC", rnn_out(L, n, OUT_YC) != NULL);
        kp_int(L, p, "INPUT_FORGET", node_attr_int(n, "input_forget", 0) != 0);
    }
    if (n->op == OP_GRU) kp_int(L, p, "LINEAR_BEFORE_RESET", node_attr_int(n, "linear_before_reset", 0) != 0);
}

/* ---- avx2 / avx512: rnn_vec ---- */

/* One direction's M (G*H rows of k, row-major) transposed per gate into panels
 * of nr hidden units: gate g, panel q is [k][nr] at (g * np + q) * k * nr,
 * zero past H (np = H / nr rounded up). */
static const char *rnn_pack(Lowering *L, const Node *n, const char *what, const float *m, int gates, int64_t h,
                            int64_t k, int nr)
{
    int64_t np = (h + nr - 1) / nr, count = gates * np * k * nr;
    float *out = arena_alloc_array(lower_arena(L), (size_t)count, sizeof(float));
    memset(out, 0, (size_t)count * sizeof(float));
    for (int64_t gj = 0; gj < gates * h; gj++) {
        int64_t g = gj / h, j = gj % h;
        for (int64_t kk = 0; kk < k; kk++) out[((g * np + j / nr) * k + kk) * nr + j % nr] = m[gj * k + kk];
    }
    return tile_constant(L, n, what, out, count);
}

/* Direction d's biases as rnn_vec reads them: Wb + Rb per gate row (only
 * Wb for GRU's h gate with linear_before_reset), then H more: Rbh there,
 * zeros otherwise. All zero without B. */
static const char *rnn_pack_bias(Lowering *L, const Node *n, const RnnGeom *g, int d, int lbr)
{
    int64_t h = g->hidden, gh = g->spec->gates * h;
    float *out = arena_alloc_array(lower_arena(L), (size_t)(gh + h), sizeof(float));
    memset(out, 0, (size_t)(gh + h) * sizeof(float));
    const Tensor *b = node_input(n, IN_B);
    if (b) {
        const float *wb = (const float *)b->data + d * 2 * gh, *rb = wb + gh;
        for (int64_t i = 0; i < gh; i++) out[i] = lbr && i >= 2 * h ? wb[i] : wb[i] + rb[i];
        for (int64_t j = 0; lbr && j < h; j++) out[gh + j] = rb[2 * h + j];
    }
    return tile_constant(L, n, "folded bias", out, gh + h);
}

/* rnn_vec runs a FLOAT node with constant W, R (and B) whose activations
 * all vectorise, on a target with the template and a GEMM tile. */
static int rnn_vec_ok(Lowering *L, const Node *n, const RnnGeom *g, const RnnAct *acts)
{
    TileShape ts;
    if (!tile_shape(L, &ts) || !lower_isa_has(L, "rnn_vec") || n->in[IN_X]->dtype != DT_FLOAT) return 0;
    const Tensor *b = node_input(n, IN_B);
    if (!n->in[IN_W]->data || !n->in[IN_R]->data || (b && !b->data)) return 0;
    for (int i = 0; i < g->spec->nact * g->dirs; i++)
        if (acts[i].kind == ACT_SOFTPLUS) return 0;
    return 1;
}

/* The cell, the tile and the activation codes (ActKind) of direction d. */
static void rnn_bind_vec(Lowering *L, KParams *p, const Node *n, const RnnGeom *g, int d, const RnnAct *acts,
                         const TileShape *ts)
{
    static const char *const keys[3][3] = {
        {"VACT_F", "VACT_FA", "VACT_FB"}, {"VACT_G", "VACT_GA", "VACT_GB"}, {"VACT_H", "VACT_HA", "VACT_HB"}};
    kp_int(L, p, "CELL", n->op == OP_RNN ? 0 : n->op == OP_LSTM ? 1 : 2);
    kp_int(L, p, "G", g->spec->gates);
    kp_int(L, p, "NP", (g->hidden + ts->nr - 1) / ts->nr);
    kp_int(L, p, "MR", ts->mr);
    kp_int(L, p, "NR", ts->nr);
    kp_str(L, p, "TILE", tile_plain(L, n, 0));
    if (n->op != OP_LSTM) { /* the flags of the other cells, which rnn_bind_options binds for its op */
        static const char *const lstm_flags[] = {"HAS_C0", "HAS_P", "HAS_YC", "INPUT_FORGET"};
        for (int i = 0; i < 4; i++) kp_int(L, p, lstm_flags[i], 0);
    }
    if (n->op != OP_GRU) kp_int(L, p, "LINEAR_BEFORE_RESET", 0);
    for (int i = 0; i < 3; i++) {
        const RnnAct *a = &acts[d * g->spec->nact + (i < g->spec->nact ? i : 0)];
        kp_int(L, p, keys[i][0], a->kind);
        kp_float(L, p, keys[i][1], a->alpha, DT_FLOAT);
        kp_float(L, p, keys[i][2], a->beta, DT_FLOAT);
    }
}

/* avx2 / avx512: one rnn_vec call per direction on weights packed here.
 * Returns 0 (nothing emitted) when the node does not qualify. */
static int lower_recurrent_vec(Lowering *L, const Node *n, const RnnGeom *g0, const char **expr,
                               const RnnAct *acts, Tensor *lens)
{
    RnnGeom g = *g0;
    TileShape ts;
    if (!rnn_vec_ok(L, n, &g, acts) || !rnn_plan_scratch(n, &g, 1)) return 0;
    tile_shape(L, &ts);
    int lstm = n->op == OP_LSTM;
    int lbr = n->op == OP_GRU && node_attr_int(n, "linear_before_reset", 0) != 0;
    int64_t gh = g.spec->gates * g.hidden;
    const float *w = n->in[IN_W]->data, *r = n->in[IN_R]->data;
    for (int d = 0; d < g.dirs; d++) {
        KParams p = {0};
        kp_type(L, &p, "TL", lens ? lens->dtype : DT_INT32);
        kp_int(L, &p, "STATUS_INDEX", NNC_STATUS_INDEX);
        rnn_bind_geometry(L, &p, &g, d);
        rnn_bind_options(L, &p, n, &g, d, expr, lens != NULL);
        rnn_bind_vec(L, &p, n, &g, d, acts, &ts);
        const char *fn = lower_kernel(L, n, "rnn_vec", &p);
        Tensor *yc = lstm ? rnn_out(L, n, OUT_YC) : NULL, *c0 = lstm ? node_input(n, IN_C0) : NULL;
        Tensor *pp = lstm ? node_input(n, IN_P) : NULL, *h0 = node_input(n, IN_H0);
        Tensor *y = rnn_out(L, n, OUT_Y), *yh = rnn_out(L, n, OUT_YH);
        const char *args[11] = {
            lower_ref(L, n->in[IN_X]),
            rnn_pack(L, n, "packed W", w + d * gh * g.input, g.spec->gates, g.hidden, g.input, ts.nr),
            rnn_pack(L, n, "packed R", r + d * gh * g.hidden, g.spec->gates, g.hidden, g.hidden, ts.nr),
            rnn_pack_bias(L, n, &g, d, lbr),
            lens ? lower_ref(L, lens) : NULL,
            h0 ? lower_ref(L, h0) : NULL,
            c0 ? lower_ref(L, c0) : NULL,
            pp ? lower_ref(L, pp) : NULL,
            y ? lower_ref(L, y) : NULL,
            yh ? lower_ref(L, yh) : NULL,
            yc ? lower_ref(L, yc) : NULL};
        lower_call_refs(L, fn, 11, args, lens && !lens->data);
    }
    return 1;
}

/* One kernel call per direction; run-time sequence lengths are checked by
 * the kernel (a bad one makes the run function return STATUS_INDEX). */
void lower_recurrent(Lowering *L, const Node *n)
{
    RnnGeom g;
    Arena *a = lower_arena(L);
    rnn_geometry(a, n, &g);
    const char *expr[6];
    RnnAct acts[6];
    rnn_activations(a, n, &g, expr, acts);
    DType t = n->in[IN_X]->dtype;
    int lstm = n->op == OP_LSTM, has_lens = rnn_lens_needed(n, &g);
    Tensor *lens = has_lens ? node_input(n, IN_LENS) : NULL;
    if (lower_recurrent_vec(L, n, &g, expr, acts, lens)) return;
    for (int d = 0; d < g.dirs; d++) {
        KParams p = {0};
        kp_type(L, &p, "T", t);
        kp_type(L, &p, "TL", lens ? lens->dtype : DT_INT32);
        kp_int(L, &p, "STATUS_INDEX", NNC_STATUS_INDEX);
        rnn_bind_math(L, &p, t);
        rnn_bind_geometry(L, &p, &g, d);
        rnn_bind_options(L, &p, n, &g, d, expr, has_lens);
        const char *fn = lower_kernel(L, n, g.spec->tmpl, &p);
        Tensor *args[11] = {n->in[IN_X], n->in[IN_W], n->in[IN_R], node_input(n, IN_B), lens, node_input(n, IN_H0)};
        int na = 6;
        if (lstm) {
            args[na++] = node_input(n, IN_C0);
            args[na++] = node_input(n, IN_P);
        }
        args[na++] = rnn_out(L, n, OUT_Y);
        args[na++] = rnn_out(L, n, OUT_YH);
        if (lstm) args[na++] = rnn_out(L, n, OUT_YC);
        lower_call(L, fn, na, args, lens && !lens->data);
    }
}

/* RNN, LSTM, GRU: per direction, step and batch row, G*H gate rows each take
 * 2*(input + hidden) multiply-adds and two bias adds, plus about ten
 * elementwise operations per hidden unit for the gates. */
int64_t flops_recurrent(const Node *n)
{
    const Tensor *w = n->in[IN_W], *r = n->in[IN_R], *x = n->in[IN_X];
    int64_t dirs = w->dims[0], gh = w->dims[1], in = w->dims[2], h = r->dims[2];
    int64_t steps_rows = tensor_numel(x) / x->dims[2];
    return dirs * steps_rows * (gh * (2 * (in + h) + 2) + 10 * h);
}
