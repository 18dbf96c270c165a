/* passes.h — graph passes; each lives in its own file and touches only the IR. */
#ifndef NNC_PASSES_H
#define NNC_PASSES_H

#include "../ir/graph.h"
#include "../ir/ops.h"

/* Clean-up: drop nodes folded to constants or feeding no output. */
void pass_eliminate_dead(Graph *g);
/* Clean-up: drop Identity, Dropout and shape-preserving reshapes/transposes. */
void pass_remove_noops(Graph *g);
/* Clean-up: merge nodes with the same op, inputs and attributes. */
void pass_cse(Graph *g);
/* Fold BatchNormalization into a preceding Conv/ConvTranspose/Gemm/MatMul. */
void pass_fold_batchnorm(Graph *g);
/* Recognise GELU, LayerNorm and attention chains as single nodes. */
void pass_recognize_patterns(Graph *g);
/* Fuse bias, residual Add and activation into Conv/Gemm/MatMul stores. */
void pass_fuse_epilogue(Graph *g);
/* Channel-blocked NCHW[c] layouts (c = the target's vector width) for the
 * tensors between ops that read or write them (registry layout_fn), with a
 * LayoutConvert wherever a reader needs the other layout. */
void pass_choose_layout(Graph *g, int c);
/* The same, asking `use` instead of the registry (tests); NULL: the registry. */
void pass_choose_layout_by(Graph *g, int c, LayoutFn use);
/* Reshape-like ops alias their input's storage instead of copying. */
void pass_alias_reshapes(Graph *g);

/* Elementwise nodes overwrite an input that dies there (in-place alias). */
void pass_inplace(Graph *g);

/* Assign workspace offsets to intermediates; sets g->workspace_size. */
void pass_plan_memory(Graph *g);
/* Largest total size of intermediates live at one moment (bytes). */
int64_t plan_lower_bound(Graph *g);
/* Where that bound is reached: the node, the live bytes, and the live
 * intermediates largest first (the first PLAN_PEAK_MAX of n_live). Returns 0
 * when the graph has no intermediates. */
#define PLAN_PEAK_MAX 8
typedef struct PlanPeak {
    const Node *node;
    int64_t live_bytes;
    int n_live;
    const Tensor *live[PLAN_PEAK_MAX];
    int64_t live_size[PLAN_PEAK_MAX];
} PlanPeak;
int plan_peak(Graph *g, PlanPeak *pk);

#endif
