#!/usr/bin/env bash
# The whole test suite: install dependencies, build, run every ctest test
# (unit, bad input, ONNX node conformance, model zoo golden tests, generated
# code warnings and sanitizers, install, example).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/install-deps.sh"
"$ROOT/scripts/build.sh"
cd "$ROOT/build"
ctest --output-on-failure -j "$(nproc)" "$@"
