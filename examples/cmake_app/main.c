/* main.c — a product with three models in one binary: the Fashion-MNIST
 * LeNet-5 twice (portable C and a SIMD build, under different prefixes) and
 * a tiny MLP, built with its self-test (nnc --selftest). Both LeNet builds
 * must agree and the MLP must pass its self-test; the process exits
 * non-zero if not or if a run fails. The image is a synthetic pattern. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lenet_fast.h"
#include "lenet_portable.h"
#include "tiny_mlp.h"

#define MAX2(a, b) ((a) > (b) ? (a) : (b))
#define WS_SIZE MAX2(MAX2(LENET_PORTABLE_WORKSPACE_SIZE, LENET_FAST_WORKSPACE_SIZE), TINY_MLP_SELFTEST_WORKSPACE_SIZE)

/* One workspace serves every model: the runs are sequential. */
static _Alignas(64) unsigned char workspace[WS_SIZE + 1];

static int argmax(const float *v, int n)
{
    int best = 0;
    for (int i = 1; i < n; i++)
        if (v[i] > v[best]) best = i;
    return best;
}

int main(void)
{
    static float image[LENET_PORTABLE_INPUT0_SIZE];
    static float portable[LENET_PORTABLE_OUTPUT0_SIZE], fast[LENET_FAST_OUTPUT0_SIZE];
    for (int i = 0; i < LENET_PORTABLE_INPUT0_SIZE; i++) /* a bright square on a dark background */
        image[i] = (i / 28 > 6 && i / 28 < 22 && i % 28 > 6 && i % 28 < 22) ? 0.9f : 0.05f;

    const void *in[] = {image};
    void *out_p[] = {portable}, *out_f[] = {fast};
    int rc = lenet_portable_run(in, out_p, workspace);
    if (rc != LENET_PORTABLE_OK) return fprintf(stderr, "lenet_portable_run: %d\n", rc), 1;
    printf("lenet_portable: class %d\n", argmax(portable, LENET_PORTABLE_OUTPUT0_SIZE));

    rc = lenet_fast_run(in, out_f, workspace);
    if (rc == LENET_FAST_ERR_CPU) {
        printf("lenet_fast: this CPU lacks the instructions it was built for; skipped\n");
    } else if (rc != LENET_FAST_OK) {
        return fprintf(stderr, "lenet_fast_run: %d\n", rc), 1;
    } else {
        for (int i = 0; i < LENET_FAST_OUTPUT0_SIZE; i++)
            if (fabsf(fast[i] - portable[i]) > 1e-4f + 1e-3f * fabsf(portable[i]))
                return fprintf(stderr, "lenet_fast and lenet_portable disagree at %d: %g vs %g\n", i,
                               (double)fast[i], (double)portable[i]), 1;
        printf("lenet_fast: class %d (agrees with lenet_portable)\n", argmax(fast, LENET_FAST_OUTPUT0_SIZE));
    }

    static float x[TINY_MLP_INPUT0_SIZE], y[TINY_MLP_OUTPUT0_SIZE];
    for (int i = 0; i < TINY_MLP_INPUT0_SIZE; i++) x[i] = -1.0f + 2.0f * (float)i / (TINY_MLP_INPUT0_SIZE - 1);
    const void *in_m[] = {x};
    void *out_m[] = {y};
    if ((rc = tiny_mlp_run(in_m, out_m, workspace)) != TINY_MLP_OK) return fprintf(stderr, "tiny_mlp_run: %d\n", rc), 1;
    printf("tiny_mlp: %.6f %.6f %.6f %.6f\n", (double)y[0], (double)y[1], (double)y[2], (double)y[3]);
    if ((rc = tiny_mlp_selftest(workspace)) != TINY_MLP_OK) return fprintf(stderr, "tiny_mlp_selftest: %d\n", rc), 1;
    printf("tiny_mlp: self-test passed\n");
    return 0;
}
