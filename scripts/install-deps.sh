#!/usr/bin/env bash
# Install everything nnc needs on Debian 12 with apt-get: build tools, the
# protobuf-c toolchain, ONNX's proto definition, CUnit, both C compilers, and
# Debian's torch/onnx/numpy for test references and the example's dataset;
# for the neon and 32-bit ARM tests, the AArch64 and ARM hard-float cross
# compilers with their C libraries, qemu's user-mode emulators, and llvm
# (llvm-mca for looking at kernels' schedules).
# Does nothing when every package is already installed.
set -euo pipefail
PKGS=(build-essential cmake pkg-config gcc clang libclang-rt-14-dev
      libprotobuf-c-dev protobuf-c-compiler libonnx-dev libcunit1-dev zlib1g-dev
      python3 python3-numpy python3-torch python3-torchvision python3-onnx
      dataset-fashion-mnist
      gcc-aarch64-linux-gnu libc6-dev-arm64-cross gcc-arm-linux-gnueabihf libc6-dev-armhf-cross qemu-user llvm)
missing=()
for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
