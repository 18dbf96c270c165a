#!/usr/bin/env bash
# nnc inside products (examples/cmake_app, examples/makefile_app).
#   product_test.sh SRC install       build nnc from a copy of the sources,
#       install it to a temporary prefix, delete the copy and the build tree,
#       then: the installed nnc's --cflags/--libs point into the prefix and
#       `nnc verify` works; cmake_app builds with find_package(nnc) and runs
#       (the LeNet builds agree, tiny_mlp passes its self-test); a second
#       build regenerates nothing, touching one model (or its SELFTEST data)
#       regenerates only that one; makefile_app builds with pkg-config and
#       runs; cmake_app cross-builds for AArch64 (if aarch64-linux-gnu-gcc and
#       qemu-aarch64 exist) and runs under qemu.
#   product_test.sh SRC subdirectory  cmake_app with add_subdirectory(SRC):
#       nnc is built inside the product.
#   product_test.sh SRC subdirectory_cross NNC  cmake_app with
#       add_subdirectory(SRC) cross-compiled for AArch64 (the example's
#       toolchain file), NNC_EXECUTABLE naming a build-machine nnc (a copy of
#       NNC): only the runtime is built from nnc's tree, the host nnc
#       generates (neon for the fast LeNet), the result runs under
#       qemu-aarch64; a no-op rebuild regenerates nothing, a newer nnc
#       regenerates every model. Skipped (77) without the cross tools.
set -euo pipefail
SRC="$(realpath "$1")" MODE="$2"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp -r "$SRC/examples" "$tmp/examples"
APP="$tmp/examples/cmake_app"
run_app() { out="$("$@")"; echo "$out"; grep -q "agrees with lenet_portable" <<<"$out" && grep -q "self-test passed" <<<"$out"; }

if [ "$MODE" = subdirectory_cross ]; then
    command -v aarch64-linux-gnu-gcc >/dev/null && command -v qemu-aarch64 >/dev/null ||
        { echo "skipped: no aarch64-linux-gnu-gcc or qemu-aarch64 (scripts/install-deps.sh)"; exit 77; }
    cp "$(realpath "$3")" "$tmp/host-nnc"
    cmake -S "$APP" -B "$tmp/arm" -DCMAKE_TOOLCHAIN_FILE="$APP/aarch64-linux-gnu.cmake" -DNNC_SOURCE_DIR="$SRC" \
          -DNNC_EXECUTABLE="$tmp/host-nnc" -DAPP_FAST_ISA=neon >/dev/null
    nice cmake --build "$tmp/arm" -j2 >/dev/null
    [ ! -e "$tmp/arm/nnc/nnc" ] && [ ! -e "$tmp/arm/nnc/libnnccore.a" ] ||
        { echo "FAIL: the compiler was built for the target"; exit 1; }
    file "$tmp/arm/app" | grep -q aarch64 || { echo "FAIL: not an AArch64 program: $(file "$tmp/arm/app")"; exit 1; }
    file "$tmp/arm/nnc/runtime/libnncrt.a" >/dev/null
    run_app qemu-aarch64 -L /usr/aarch64-linux-gnu "$tmp/arm/app"
    grep -q "target neon" "$tmp/arm/nnc_lenet_fast/lenet_fast.c" || { echo "FAIL: lenet_fast is not neon code"; exit 1; }
    regen() { cmake --build "$tmp/arm" | sed -n 's/.*nnc \(.*\) -> \(.*\)/\2/p' | sort | tr '\n' ' '; }
    [ -z "$(regen)" ] || { echo "FAIL: a no-op rebuild regenerated: $(regen)"; exit 1; }
    touch "$tmp/host-nnc"
    [ "$(regen)" = "lenet_fast.c lenet_portable.c tiny_mlp.c " ] ||
        { echo "FAIL: a newer NNC_EXECUTABLE did not regenerate every model"; exit 1; }
    run_app qemu-aarch64 -L /usr/aarch64-linux-gnu "$tmp/arm/app"
    echo "subdirectory cross build with NNC_EXECUTABLE ok"
    exit 0
fi

if [ "$MODE" = subdirectory ]; then
    cmake -S "$APP" -B "$tmp/b" -DCMAKE_BUILD_TYPE=Release -DNNC_SOURCE_DIR="$SRC" >/dev/null
    nice cmake --build "$tmp/b" -j2 >/dev/null
    run_app "$tmp/b/app"
    [ -z "$(cmake --build "$tmp/b" | grep 'nnc .* -> ' || true)" ] || { echo "FAIL: rebuild regenerated"; exit 1; }
    echo "subdirectory ok"
    exit 0
fi

# A copy of what a release tarball holds; the copy and its build are deleted.
mkdir "$tmp/src"
cp -r "$SRC/CMakeLists.txt" "$SRC/cmake" "$SRC/compiler" "$SRC/runtime" "$SRC/templates" "$SRC/tools" "$tmp/src/"
cmake -S "$tmp/src" -B "$tmp/build" -DCMAKE_BUILD_TYPE=Release -DNNC_BUILD_TESTS=OFF >/dev/null
nice cmake --build "$tmp/build" -j2 >/dev/null
cmake --install "$tmp/build" --prefix "$tmp/prefix" >/dev/null
rm -rf "$tmp/src" "$tmp/build"
P="$tmp/prefix" NNC="$tmp/prefix/bin/nnc"

[ "$("$NNC" --cflags)" = "-I$P/include/nnc" ] || { echo "FAIL: --cflags: $("$NNC" --cflags)"; exit 1; }
[ "$("$NNC" --libs)" = "$P/lib/libnncrt.a -lm" ] || { echo "FAIL: --libs: $("$NNC" --libs)"; exit 1; }
"$NNC" verify "$APP/tiny_mlp.onnx"
grep -qw avx2 /proc/cpuinfo && "$NNC" verify "$APP/tiny_mlp.onnx" --target avx2

# cmake_app against the installed package
cmake -S "$APP" -B "$tmp/app" -DCMAKE_PREFIX_PATH="$P" >/dev/null
nice cmake --build "$tmp/app" -j2 >/dev/null
run_app "$tmp/app/app"
regen() { cmake --build "$tmp/app" | sed -n 's/.*nnc \(.*\) -> \(.*\)/\2/p' | sort | tr '\n' ' '; }
[ -z "$(regen)" ] || { echo "FAIL: a no-op rebuild regenerated: $(regen)"; exit 1; }
touch "$APP/tiny_mlp.onnx"
[ "$(regen)" = "tiny_mlp.c " ] || { echo "FAIL: touching tiny_mlp.onnx did not regenerate only it"; exit 1; }
touch "$APP/test_data_set_0/output_0.pb" # tiny_mlp's SELFTEST data
[ "$(regen)" = "tiny_mlp.c " ] || { echo "FAIL: touching its SELFTEST data did not regenerate only tiny_mlp"; exit 1; }
cmake -S "$APP" -B "$tmp/app" -DAPP_FAST_ISA=generic >/dev/null
[ "$(regen)" = "lenet_fast.c " ] || { echo "FAIL: a changed ISA did not regenerate only lenet_fast"; exit 1; }
run_app "$tmp/app/app"

# makefile_app with pkg-config
PKG_CONFIG_PATH="$P/lib/pkgconfig" make -s -C "$tmp/examples/makefile_app" BUILD="$tmp/mk" >/dev/null
"$tmp/mk/app" | grep "^class [0-9]$"

# cross build: the build machine's nnc generates, the AArch64 compiler compiles
if command -v aarch64-linux-gnu-gcc >/dev/null && command -v qemu-aarch64 >/dev/null; then
    isa=generic
    "$NNC" "$APP/tiny_mlp.onnx" -o "$tmp/probe.c" --target neon >/dev/null 2>&1 && isa=neon
    cmake -S "$APP" -B "$tmp/arm" -DCMAKE_TOOLCHAIN_FILE="$APP/aarch64-linux-gnu.cmake" \
          -Dnnc_DIR="$P/lib/cmake/nnc" -DAPP_FAST_ISA=$isa >/dev/null
    nice cmake --build "$tmp/arm" -j2 >/dev/null
    file "$tmp/arm/app" | grep -q aarch64
    run_app qemu-aarch64 -L /usr/aarch64-linux-gnu "$tmp/arm/app"
    echo "cross build ($isa) ok"
else
    echo "no aarch64 cross compiler or qemu-aarch64: cross build not tested"
fi
echo "product install ok"
