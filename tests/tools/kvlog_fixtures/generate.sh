#!/usr/bin/env bash
# Remakes the legacy chunk-log fixtures: one log stream per layout that
# earlier versions of the storage plugins wrote, written by those versions'
# own code (generate.cc through sluice::StoragePlugin), so that today's
# readers are tested against real files (sluice/testing/kv_log_tests.h,
# tests/e2e/test_log_reader.py; the layouts: docs/formats.md).
#
#   fixture                                                  written by
#   plugins/storage-leveldb/tests/fixtures/single-meta     leveldb plugin at 0ec7d45
#   plugins/storage-leveldb/tests/fixtures/tail-meta       leveldb plugin at 1ecc7e9
#   plugins/storage-rocksdb/tests/fixtures/single-meta     rocksdb plugin at 1ecc7e9
#
# 0ec7d45 is the last commit whose leveldb plugin kept the meta under the
# single key "M"; 1ecc7e9 the last one before the plugins shared one log
# (sluice/kv_log.h). Each fixture is DIR/log (the database, without its LOCK
# and LOG files) and DIR/expected.txt (what the stream holds, as that code
# read it back). Needs git, g++ and Debian's libleveldb-dev and
# librocksdb-dev (scripts/deps.sh). Run from anywhere in the repository.
set -euo pipefail
ROOT=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
HERE=$ROOT/tests/tools/kvlog_fixtures
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# make COMMIT PLUGIN_DIR DEFINE LIB OUT
make() {
  local commit=$1 plugin=$2 define=$3 lib=$4 out=$5
  local src=$TMP/src-$commit-$plugin
  mkdir -p "$src"
  git -C "$ROOT" archive "$commit" sdk "plugins/$plugin" | tar -x -C "$src"
  local sources=()
  for f in "$src/plugins/$plugin"/*.cc; do
    [ "$(basename "$f")" = plugin.cc ] || sources+=("$f")
  done
  g++ -std=c++17 -O1 -D"$define" -I"$src/sdk/include" -I"$src/plugins/$plugin" \
    "$HERE/generate.cc" "${sources[@]}" -l"$lib" -lpthread -o "$TMP/generate"
  rm -rf "$out"
  mkdir -p "$out"
  "$TMP/generate" "$out"
  rm -f "$out/log/LOCK" "$out"/log/LOG*
  echo "wrote $out ($commit, $(grep -c '^record' "$out/expected.txt") records)"
}

make 0ec7d45 storage-leveldb FIXTURE_LEVELDB leveldb \
  "$ROOT/plugins/storage-leveldb/tests/fixtures/single-meta"
make 1ecc7e9 storage-leveldb FIXTURE_LEVELDB leveldb \
  "$ROOT/plugins/storage-leveldb/tests/fixtures/tail-meta"
make 1ecc7e9 storage-rocksdb FIXTURE_ROCKSDB rocksdb \
  "$ROOT/plugins/storage-rocksdb/tests/fixtures/single-meta"
