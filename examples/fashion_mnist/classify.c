/*
 * classify.c - run the nnc-compiled LeNet-5 over a Fashion-MNIST IDX test set.
 *
 *   nnc lenet5_fashion.onnx -o model.c --prefix lenet
 *   cc -O2 -std=c99 -I. $(nnc --cflags) classify.c model.c $(nnc --libs) -lz -o classify
 *   ./classify t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz
 *
 * Input normalisation is not part of the model: each pixel p (uint8) is fed
 * as (p / 255 - 0.2860) / 0.3530, same as train.py.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "model.h"

#define IMG_ROWS 28
#define IMG_COLS 28
#define IMG_SIZE (IMG_ROWS * IMG_COLS)
#define NUM_CLASSES 10
#define MAX_IMAGES 1000000UL
#define MEAN 0.2860f
#define STD 0.3530f
#define WS_ALIGN 64

/* Read exactly n bytes; return 0 on success. */
static int read_exact(gzFile f, void *buf, size_t n)
{
    unsigned char *p = buf;
    while (n > 0) {
        unsigned chunk = n > (1u << 30) ? (1u << 30) : (unsigned)n;
        int r = gzread(f, p, chunk);
        if (r <= 0)
            return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

static int read_be32(gzFile f, uint32_t *out)
{
    unsigned char b[4];
    if (read_exact(f, b, 4) != 0)
        return -1;
    *out = ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | (uint32_t)b[3];
    return 0;
}

/* Load an IDX file: checks magic, dims and that no trailing data remains.
 * Returns malloc'ed data, sets *count; NULL on error (message printed). */
static unsigned char *load_idx(const char *path, uint32_t magic, int want_images, uint32_t *count)
{
    unsigned char *data = NULL;
    uint32_t m, n, rows, cols;
    size_t item, total;
    unsigned char extra;
    gzFile f = gzopen(path, "rb");

    if (!f) {
        fprintf(stderr, "%s: cannot open\n", path);
        return NULL;
    }
    if (read_be32(f, &m) != 0 || m != magic) {
        fprintf(stderr, "%s: bad or missing magic number (want 0x%08lx)\n", path, (unsigned long)magic);
        goto fail;
    }
    if (read_be32(f, &n) != 0 || n == 0 || n > MAX_IMAGES) {
        fprintf(stderr, "%s: bad item count\n", path);
        goto fail;
    }
    item = 1;
    if (want_images) {
        if (read_be32(f, &rows) != 0 || read_be32(f, &cols) != 0 || rows != IMG_ROWS || cols != IMG_COLS) {
            fprintf(stderr, "%s: expected %dx%d images\n", path, IMG_ROWS, IMG_COLS);
            goto fail;
        }
        item = IMG_SIZE;
    }
    total = (size_t)n * item;
    data = malloc(total);
    if (!data) {
        fprintf(stderr, "%s: out of memory\n", path);
        goto fail;
    }
    if (read_exact(f, data, total) != 0) {
        fprintf(stderr, "%s: truncated file\n", path);
        goto fail;
    }
    if (gzread(f, &extra, 1) != 0) {
        fprintf(stderr, "%s: unexpected trailing data\n", path);
        goto fail;
    }
    gzclose(f);
    *count = n;
    return data;
fail:
    free(data);
    gzclose(f);
    return NULL;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    unsigned char *images, *labels;
    uint32_t n_images, n_labels, i;
    unsigned long correct = 0;
    float input[IMG_SIZE], logits[NUM_CLASSES];
    const void *inputs[1];
    void *outputs[1];
    void *workspace = NULL;
    size_t ws_size = (size_t)(LENET_WORKSPACE_SIZE);
    double elapsed = 0.0;
    int rc = 1;

    if (argc != 3) {
        fprintf(stderr, "usage: %s IMAGES.gz LABELS.gz\n", argv[0]);
        return 2;
    }
    images = load_idx(argv[1], 0x00000803u, 1, &n_images);
    labels = load_idx(argv[2], 0x00000801u, 0, &n_labels);
    if (!images || !labels)
        goto out;
    if (n_images != n_labels) {
        fprintf(stderr, "image count %lu != label count %lu\n", (unsigned long)n_images, (unsigned long)n_labels);
        goto out;
    }

    /* aligned_alloc needs size to be a multiple of the alignment; never 0. */
    ws_size = (ws_size + WS_ALIGN - 1) / WS_ALIGN * WS_ALIGN;
    if (ws_size == 0)
        ws_size = WS_ALIGN;
    if (posix_memalign(&workspace, WS_ALIGN, ws_size) != 0) {
        fprintf(stderr, "cannot allocate %lu-byte workspace\n", (unsigned long)ws_size);
        workspace = NULL;
        goto out;
    }

    inputs[0] = input;
    outputs[0] = logits;
    for (i = 0; i < n_images; i++) {
        const unsigned char *img = images + (size_t)i * IMG_SIZE;
        double t0;
        int j, best = 0, r;

        if (labels[i] >= NUM_CLASSES) {
            fprintf(stderr, "label %lu out of range: %d\n", (unsigned long)i, labels[i]);
            goto out;
        }
        for (j = 0; j < IMG_SIZE; j++)
            input[j] = ((float)img[j] / 255.0f - MEAN) / STD;

        t0 = now_seconds();
        r = lenet_run(inputs, outputs, workspace);
        elapsed += now_seconds() - t0;
        if (r != 0) {
            fprintf(stderr, "lenet_run failed on image %lu: %d\n", (unsigned long)i, r);
            goto out;
        }
        for (j = 1; j < NUM_CLASSES; j++)
            if (logits[j] > logits[best])
                best = j;
        if (best == labels[i])
            correct++;
    }

    printf("nnc accuracy: %.4f (%lu images)\n", (double)correct / (double)n_images, (unsigned long)n_images);
    printf("nnc time per image: %.1f us\n", elapsed * 1e6 / (double)n_images);
    rc = 0;
out:
    free(workspace);
    free(images);
    free(labels);
    return rc;
}
