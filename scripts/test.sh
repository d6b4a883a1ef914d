#!/usr/bin/env bash
# The one test command: installs what is missing, builds the CI preset
# (optimised, warnings as errors, ASan+UBSan), runs every test with ctest,
# then the Python package's tests, then the bounded libFuzzer smoke runs (FUZZ_SECONDS each, default 20).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
jobs=$(nproc)
cmake --preset ci >/dev/null
cmake --build --preset ci -j "$jobs"
ctest --preset ci -j "$jobs"
# The Python package (python/tests) against the CI build's extension and CLI.
scripts/test-python.sh build/ci
if [[ -x scripts/fuzz-smoke.sh ]]; then
  scripts/fuzz-smoke.sh
fi
