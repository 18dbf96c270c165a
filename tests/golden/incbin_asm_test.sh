#!/usr/bin/env bash
# --weights incbin's assembler file on every object format it claims:
# OUT_weights.S assembled for ELF (x86-64 with gcc and clang, AArch64 with
# clang and the cross gcc when present) and Mach-O (clang
# --target=x86_64-apple-macos and arm64-apple-macos), from another working
# directory (the .bin is found through -I), with the default section and with
# --weights-section. Checked with llvm-nm / llvm-readelf / llvm-objdump: the
# symbol is defined once with the name the C file's `extern` declaration
# refers to on that target (a leading underscore on Mach-O), hidden (ELF) or
# private external (Mach-O), in the expected section, read-only unless a
# section was named, 64-byte aligned, holding exactly the .bin's bytes; ELF
# objects carry a non-executable-stack note. No Mach-O linker is needed.
# usage: incbin_asm_test.sh NNC SRC
set -euo pipefail
NNC="$(realpath "$1")" SRC="$(realpath "$2")"
for t in clang llvm-nm llvm-readelf llvm-objdump; do
    command -v "$t" >/dev/null || { echo "skipped: no $t"; exit 77; }
done
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
MODEL="$SRC/examples/fashion_mnist/lenet5_fashion.onnx"
fail() { echo "FAIL: $*"; exit 1; }

# check TRIPLE CC SECTION: assemble the .S of a build with --weights-section
# SECTION (empty: the default) with CC for TRIPLE and check it
check() {
    local triple="$1" cc="$2" section="$3" macho=0 out="$tmp/gen"
    case "$triple" in *apple*) macho=1 ;; esac
    rm -rf "$out" "$tmp/obj"; mkdir -p "$out" "$tmp/obj"
    "$NNC" "$MODEL" -o "$out/lenet.c" --weights incbin ${section:+--weights-section "$section"} >/dev/null
    local bin_size; bin_size=$(stat -c %s "$out/lenet.bin")
    [ "$bin_size" -gt 0 ] || fail "empty .bin"
    # from another directory: .incbin must find lenet.bin through -I
    local ccmd=("$cc"); [ "$cc" = clang ] && ccmd=(clang --target="$triple")
    (cd "$tmp/obj" && "${ccmd[@]}" -c -I"$out" "$out/lenet_weights.S" -o w.o)
    # the C side: the generated declaration, in a freestanding unit (no SDK headers needed)
    { grep '^extern const unsigned char lenet_weights\[\];$' "$out/lenet.c" ||
        fail "no extern declaration of lenet_weights in lenet.c"
      echo 'const void *lenet_ref(void);'
      echo 'const void *lenet_ref(void) { return lenet_weights; }'; } > "$tmp/obj/ref.c"
    clang --target="$triple" -std=c99 -Wall -Wextra -pedantic -Werror -ffreestanding -c "$tmp/obj/ref.c" -o "$tmp/obj/r.o"
    local want_sym=lenet_weights; [ $macho = 1 ] && want_sym=_lenet_weights
    local undef; undef=$(llvm-nm -u "$tmp/obj/r.o" | awk '{ print $NF }')
    [ "$undef" = "$want_sym" ] || fail "$triple: the C code refers to '$undef', expected '$want_sym'"
    local defs; defs=$(llvm-nm --defined-only "$tmp/obj/w.o" | awk '$NF !~ /^ltmp/ { print $NF }')
    [ "$defs" = "$want_sym" ] || fail "$triple $cc: the object defines '$defs', expected '$want_sym' only"
    if [ $macho = 1 ]; then
        local seg=__TEXT sect=__const; [ -n "$section" ] && { seg=${section%%,*}; sect=${section#*,}; }
        local nm; nm=$(llvm-nm -m "$tmp/obj/w.o") # (no grep -q in a pipe: pipefail and SIGPIPE)
        grep -qx "0000000000000000 ($seg,$sect) private external $want_sym" <<<"$nm" ||
            fail "$triple: $(grep "$want_sym" <<<"$nm")"
        local hdr; hdr=$(llvm-objdump --macho --private-headers "$tmp/obj/w.o" | grep -A12 "sectname $sect\$")
        grep -q "segname $seg\$" <<<"$hdr" || fail "$triple: section $sect not in segment $seg"
        [ $((16#$(awk '$1 == "size" { sub(/^0x/, "", $2); print $2; exit }' <<<"$hdr"))) = "$bin_size" ] ||
            fail "$triple: section size is not the .bin's $bin_size bytes"
        grep -q 'align 2^6 (64)' <<<"$hdr" || fail "$triple: section not 64-byte aligned"
    else
        local sect=".rodata.lenet_weights"; [ -n "$section" ] && sect="$section"
        local sym; sym=$(llvm-readelf -s "$tmp/obj/w.o" | awk -v s="$want_sym" '$NF == s')
        read -r _ _ size type bind vis _ _ <<<"$sym"
        [ "$size $type $bind $vis" = "$bin_size OBJECT GLOBAL HIDDEN" ] ||
            fail "$triple $cc: symbol is '$size $type $bind $vis', expected '$bin_size OBJECT GLOBAL HIDDEN'"
        local sh; sh=$(llvm-readelf -S "$tmp/obj/w.o" | sed 's/^ *\[ *[0-9]*\] *//' | awk -v s="$sect" '$1 == s')
        [ -n "$sh" ] || fail "$triple $cc: no section $sect"
        read -r _ stype _ _ ssize _ flags _ _ align <<<"$sh"
        [ "$stype" = PROGBITS ] && [ $((16#$ssize)) = "$bin_size" ] && [ "$flags" = A ] && [ "$align" = 64 ] ||
            fail "$triple $cc: section $sect is '$sh'"
        grep -q '\.note\.GNU-stack' <<<"$(llvm-readelf -S "$tmp/obj/w.o")" || fail "$triple $cc: no .note.GNU-stack"
    fi
    echo "$triple ($cc) ${section:-default section}: $want_sym, $bin_size bytes, ok"
}

check x86_64-linux-gnu gcc ""
check x86_64-linux-gnu gcc .nnc_weights
check x86_64-linux-gnu clang ""
check x86_64-linux-gnu clang .nnc_weights
check aarch64-linux-gnu clang ""
if command -v aarch64-linux-gnu-gcc >/dev/null; then check aarch64-linux-gnu aarch64-linux-gnu-gcc .nnc_weights; fi
for t in x86_64-apple-macos arm64-apple-macos; do
    check "$t" clang ""
    check "$t" clang "__DATA,__nnc_weights"
done
echo "incbin assembler ok"
