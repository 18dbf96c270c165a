#!/usr/bin/env bash
# --cpu (compiler/backend/cpu_model.c): every name `nnc --list-cpus` shows
# parses and picks its target; an unknown name is one error line listing the
# valid ones; a CPU that cannot run the --target's code is a one-line error,
# and so is a bad --tune; native works on this machine (its family and model
# agree with /proc/cpuinfo on x86) and gives byte-identical C twice; zoo models
# compiled for each CPU model pass golden verification, as do the alternatives
# --tune forces (what bench/tune.sh measures). A model whose code for a CPU is
# byte-identical (the CPU paragraph of the header comment aside) to code
# already verified is not built again.
#   cpu_test.sh NNC ZOO_DIR
set -euo pipefail
NNC="$1" ZOO="$2"
export CC="${CC:-gcc}" NNC_VERIFY_CFLAGS="${NNC_VERIFY_CFLAGS:--O2 -std=c99 -Wall -Wextra -pedantic -Werror}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
small="$ZOO/mnist_cnn/model.onnx"
for m in mnist_cnn cifar_bn inception_block lenet5 mlp; do
    [ -f "$ZOO/$m/model.onnx" ] || fail "missing $ZOO/$m/model.onnx (the zoo export fixture did not run?)"
done

# 1. every name parses; without --target it picks the model's target
"$NNC" --list-cpus >"$tmp/list"
names="$(awk 'NR > 1 && !/^native on/ { print $1 }' "$tmp/list")"
[ "$(echo "$names" | wc -w)" -ge 12 ] || fail "--list-cpus lists too few models: $names"
for c in $names native generic; do
    "$NNC" info "$small" --cpu "$c" >"$tmp/info" || fail "--cpu $c does not parse"
    line="$(grep '^cpu ' "$tmp/info")"
    want="$(awk -v c="$c" '$1 == c { print $2 }' "$tmp/list")"
    [ "$c" = generic ] && want=generic
    [ "$c" = native ] && want="$(sed -n 's/.*best target \([a-z0-9]*\).*/\1/p' <<<"$line")"
    case "$line" in "cpu $c"*", target $want") ;; *) fail "--cpu $c: info says '$line', want target $want" ;; esac
done
echo "names parse: $(echo $names) native generic"

# 2. an unknown name: exit 1, one line, naming every valid one
one_line_error() { # ARGS...: must fail with exactly one line on stderr; prints it
    if "$NNC" info "$small" "$@" >"$tmp/out" 2>"$tmp/err"; then fail "nnc info $* succeeded"; fi
    [ "$(wc -l <"$tmp/err")" = 1 ] || { cat "$tmp/err"; fail "nnc info $*: not one error line"; }
    grep -q '^nnc: error: ' "$tmp/err" || fail "nnc info $*: not an error line: $(cat "$tmp/err")"
    cat "$tmp/err"
}
err="$(one_line_error --cpu nosuchcpu)"
for c in $names native; do grep -qw -- "$c" <<<"$err" || fail "the unknown-name error does not list $c: $err"; done

# 3. a CPU that cannot run the target's code, and bad --tune values
for pair in alderlake:avx512 znver3:avx512 generic-avx2:avx512 znver5:neon cortex-a72:avx2 neoverse-n1:avx512; do
    one_line_error --cpu "${pair%%:*}" --target "${pair#*:}" >/dev/null
done
for pair in znver5:avx2 znver5:generic cortex-a72:generic alderlake:avx2 generic:avx512; do
    "$NNC" info "$small" --cpu "${pair%%:*}" --target "${pair#*:}" >/dev/null || fail "--cpu ${pair%%:*} --target ${pair#*:} refused"
done
for t in winograd=maybe kcb=0 sr=x kc=4 nc=99999 kc=2048,nc=2048 blocked=2 nosuch=1; do
    one_line_error --target avx2 --tune "$t" >/dev/null
done
echo "unknown names, conflicting targets and bad --tune values: one error line each"

# 4. native: identified, consistent with /proc/cpuinfo, deterministic
"$NNC" --list-cpus | grep '^native on this machine: native' || fail "no native line"
if [ "$(uname -m)" = x86_64 ] && grep -q '^cpu family' /proc/cpuinfo; then
    fam="$(awk -F: '/^cpu family/ { print $2 + 0; exit }' /proc/cpuinfo)"
    mod="$(awk -F: '/^model[ \t]*:/ { print $2 + 0; exit }' /proc/cpuinfo)"
    got="$("$NNC" --list-cpus | sed -n 's/.*family \(0x[0-9a-f]*\) model \(0x[0-9a-f]*\).*/\1 \2/p')"
    [ "$(printf '%d %d' $got)" = "$fam $mod" ] || fail "native says family/model $got, /proc/cpuinfo $fam $mod"
fi
for t in "" "--target generic"; do
    mkdir -p "$tmp/d1" "$tmp/d2"
    "$NNC" "$ZOO/cifar_bn/model.onnx" --cpu native $t -o "$tmp/d1/m.c"
    "$NNC" "$ZOO/cifar_bn/model.onnx" --cpu native $t -o "$tmp/d2/m.c"
    cmp "$tmp/d1/m.c" "$tmp/d2/m.c" && cmp "$tmp/d1/m.h" "$tmp/d2/m.h" || fail "--cpu native $t: two runs differ"
    grep -q 'CPU model: native' "$tmp/d1/m.c" || fail "the header comment does not name the CPU model"
done
echo "--cpu native: byte-identical C twice"

# 5. golden verification per CPU model, skipping code already verified
has() { for f in "$@"; do grep -qw "$f" /proc/cpuinfo || return 1; done; }
runs_here() {
    case "$1" in
    avx2) has avx2 fma ;;
    avx512) has avx512f avx512bw avx512dq avx512vl ;;
    neon) . "$(dirname "$0")/cross_tools.sh"; [ "$neon_ready" = 0 ] ;;
    *) true ;;
    esac
}
declare -A seen
check() { # MODEL CPU [--tune ...]: verify unless identical code passed already
    local m="$1" c="$2"
    shift 2
    local isa
    isa="$("$NNC" info "$ZOO/$m/model.onnx" --cpu "$c" "$@" | sed -n 's/^cpu .*, target \([a-z0-9]*\)$/\1/p')"
    if ! runs_here "$isa"; then
        echo "$m --cpu $c $*: skipped (cannot build or run $isa here)"
        return
    fi
    mkdir -p "$tmp/v"
    "$NNC" "$ZOO/$m/model.onnx" --cpu "$c" "$@" -o "$tmp/v/m.c"
    sed -i '/ \* CPU model: /,/^ \*$/d' "$tmp/v/m.c"
    local key
    key="$(cat "$tmp/v/m.c" "$tmp/v/m.h" | sha256sum | cut -c1-16)"
    if [ -n "${seen[$key]:-}" ]; then
        echo "$m --cpu $c $*: the same code as ${seen[$key]} (verified)"
        return
    fi
    "$NNC" verify "$ZOO/$m/model.onnx" --cpu "$c" "$@" --rtol 1e-3 --atol 1e-4 >"$tmp/verify" 2>&1 ||
        { cat "$tmp/verify"; fail "$m --cpu $c $*"; }
    seen[$key]="--cpu $c $*"
    echo "$m --cpu $c $*: $(tail -1 "$tmp/verify")"
}
for c in $(grep -v '^generic' <<<"$names") native; do
    for m in cifar_bn inception_block; do
        [ "$c" = cortex-a72 ] || [ "$c" = neoverse-n1 ] && [ "$m" = inception_block ] && m=lenet5 # qemu is slow
        check "$m" "$c"
    done
done
# the alternatives bench/tune.sh forces
check cifar_bn znver5 --tune winograd=f4
check cifar_bn znver5 --tune winograd=f2
check cifar_bn znver5 --tune winograd=off,kcb=1,sr=1,blocked=1
check cifar_bn alderlake --tune winograd=f2 --tune kcb=2,sr=3
check mlp znver5 --tune kc=64,nc=40
echo "cpu_test: PASS"
