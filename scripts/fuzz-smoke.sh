#!/usr/bin/env bash
# Fuzz smoke test: configures and builds the `fuzz` preset's libFuzzer targets
# (clang, ASan+UBSan) and runs each for a bounded time from its seed corpus
# in fuzz/corpus/<target>/. Fails on any crash, sanitizer report, timeout or
# out-of-memory. The seed folders are read, never written: new inputs go to a
# scratch folder under build/fuzz/.
#
#   FUZZ_SECONDS   seconds per target (default 20)
#   FUZZ_JOBS      build parallelism (default 2)
#   FUZZ_TARGETS   space-separated subset (default: every fuzz/corpus/* folder)
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-20}"
jobs="${FUZZ_JOBS:-2}"
build=build/fuzz

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz --target greenrun_fuzzers -j "$jobs"

if [[ -n "${FUZZ_TARGETS:-}" ]]; then
  read -r -a targets <<<"$FUZZ_TARGETS"
else
  targets=()
  for d in fuzz/corpus/*/; do targets+=("$(basename "$d")"); done
fi

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"

failed=()
for t in "${targets[@]}"; do
  bin="$build/fuzz/$t"
  [[ -x "$bin" ]] || { echo "fuzz-smoke: no binary $bin" >&2; exit 1; }
  work="$build/fuzz-work/$t"
  rm -rf "$work" && mkdir -p "$work/corpus" "$work/artifacts"
  log="$work/log.txt"
  echo "fuzz-smoke: $t for ${seconds}s"
  if "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
       -artifact_prefix="$work/artifacts/" -print_final_stats=1 \
       "$work/corpus" "fuzz/corpus/$t" >"$log" 2>&1 &&
     ! grep -qE "ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:" "$log"; then
    grep -E "^stat::number_of_executed_units" "$log" | sed "s/^/  /" || true
  else
    echo "fuzz-smoke: $t FAILED; last lines of $log:" >&2
    tail -n 40 "$log" >&2
    ls "$work/artifacts" >&2 || true
    failed+=("$t")
  fi
done

if ((${#failed[@]})); then
  echo "fuzz-smoke: failures in: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz-smoke: ${#targets[@]} targets clean (${seconds}s each)"
