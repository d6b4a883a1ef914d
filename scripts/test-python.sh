#!/usr/bin/env bash
# Runs the Python package's tests (python/tests) against a build folder's
# extension and CLI: scripts/test-python.sh [BUILD_DIR] (default build/ci).
#
# The package is staged in BUILD_DIR/python-stage (python/greenrun + the
# built _greenrun*.so) and put on PYTHONPATH; GREENRUN_CLI points at the
# build's greenrun. An extension built with ASan (the CI preset) needs the
# ASan runtime loaded first into the interpreter: LD_PRELOAD of libasan (and
# libstdc++), with leak detection off (Python itself does not free everything at exit).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/ci}
python=/usr/bin/python3
[[ -x $python ]] || python=python3
ext=$(ls "$build"/python/_greenrun*.so 2>/dev/null | head -1 || true)
if [[ -z $ext ]]; then
  echo "test-python: no $build/python/_greenrun*.so (is pybind11 installed? scripts/install-deps.sh)" >&2
  exit 1
fi
stage=$build/python-stage
rm -rf "$stage"
mkdir -p "$stage"
cp -r python/greenrun "$stage/greenrun"
cp "$ext" "$stage/greenrun/"
export PYTHONPATH=$PWD/$stage
export GREENRUN_CLI=$PWD/$build/apps/greenrun/greenrun
if ldd "$ext" | grep -q libasan; then
  # libstdc++ too: ASan's __cxa_throw interceptor finds the real one only
  # when libstdc++ is loaded at start-up (Python itself does not link it),
  # else the first C++ exception aborts with "real___cxa_throw != 0".
  LD_PRELOAD="$(${CXX:-g++} -print-file-name=libasan.so) $(${CXX:-g++} -print-file-name=libstdc++.so)"
  export LD_PRELOAD
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
fi
exec "$python" -m pytest -q -p no:cacheprovider python/tests "${@:2}"
