/* verify_layers.h — `nnc verify --layers`: every intermediate tensor of a
 * traced build (nnc --trace) against a reference, one table row per tensor,
 * and the first node out of tolerance. */
#ifndef NNC_VERIFY_LAYERS_H
#define NNC_VERIFY_LAYERS_H

#include "verify.h"

/* Element-wise difference of `got` (same dtype and element count as want)
 * against want: |got - want| <= atol + rtol*|want| for floats (NaN matches
 * NaN, Inf matches the same Inf), equality for integers. */
typedef struct Diff {
    double max_abs, max_rel;
    int64_t n, bad, first_bad; /* first_bad: -1 when none */
} Diff;
Diff diff_tensor(const Tensor *want, const void *got, const VerifyOptions *vo);

/* The tensors a traced harness wrote to DIR/trace.bin, in call order, as
 * tensors of `g` (the graph it was compiled from): logical shape, plain
 * row-major data (channel-blocked ones converted). */
Tensor **trace_read(Arena *a, Graph *g, const char *dir, int *n);

/* Every *.pb TensorProto file in dir, named by the names they hold. */
Tensor **reference_folder_read(Arena *a, const char *dir, int *n);

/* Print the per-layer table of the traced tensors `got` (from graph g)
 * against `ref` (matched by name); `structure` is the unoptimised graph, to
 * say which of its nodes each fused node covers. Returns 1 when every
 * compared tensor is within tolerance. */
int layers_report(Arena *a, Graph *g, Tensor **got, int n_got, Tensor **ref, int n_ref, Graph *structure,
                  const VerifyOptions *vo);

#endif
