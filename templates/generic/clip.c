/* clip.c — Clip whose min or max is a run-time scalar input; LO and HI
 * read `lo[0]` / `hi[0]` or are constants (a missing bound is the type's
 * extreme). */
#ifdef NNC_LINT
#define T float
#define TY float
#define COUNT 16
#define LO lo[0]
#define HI hi[0]
#define EXPR (va < LO ? LO : (va > HI ? HI : va))
#define KERNEL clip_lint
void clip_lint(const T *restrict x, const T *restrict lo, const T *restrict hi, TY *restrict y);
#endif
/* @begin */
static void KERNEL(const T *restrict x, const T *restrict lo, const T *restrict hi, TY *restrict y)
{
    long i;
    (void)lo;
    (void)hi;
    for (i = 0; i < COUNT; i++) {
        const T va = x[i];
        y[i] = (TY)(EXPR);
    }
}
/* @end */
