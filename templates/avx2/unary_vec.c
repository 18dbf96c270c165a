/* unary_vec.c — AVX2 elementwise unary op over a dense FLOAT tensor of COUNT
 * elements, 8 lanes at a time; the last partial vector is loaded and stored
 * under a mask. VEXPR is the op's vector form over `va` (words bound to the
 * ew_vops layer by the lowering).
 * The output may be the input's own buffer (the planner runs it in place):
 * each vector is loaded before its own slots are stored. */
#ifdef NNC_LINT
#include <immintrin.h>
#include "nnc_runtime.h"
#define NNC_TARGET NNC_TARGET_AVX2
#define COUNT 37
#define VEXPR _mm256_max_ps(_mm256_setzero_ps(), va)
#define KERNEL unary_vec_lint
#endif
/* @begin */
static NNC_TARGET void KERNEL(const float *x, float *y)
{
    long i = 0;
    for (; i + 16 <= COUNT; i += 16) {
        {
            const __m256 va = _mm256_loadu_ps(x + i);
            _mm256_storeu_ps(y + i, VEXPR);
        }
        {
            const __m256 va = _mm256_loadu_ps(x + i + 8);
            _mm256_storeu_ps(y + i + 8, VEXPR);
        }
    }
    for (; i < COUNT; i += 8) {
        const __m256i m = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(COUNT - i)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
        const __m256 va = _mm256_maskload_ps(x + i, m);
        _mm256_maskstore_ps(y + i, m, VEXPR);
    }
}
/* @end */
#ifdef NNC_LINT
void unary_vec_lint_use(const float *x, float *y);
void unary_vec_lint_use(const float *x, float *y) { unary_vec_lint(x, y); }
#endif
