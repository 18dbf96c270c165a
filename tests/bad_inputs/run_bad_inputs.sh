#!/usr/bin/env bash
# run_bad_inputs.sh NNC_BINARY — feed every model in cases/ to nnc and check
# the bad-input contract (see README.md): exit status exactly 1, no crash, the
# expected number of stderr lines, each `nnc: error: FILE: ...` containing the
# expected text, and nothing (OUT.c, OUT.h, temp files) left in the output
# directory. Positive controls (lines 0 in cases/expected.tsv) must compile.
#
# Works on a fresh temporary copy of cases/; creates there at run time:
#   outside/ext_weights.bin        a valid weight file outside the model dir
#   cases/ext_link.bin -> ../outside/ext_weights.bin   (symlink case)
#   cases/linkdir -> ../outside                          (symlinked directory case)
# so the escape cases would succeed if nnc's path checks were missing.
#
# BAD_INPUT_VALGRIND=1 also runs each case under valgrind (if installed);
# any valgrind error or definite leak fails the case. BAD_INPUT_TARGET=T
# compiles every case with --target T (ctest runs it for neon too: the same
# errors on every target).
set -u

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
    echo "usage: $0 NNC_BINARY" >&2
    exit 2
fi
NNC=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/nnc_bad_inputs.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT

cp -R "$HERE/cases" "$TMP/cases"
mkdir "$TMP/outside" "$TMP/out"
cp "$HERE/cases/ext_weights.bin" "$TMP/outside/ext_weights.bin"
ln -s ../outside/ext_weights.bin "$TMP/cases/ext_link.bin"
ln -s ../outside "$TMP/cases/linkdir"

VG=()
if [ "${BAD_INPUT_VALGRIND:-0}" = 1 ]; then
    if command -v valgrind >/dev/null 2>&1; then
        VG=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
            --log-file="$TMP/valgrind.log")
    else
        echo "note: BAD_INPUT_VALGRIND=1 but valgrind is not installed; running without it"
    fi
fi
TIMEOUT=()
command -v timeout >/dev/null 2>&1 && TIMEOUT=(timeout 120)

pass=0
fail=0
report() { # report LABEL WHY... (empty WHY = ok)
    local label=$1
    shift
    if [ $# -eq 0 ]; then
        echo "ok $label"
        pass=$((pass + 1))
    else
        local msg=$1 w
        shift
        for w in "$@"; do msg+="; $w"; done
        echo "FAIL $label: $msg"
        fail=$((fail + 1))
    fi
}

while IFS=$'\t' read -r name lines expect args; do
    case "$name" in '' | '#'*) continue ;; esac
    [ "$expect" = - ] && expect=
    [ "$args" = - ] && args=
    label=$name
    [ -n "$args" ] && label="$name ($args)"
    model="$TMP/cases/$name.onnx"
    out="$TMP/out"
    rm -rf "$out" "$TMP/valgrind.log" && mkdir "$out"
    # shellcheck disable=SC2086  # args are whitespace-separated on purpose
    # at most 4 GB of address space (not under valgrind): sizes read from a
    # model are checked before nnc allocates anything that large
    (cd "$out" && { [ ${#VG[@]} -gt 0 ] || ulimit -v 4194304; } &&
        "${TIMEOUT[@]}" "${VG[@]}" "$NNC" "$model" -o "$out/out.c" $args ${BAD_INPUT_TARGET:+--target "$BAD_INPUT_TARGET"} \
        >"$TMP/stdout" 2>"$TMP/stderr")
    rc=$?
    why=()
    if [ "$rc" -eq 124 ] && [ ${#TIMEOUT[@]} -gt 0 ]; then
        why+=("timed out")
    elif [ "$rc" -gt 128 ]; then
        why+=("crashed (signal $((rc - 128)))")
    elif [ "$rc" -eq 99 ] && [ ${#VG[@]} -gt 0 ]; then
        why+=("valgrind: $(grep -m1 -E '(Invalid|uninitialised|definitely lost|Mismatched)' "$TMP/valgrind.log" \
            | sed 's/^==[0-9]*== //')")
    fi
    if [ ${#VG[@]} -gt 0 ] && [ -s "$TMP/valgrind.log" ] && [ "$rc" -ne 99 ]; then
        why+=("valgrind reported: $(head -c 200 "$TMP/valgrind.log" | tr '\n' ' ')")
    fi
    n_err=$(wc -l <"$TMP/stderr")
    left=$(ls -A "$out")

    if [ "$lines" -eq 0 ]; then # positive control
        [ "$rc" -eq 0 ] || why+=("exit status $rc, want 0; stderr: $(head -c 300 "$TMP/stderr")")
        [ -f "$out/out.c" ] || why+=("out.c not written")
        [ -f "$out/out.h" ] || why+=("out.h not written")
        # shellcheck disable=SC2010  # plain names only
        extra=$(ls -A "$out" | grep -v -x -e out.c -e out.h | tr '\n' ' ')
        [ -z "$extra" ] || why+=("stray files in output dir: $extra")
    else
        [ "$rc" -eq 1 ] || [ ${#why[@]} -gt 0 ] || why+=("exit status $rc, want 1")
        [ "$n_err" -eq "$lines" ] ||
            why+=("$n_err stderr lines, want $lines: $(head -c 400 "$TMP/stderr" | tr '\n' '|')")
        prefix="nnc: error: $model: "
        while IFS= read -r line; do
            case "$line" in
            "$prefix"*) ;;
            *) why+=("line does not start with '$prefix': $line") ;;
            esac
            case "$line" in
            *"$expect"*) ;;
            *) why+=("line lacks '$expect': $line") ;;
            esac
        done <"$TMP/stderr"
        if [ "$lines" -gt 1 ]; then # each unsupported op type named once
            types=$(sed -n "s/^.*: node '[^']*' (\([^)]*\)).*$/\1/p" "$TMP/stderr")
            n_types=$(printf '%s\n' "$types" | sed '/^$/d' | sort -u | wc -l)
            [ "$n_types" -eq "$lines" ] ||
                why+=("want $lines distinct op types, got: $(printf '%s' "$types" | tr '\n' ' ')")
        fi
        [ -z "$left" ] || why+=("left files in output dir: $(printf '%s' "$left" | tr '\n' ' ')")
    fi
    report "$label" "${why[@]}"
done <"$HERE/cases/expected.tsv"

# OUT.c names an existing directory: nnc must fail cleanly and leave neither
# OUT.h nor temp files behind (the model itself is fine).
rm -rf "$TMP/out" && mkdir -p "$TMP/out/out.c"
model="$TMP/cases/ext_ok.onnx"
(cd "$TMP/out" && "${TIMEOUT[@]}" "$NNC" "$model" -o "$TMP/out/out.c" >"$TMP/stdout" 2>"$TMP/stderr")
rc=$?
why=()
[ "$rc" -le 128 ] || why+=("crashed (signal $((rc - 128)))")
[ "$rc" -eq 1 ] || why+=("exit status $rc, want 1")
[ "$(wc -l <"$TMP/stderr")" -eq 1 ] || why+=("want 1 stderr line: $(head -c 300 "$TMP/stderr" | tr '\n' '|')")
grep -q "^nnc: error: $model: cannot write .*: Is a directory$" "$TMP/stderr" ||
    why+=("want 'cannot write ...: Is a directory': $(head -c 300 "$TMP/stderr")")
# shellcheck disable=SC2010  # plain names only
left=$(ls -A "$TMP/out" | grep -v -x out.c | tr '\n' ' ')
[ -z "$left" ] || why+=("left files in output dir: $left")
report "output_is_directory" "${why[@]}"

# A crash inside a stage of the compiler (made on purpose with
# NNC_TEST_CRASH_IN) must become one `internal error in STAGE at node ...`
# line, exit status 1, and leave no output file.
model="$TMP/cases/ext_ok.onnx"
for stage in "the ONNX loader" "shape inference" "pass cse" "pass fuse_epilogue" "pass inplace" \
    "pass plan_memory" "lowering"; do
    rm -rf "$TMP/out" && mkdir "$TMP/out"
    (cd "$TMP/out" && NNC_TEST_CRASH_IN="$stage" "${TIMEOUT[@]}" "$NNC" "$model" -o "$TMP/out/out.c" \
        >"$TMP/stdout" 2>"$TMP/stderr")
    rc=$?
    why=()
    [ "$rc" -eq 1 ] || why+=("exit status $rc, want 1")
    [ "$(wc -l <"$TMP/stderr")" -eq 1 ] || why+=("want 1 stderr line: $(head -c 300 "$TMP/stderr" | tr '\n' '|')")
    grep -q "^nnc: error: $model: internal error in $stage at node '[^']*' ([A-Za-z]*): segmentation fault" \
        "$TMP/stderr" || why+=("want 'internal error in $stage at node ...': $(head -c 300 "$TMP/stderr")")
    [ -z "$(ls -A "$TMP/out")" ] || why+=("left files in output dir: $(ls -A "$TMP/out" | tr '\n' ' ')")
    report "internal error in $stage" "${why[@]}"
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
