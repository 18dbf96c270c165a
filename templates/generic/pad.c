/* pad.c — Pad in constant, reflect or edge mode over up to six dims. The
 * output walks D0..D5; for each dim, output index o maps to input index
 * o - BEGINi, then MODE resolves indices outside [0, INi): constant writes
 * VALUE (a constant, or cv[0] when the value is a run-time input), reflect
 * mirrors without repeating the edge, edge clamps. */
#ifdef NNC_LINT
#define T float
#define MODE 0
#define VALUE 0
#define D0 1
#define D1 1
#define D2 1
#define D3 1
#define D4 4
#define D5 4
#define IN0 1
#define IN1 1
#define IN2 1
#define IN3 1
#define IN4 2
#define IN5 2
#define BEGIN0 0
#define BEGIN1 0
#define BEGIN2 0
#define BEGIN3 0
#define BEGIN4 1
#define BEGIN5 1
#define KERNEL pad_lint
void pad_lint(const T *restrict x, const T *restrict cv, T *restrict y);
#endif
/* @begin */
static long KERNEL_index(long i, long n, int mode)
{
    /* mode 0: -1 marks padding; 1: reflect; 2: edge */
    if (i >= 0 && i < n) return i;
    if (mode == 0) return -1;
    if (mode == 2 || n == 1) return i < 0 ? 0 : n - 1;
    {
        const long period = 2 * (n - 1);
        long r = i % period;
        if (r < 0) r += period;
        return r < n ? r : period - r;
    }
}

static void KERNEL(const T *restrict x, const T *restrict cv, T *restrict y)
{
    static const long in[6] = {IN0, IN1, IN2, IN3, IN4, IN5};
    static const long out[6] = {D0, D1, D2, D3, D4, D5};
    static const long begin[6] = {BEGIN0, BEGIN1, BEGIN2, BEGIN3, BEGIN4, BEGIN5};
    long o[6], k, total = 1, i;
    (void)cv;
    for (k = 0; k < 6; k++) total *= out[k];
    for (i = 0; i < total; i++) {
        long rem = i, src = 0, stride = 1, pad = 0;
        for (k = 5; k >= 0; k--) {
            o[k] = rem % out[k];
            rem /= out[k];
        }
        for (k = 5; k >= 0; k--) {
            const long s = KERNEL_index(o[k] - begin[k], in[k], MODE);
            if (s < 0) pad = 1;
            src += s * stride;
            stride *= in[k];
        }
        y[i] = pad ? (T)VALUE : x[src];
    }
}
/* @end */
