/* nnc_vmath_avx2.h — vector math for the avx2 kernels of generated code:
 * static inline functions compiled with the avx2 target attribute, so they
 * inline into the kernels. Each states its maximum error. */
#ifndef NNC_VMATH_AVX2_H
#define NNC_VMATH_AVX2_H

#include <immintrin.h>

#include "nnc_runtime.h"

#endif
