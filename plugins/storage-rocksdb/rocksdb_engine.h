// The "rocksdb" storage plugin: every log stream and every key/value store
// is its own RocksDB database in the directory the host names, all of them
// sharing one block cache and RocksDB's background thread pools, their
// diagnostics going to the host's log. sluice::KvStoragePlugin
// (sluice/kv_storage.h) does the directories and the logs (a sluice::KvLog
// on a database); the engine made here opens and destroys the databases.
//
//   std::unique_ptr<RocksDbStorage> storage;
//   Status s = RocksDbStorage::Create(host, options, &storage);
//   std::unique_ptr<sluice::Log> log;
//   s = storage->OpenLog("trips/v0001", home + "/pipeline/logs/trips/v0001/log", true, &log);
#ifndef SLUICE_PLUGINS_STORAGE_ROCKSDB_ROCKSDB_ENGINE_H_
#define SLUICE_PLUGINS_STORAGE_ROCKSDB_ROCKSDB_ENGINE_H_

#include <rocksdb/status.h>

#include <cstdint>
#include <memory>
#include <string_view>

#include "sluice/host_services.h"
#include "sluice/kv_storage.h"
#include "sluice/status.h"

namespace sluice::storage_rocksdb {

// The options every embedded engine plugin takes (sluice::KvStorageOptions),
// with RocksDB's defaults: caches lz4 (none when the library lacks it), logs
// uncompressed (written once, read in order), paranoid checks on; and
// RocksDB's own.
struct Settings : KvStorageOptions {
  int64_t max_background_jobs = 2;  // flushes + compactions, per database
};

// Parses and validates `options`. INVALID_ARGUMENT naming the key, the
// value found and what is accepted; unknown keys are errors too, and so is
// a compression this RocksDB build does not support (the message lists the
// ones it does). Compressions: none, snappy, lz4, zstd.
Status ParseSettings(const Options& options, Settings* out);

// Converts a RocksDB status into a sluice Status whose message names the
// operation and the path: "rocksdb put /x/log: IO error: ...". Corruption
// becomes DATA_LOSS, NotFound NOT_FOUND, InvalidArgument INVALID_ARGUMENT,
// Busy/TryAgain UNAVAILABLE, out of space RESOURCE_EXHAUSTED, everything
// else INTERNAL.
Status FromRocksDb(const rocksdb::Status& s, std::string_view op, std::string_view path);

// The declared options: the shared ones (kKvStorageOptions), compression
// defaulting to lz4 when the library has it, and max_background_jobs.
inline constexpr OptionSpec kRocksDbOptions[] = {
    kv_option::kBlockCacheMb,
    kv_option::kWriteBufferMb,
    opt::String("compression",
                "table compression of the key/value stores (caches): none, snappy, lz4 or zstd "
                "(default lz4 when this RocksDB has it, else none)"),
    kv_option::kLogCompression,
    kv_option::kParanoidChecks,
    opt::Int("max_background_jobs", "flushes and compactions at once, per database")
        .Range(1, 64)
        .Default("2"),
};

// What sluice::KvStoragePlugin needs of the engine.
struct RocksDbTraits {
  static constexpr const auto& kOptions = kRocksDbOptions;
  // The compressions this RocksDB library was built with (of none, snappy,
  // lz4, zstd).
  static KvCodecs Codecs();
  // The engine of one plugin instance (ParseSettings' errors for bad
  // options). Thread-safe; stores it opens keep it alive.
  static Status Make(const HostServices& host, const Options& options,
                     std::shared_ptr<KvStorage::Engine>* out);
};

// The plugin class.
using RocksDbStorage = KvStoragePlugin<RocksDbTraits>;

}  // namespace sluice::storage_rocksdb

#endif  // SLUICE_PLUGINS_STORAGE_ROCKSDB_ROCKSDB_ENGINE_H_
