/* gemm_tile.c — the AVX-512 register tile shared by the packed Gemm, MatMul
 * and Conv kernels: C[mr, nr] (+)= A[mr, kc] Bp[kc, 32], mr <= 8, nr <= 32.
 *   A: element (i, k) at a[i * lai + k * lak] (packed weights: lai 1, lak 8;
 *      a row-major activation matrix: lai = its row length, lak 1)
 *   Bp: a packed panel, row k at bp + LDB k (LDB 32; zero beyond nr), or
 *      with a larger LDB rows of a matrix read in place (columns past nr
 *      are read, must exist, and are ignored)
 *   C: row i at c + i * ldc; columns past nr are neither read nor written.
 * The 8 x 32 accumulators live in 16 zmm registers; smaller mr use a smaller
 * tile (8, 4, 2 or 1 rows; rows past mr repeat the last row and are dropped)
 * and a 1-row tile splits k over two accumulator pairs to hide FMA latency.
 * flags bit 0: add the sums to C's current contents (a later k block);
 * bit 1: the last k block, so apply the epilogue in registers before the
 * store: + rbias[i] (per row), + cbias[j] (per column), then the activation
 * VACT (0 none, 1 relu, 2 leaky relu with slope ACT_A, 3 clip to
 * [ACT_A, ACT_B], 4 sigmoid, 5 tanh, 6 elu with ACT_A, 7 gelu (erf form),
 * 8 silu; 4-8 through runtime/nnc_vmath_avx512.h, about 2e-7 relative error,
 * elu's exp(x) - 1 about 1.2e-7 absolute) with the residual res[i * ldr + j] added before it, or
 * after it when ACT_FIRST. NULL pointers skip their term. */
#ifdef NNC_LINT
#include <immintrin.h>
#include <stdint.h>
#include "nnc_vmath_avx512.h"
#define NNC_TARGET __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx2,fma")))
#define VACT 3
#define ACT_A 0.0f
#define ACT_B 6.0f
#define ACT_FIRST 0
#define LDB 32
#define BPF 48
#define KERNEL gemm_tile_lint
static NNC_TARGET void gemm_tile_lint(long mr, long nr, long kc, const float *a, long lai, long lak, const float *bp, float *c,
                    long ldc, int flags, const float *rbias, const float *cbias, const float *res, long ldr);
#endif
/* @begin */
/* BPF > 0: prefetch row k + BPF of B while row k is read (B streamed from
 * memory: Winograd's transformed weights), its one or two cache lines; the
 * address is formed as an integer, since it may lie past B's end. */
#define KERNEL_BPF(p)                                                                                       \
    do {                                                                                                    \
        if (BPF) {                                                                                          \
            const uintptr_t q_ = (uintptr_t)(p) + (uintptr_t)BPF * LDB * sizeof(float);                     \
            _mm_prefetch((const char *)q_, _MM_HINT_T0);                                                    \
            if (LDB * sizeof(float) > 64) _mm_prefetch((const char *)(q_ + 64), _MM_HINT_T0);              \
        }                                                                                                   \
    } while (0)
/* Finish one row: accumulate, epilogue, masked store. The second vector's
 * pointers (p + 16) are formed only when it has lanes (m1 != 0): past a row
 * of 16 or fewer columns they would point outside the array, which C leaves
 * undefined and gcc -O2 warns about (-Warray-bounds). */
#define KERNEL_LD1(p) (m1 ? _mm512_maskz_loadu_ps(m1, (p) + 16) : _mm512_setzero_ps())
static inline NNC_TARGET void KERNEL_row(__m512 va, __m512 vb, float *c, __mmask16 m0, __mmask16 m1, int flags,
                                         const float *rbias, const float *cbias, const float *res)
{
    if (flags & 1) {
        va = _mm512_add_ps(va, _mm512_maskz_loadu_ps(m0, c));
        vb = _mm512_add_ps(vb, KERNEL_LD1(c));
    }
    if (flags & 2) {
        if (rbias) {
            const __m512 bv = _mm512_set1_ps(*rbias);
            va = _mm512_add_ps(va, bv);
            vb = _mm512_add_ps(vb, bv);
        }
        if (cbias) {
            va = _mm512_add_ps(va, _mm512_maskz_loadu_ps(m0, cbias));
            vb = _mm512_add_ps(vb, KERNEL_LD1(cbias));
        }
        if (res && !ACT_FIRST) {
            va = _mm512_add_ps(va, _mm512_maskz_loadu_ps(m0, res));
            vb = _mm512_add_ps(vb, KERNEL_LD1(res));
        }
        va = nnc_act_avx512(va, VACT, ACT_A, ACT_B);
        vb = nnc_act_avx512(vb, VACT, ACT_A, ACT_B);
        if (res && ACT_FIRST) {
            va = _mm512_add_ps(va, _mm512_maskz_loadu_ps(m0, res));
            vb = _mm512_add_ps(vb, KERNEL_LD1(res));
        }
    }
    _mm512_mask_storeu_ps(c, m0, va);
    if (m1) _mm512_mask_storeu_ps(c + 16, m1, vb);
}
#undef KERNEL_LD1

#define NNC_T5_ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)
#define NNC_T5_DECL(i)                                                                                     \
    __m512 c##i##a = _mm512_setzero_ps(), c##i##b = _mm512_setzero_ps();                                   \
    const float *a##i = a + (i < mr ? i : mr - 1) * lai;
#define NNC_T5_FMA(i)                                                                                      \
    if (rows > i) {                                                                                        \
        const __m512 av = _mm512_set1_ps(a##i[k * lak]);                                                   \
        c##i##a = _mm512_fmadd_ps(av, b0, c##i##a);                                                        \
        c##i##b = _mm512_fmadd_ps(av, b1, c##i##b);                                                        \
    }
#define NNC_T5_STORE(i)                                                                                    \
    if (rows > i && mr > i)                                                                                \
        KERNEL_row(c##i##a, c##i##b, c + i * ldc, m0, m1, flags, rbias ? rbias + i : 0, cbias,            \
                   res ? res + i * ldr : 0);

static inline NNC_TARGET __attribute__((always_inline)) void
KERNEL_body(const int rows, long mr, long nr, long kc, const float *a, long lai, long lak, const float *bp, float *c,
            long ldc, int flags, const float *rbias, const float *cbias, const float *res, long ldr)
{
    const __mmask16 m0 = (__mmask16)(nr >= 16 ? 0xffff : (1u << nr) - 1);
    const __mmask16 m1 = (__mmask16)(nr >= 32 ? 0xffff : nr <= 16 ? 0 : (1u << (nr - 16)) - 1);
    long k = 0;
    NNC_T5_ROWS(NNC_T5_DECL)
    if (rows == 1) { /* two independent accumulator pairs over even and odd k */
        for (; k + 1 < kc; k += 2) {
            const __m512 av = _mm512_set1_ps(a0[k * lak]), aw = _mm512_set1_ps(a0[(k + 1) * lak]);
            KERNEL_BPF(bp + k * LDB);
            KERNEL_BPF(bp + (k + 1) * LDB);
            c0a = _mm512_fmadd_ps(av, _mm512_loadu_ps(bp + k * LDB), c0a);
            c0b = _mm512_fmadd_ps(av, _mm512_loadu_ps(bp + k * LDB + 16), c0b);
            c1a = _mm512_fmadd_ps(aw, _mm512_loadu_ps(bp + (k + 1) * LDB), c1a);
            c1b = _mm512_fmadd_ps(aw, _mm512_loadu_ps(bp + (k + 1) * LDB + 16), c1b);
        }
        /* Odd kc: the last row, as one step. A remainder loop here, dead for
         * even kc, made gcc 12 -O2 report -Waggressive-loop-optimizations
         * (an error under -Werror) once it held B's prefetch and the tile was
         * inlined with kc known. */
        if (k < kc) {
            const __m512 av = _mm512_set1_ps(a0[k * lak]);
            c0a = _mm512_fmadd_ps(av, _mm512_loadu_ps(bp + k * LDB), c0a);
            c0b = _mm512_fmadd_ps(av, _mm512_loadu_ps(bp + k * LDB + 16), c0b);
        }
    } else {
        for (; k < kc; k++, bp += LDB) {
            const __m512 b0 = _mm512_loadu_ps(bp), b1 = _mm512_loadu_ps(bp + 16);
            KERNEL_BPF(bp);
            NNC_T5_ROWS(NNC_T5_FMA)
        }
    }
    if (rows == 1) {
        c0a = _mm512_add_ps(c0a, c1a);
        c0b = _mm512_add_ps(c0b, c1b);
    }
    NNC_T5_ROWS(NNC_T5_STORE)
}

static NNC_TARGET void KERNEL(long mr, long nr, long kc, const float *a, long lai, long lak, const float *bp, float *c,
                              long ldc, int flags, const float *rbias, const float *cbias, const float *res, long ldr)
{
    if (mr > 4) KERNEL_body(8, mr, nr, kc, a, lai, lak, bp, c, ldc, flags, rbias, cbias, res, ldr);
    else if (mr > 2) KERNEL_body(4, mr, nr, kc, a, lai, lak, bp, c, ldc, flags, rbias, cbias, res, ldr);
    else if (mr == 2) KERNEL_body(2, mr, nr, kc, a, lai, lak, bp, c, ldc, flags, rbias, cbias, res, ldr);
    else KERNEL_body(1, mr, nr, kc, a, lai, lak, bp, c, ldc, flags, rbias, cbias, res, ldr);
}
#undef KERNEL_BPF
#undef NNC_T5_ROWS
#undef NNC_T5_DECL
#undef NNC_T5_FMA
#undef NNC_T5_STORE
/* @end */
