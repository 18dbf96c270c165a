/* nnc_vmath_avx512.h — vector math for the avx512 kernels of generated code:
 * static inline functions compiled with the avx512 target attribute, so they
 * inline into the kernels. Each states its maximum error. */
#ifndef NNC_VMATH_AVX512_H
#define NNC_VMATH_AVX512_H

#include <immintrin.h>

#include "nnc_runtime.h"

#endif
