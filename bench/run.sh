#!/usr/bin/env bash
# Runs sluice's benchmark suite: installs the baselines (PostgreSQL, SQLite,
# nginx, wrk) if missing, builds sluice in Release into build-bench/, and
# runs bench/bench.py, which prints one table per benchmark and writes
# bench/results/<rows>-rows.md. sluice runs on LevelDB and, when their
# plugins build and nats-server is installed, on RocksDB and a NATS
# JetStream log too (otherwise those rows read "not run: <why>").
#
#   bench/run.sh            full run: 1M rows (5M for memory and restart), ~12 min
#   bench/run.sh --smoke    tiny inputs, seconds; skips absent baselines
#   bench/run.sh --rows 10000000
#                           every table at 10M rows, restart and memory (tables 3
#                           and 7) at 10M only; writes bench/results/10000000-rows.md
#   bench/run.sh --fanout   the fan-out benchmark instead (bench/fanout.py: 1,000 SSE
#                           subscribers, 5,000 rows/s, sluice beside nginx + nchan),
#                           writes bench/results/fanout.md; further arguments go to
#                           fanout.py (e.g. --small, --perf DIR)
#
# Other arguments go to bench.py (bench/bench.py --help). Idempotent.
# Environment: SLUICE_BENCH_BUILD overrides the build directory.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${SLUICE_BENCH_BUILD:-$ROOT/build-bench}
smoke=0
fanout=0
for a in "$@"; do
  [ "$a" = --smoke ] && smoke=1
  [ "$a" = --fanout ] && fanout=1
done

"$ROOT/scripts/deps.sh"
if [ "$smoke" = 0 ]; then
  # Baselines, from Debian's packages (the same check as scripts/deps.sh).
  missing=()
  for p in postgresql sqlite3 nginx libnginx-mod-nchan wrk; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    echo "installing: ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
fi

cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSLUICE_BUILD_TESTS=OFF >/dev/null
if [ "$fanout" = 1 ]; then
  ninja -C "$BUILD" sluice lib/sluice/plugins/{storage_leveldb,source_csv,api_rest}.so bin/fanout_load
  args=()
  for a in "$@"; do [ "$a" = --fanout ] || args+=("$a"); done
  exec /usr/bin/python3 "$ROOT/bench/fanout.py" --sluice "$BUILD/bin/sluice" \
    --client "$BUILD/bin/fanout_load" "${args[@]}"
fi
# The host and the plugins the benchmarks load; nothing else.
ninja -C "$BUILD" sluice lib/sluice/plugins/{storage_leveldb,source_csv,api_rest}.so
# The other storage backends and the postgres source (tables 9 and 10); a
# plugin that does not build (libnats-dev or libpq-dev missing: the plugin
# is not even a target) makes its rows read "not run", the rest still runs.
for plugin in storage_rocksdb log_nats source_postgres; do
  ninja -C "$BUILD" "lib/sluice/plugins/$plugin.so" || {
    echo "bench: the $plugin plugin did not build; its rows are not run" >&2
    rm -f "$BUILD/lib/sluice/plugins/$plugin.so"  # never benchmark a stale one
  }
done
# The gRPC benchmark needs the grpc plugin and the C++ load client; without
# them it is skipped (and says so), the rest still runs.
grpc=()
if ninja -C "$BUILD" lib/sluice/plugins/api_grpc.so &&
   cmake -S "$ROOT/bench/grpc_load" -B "$BUILD/grpc_load" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null &&
   ninja -C "$BUILD/grpc_load"; then
  grpc=(--grpc-load "$BUILD/grpc_load/grpc_load")
else
  echo "bench: the grpc plugin or bench/grpc_load did not build; the gRPC benchmark is skipped" >&2
fi
exec /usr/bin/python3 "$ROOT/bench/bench.py" --sluice "$BUILD/bin/sluice" "${grpc[@]}" "$@"
