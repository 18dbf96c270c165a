/* attention_vec.c — AVX2 fused scaled dot-product attention (FLOAT), flash
 * style; the algorithm of avx512/attention_vec.c with key tiles of 8 (one
 * __m256 of scores per query row): blocks of QB query rows, per key tile the
 * scores (K tile transposed into `kt` with KT), scale and masks, then an
 * online softmax (running max m and sum l, accumulator rescaled by
 * exp(m_old - m_new)) and p V added to the accumulator. With CAUSAL, keys
 * j > i + CAUSAL_OFF are known to be -inf and are skipped. Semantics of
 * generic/attention.c. Scratch: kt[D * 8] (with KT), p[QB * 8], acc[QB * DVP]. */
#ifdef NNC_LINT
#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include "nnc_vmath_avx2.h"
#define NNC_TARGET NNC_TARGET_AVX2
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
/* masked load: lanes outside m read as 0 */
static NNC_TARGET __m256 KERNEL_load(const float *p, const __m256i m) { return _mm256_maskload_ps(p, m); }

/* scores of the block's QB rows against keys [j0, j0 + nj): s[r] = SCALE * a_r . k_j, masked */
static NNC_TARGET void KERNEL_scores(const float *restrict at, const float *restrict kd, const long kst,
                                     const float *restrict mt, const uint8_t *restrict ct, const long i0,
                                     const long j0, const long nj, __m256 *restrict s)
{
    const __m256i km = nnc_tailmask_avx2(nj);
    long r, d;
    for (r = 0; r < QB; r++) s[r] = _mm256_setzero_ps();
    for (d = 0; d < D; d++) {
        const __m256 kv = KERNEL_load(kd + d * kst, km);
        for (r = 0; r < QB; r++) {
            const long i = i0 + r < SQ ? i0 + r : SQ - 1;
            s[r] = _mm256_fmadd_ps(_mm256_set1_ps(at[i * (long)D + d]), kv, s[r]);
        }
    }
    for (r = 0; r < QB; r++) {
        const long i = i0 + r < SQ ? i0 + r : SQ - 1;
        __m256 x = _mm256_mul_ps(s[r], _mm256_set1_ps(SCALE));
        if (HAS_MASK) {
            const float *mr = mt + i * (long)MSI + j0 * (long)MSJ;
            x = _mm256_add_ps(x, MSJ ? KERNEL_load(mr, km) : _mm256_set1_ps(mr[0]));
        }
        if (HAS_COND) {
            const uint8_t *cr = ct + i * (long)CSI + j0 * (long)CSJ;
            int cb[8], jj;
            __m256 c;
            for (jj = 0; jj < 8; jj++) cb[jj] = jj < nj && cr[CSJ ? jj : 0] != 0 ? -1 : 0;
            c = _mm256_castsi256_ps(_mm256_loadu_si256((const __m256i *)(const void *)cb));
            if (KEEP) c = _mm256_xor_ps(c, _mm256_castsi256_ps(km));
            x = _mm256_blendv_ps(x, _mm256_set1_ps(FILL), c);
        }
        s[r] = _mm256_blendv_ps(_mm256_set1_ps(-HUGE_VALF), x, _mm256_castsi256_ps(km)); /* keys past the tile: none */
    }
}

static NNC_TARGET void KERNEL(const float *restrict a, const float *restrict b, const float *restrict v,
                              const float *restrict mask, const uint8_t *restrict cond, float *restrict y)
{
    static const long aoff[] = AOFF, boff[] = BOFF, voff[] = VOFF, moff[] = MOFF, coff[] = COFF;
    float kt[KT ? D * 8 : 1], p[QB * 8], acc[QB * DVP], m[QB], l[QB], alpha[QB];
    __m256 s[QB];
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
                for (c = 0; c < DVP; c += 8) _mm256_storeu_ps(acc + r * DVP + c, _mm256_setzero_ps());
            }
            for (j0 = 0; j0 < nk; j0 += 8) {
                const long nj = nk - j0 < 8 ? nk - j0 : 8;
                const float *kd = bt + j0;
                long kst = SK;
                if (KT) { /* K[j][d] -> kt[d][j] for the tile */
                    for (jj = 0; jj < 8; jj++)
                        for (d = 0; d < D; d++) kt[d * 8 + jj] = jj < nj ? bt[(j0 + jj) * (long)D + d] : 0.0f;
                    kd = kt;
                    kst = 8;
                }
                KERNEL_scores(at, kd, kst, mt, ct, i0, j0, nj, s);
                for (r = 0; r < QB; r++) { /* online softmax */
                    const float tm = nnc_hmax_avx2(s[r]), mn = tm > m[r] ? tm : m[r];
                    const float mu = mn == -HUGE_VALF ? 0.0f : mn; /* all -inf so far: p = 0 */
                    const __m256 pv = nnc_exp_avx2(_mm256_sub_ps(s[r], _mm256_set1_ps(mu)));
                    alpha[r] = expf(m[r] - mu);
                    l[r] = l[r] * alpha[r] + nnc_hsum_avx2(pv);
                    m[r] = mn;
                    _mm256_storeu_ps(p + r * 8, pv);
                }
                for (c = 0; c < DV; c += 8) { /* acc = alpha acc + p V */
                    const __m256i cm = nnc_tailmask_avx2(DV - c < 8 ? DV - c : 8);
                    __m256 o[QB];
                    for (r = 0; r < QB; r++) o[r] = _mm256_mul_ps(_mm256_loadu_ps(acc + r * DVP + c), _mm256_set1_ps(alpha[r]));
                    for (jj = 0; jj < nj; jj++) {
                        const __m256 vv = KERNEL_load(vt + (j0 + jj) * (long)DV + c, cm);
                        for (r = 0; r < QB; r++) o[r] = _mm256_fmadd_ps(_mm256_set1_ps(p[r * 8 + jj]), vv, o[r]);
                    }
                    for (r = 0; r < QB; r++) _mm256_storeu_ps(acc + r * DVP + c, o[r]);
                }
            }
            for (r = 0; r < QB && i0 + r < SQ; r++) {
                const __m256 inv = _mm256_set1_ps(1.0f / l[r]);
                float *yr = y + (t * SQ + i0 + r) * (long)DV;
                for (c = 0; c < DV; c += 8)
                    _mm256_maskstore_ps(yr + c, nnc_tailmask_avx2(DV - c < 8 ? DV - c : 8),
                                        _mm256_mul_ps(_mm256_loadu_ps(acc + r * DVP + c), inv));
            }
        }
    }
}
/* @end */
