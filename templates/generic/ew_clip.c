/* ew_clip.c — Clip: y = min(max(x, lo), hi) like numpy.clip, NaN passing
 * through. LO and HI are constants or read `lo[0]` / `hi[0]` (run-time
 * scalar inputs); a missing bound is the type's extreme (infinity for
 * floats). The bounds are held in variables so that a bound at the edge of
 * an unsigned type draws no always-true/false comparison warning.
 * The output may be the input's own buffer (the planner runs it in place):
 * each element is read before its own slot is written. */
#ifdef NNC_LINT
#define T float
#define COUNT 16
#define LO lo[0]
#define HI 6.0f
#define KERNEL ew_clip_lint
static void ew_clip_lint(const T *restrict x, const T *restrict lo, const T *restrict hi, T *restrict y);
#endif
/* @begin */
static void KERNEL(const T *x, const T *restrict lo, const T *restrict hi, T *y)
{
    const T lo_v = LO;
    const T hi_v = HI;
    long i;
    (void)lo;
    (void)hi;
    for (i = 0; i < COUNT; i++) {
        const T v = x[i] < lo_v ? lo_v : x[i];
        y[i] = v > hi_v ? hi_v : v;
    }
}
/* @end */
