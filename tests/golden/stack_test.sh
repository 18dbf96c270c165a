#!/usr/bin/env bash
# P_STACK_SIZE is an upper bound: each zoo model, on every target this CPU
# runs, built with gcc at -O2 (CFLAGS to change), runs P_run on a thread whose
# stack is exactly P_STACK_SIZE plus a 16 KB margin (for the thread's own
# start-up, measured and subtracted), painted with a pattern and with a guard
# page below it; the bytes P_run touched must not exceed P_STACK_SIZE. Prints
# a table: model, target, bound, measured.
# usage: stack_test.sh NNC ZOO_DIR [MODEL...]   (default: every model in ZOO_DIR)
set -euo pipefail
NNC="$(realpath "$1")" ZOO="$2"; shift 2
CFLAGS="${CFLAGS:--O2}"
models=("$@")
[ ${#models[@]} -gt 0 ] || models=($(ls "$ZOO"))
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/stack_main.c" <<'C'
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "model.h"
#include "io.h" /* in[], out[]: zero-filled buffers for every input and output */
#define MARGIN (16 * 1024)
static void *ws;
static int rc = -1;
static void *run(void *arg) { (void)arg; rc = model_run((const void *const *)in, out, ws); return NULL; }
static void *idle(void *arg) { return arg; }
/* Stack bytes a thread running fn touched, on a painted stack of `size` bytes. */
static long touched(void *(*fn)(void *), size_t size)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE), i;
    size = (size + page - 1) / page * page;
    unsigned char *mem = mmap(NULL, size + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED || mprotect(mem, page, PROT_NONE) != 0) return -1; /* guard page */
    unsigned char *stk = mem + page;
    memset(stk, 0xA5, size);
    pthread_attr_t at;
    pthread_t th;
    pthread_attr_init(&at);
    if (pthread_attr_setstack(&at, stk, size) != 0 || pthread_create(&th, &at, fn, NULL) != 0) return -1;
    pthread_join(th, NULL);
    for (i = 0; i < size && stk[i] == 0xA5; i++) {}
    munmap(mem, size + page);
    return (long)(size - i);
}
int main(void)
{
    size_t size = MODEL_STACK_SIZE + MARGIN;
    if (MODEL_WORKSPACE_SIZE && posix_memalign(&ws, 64, MODEL_WORKSPACE_SIZE)) return 2;
    long base = touched(idle, size), used = touched(run, size);
    if (base < 0 || used < 0 || rc != 0) { printf("error (rc %d)\n", rc); return 2; }
    printf("%ld %ld\n", (long)MODEL_STACK_SIZE, used - base);
    return used - base > MODEL_STACK_SIZE;
}
C
targets="generic"
grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo && targets="$targets avx2"
grep -qw avx512f /proc/cpuinfo && grep -qw avx512bw /proc/cpuinfo && grep -qw avx512dq /proc/cpuinfo &&
    grep -qw avx512vl /proc/cpuinfo && targets="$targets avx512"
printf "%-22s %-8s %10s %10s\n" model target bound measured
fail=0
for m in "${models[@]}"; do
    for t in $targets; do
        d="$tmp/$m.$t"; mkdir -p "$d"
        # --weights incbin: the constants do not change the kernels, and the C compiles fast
        "$NNC" "$ZOO/$m/model.onnx" -o "$d/model.c" --target "$t" --weights incbin
        ni=$(sed -n 's/^#define MODEL_NUM_INPUTS \([0-9]*\)/\1/p' "$d/model.h")
        no=$(sed -n 's/^#define MODEL_NUM_OUTPUTS \([0-9]*\)/\1/p' "$d/model.h")
        { for ((k = 0; k < ni; k++)); do echo "static double in$k[MODEL_INPUT${k}_SIZE];"; done
          for ((k = 0; k < no; k++)); do echo "static double out$k[MODEL_OUTPUT${k}_SIZE];"; done
          printf "static void *in[] = {"; for ((k = 0; k < ni; k++)); do printf "in%d, " $k; done; echo "0};"
          printf "static void *out[] = {"; for ((k = 0; k < no; k++)); do printf "out%d, " $k; done; echo "0};"
        } > "$d/io.h"
        gcc -std=c99 $CFLAGS -I"$d" $("$NNC" --cflags) "$tmp/stack_main.c" "$d/model.c" "$d/model_weights.S" -o "$d/run" \
            $("$NNC" --libs) -lpthread
        r=0; res="$("$d/run")" || r=$?
        printf "%-22s %-8s %10s %10s%s\n" "$m" "$t" ${res:-"? ?"} "$([ $r -eq 0 ] || echo "  FAIL (exit $r)")"
        [ $r -eq 0 ] || fail=1
        rm -rf "$d"
    done
done
exit $fail
