#!/usr/bin/env bash
# Configure and build nnc into build/ (the compiler ends up at build/nnc).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cmake -S "$ROOT" -B "$ROOT/build" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" >/dev/null
cmake --build "$ROOT/build" -j "$(nproc)"
