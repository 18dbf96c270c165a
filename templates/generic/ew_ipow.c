/* ew_ipow.c — helper: integer power base^e for Pow with an integer base
 * and exponent, by repeated squaring in unsigned arithmetic (wrapping like
 * numpy, never signed overflow). `neg` says the exponent is negative; then
 * the result is 1/base^|e| truncated toward zero: 1 for base 1, +-1 for
 * base -1, 0 otherwise (base 0 included: no division happens). */
#ifdef NNC_LINT
#include <stdint.h>
#define KERNEL ew_ipow_lint
static int64_t ew_ipow_lint(int64_t base, uint64_t e, int neg);
#endif
/* @begin */
static int64_t KERNEL(int64_t base, uint64_t e, int neg)
{
    uint64_t r = 1, b = (uint64_t)base;
    if (neg) return base == 1 ? 1 : base == -1 ? ((e & 1u) ? -1 : 1) : 0;
    while (e) {
        if (e & 1u) r *= b;
        b *= b;
        e >>= 1;
    }
    return (int64_t)r;
}
/* @end */
