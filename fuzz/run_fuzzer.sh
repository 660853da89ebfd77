#!/usr/bin/env bash
# Builds one libFuzzer target of fuzz/ with clang (libFuzzer, ASan, UBSan) in
# BUILD_DIR and runs it for SECONDS over its seed corpus; any crash or failed
# check fails the run, and the input that caused it is saved in BUILD_DIR.
#
#   fuzz/run_fuzzer.sh TARGET BUILD_DIR [SECONDS=60] [SEED]
#
# SEED (or $SLUICE_FUZZ_SEED) fixes libFuzzer's random seed, so that a run
# can be repeated (over the same corpus); without one, libFuzzer picks a
# seed and prints it ("INFO: Seed: N"), and a failure says how to repeat it.
# $SLUICE_FUZZ_STORAGE_PLUGIN (query target only) puts the tables on a real
# storage plugin's .so instead of in memory.
#
# TARGET is `query` (query_fuzzer.cc, corpus/query, query.dict), `urlquery`
# (urlquery_fuzzer.cc, corpus/urlquery, urlquery.dict) or `http`
# (http_fuzzer.cc, corpus/http, http.dict). Exits 77 (CTest: skipped),
# saying why, when clang++ (or $SLUICE_FUZZ_CXX) is missing or cannot link a
# libFuzzer target.
set -euo pipefail
src="$(cd "$(dirname "$0")" && pwd)"
target="${1:?usage: run_fuzzer.sh query|http|urlquery BUILD_DIR [SECONDS]}"
build="${2:?usage: run_fuzzer.sh query|http|urlquery BUILD_DIR [SECONDS]}"
seconds="${3:-60}"
seed="${4:-${SLUICE_FUZZ_SEED:-}}"
cxx="${SLUICE_FUZZ_CXX:-clang++}"
case "$target" in
  query|http|urlquery) ;;
  *) echo "unknown fuzz target '$target': expected query, http or urlquery" >&2; exit 2 ;;
esac

if ! command -v "$cxx" >/dev/null 2>&1; then
  echo "SKIPPED: $cxx not found; install clang (Debian: apt-get install clang) to run the $target fuzzer"
  exit 77
fi
mkdir -p "$build/probe"
printf 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }\n' \
  > "$build/probe/probe.cc"
if ! "$cxx" -fsanitize=fuzzer,address,undefined "$build/probe/probe.cc" -o "$build/probe/probe" \
    > "$build/probe/log" 2>&1; then
  echo "SKIPPED: $cxx cannot link a libFuzzer target (Debian: apt-get install libclang-rt-14-dev):"
  head -5 "$build/probe/log"
  exit 77
fi

generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
cmake -S "$src" -B "$build" "${generator[@]}" -DCMAKE_CXX_COMPILER="$cxx" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo > "$build/configure.log" || { cat "$build/configure.log"; exit 1; }
cmake --build "$build" --target "${target}_fuzzer"

# New inputs go to the build's corpus; the checked-in seeds are only read.
mkdir -p "$build/corpus"
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"
# libFuzzer's own failure exit code is 77, CTest's "skipped": use 1.
seed_args=()
if [ -n "$seed" ]; then
  case "$seed" in
    *[!0-9]*) echo "seed '$seed': expected a non-negative integer" >&2; exit 2 ;;
  esac
  seed_args=(-seed="$seed")
fi
log="$build/fuzz.log"
status=0
"$build/${target}_fuzzer" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
  -error_exitcode=1 -timeout_exitcode=1 "${seed_args[@]}" \
  -dict="$src/$target.dict" -artifact_prefix="$build/" -print_final_stats=1 \
  "$build/corpus" "$src/corpus/$target" 2>&1 | tee "$log" || status=$?
if [ "$status" -ne 0 ]; then
  used="$(sed -n 's/^INFO: Seed: \([0-9]*\).*/\1/p' "$log" | head -1)"
  echo "$target fuzzer failed; the input is in $build/ (crash-*); to repeat this run:" >&2
  echo "  fuzz/run_fuzzer.sh $target $build $seconds ${used:-SEED}" >&2
  exit 1
fi
echo "$target fuzzer: no crash in ${seconds}s"
