/* transpose.c — generic strided gather: the dense output walks up to six
 * (merged) dims D0..D5 and reads the input at strides XS0..XS5. Serves
 * Transpose (permuted strides) and any other pure re-indexing. */
#ifdef NNC_LINT
#define T float
#define D0 1
#define D1 1
#define D2 1
#define D3 1
#define D4 3
#define D5 4
#define XS0 0
#define XS1 0
#define XS2 0
#define XS3 0
#define XS4 1
#define XS5 3
#define KERNEL transpose_lint
static void transpose_lint(const T *restrict x, T *restrict y);
#endif
/* @begin */
static void KERNEL(const T *restrict x, T *restrict y)
{
    long i0, i1, i2, i3, i4, i5, o = 0;
    for (i0 = 0; i0 < D0; i0++)
        for (i1 = 0; i1 < D1; i1++)
            for (i2 = 0; i2 < D2; i2++)
                for (i3 = 0; i3 < D3; i3++)
                    for (i4 = 0; i4 < D4; i4++) {
                        const T *xr = x + i0 * XS0 + i1 * XS1 + i2 * XS2 + i3 * XS3 + i4 * XS4;
                        for (i5 = 0; i5 < D5; i5++, o++) y[o] = xr[i5 * XS5];
                    }
}
/* @end */
