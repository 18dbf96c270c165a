#!/usr/bin/env bash
# The main job: install dependencies, build nnc, compile the Fashion-MNIST
# LeNet-5 with it, classify the 10,000 test images in C, and compare the
# accuracy with torch's.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/install-deps.sh"
"$ROOT/scripts/build.sh"
"$ROOT/examples/fashion_mnist/run.sh" "$ROOT/build/nnc"
