/* attention_vec.c — fused scaled dot-product attention (FLOAT), flash style,
 * written in the vector layer (templates/<isa>/vops.c); semantics of
 * generic/attention.c (scale, additive mask M, select mask C with FILL /
 * KEEP, KT, batch offsets).
 *   A[t][SQ][D], B[t][D][SK] (KT: K[t][SK][D]), V[t][SK][DV] -> Y[t][SQ][DV]
 * Query rows go in blocks of QB; for a block, keys go in tiles of VLANES (one
 * vector of scores per row). Per tile: the QB x VLANES scores (K^T tile read
 * directly, or with KT transposed once into `kt` and shared by the block's
 * rows), then scale, masks, and an online softmax: the running row maximum
 * m and sum l are updated, the accumulator rescaled by exp(m_old - m_new)
 * and p = exp(s - m_new) times the V tile added. Only one tile of scores
 * exists at a time. With CAUSAL, keys j > i + CAUSAL_OFF are known (from
 * the constant mask) to be -inf for every row i, so a block stops at key
 * i_last + CAUSAL_OFF. Rows past SQ in the last block recompute row SQ - 1
 * and are not stored, so every loop over the block has constant trip count.
 * Scratch: kt[D * VLANES] (with KT), p[QB * VLANES], acc[QB * DVP]; DVP is a
 * multiple of VLANES. */
#ifdef NNC_LINT
#include "lint.h"
#include <math.h>
#include <stdint.h>
#define BATCH 2
#define SQ 5
#define SK 20
#define D 8
#define DV 20
#define DVP 32
#define QB 4
#define KT 1
#define SCALE 0.35355339f
#define AOFF {0, 40}
#define BOFF {0, 160}
#define VOFF {0, 400}
#define HAS_MASK 1
#define MOFF {0, 0}
#define MSI 20
#define MSJ 1
#define HAS_COND 1
#define COFF {0, 0}
#define CSI 20
#define CSJ 1
#define FILL (-HUGE_VALF)
#define KEEP 0
#define CAUSAL 1
#define CAUSAL_OFF 15
#define KERNEL attention_vec_lint
static void attention_vec_lint(const float *restrict a, const float *restrict b, const float *restrict v,
                        const float *restrict mask, const uint8_t *restrict cond, float *restrict y, long lo,
                        long hi);
#endif
/* @begin */
/* scores of the block's QB rows against keys [j0, j0 + nj): s[r] = SCALE * a_r . k_j, masked */
static NNC_TARGET void KERNEL_scores(const float *restrict at, const float *restrict kd, const long kst,
                                     const float *restrict mt, const uint8_t *restrict ct, const long i0,
                                     const long j0, const long nj, VFLOAT *restrict s)
{
    const VMASK km = VTAIL(nj);
    long r, d;
    for (r = 0; r < QB; r++) s[r] = VZERO();
    for (d = 0; d < D; d++) {
        const VFLOAT kv = VLOAD_M(kd + d * kst, km);
        for (r = 0; r < QB; r++) {
            const long i = i0 + r < SQ ? i0 + r : SQ - 1;
            s[r] = VFMA(VSET(at[i * (long)D + d]), kv, s[r]);
        }
    }
    for (r = 0; r < QB; r++) {
        const long i = i0 + r < SQ ? i0 + r : SQ - 1;
        VFLOAT x = VMUL(s[r], VSET(SCALE));
        if (HAS_MASK) {
            const float *mr = mt + i * (long)MSI + j0 * (long)MSJ;
            x = VADD(x, MSJ ? VLOAD_M(mr, km) : VSET(mr[0]));
        }
        if (HAS_COND) {
            const uint8_t *cr = ct + i * (long)CSI + j0 * (long)CSJ;
            VMASK c = CSJ ? VMASK_NZ_U8(cr, nj) : cr[0] ? km : VMASK_NONE;
            if (KEEP) c = VMASK_ANDNOT(c, km);
            x = VBLEND_M(c, x, VSET(FILL));
        }
        s[r] = VBLEND_M(km, VSET(-HUGE_VALF), x); /* keys past the tile: none */
    }
}

/* Work units (the range [lo, hi) of a call, see lower_call_par): blocks of
 * QB query rows, batch-major (unit u is block u % NQB of batch entry
 * u / NQB); a block is computed alike whatever the split. */
static NNC_TARGET void KERNEL(const float *restrict a, const float *restrict b, const float *restrict v,
                              const float *restrict mask, const uint8_t *restrict cond, float *restrict y, long lo,
                              long hi)
{
    static const long aoff[] = AOFF, boff[] = BOFF, voff[] = VOFF, moff[] = MOFF, coff[] = COFF;
    const long nqb = (SQ + QB - 1) / QB; /* query blocks per batch entry */
    float kt[KT ? D * VLANES : 1], p[QB * VLANES], acc[QB * DVP], m[QB], l[QB], alpha[QB];
    VFLOAT s[QB];
    long u, r, c, jj, d, j0;
    (void)kt;
    for (u = lo; u < hi; u++) {
        const long t = u / nqb, i0 = u % nqb * QB;
        const float *at = a + aoff[t], *bt = b + boff[t], *vt = v + voff[t];
        const float *mt = HAS_MASK ? mask + moff[t] : mask;
        const uint8_t *ct = HAS_COND ? cond + coff[t] : cond;
        long nk = CAUSAL ? i0 + QB + CAUSAL_OFF : SK; /* keys any row of the block can see */
        if (nk > SK) nk = SK;
        for (r = 0; r < QB; r++) {
            m[r] = -HUGE_VALF;
            l[r] = 0;
            for (c = 0; c < DVP; c += VLANES) VSTORE(acc + r * DVP + c, VZERO());
        }
        for (j0 = 0; j0 < nk; j0 += VLANES) {
            const long nj = nk - j0 < VLANES ? nk - j0 : VLANES;
            const float *kd = bt + j0;
            long kst = SK;
            if (KT) { /* K[j][d] -> kt[d][j] for the tile */
                for (jj = 0; jj < VLANES; jj++)
                    for (d = 0; d < D; d++) kt[d * VLANES + jj] = jj < nj ? bt[(j0 + jj) * (long)D + d] : 0.0f;
                kd = kt;
                kst = VLANES;
            }
            KERNEL_scores(at, kd, kst, mt, ct, i0, j0, nj, s);
            for (r = 0; r < QB; r++) { /* online softmax */
                const float tm = VHMAX(s[r]), mn = tm > m[r] ? tm : m[r];
                const float mu = mn == -HUGE_VALF ? 0.0f : mn; /* all -inf so far: p = 0 */
                const VFLOAT pv = VEXP(VSUB(s[r], VSET(mu)));
                alpha[r] = expf(m[r] - mu);
                l[r] = l[r] * alpha[r] + VHSUM(pv);
                m[r] = mn;
                VSTORE(p + r * VLANES, pv);
            }
            for (c = 0; c < DV; c += VLANES) { /* acc = alpha acc + p V */
                const VMASK cm = VTAIL(DV - c < VLANES ? DV - c : VLANES);
                VFLOAT o[QB];
                for (r = 0; r < QB; r++) o[r] = VMUL(VLOAD(acc + r * DVP + c), VSET(alpha[r]));
                for (jj = 0; jj < nj; jj++) {
                    const VFLOAT vv = VLOAD_M(vt + (j0 + jj) * (long)DV + c, cm);
                    for (r = 0; r < QB; r++) o[r] = VFMA(VSET(p[r * VLANES + jj]), vv, o[r]);
                }
                for (r = 0; r < QB; r++) VSTORE(acc + r * DVP + c, o[r]);
            }
        }
        for (r = 0; r < QB && i0 + r < SQ; r++) {
            const VFLOAT inv = VSET(1.0f / l[r]);
            float *yr = y + (t * SQ + i0 + r) * (long)DV;
            for (c = 0; c < DV; c += VLANES)
                VSTORE_M(yr + c, VTAIL(DV - c < VLANES ? DV - c : VLANES), VMUL(VLOAD(acc + r * DVP + c), inv));
        }
    }
}
/* @end */
