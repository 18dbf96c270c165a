/* common.h — helpers shared by the op files: axis handling, broadcasting,
 * reading constant inputs, and stride arithmetic for strided loop templates. */
#ifndef NNC_OPS_COMMON_H
#define NNC_OPS_COMMON_H

#include "../backend/lower.h"
#include "../ir/ops.h"

/* Loop templates take this many dims; higher ranks are collapsed or refused. */
#define LOOP_RANK 6

/* Normalise axis in [-rank, rank) (or [-rank, rank] with `inclusive`). */
int op_axis(const Node *n, int64_t axis, int rank, int inclusive);
/* Require input k to be present, constant, and integer; return its values. */
int64_t *op_const_ints(Graph *g, const Node *n, int k, int *count);
/* The same for an optional input: NULL (count -1) when omitted. */
int64_t *op_opt_const_ints(Graph *g, const Node *n, int k, int *count);
/* Require all given inputs to share the element type of input 0. */
void op_same_types(const Node *n, int first, int last);
/* Require input k's type to be one of a float type. */
void op_require_float(const Node *n, int k);
/* numpy broadcasting of two shapes into out; returns the rank. */
int op_broadcast(const Node *n, const Tensor *a, const Tensor *b, int64_t *out);
/* Output k gets element type dt and the given shape. */
void op_set_output(const Node *n, int k, DType dt, int rank, const int64_t *dims);

/* Strides (in elements) of t viewed as broadcast to `rank` dims `out`;
 * dims of size 1 broadcast with stride 0. Right-aligned like numpy. */
void op_broadcast_strides(const Tensor *t, int rank, const int64_t *out, int64_t *strides);
/* Dense row-major strides of a shape. */
void op_dense_strides(int rank, const int64_t *dims, int64_t *strides);
/* Bind <dprefix>0..5 (extents) and <prefix>0..5 strides for a LOOP_RANK
 * strided loop; merges contiguous dims first. Refuses ranks above LOOP_RANK.
 * Returns the innermost extent (<dprefix>5). */
int64_t op_bind_loop(Lowering *L, KParams *p, const Node *n, const char *dprefix, int rank, const int64_t *dims,
                     int nstr, const char *const *prefixes, int64_t *const *strides);

/* ---- splitting across threads (lower_call_par) ---- */
/* Kernels over contiguous elements split at multiples of this many (a
 * multiple of two vectors on every target, so each part takes the whole
 * call's vector and tail paths); bound as the template's PAR_CHUNK. */
#define OP_PAR_CHUNK 64
/* ceil(a / b) for a >= 0, b > 0 */
int64_t op_ceil_div(int64_t a, int64_t b);
/* lower_call_par on tensors (NULL passes 0); no call when units is 0 (an
 * empty output: nothing to compute). */
void op_call_par(Lowering *L, const char *fn, int nargs, Tensor *const *args, int64_t units, int64_t cost);
/* A dense elementwise kernel (unary, unary_vec: COUNT and PAR_CHUNK bound)
 * on args {x, y}: units of OP_PAR_CHUNK elements of y, cost one per element. */
void op_call_unary(Lowering *L, const char *fn, Tensor *const *args);
/* The strided gather (template transpose, T and the loop bound; d5 the
 * loop's innermost extent) from n's input 0 to its output 0: units of
 * OP_PAR_CHUNK outputs of each row, cost one per element moved. */
void op_call_transpose(Lowering *L, const Node *n, KParams *p, int64_t d5);

/* Bind a producer's fused epilogue: HAS_EPI, HAS_RES and EPI_EXPR (a C
 * expression over the accumulated value v and residual r). Returns the
 * residual tensor to pass to the kernel, or NULL. */
Tensor *op_bind_epilogue(Lowering *L, KParams *p, const Node *n, DType t);

/* ---- FLOP counts (`nnc info`): every multiply and every add ---- */
int64_t flops_zero(const Node *n);        /* data movement */
int64_t flops_per_output(const Node *n);  /* one per output element (elementwise) */
int64_t flops_per_input(const Node *n);   /* one per input element (reductions) */
int64_t flops_softmax(const Node *n);     /* max, subtract, exp, sum, divide: five per element */
int64_t flops_norm(const Node *n);        /* mean, variance, normalise, scale, shift: eight per element */
/* the fused epilogue's adds and activation: per output element */
int64_t flops_epilogue(const Node *n);

/* ---- reference evaluation (constant folding) ---- */
/* Flat index into `in` of output element o when `in` broadcasts to `out`. */
int64_t op_bcast_offset(const Tensor *in, const Tensor *out, int64_t o);
/* Copy input 0's data to output 0 (ops that only reshape). */
void eval_copy(Graph *g, Node *n);

#endif
