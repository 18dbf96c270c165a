/* unary_vec.c — AVX-512 elementwise unary op over a dense FLOAT tensor of
 * COUNT elements, 16 lanes at a time; the last partial vector is loaded and
 * stored under a mask. VEXPR is the op's vector form over `va` (words bound
 * to the ew_vops layer by the lowering).
 * The output may be the input's own buffer (the planner runs it in place):
 * each vector is loaded before its own slots are stored. */
#ifdef NNC_LINT
#include <immintrin.h>
#include "nnc_runtime.h"
#define NNC_TARGET NNC_TARGET_AVX512
#define COUNT 37
#define VEXPR _mm512_max_ps(_mm512_setzero_ps(), va)
#define KERNEL unary_vec_lint
#endif
/* @begin */
static NNC_TARGET void KERNEL(const float *x, float *y)
{
    long i = 0;
    for (; i + 32 <= COUNT; i += 32) {
        {
            const __m512 va = _mm512_loadu_ps(x + i);
            _mm512_storeu_ps(y + i, VEXPR);
        }
        {
            const __m512 va = _mm512_loadu_ps(x + i + 16);
            _mm512_storeu_ps(y + i + 16, VEXPR);
        }
    }
    for (; i < COUNT; i += 16) {
        const long n = COUNT - i < 16 ? COUNT - i : 16;
        const __mmask16 m = (__mmask16)((1u << n) - 1u);
        const __m512 va = _mm512_maskz_loadu_ps(m, x + i);
        _mm512_mask_storeu_ps(y + i, m, VEXPR);
    }
}
/* @end */
#ifdef NNC_LINT
void unary_vec_lint_use(const float *x, float *y);
void unary_vec_lint_use(const float *x, float *y) { unary_vec_lint(x, y); }
#endif
