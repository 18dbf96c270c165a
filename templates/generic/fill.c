/* fill.c — COUNT copies of one constant VALUE (ConstantOfShape outputs too
 * large to fold into the generated file). */
#ifdef NNC_LINT
#define T float
#define COUNT 16
#define VALUE 1.5f
#define KERNEL fill_lint
static void fill_lint(T *restrict y);
#endif
/* @begin */
static void KERNEL(T *restrict y)
{
    long i;
    for (i = 0; i < COUNT; i++) y[i] = (T)VALUE;
}
/* @end */
