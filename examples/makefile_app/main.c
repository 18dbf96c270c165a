/* main.c — the Fashion-MNIST LeNet-5 compiled by nnc in a plain Makefile
 * build: classifies a synthetic image and prints the class. */
#include <stdio.h>

#include "lenet.h"

static float image[LENET_INPUT0_SIZE], scores[LENET_OUTPUT0_SIZE];
static unsigned char workspace[LENET_WORKSPACE_SIZE + 64];

int main(void)
{
    /* the workspace must be 64-byte aligned: round the start up (C99 has no _Alignas) */
    unsigned char *ws = workspace + (64 - (unsigned long)(size_t)workspace % 64) % 64;
    const void *in[1];
    void *out[1];
    int i, best = 0, rc;
    for (i = 0; i < LENET_INPUT0_SIZE; i++) /* a bright square on a dark background */
        image[i] = (i / 28 > 6 && i / 28 < 22 && i % 28 > 6 && i % 28 < 22) ? 0.9f : 0.05f;
    in[0] = image;
    out[0] = scores;
    rc = lenet_run(in, out, ws);
    if (rc != LENET_OK) {
        fprintf(stderr, "lenet_run: %d\n", rc);
        return 1;
    }
    for (i = 1; i < LENET_OUTPUT0_SIZE; i++)
        if (scores[i] > scores[best]) best = i;
    printf("class %d\n", best);
    return 0;
}
