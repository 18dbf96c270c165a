/* attention_vec.c — AVX-512 fused scaled dot-product attention (FLOAT),
 * flash style; semantics of generic/attention.c (scale, additive mask M,
 * select mask C with FILL / KEEP, KT, batch offsets).
 *   A[t][SQ][D], B[t][D][SK] (KT: K[t][SK][D]), V[t][SK][DV] -> Y[t][SQ][DV]
 * Query rows go in blocks of QB; for a block, keys go in tiles of 16 (one
 * vector of scores per row). Per tile: the QB x 16 scores (K^T tile read
 * directly, or with KT transposed once into `kt` and shared by the block's
 * rows), then scale, masks, and an online softmax: the running row maximum
 * m and sum l are updated, the accumulator rescaled by exp(m_old - m_new)
 * and p = exp(s - m_new) times the V tile added. Only one tile of scores
 * exists at a time. With CAUSAL, keys j > i + CAUSAL_OFF are known (from
 * the constant mask) to be -inf for every row i, so a block stops at key
 * i_last + CAUSAL_OFF. Rows past SQ in the last block recompute row SQ - 1
 * and are not stored, so every loop over the block has constant trip count.
 * Scratch: kt[D * 16] (with KT), p[QB * 16], acc[QB * DVP]. */
#ifdef NNC_LINT
#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include "nnc_vmath_avx512.h"
#define NNC_TARGET NNC_TARGET_AVX512
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
                        const float *restrict mask, const uint8_t *restrict cond, float *restrict y);
#endif
/* @begin */
/* scores of the block's QB rows against keys [j0, j0 + nj): s[r] = SCALE * a_r . k_j, masked */
static NNC_TARGET void KERNEL_scores(const float *restrict at, const float *restrict kd, const long kst,
                                     const float *restrict mt, const uint8_t *restrict ct, const long i0,
                                     const long j0, const long nj, __m512 *restrict s)
{
    const __mmask16 km = nnc_tailmask_avx512(nj);
    long r, d;
    for (r = 0; r < QB; r++) s[r] = _mm512_setzero_ps();
    for (d = 0; d < D; d++) {
        const __m512 kv = _mm512_maskz_loadu_ps(km, kd + d * kst);
        for (r = 0; r < QB; r++) {
            const long i = i0 + r < SQ ? i0 + r : SQ - 1;
            s[r] = _mm512_fmadd_ps(_mm512_set1_ps(at[i * (long)D + d]), kv, s[r]);
        }
    }
    for (r = 0; r < QB; r++) {
        const long i = i0 + r < SQ ? i0 + r : SQ - 1;
        __m512 x = _mm512_mul_ps(s[r], _mm512_set1_ps(SCALE));
        if (HAS_MASK) {
            const float *mr = mt + i * (long)MSI + j0 * (long)MSJ;
            x = _mm512_add_ps(x, MSJ ? _mm512_maskz_loadu_ps(km, mr) : _mm512_set1_ps(mr[0]));
        }
        if (HAS_COND) {
            const uint8_t *cr = ct + i * (long)CSI + j0 * (long)CSJ;
            __mmask16 c = CSJ ? _mm512_test_epi32_mask(_mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(km, cr)),
                                                       _mm512_set1_epi32(0xff))
                              : (__mmask16)(cr[0] ? 0xffff : 0);
            if (KEEP) c = (__mmask16)~c;
            x = _mm512_mask_blend_ps(c, x, _mm512_set1_ps(FILL));
        }
        s[r] = _mm512_mask_blend_ps(km, _mm512_set1_ps(-HUGE_VALF), x); /* keys past the tile: none */
    }
}

static NNC_TARGET void KERNEL(const float *restrict a, const float *restrict b, const float *restrict v,
                              const float *restrict mask, const uint8_t *restrict cond, float *restrict y)
{
    static const long aoff[] = AOFF, boff[] = BOFF, voff[] = VOFF, moff[] = MOFF, coff[] = COFF;
    float kt[KT ? D * 16 : 1], p[QB * 16], acc[QB * DVP], m[QB], l[QB], alpha[QB];
    __m512 s[QB];
    long t, i0, j0, r, c, jj, d;
    (void)kt;
    for (t = 0; t < BATCH; t++) {
        const float *at = a + aoff[t], *bt = b + boff[t], *vt = v + voff[t];
        const float *mt = HAS_MASK ? mask + moff[t] : mask;
        const uint8_t *ct = HAS_COND ? cond + coff[t] : cond;
        for (i0 = 0; i0 < SQ; i0 += QB) {
            long nk = CAUSAL ? i0 + QB + CAUSAL_OFF : SK; /* keys any row of the block can see */
            if (nk > SK) nk = SK;
            for (r = 0; r < QB; r++) {
                m[r] = -HUGE_VALF;
                l[r] = 0;
                for (c = 0; c < DVP; c += 16) _mm512_storeu_ps(acc + r * DVP + c, _mm512_setzero_ps());
            }
            for (j0 = 0; j0 < nk; j0 += 16) {
                const long nj = nk - j0 < 16 ? nk - j0 : 16;
                const float *kd = bt + j0;
                long kst = SK;
                if (KT) { /* K[j][d] -> kt[d][j] for the tile */
                    for (jj = 0; jj < 16; jj++)
                        for (d = 0; d < D; d++) kt[d * 16 + jj] = jj < nj ? bt[(j0 + jj) * (long)D + d] : 0.0f;
                    kd = kt;
                    kst = 16;
                }
                KERNEL_scores(at, kd, kst, mt, ct, i0, j0, nj, s);
                for (r = 0; r < QB; r++) { /* online softmax */
                    const float tm = _mm512_reduce_max_ps(s[r]), mn = tm > m[r] ? tm : m[r];
                    const float mu = mn == -HUGE_VALF ? 0.0f : mn; /* all -inf so far: p = 0 */
                    const __m512 pv = nnc_exp_avx512(_mm512_sub_ps(s[r], _mm512_set1_ps(mu)));
                    alpha[r] = expf(m[r] - mu);
                    l[r] = l[r] * alpha[r] + _mm512_reduce_add_ps(pv);
                    m[r] = mn;
                    _mm512_storeu_ps(p + r * 16, pv);
                }
                for (c = 0; c < DV; c += 16) { /* acc = alpha acc + p V */
                    const __mmask16 cm = nnc_tailmask_avx512(DV - c < 16 ? DV - c : 16);
                    __m512 o[QB];
                    for (r = 0; r < QB; r++) o[r] = _mm512_mul_ps(_mm512_loadu_ps(acc + r * DVP + c), _mm512_set1_ps(alpha[r]));
                    for (jj = 0; jj < nj; jj++) {
                        const __m512 vv = _mm512_maskz_loadu_ps(cm, vt + (j0 + jj) * (long)DV + c);
                        for (r = 0; r < QB; r++) o[r] = _mm512_fmadd_ps(_mm512_set1_ps(p[r * 16 + jj]), vv, o[r]);
                    }
                    for (r = 0; r < QB; r++) _mm512_storeu_ps(acc + r * DVP + c, o[r]);
                }
            }
            for (r = 0; r < QB && i0 + r < SQ; r++) {
                const __m512 inv = _mm512_set1_ps(1.0f / l[r]);
                float *yr = y + (t * SQ + i0 + r) * (long)DV;
                for (c = 0; c < DV; c += 16)
                    _mm512_mask_storeu_ps(yr + c, nnc_tailmask_avx512(DV - c < 16 ? DV - c : 16),
                                          _mm512_mul_ps(_mm512_loadu_ps(acc + r * DVP + c), inv));
            }
        }
    }
}
/* @end */
