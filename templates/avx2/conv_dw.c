/* conv_dw.c — float depthwise 2-D convolution (group == C == M), AVX2 + FMA:
 *   X[N, C, IH, IW], W[C, 1, KH, KW], B[C] -> Y[N, C, OH, OW]
 * Each channel is copied once into a zero-bordered local plane (IHP x IWP,
 * so no tap needs a bounds check), then 8 outputs of a row are a vector and
 * four output rows are computed together (four independent FMA chains);
 * strides other than 1 gather.
 * The bias, and with VEC_EPI the activation (VACT, ACT_A, ACT_B) and the
 * residual, are applied in registers; otherwise EPI_EXPR (over v and
 * r = res[same index]) runs on the stored row. */
#ifdef NNC_LINT
#include <immintrin.h>
#define NNC_TARGET __attribute__((target("avx2,fma")))
#define T float
#define N 1
#define C 4
#define IH 9
#define IW 9
#define OH 5
#define OW 5
#define KH 3
#define KW 3
#define SH 2
#define SW 2
#define DH 1
#define DW 1
#define PH 1
#define PW 1
#define IHP 11
#define IWP 26
#define HAS_BIAS 1
#define HAS_EPI 1
#define HAS_RES 0
#define VEC_EPI 1
#define VACT 3
#define ACT_A 0.0f
#define ACT_B 6.0f
#define ACT_FIRST 0
#define EPI_EXPR (v < 0 ? 0 : v)
#define KERNEL conv_dw_lint
static NNC_TARGET void conv_dw_lint(const T *restrict x, const T *restrict w, const T *restrict b, const T *restrict res,
                  T *restrict y);
#endif
/* @begin */
static inline NNC_TARGET __m256 KERNEL_act(__m256 v)
{
    if (VACT == 1) return _mm256_max_ps(_mm256_setzero_ps(), v);
    if (VACT == 2)
        return _mm256_blendv_ps(v, _mm256_mul_ps(v, _mm256_set1_ps(ACT_A)),
                                _mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_LT_OQ));
    if (VACT == 3) return _mm256_min_ps(_mm256_set1_ps(ACT_B), _mm256_max_ps(_mm256_set1_ps(ACT_A), v));
    return v;
}

/* 8 inputs for consecutive output columns, starting at row[0]. */
static inline NNC_TARGET __m256 KERNEL_in(const T *row)
{
    if (SW == 1) return _mm256_loadu_ps(row);
    return _mm256_i32gather_ps(row, _mm256_setr_epi32(0, SW, 2 * SW, 3 * SW, 4 * SW, 5 * SW, 6 * SW, 7 * SW), 4);
}

static inline NNC_TARGET void KERNEL_store(T *yr, const T *rr, __m256 v, __m256i mk)
{
    if (VEC_EPI && HAS_RES && !ACT_FIRST) v = _mm256_add_ps(v, _mm256_maskload_ps(rr, mk));
    if (VEC_EPI) v = KERNEL_act(v);
    if (VEC_EPI && HAS_RES && ACT_FIRST) v = _mm256_add_ps(v, _mm256_maskload_ps(rr, mk));
    _mm256_maskstore_ps(yr, mk, v);
}

static NNC_TARGET void KERNEL(const T *restrict x, const T *restrict w, const T *restrict b, const T *restrict res,
                              T *restrict y)
{
    T buf[IHP * IWP];
    long n, ch, i, j, oh, ow0, kh, kw;
    (void)res;
    (void)b;
    for (i = 0; i < IHP * IWP; i++) buf[i] = 0;
    for (n = 0; n < N; n++)
        for (ch = 0; ch < C; ch++) {
            const T *xc = x + (n * C + ch) * ((long)IH * IW);
            const T *wc = w + ch * ((long)KH * KW);
            T *yc = y + (n * C + ch) * ((long)OH * OW);
            const T *rc = HAS_RES ? res + (n * C + ch) * ((long)OH * OW) : 0;
            const __m256 bias = _mm256_set1_ps(HAS_BIAS ? b[ch] : (T)0);
            for (i = 0; i < IH && i + PH < IHP; i++)
                for (j = 0; j < IW && j + PW < IWP; j++) buf[(i + PH) * IWP + j + PW] = xc[i * IW + j];
            for (oh = 0; oh < OH; oh += 4) {
                const long o1 = oh + 1 < OH ? oh + 1 : oh, o2 = oh + 2 < OH ? oh + 2 : o1,
                           o3 = oh + 3 < OH ? oh + 3 : o2;
                for (ow0 = 0; ow0 < OW; ow0 += 8) {
                    const __m256i mk = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(OW - ow0)),
                                                          _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
                    __m256 s0 = bias, s1 = bias, s2 = bias, s3 = bias;
                    for (kh = 0; kh < KH; kh++) {
                        const T *r0 = buf + (oh * SH + kh * DH) * IWP + ow0 * SW;
                        const T *r1 = buf + (o1 * SH + kh * DH) * IWP + ow0 * SW;
                        const T *r2 = buf + (o2 * SH + kh * DH) * IWP + ow0 * SW;
                        const T *r3 = buf + (o3 * SH + kh * DH) * IWP + ow0 * SW;
                        for (kw = 0; kw < KW; kw++) {
                            const __m256 wv = _mm256_broadcast_ss(wc + kh * KW + kw);
                            s0 = _mm256_fmadd_ps(KERNEL_in(r0 + kw * DW), wv, s0);
                            s1 = _mm256_fmadd_ps(KERNEL_in(r1 + kw * DW), wv, s1);
                            s2 = _mm256_fmadd_ps(KERNEL_in(r2 + kw * DW), wv, s2);
                            s3 = _mm256_fmadd_ps(KERNEL_in(r3 + kw * DW), wv, s3);
                        }
                    }
                    KERNEL_store(yc + oh * OW + ow0, HAS_RES ? rc + oh * OW + ow0 : 0, s0, mk);
                    if (o1 > oh) KERNEL_store(yc + o1 * OW + ow0, HAS_RES ? rc + o1 * OW + ow0 : 0, s1, mk);
                    if (o2 > o1) KERNEL_store(yc + o2 * OW + ow0, HAS_RES ? rc + o2 * OW + ow0 : 0, s2, mk);
                    if (o3 > o2) KERNEL_store(yc + o3 * OW + ow0, HAS_RES ? rc + o3 * OW + ow0 : 0, s3, mk);
                }
            }
            if (HAS_EPI && !VEC_EPI)
                for (i = 0; i < (long)OH * OW; i++) {
                    const T v = yc[i], r = HAS_RES ? rc[i] : (T)0;
                    (void)r;
                    yc[i] = EPI_EXPR;
                }
        }
}
/* @end */
