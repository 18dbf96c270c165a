/* binary_vec.c — elementwise binary op on FLOAT with numpy broadcasting over
 * up to six (merged) dims, written in the vector layer
 * (templates/<isa>/vops.c) and vectorised along the innermost dim: D5
 * elements, VLANES at a time, the partial vector under a mask. An operand's
 * innermost stride AS5/BS5 is 1 (contiguous) or 0 (one value per row,
 * broadcast to all lanes: scalar operands and per-channel [1,C,1,1]
 * patterns); outer strides are 0 on broadcast dims; the output is dense.
 * VEXPR is the op's vector form over `va` and `vb`, in the layer's words.
 * The output may be the input's own buffer (the planner runs it in place):
 * each vector is loaded before its own slots are stored. */
#ifdef NNC_LINT
#include "lint.h"
#define VEXPR VADD(va, vb)
#define D0 1
#define D1 1
#define D2 1
#define D3 1
#define D4 2
#define D5 37
#define AS0 0
#define AS1 0
#define AS2 0
#define AS3 0
#define AS4 37
#define AS5 1
#define BS0 0
#define BS1 0
#define BS2 0
#define BS3 0
#define BS4 1
#define BS5 0
#define PAR_CHUNK 64
#define KERNEL binary_vec_lint
#endif
/* @begin */
/* Elements [i, end) of a row, i a multiple of VLANES and end one too or D5:
 * whole vectors, then, when the range reaches the row's end, its partial
 * vector at a constant offset (so that the compiler sees every access in
 * bounds). */
static NNC_TARGET void KERNEL_row(const float *ar, const float *br, float *yr, long i, long end)
{
    const long nv = D5 / VLANES * VLANES, ve = end < nv ? end : nv;
    for (; i < ve; i += VLANES) {
        const VFLOAT va = AS5 ? VLOAD(ar + i) : VSET(ar[0]);
        const VFLOAT vb = BS5 ? VLOAD(br + i) : VSET(br[0]);
        VSTORE(yr + i, VEXPR);
    }
    if (D5 % VLANES && end == D5) {
        const VMASK m = VTAIL(D5 - nv);
        const VFLOAT va = AS5 ? VLOAD_M(ar + nv, m) : VSET(ar[0]);
        const VFLOAT vb = BS5 ? VLOAD_M(br + nv, m) : VSET(br[0]);
        VSTORE_M(yr + nv, m, VEXPR);
    }
}

/* Work units (the range [lo, hi) of a call, see lower_call_par): chunks of
 * PAR_CHUNK elements (a multiple of VLANES) of the D0 * ... * D4 rows of D5,
 * row-major, a row's last chunk holding its tail; so each part takes the
 * whole call's vector and tail paths. */
static NNC_TARGET void KERNEL(const float *a, const float *b, float *y, long lo, long hi)
{
    const long q = (D5 + PAR_CHUNK - 1) / PAR_CHUNK; /* chunks per row */
    long r;
    for (r = lo / q; r * q < hi; r++) {
        const long i4 = r % D4, i3 = r / D4 % D3, i2 = r / ((long)D4 * D3) % D2;
        const long i1 = r / ((long)D4 * D3 * D2) % D1, i0 = r / ((long)D4 * D3 * D2 * D1);
        KERNEL_row(a + i0 * AS0 + i1 * AS1 + i2 * AS2 + i3 * AS3 + i4 * AS4,
                   b + i0 * BS0 + i1 * BS1 + i2 * BS2 + i3 * BS3 + i4 * BS4, y + r * (long)D5,
                   r * q < lo ? (lo - r * q) * PAR_CHUNK : 0, (r + 1) * q > hi ? (hi - r * q) * PAR_CHUNK : D5);
    }
}
/* @end */
#ifdef NNC_LINT
void binary_vec_lint_use(const float *a, const float *b, float *y);
void binary_vec_lint_use(const float *a, const float *b, float *y) { binary_vec_lint(a, b, y, 0, 2); }
#endif
