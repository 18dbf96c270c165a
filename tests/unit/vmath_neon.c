/* vmath_neon.c — the accuracy sweep of runtime/nnc_vmath_neon.h against
 * double-precision libm (vmath_sweep.h: the same ranges, tolerances and
 * special values as the x86 headers' test_vmath.c), plus the lane-wise
 * max/min semantics (a > b ? a : b for NaN and signed zeros) and the
 * horizontal reductions. A standalone AArch64 program: built with a cross
 * compiler and run under qemu-aarch64 by vmath_neon.sh on other hosts.
 *   vmath_neon [STEP]   every STEP-th float bit pattern (default 127)
 * Exit status 0 when every result is within its limit. */
#include "nnc_vmath_neon.h"
#include "vmath_sweep.h"

#include <stdlib.h>

static void vm_run_neon(VmFunc f, const float *x, float *y, long n)
{
    for (long i = 0; i < n; i += 4) {
        const float32x4_t v = vld1q_f32(x + i);
        float32x4_t r = v;
        switch (f) {
        case VM_EXP: r = nnc_exp_neon(v); break;
        case VM_TANH: r = nnc_tanh_neon(v); break;
        case VM_SIGMOID: r = nnc_sigmoid_neon(v); break;
        case VM_ERF: r = nnc_erf_neon(v); break;
        case VM_GELU: r = nnc_gelu_neon(v); break;
        case VM_NFUNC: break;
        }
        vst1q_f32(y + i, r);
    }
}

/* nnc_max_neon / nnc_min_neon against the scalar forms, bit for bit, on
 * every pair of a set with NaN, infinities and both zeros */
static long vm_maxmin(void)
{
    const float v[] = {NAN, -NAN, HUGE_VALF, -HUGE_VALF, 0.0f, -0.0f, 1.0f, -1.0f, FLT_MIN, 1e-45f};
    const int nv = (int)(sizeof v / sizeof v[0]);
    long bad = 0;
    for (int i = 0; i < nv; i++)
        for (int j = 0; j < nv; j++) {
            const float a = v[i], b = v[j], mx = a > b ? a : b, mn = a < b ? a : b;
            const float gx = vgetq_lane_f32(nnc_max_neon(vdupq_n_f32(a), vdupq_n_f32(b)), 0);
            const float gn = vgetq_lane_f32(nnc_min_neon(vdupq_n_f32(a), vdupq_n_f32(b)), 0);
            if (memcmp(&gx, &mx, sizeof mx) || memcmp(&gn, &mn, sizeof mn)) {
                printf("\n  max/min(%g, %g) = %g, %g; want %g, %g", a, b, gx, gn, mx, mn);
                bad++;
            }
        }
    const float h[4] = {1.0f, -2.0f, 7.5f, 3.0f};
    if (nnc_hsum_neon(vld1q_f32(h)) != 9.5f || nnc_hmax_neon(vld1q_f32(h)) != 7.5f) {
        printf("\n  hsum/hmax wrong");
        bad++;
    }
    return bad;
}

int main(int argc, char **argv)
{
    const unsigned step = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 127u;
    if (step == 0) return 2;
    long bad = vm_specials(vm_run_neon) + vm_maxmin();
    bad += vm_suite("neon", vm_run_neon, step);
    printf("\nneon vector math: every %u-th bit pattern, %s\n", step, bad ? "FAIL" : "ok");
    return bad ? 1 : 0;
}
