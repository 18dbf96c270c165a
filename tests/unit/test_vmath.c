/* test_vmath.c — the vector math of runtime/nnc_vmath_avx2.h and
 * nnc_vmath_avx512.h against double-precision libm, by the sweep of
 * vmath_sweep.h (every 127th float bit pattern, dense over [-20, 20], edge
 * values; relative error 1e-6, underflow 1e-44 absolute). The worst errors
 * are printed. A suite is skipped (its tests pass without checking) when
 * the CPU lacks the instruction set. The NEON header runs the same sweep in
 * vmath_neon.c (under qemu-aarch64 on other hosts). */
#include "unit.h"

#include "nnc_vmath_avx512.h"
#include "vmath_sweep.h"

/* n (a multiple of 16) values through one function of one ISA */
static NNC_TARGET_AVX2 void vm_run_avx2(VmFunc f, const float *x, float *y, long n)
{
    for (long i = 0; i < n; i += 8) {
        __m256 v = _mm256_loadu_ps(x + i), r = v;
        switch (f) {
        case VM_EXP: r = nnc_exp_avx2(v); break;
        case VM_TANH: r = nnc_tanh_avx2(v); break;
        case VM_SIGMOID: r = nnc_sigmoid_avx2(v); break;
        case VM_ERF: r = nnc_erf_avx2(v); break;
        case VM_GELU: r = nnc_gelu_avx2(v); break;
        case VM_NFUNC: break;
        }
        _mm256_storeu_ps(y + i, r);
    }
}

static NNC_TARGET_AVX512 void vm_run_avx512(VmFunc f, const float *x, float *y, long n)
{
    for (long i = 0; i < n; i += 16) {
        __m512 v = _mm512_loadu_ps(x + i), r = v;
        switch (f) {
        case VM_EXP: r = nnc_exp_avx512(v); break;
        case VM_TANH: r = nnc_tanh_avx512(v); break;
        case VM_SIGMOID: r = nnc_sigmoid_avx512(v); break;
        case VM_ERF: r = nnc_erf_avx512(v); break;
        case VM_GELU: r = nnc_gelu_avx512(v); break;
        case VM_NFUNC: break;
        }
        _mm512_storeu_ps(y + i, r);
    }
}

static int vm_has_avx2(void) { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }
static int vm_has_avx512(void)
{
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") && vm_has_avx2();
}

static void test_vmath_avx2(void)
{
    if (!vm_has_avx2()) {
        printf("\n  skipped: this CPU has no AVX2 + FMA");
        return;
    }
    CU_ASSERT_EQUAL(vm_specials(vm_run_avx2), 0);
    CU_ASSERT_EQUAL(vm_suite("avx2", vm_run_avx2, 127), 0);
}

static void test_vmath_avx512(void)
{
    if (!vm_has_avx512()) {
        printf("\n  skipped: this CPU has no AVX-512 F/BW/DQ/VL");
        return;
    }
    CU_ASSERT_EQUAL(vm_specials(vm_run_avx512), 0);
    CU_ASSERT_EQUAL(vm_suite("avx512", vm_run_avx512, 127), 0);
}

int unit_add_vmath_suite(void)
{
    CU_pSuite s = CU_add_suite("vmath", NULL, NULL);
    if (!s) return -1;
    return !CU_add_test(s, "avx2 exp tanh sigmoid erf gelu", test_vmath_avx2) ||
                   !CU_add_test(s, "avx512 exp tanh sigmoid erf gelu", test_vmath_avx512)
               ? -1
               : 0;
}
