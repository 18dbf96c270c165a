/* nnc_pool.c — the optional thread pool of nnc_pool.h. Workers wait for a
 * new job (a generation counter) and take task indices from a shared
 * counter; the caller takes indices too and then waits until every worker
 * has finished its last one. Both waits spin first, for up to
 * NNC_POOL_SPIN_US microseconds, and only then sleep on a condition
 * variable: a model's kernels follow each other within microseconds, and
 * waking a sleeping thread costs tens to hundreds of microseconds (more on
 * a virtual machine, whose idle vCPU the host has to reschedule), which
 * made 2 threads barely faster than one. Plain C99 with POSIX threads; the
 * shared counters are guarded by the mutex, with GCC/Clang atomic builtins
 * for the spinning reads. The polls are plain loads, with no pause
 * instruction: under a hypervisor a run of pauses makes the host deschedule
 * the polling vCPU (pause-loop exiting), which measured slower here. Every
 * 256 polls the poller yields: with the thread it waits for on its own core
 * (the scheduler wakes a thread on its waker's core), polling without
 * yielding stalled each call for a scheduler tick, 1-4 ms. */
#define _POSIX_C_SOURCE 200809L
#include "nnc_pool.h"

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <time.h>

struct nnc_pool {
    pthread_mutex_t lock;
    pthread_cond_t wake; /* a new job, or stop */
    pthread_cond_t done; /* the last worker left the job */
    int nthreads;
    pthread_t *workers;  /* nthreads - 1 */
    /* the job: */
    void (*task)(void *arg, size_t index);
    void *arg;
    size_t count;
    size_t next;         /* the next index to hand out */
    unsigned long gen;   /* counts jobs; workers wait for it to change */
    int busy;            /* workers still inside the current job */
    int stop;
};

#if defined(__GNUC__) || defined(__clang__)
#define NNC_POOL_LOAD_UL(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define NNC_POOL_LOAD_INT(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define NNC_POOL_STORE_INT(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define NNC_POOL_STORE_UL(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#else
#define NNC_POOL_LOAD_UL(p) (*(const volatile unsigned long *)(p))
#define NNC_POOL_LOAD_INT(p) (*(const volatile int *)(p))
#define NNC_POOL_STORE_INT(p, v) (*(volatile int *)(p) = (v))
#define NNC_POOL_STORE_UL(p, v) (*(volatile unsigned long *)(p) = (v))
#endif
/* How long a waiting thread polls before it sleeps (override with
 * -DNNC_POOL_SPIN_US=N; 0 sleeps at once). */
#ifndef NNC_POOL_SPIN_US
#define NNC_POOL_SPIN_US 1000
#endif

static long long pool_now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* Poll until *gen differs from seen (waiting for a job) or, with gen NULL,
 * until *busy is 0 (waiting for the workers), for at most NNC_POOL_SPIN_US;
 * called without the lock. */
static void pool_spin(const unsigned long *gen, unsigned long seen, const int *busy)
{
    long long end = 0;
    unsigned i;
    for (i = 0;; i++) {
        if (gen ? NNC_POOL_LOAD_UL(gen) != seen : NNC_POOL_LOAD_INT(busy) == 0) return;
        if (NNC_POOL_SPIN_US <= 0) return;
        if ((i & 255u) == 0) { /* the clock every 256 polls */
            long long t = pool_now_ns();
            if (!end) end = t + (long long)NNC_POOL_SPIN_US * 1000;
            else if (t >= end) return;
            /* the thread we wait for may share this core (the scheduler
             * wakes a thread on its waker's core): let it run */
            sched_yield();
        }
    }
}

/* Run task indices until none is left; called with the lock held. */
static void pool_drain(nnc_pool *p)
{
    while (p->next < p->count) {
        size_t i = p->next++;
        pthread_mutex_unlock(&p->lock);
        p->task(p->arg, i);
        pthread_mutex_lock(&p->lock);
    }
}

static void *pool_worker(void *arg)
{
    nnc_pool *p = (nnc_pool *)arg;
    unsigned long seen = 0;
    for (;;) {
        pool_spin(&p->gen, seen, 0);
        pthread_mutex_lock(&p->lock);
        while (p->gen == seen && !p->stop) pthread_cond_wait(&p->wake, &p->lock);
        if (p->stop) {
            pthread_mutex_unlock(&p->lock);
            return 0;
        }
        seen = p->gen;
        pool_drain(p);
        NNC_POOL_STORE_INT(&p->busy, p->busy - 1); /* the caller may be polling it */
        if (p->busy == 0) pthread_cond_signal(&p->done);
        pthread_mutex_unlock(&p->lock);
    }
}

nnc_pool *nnc_pool_create(int nthreads)
{
    nnc_pool *p;
    int i;
    if (nthreads < 1) return 0;
    p = (nnc_pool *)calloc(1, sizeof *p);
    if (!p) return 0;
    p->nthreads = nthreads;
    if (pthread_mutex_init(&p->lock, 0) != 0) goto fail_lock;
    if (pthread_cond_init(&p->wake, 0) != 0) goto fail_wake;
    if (pthread_cond_init(&p->done, 0) != 0) goto fail_done;
    if (nthreads > 1) {
        p->workers = (pthread_t *)calloc((size_t)nthreads - 1, sizeof *p->workers);
        if (!p->workers) goto fail_workers;
    }
    for (i = 0; i < nthreads - 1; i++)
        if (pthread_create(&p->workers[i], 0, pool_worker, p) != 0) {
            p->nthreads = i + 1; /* destroy joins the ones that started */
            nnc_pool_destroy(p);
            return 0;
        }
    return p;
fail_workers:
    pthread_cond_destroy(&p->done);
fail_done:
    pthread_cond_destroy(&p->wake);
fail_wake:
    pthread_mutex_destroy(&p->lock);
fail_lock:
    free(p);
    return 0;
}

void nnc_pool_destroy(nnc_pool *p)
{
    int i;
    if (!p) return;
    pthread_mutex_lock(&p->lock);
    p->stop = 1;
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->lock);
    for (i = 0; i < p->nthreads - 1; i++) pthread_join(p->workers[i], 0);
    free(p->workers);
    pthread_cond_destroy(&p->done);
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

int nnc_pool_threads(const nnc_pool *p) { return p ? p->nthreads : 1; }

void nnc_pool_parallel_for(void *pool, void (*task)(void *arg, size_t index), void *arg, size_t count)
{
    nnc_pool *p = (nnc_pool *)pool;
    size_t i;
    if (!p || p->nthreads == 1 || count <= 1) {
        for (i = 0; i < count; i++) task(arg, i);
        return;
    }
    pthread_mutex_lock(&p->lock);
    p->task = task;
    p->arg = arg;
    p->count = count;
    p->next = 0;
    NNC_POOL_STORE_INT(&p->busy, p->nthreads - 1);
    NNC_POOL_STORE_UL(&p->gen, p->gen + 1); /* the workers may be polling it */
    pthread_cond_broadcast(&p->wake);
    pool_drain(p);
    if (p->busy > 0) { /* the workers are finishing their last tasks */
        pthread_mutex_unlock(&p->lock);
        pool_spin(0, 0, &p->busy);
        pthread_mutex_lock(&p->lock);
    }
    while (p->busy > 0) pthread_cond_wait(&p->done, &p->lock);
    pthread_mutex_unlock(&p->lock);
}
