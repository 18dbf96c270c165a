/* ew_satcast.c — helper: converts a double to the integer type TY the way
 * C's cast does (truncation toward zero) for values in range, and defines
 * the rest: NaN gives 0, values below or above the range saturate to
 * LOWEST / HIGHEST. LOWEST_F and HIGHEST_P1 are the range's ends as exact
 * powers of two (the lowest value and one past the highest). */
#ifdef NNC_LINT
#include <stdint.h>
#define TY int8_t
#define LOWEST INT8_MIN
#define HIGHEST INT8_MAX
#define LOWEST_F (-128.0)
#define HIGHEST_P1 128.0
#define KERNEL ew_satcast_lint
static TY ew_satcast_lint(double v);
#endif
/* @begin */
static TY KERNEL(double v)
{
    if (v != v) return 0;
    if (v <= LOWEST_F) return LOWEST;
    if (v >= HIGHEST_P1) return HIGHEST;
    return (TY)v;
}
/* @end */
