/* nnc_pool.h — a small optional thread pool for the generated
 * P_run_parallel: nnc_pool_parallel_for is a parallel-for in the shape the
 * generated code takes (pthreadpool's style), run by `nthreads` threads:
 * the caller's thread and nthreads - 1 workers on POSIX threads.
 *
 *     nnc_pool *pool = nnc_pool_create(4);
 *     model_run_parallel(in, out, ws, nnc_pool_parallel_for, pool, nnc_pool_threads(pool));
 *     nnc_pool_destroy(pool);
 *
 * Products with their own thread pool pass their own parallel-for instead
 * and need neither this file nor pthreads. One pool runs one parallel-for
 * at a time: give each thread that calls P_run_parallel its own pool (or
 * serialize the calls). Link with -pthread. */
#ifndef NNC_POOL_H
#define NNC_POOL_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct nnc_pool nnc_pool;

/* A pool of nthreads threads in all (the caller's counts as one; 1 starts
 * none). NULL if nthreads < 1 or threads could not be started. */
nnc_pool *nnc_pool_create(int nthreads);
/* Stops and joins the workers and frees the pool; NULL is ignored. */
void nnc_pool_destroy(nnc_pool *pool);
/* nthreads as created (1 for a NULL pool). */
int nnc_pool_threads(const nnc_pool *pool);
/* Calls task(arg, i) once for each i in [0, count), spread over the pool's
 * threads (the caller's included), and returns when every call has
 * returned. `pool` is an nnc_pool *; NULL runs every task on the caller. */
void nnc_pool_parallel_for(void *pool, void (*task)(void *arg, size_t index), void *arg, size_t count);

#ifdef __cplusplus
}
#endif

#endif
