/* attention.c — fused scaled dot-product attention, one query row at a time:
 * the row of SK scores lives in a local array (one tile), is masked, turned
 * into probabilities, and immediately multiplied by V, so the [SQ, SK] score
 * matrix is never stored.
 *   A[t][SQ][D], B[t][D][SK] (KT: K[t][SK][D]), V[t][SK][DV] -> Y[t][SQ][DV]
 *   s_j = SCALE * sum_d A[i][d] B[d][j]  (+ M[i][j]) (C[i][j] ? FILL : s_j, or
 *   the other way round with KEEP), p = softmax(s), Y[i] = sum_j p_j V[j]
 * Batch offsets (AOFF, ...) realise broadcasting of the leading dims. */
#ifdef NNC_LINT
#include <math.h>
#include <stdint.h>
#define T float
#define EXP expf
#define BATCH 2
#define SQ 4
#define SK 4
#define D 8
#define DV 8
#define KT 0
#define SCALE 0.35355339f
#define AOFF {0, 32}
#define BOFF {0, 32}
#define VOFF {0, 32}
#define HAS_MASK 1
#define MOFF {0, 0}
#define MSI 4
#define MSJ 1
#define HAS_COND 0
#define COFF {0}
#define CSI 0
#define CSJ 0
#define FILL 0.0f
#define KEEP 0
#define KERNEL attention_lint
static void attention_lint(const T *restrict a, const T *restrict b, const T *restrict v, const T *restrict mask,
                    const uint8_t *restrict cond, T *restrict y, long lo, long hi);
#endif
/* @begin */
/* Work units (the range [lo, hi) of a call, see lower_call_par): query
 * rows, batch-major (unit u is row u % SQ of batch entry u / SQ). */
static void KERNEL(const T *restrict a, const T *restrict b, const T *restrict v, const T *restrict mask,
                   const uint8_t *restrict cond, T *restrict y, long lo, long hi)
{
    static const long aoff[] = AOFF, boff[] = BOFF, voff[] = VOFF, moff[] = MOFF, coff[] = COFF;
    T s[SK];
    long u, j, d;
    (void)mask;
    (void)cond;
    (void)moff;
    (void)coff;
    for (u = lo; u < hi; u++) {
        const long t = u / SQ, i = u % SQ;
        const T *at = a + aoff[t], *bt = b + boff[t], *vt = v + voff[t];
        const T *ar = at + i * (long)D;
        T *yr = y + (t * SQ + i) * (long)DV;
        T mx = -HUGE_VAL, sum = 0;
        for (j = 0; j < SK; j++) {
            T acc = 0;
            for (d = 0; d < D; d++) acc += ar[d] * (KT ? bt[j * (long)D + d] : bt[d * (long)SK + j]);
            acc *= SCALE;
            if (HAS_MASK) acc += mask[moff[HAS_MASK ? t : 0] + i * (long)MSI + j * (long)MSJ];
            if (HAS_COND) {
                const int c = cond[coff[HAS_COND ? t : 0] + i * (long)CSI + j * (long)CSJ] != 0;
                if (KEEP ? !c : c) acc = FILL;
            }
            s[j] = acc;
            if (acc > mx) mx = acc;
        }
        for (j = 0; j < SK; j++) {
            s[j] = EXP(s[j] - mx);
            sum += s[j];
        }
        for (d = 0; d < DV; d++) yr[d] = 0;
        for (j = 0; j < SK; j++) {
            const T pj = s[j] / sum;
            const T *vr = vt + j * (long)DV;
            for (d = 0; d < DV; d++) yr[d] += pj * vr[d];
        }
    }
}
/* @end */
