/* lower.h — what an op's lower function may use to turn one node into code:
 * pick a kernel template, bind its parameters (shapes, strides, constants),
 * and call the instantiated kernel on the node's tensors. The backend owns
 * everything else (file layout, weights, workspace, the run function). */
#ifndef NNC_LOWER_H
#define NNC_LOWER_H

#include "../ir/graph.h"

typedef struct Lowering Lowering;

/* Template parameters per kernel; the most any lowering binds is about 55
 * (conv_gemm), and one more is an internal assertion, not a user error. */
#define KP_MAX 128
typedef struct KParams {
    int n;
    const char *key[KP_MAX];
    const char *val[KP_MAX];
} KParams;

void kp_str(Lowering *L, KParams *p, const char *key, const char *val);
void kp_int(Lowering *L, KParams *p, const char *key, int64_t v);
void kp_float(Lowering *L, KParams *p, const char *key, double v, DType as);
/* A C99 literal that reads back as v in type `as` (FLOAT or DOUBLE). */
const char *c_float_literal(Arena *a, double v, DType as);
void kp_type(Lowering *L, KParams *p, const char *key, DType t);
/* a brace initializer {a, b, ...} for a `static const long X[] = KEY;` */
void kp_ints(Lowering *L, KParams *p, const char *key, const int64_t *v, int n);

/* Instantiate template `tmpl` (looked up for the target ISA, then generic)
 * for node n; returns the kernel function's name. Identical instantiations
 * share one function. */
const char *lower_kernel(Lowering *L, const Node *n, const char *tmpl, const KParams *p);
/* Emit `fn(arg0, arg1, ...);` in the run function. A NULL tensor passes 0.
 * With `checked`, the kernel returns int and a non-zero value is returned. */
void lower_call(Lowering *L, const char *fn, int nargs, Tensor *const *args, int checked);
/* A new constant for the kernels of this node (typically weights packed at
 * compile time into the exact layout a kernel reads): `t` must have a name,
 * dtype, shape and data; it is emitted as static const data. Returns the C
 * expression for its data, to pass through kp_str or as a kernel argument
 * (see lower_call_refs). */
const char *lower_constant(Lowering *L, const Tensor *t);
/* Scratch memory for one kernel call, `bytes` long and 64-byte aligned, in
 * the caller's workspace (after the planned tensors; kernels run one at a
 * time, so every node shares the region): large blocks belong there, not on
 * the stack of the thread that runs the model. Returns the C expression of
 * its address (a void pointer), to pass as a kernel argument. */
const char *lower_scratch(Lowering *L, int64_t bytes);
/* Like lower_call, with arguments given as C expressions. */
void lower_call_refs(Lowering *L, const char *fn, int nargs, const char *const *args, int checked);
/* A call that can be split across threads: the kernel's last two
 * parameters are a range [lo, hi) of its `units` independent work units
 * (the template says what a unit is: output rows, channel blocks, ...), and
 * it must compute every output exactly as the whole call would, so results
 * are bit-identical whatever the split. P_run passes (0, units);
 * P_run_parallel splits the units into up to nthreads contiguous ranges,
 * one per part, when `cost` (FLOPs, or elements moved) pays for it. Scratch
 * from lower_scratch is per part. */
void lower_call_par(Lowering *L, const char *fn, int nargs, const char *const *args, int64_t units, int64_t cost);
/* The C expression naming a tensor's data in the run function. */
const char *lower_ref(Lowering *L, const Tensor *t);
/* Whether the target ISA has its own version of template `tmpl` (rather
 * than falling back to the generic one): lowerings choose a vector kernel
 * with this. */
int lower_isa_has(Lowering *L, const char *tmpl);
Arena *lower_arena(Lowering *L);
Graph *lower_graph(Lowering *L);
const char *lower_target(Lowering *L);

/* Status codes of the generated run function (also in the generated header). */
#define NNC_STATUS_OK 0
#define NNC_STATUS_BAD_ARGUMENT 1
#define NNC_STATUS_INDEX 2
#define NNC_STATUS_CPU 3
#define NNC_STATUS_WEIGHTS 4 /* --weights separate: not this model's weights blob, or corrupted */
#define NNC_STATUS_SELFTEST 5 /* --selftest: P_selftest found an output out of tolerance */

#endif
