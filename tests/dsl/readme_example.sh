#!/usr/bin/env bash
# readme_example.sh NNC README — the README's ten-line model-language example:
# extracted from the README, compiled by nnc, called from C exactly as the
# README shows, and run (the softmax scores must sum to 1).
set -eu
NNC=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
TMP=$(mktemp -d "${TMPDIR:-/tmp}/nnc_dsl_readme.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
sed -n '/^# smooth.nn/,/^output scores/p' "$2" > "$TMP/smooth.nn"
[ "$(wc -l < "$TMP/smooth.nn")" -ge 5 ] || { echo "example not found in $2"; exit 1; }
sed -n '/^#include "smooth.h"/,/^int classify/p' "$2" > "$TMP/api.c"
cat >> "$TMP/api.c" <<'C'
#include <stdio.h>
int main(void)
{
    for (int i = 0; i < SMOOTH_INPUT0_SIZE; i++) signal[i] = (float)(i % 7);
    if (classify() != SMOOTH_OK) return 1;
    float s = scores[0] + scores[1] + scores[2];
    printf("scores %f %f %f (sum %f)\n", scores[0], scores[1], scores[2], s);
    return s > 0.999f && s < 1.001f ? 0 : 1;
}
C
cd "$TMP"
"$NNC" smooth.nn -o smooth.c
cc -std=c99 -O2 -Wall -Wextra -pedantic -Werror -c smooth.c $("$NNC" --cflags)
cc -std=c11 -O2 -Wall -Werror api.c smooth.o $("$NNC" --libs) -lm -o api
./api
