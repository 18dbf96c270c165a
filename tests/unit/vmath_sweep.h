/* vmath_sweep.h — the accuracy sweep of nnc's vector math, shared by the
 * x86 unit test (test_vmath.c, CUnit, avx2 and avx512) and the standalone
 * NEON program (vmath_neon.c, cross-compiled and run under qemu-aarch64).
 * Each function is swept over every STEP-th float bit pattern (STEP 127:
 * all magnitudes, both signs), densely (step 2^-12) over [-20, 20], and
 * over edge values (0, -0, subnormals, branch thresholds and their
 * neighbours, +-FLT_MAX, +-inf, NaN). Where the reference is a normal float
 * the relative error must be at most 1e-6; where it is subnormal (the
 * function underflows) the absolute error must be under 1e-44; where it
 * overflows the result must be inf; NaN in gives NaN out. vm_specials checks
 * the exact values at +-inf, +-0 and +-1e30. Plain C99 plus libm: the caller
 * supplies a VmRun that applies one function of one ISA to n floats (n a
 * multiple of 16). */
#ifndef NNC_VMATH_SWEEP_H
#define NNC_VMATH_SWEEP_H

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define VM_REL_TOL 1e-6
#define VM_ABS_TOL 1e-44
#define VM_CHUNK 4096

typedef enum { VM_EXP, VM_TANH, VM_SIGMOID, VM_ERF, VM_GELU, VM_NFUNC } VmFunc;
static const char *const vm_names[VM_NFUNC] = {"exp", "tanh", "sigmoid", "erf", "gelu"};

typedef void (*VmRun)(VmFunc, const float *, float *, long);

static double vm_ref(VmFunc f, double x)
{
    switch (f) {
    case VM_EXP: return exp(x);
    case VM_TANH: return tanh(x);
    case VM_SIGMOID: return x < 0 ? exp(x) / (1 + exp(x)) : 1 / (1 + exp(-x));
    case VM_ERF: return erf(x);
    case VM_GELU:
        if (isinf(x)) return x < 0 ? -0.0 : x;
        return x < 0 ? 0.5 * x * erfc(-x / sqrt(2.0)) : 0.5 * x * (1 + erf(x / sqrt(2.0)));
    case VM_NFUNC: break;
    }
    return NAN;
}

typedef struct VmStats {
    double max_rel, rel_at, max_abs, abs_at;
    long checked, bad;
    float bad_x, bad_got;
} VmStats;

static void vm_fail(VmStats *s, float x, float got)
{
    if (s->bad++ == 0) {
        s->bad_x = x;
        s->bad_got = got;
    }
}

/* Compare one result against the reference; classify by the reference. */
static void vm_check(VmFunc f, float x, float got, VmStats *s)
{
    s->checked++;
    if (isnan(x)) {
        if (!isnan(got)) vm_fail(s, x, got);
        return;
    }
    const double ref = vm_ref(f, (double)x), a = fabs(ref);
    if (isnan(got)) {
        vm_fail(s, x, got);
    } else if (a > FLT_MAX) { /* overflows (or is infinite): inf, or FLT_MAX when the reference rounds to it */
        if (!(isinf(got) && (got > 0) == (ref > 0)) && fabs(got - ref) > VM_REL_TOL * a) vm_fail(s, x, got);
    } else if (a >= FLT_MIN) {
        const double rel = fabs((double)got - ref) / a;
        if (rel > s->max_rel) s->max_rel = rel, s->rel_at = x;
        if (!(rel <= VM_REL_TOL)) vm_fail(s, x, got);
    } else {
        const double ab = fabs((double)got - ref);
        if (ab > s->max_abs) s->max_abs = ab, s->abs_at = x;
        if (!(ab <= VM_ABS_TOL)) vm_fail(s, x, got);
    }
}

static void vm_batch(VmRun run, VmFunc f, float *x, long n, VmStats *s)
{
    static float y[VM_CHUNK];
    while (n % 16) x[n++] = 0.0f; /* pad to whole vectors */
    run(f, x, y, n);
    for (long i = 0; i < n; i++) vm_check(f, x[i], y[i], s);
}

static float vm_bits(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static void vm_sweep(VmRun run, VmFunc f, unsigned step, VmStats *s)
{
    static float x[VM_CHUNK];
    long n = 0;
    /* every step-th bit pattern: all magnitudes, both signs, infs and NaNs */
    for (uint64_t u = 0; u <= 0xffffffffu; u += step) {
        x[n++] = vm_bits((uint32_t)u);
        if (n == VM_CHUNK - 16) vm_batch(run, f, x, n, s), n = 0;
    }
    /* dense over the range where the functions vary */
    for (long k = -20 * 4096; k <= 20 * 4096; k++) {
        x[n++] = (float)k / 4096.0f;
        if (n == VM_CHUNK - 16) vm_batch(run, f, x, n, s), n = 0;
    }
    /* edge values and the neighbours of branch points */
    static const float edges[] = {0.0f,     FLT_MIN,  1e-45f,  1e-40f,  1e-30f,  1e-10f,   0.625f,  0.75f,
                                  1.0606602f, 9.1f,   3.92f,   10.0f,   14.14f,  14.2f,    20.0f,   87.3f,
                                  88.72f,   88.7228f, 88.73f,  88.8f,   100.0f,  103.97f,  104.0f,  1e10f,
                                  1e30f,    FLT_MAX,  HUGE_VALF};
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
        for (int sgn = -1; sgn <= 1; sgn += 2)
            for (int d = -2; d <= 2; d++) {
                float e = edges[i] * (float)sgn;
                for (int k = 0; k < (d < 0 ? -d : d); k++) e = nextafterf(e, d < 0 ? -HUGE_VALF : HUGE_VALF);
                x[n++] = e;
            }
    x[n++] = NAN;
    x[n++] = -NAN;
    vm_batch(run, f, x, n, s);
}

/* Sweep every function of one ISA; prints the worst errors; returns the
 * number of bad results. */
static long vm_suite(const char *isa, VmRun run, unsigned step)
{
    long bad = 0;
    for (int f = 0; f < VM_NFUNC; f++) {
        VmStats s = {0};
        vm_sweep(run, (VmFunc)f, step, &s);
        printf("\n  %s %-7s max rel err %.3g (x = %.9g), underflow max abs err %.3g (x = %.9g), %ld inputs",
               isa, vm_names[f], s.max_rel, s.rel_at, s.max_abs, s.abs_at, s.checked);
        if (s.bad)
            printf("\n  %s %s: %ld bad results, first f(%.9g) = %.9g, want %.9g", isa, vm_names[f], s.bad,
                   s.bad_x, s.bad_got, vm_ref((VmFunc)f, s.bad_x));
        bad += s.bad;
    }
    return bad;
}

/* exact special values: results that must not be merely close; returns the
 * number of wrong ones */
static long vm_specials(VmRun run)
{
    static float x[16], y[16];
    static const float in[] = {HUGE_VALF, -HUGE_VALF, 0.0f, -0.0f, 1e30f, -1e30f};
    long bad = 0;
    for (int f = 0; f < VM_NFUNC; f++) {
        memset(x, 0, sizeof x);
        memcpy(x, in, sizeof in);
        run((VmFunc)f, x, y, 16);
        for (int i = 0; i < 6; i++) {
            double want = vm_ref((VmFunc)f, (double)in[i]);
            if (isnan(want)) want = 0; /* gelu(-inf): the limit */
            int ok = (double)y[i] == (double)(float)want;
            if (ok && y[i] == 0 && want == 0 && f != VM_GELU && f != VM_SIGMOID && f != VM_EXP)
                ok = (signbit(y[i]) != 0) == (signbit(want) != 0);
            if (!ok) {
                printf("\n  %s(%g) = %.9g, want %.9g", vm_names[f], (double)in[i], (double)y[i], want);
                bad++;
            }
        }
    }
    return bad;
}

#endif
