/* layout.c — LayoutConvert: copies a tensor between the plain and the
 * channel-blocked (NCHW[c]) layout; only the layout pass creates it. The
 * shape is the same on both sides (Tensor.layout says how it is stored); the
 * direction and c come from the layouts of the input and the output, exactly
 * one of which is blocked. */
#include "common.h"

/* LayoutConvert: X[N,C,H,W] float -> Y[N,C,H,W], the same values stored in
 * the other layout. */
void shape_layout_convert(Graph *g, Node *n)
{
    const Tensor *x = n->in[0];
    if (x->rank != 4 || x->dtype != DT_FLOAT)
        nnc_fail_node(n, "input must be a rank-4 FLOAT tensor, got %s %s", dtype_name(x->dtype),
                      x->rank < 0 ? "of unknown shape" : shape_str(g->arena, x));
    op_set_output(n, 0, x->dtype, x->rank, x->dims);
}

void lower_layout_convert(Lowering *L, const Node *n)
{
    Tensor *x = n->in[0], *y = n->out[0];
    NNC_ASSERT((x->layout > 0) != (y->layout > 0) && x->rank == 4);
    int to_blocked = y->layout > 0;
    KParams p = {0};
    kp_type(L, &p, "T", x->dtype);
    kp_int(L, &p, "N", x->dims[0]);
    kp_int(L, &p, "C", x->dims[1]);
    kp_int(L, &p, "HW", x->dims[2] * x->dims[3]);
    kp_int(L, &p, "LANES", to_blocked ? y->layout : x->layout);
    kp_int(L, &p, "TO_BLOCKED", to_blocked);
    kp_int(L, &p, "PAR_CHUNK", OP_PAR_CHUNK);
    const char *fn = lower_kernel(L, n, "layout_convert", &p);
    Tensor *args[2] = {x, y};
    /* units: chunks of positions of each channel block */
    int64_t c = to_blocked ? y->layout : x->layout, blocks = x->dims[0] * op_ceil_div(x->dims[1], c);
    op_call_par(L, fn, 2, args, blocks * op_ceil_div(x->dims[2] * x->dims[3], OP_PAR_CHUNK), tensor_numel(x));
}
