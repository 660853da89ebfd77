// The "leveldb" storage plugin: every log stream and every key/value store
// is its own LevelDB database in the directory the host names, all of them
// sharing one block cache. sluice::KvStoragePlugin (sluice/kv_storage.h)
// does the directories and the logs (a sluice::KvLog on a database); the
// engine made here opens and destroys the databases.
//
//   std::unique_ptr<LevelDbStorage> storage;
//   Status s = LevelDbStorage::Create(host, options, &storage);
//   std::unique_ptr<sluice::Log> log;
//   s = storage->OpenLog("trips/v0001", home + "/pipeline/logs/trips/v0001/log", true, &log);
#ifndef SLUICE_PLUGINS_STORAGE_LEVELDB_LEVELDB_ENGINE_H_
#define SLUICE_PLUGINS_STORAGE_LEVELDB_LEVELDB_ENGINE_H_

#include <memory>

#include "sluice/host_services.h"
#include "sluice/kv_storage.h"
#include "sluice/status.h"

namespace sluice::storage_leveldb {

// block_cache_mb, write_buffer_mb, compression, log_compression and
// paranoid_checks (sluice::KvStorageOptions), with LevelDB's defaults:
// caches and logs uncompressed (a cache is derived and local, and
// uncompressed it builds and answers with less CPU; a log is written once
// and read in order), paranoid checks on (every block read verified).
// Compressions: snappy or none. And LevelDB's own: mmap_mb, the most
// table-file bytes of the instance's key/value stores memory-mapped at once
// (table_files.h); logs are never mapped (read once, in order).
struct Settings : KvStorageOptions {
  int64_t mmap_mb = 1024;
};

// The declared options: the shared ones (kKvStorageOptions) and mmap_mb.
inline constexpr OptionSpec kLevelDbOptions[] = {
    kv_option::kBlockCacheMb,
    kv_option::kWriteBufferMb,
    kv_option::kCompression,
    kv_option::kLogCompression,
    kv_option::kParanoidChecks,
    opt::Int("mmap_mb",
             "the most bytes of cache table files memory-mapped at once, for all databases; "
             "further tables are read into the block cache (bounds the file-backed RSS)")
        .Range(0, 1 << 20)
        .Unit("MiB")
        .Default("1024"),
};

// Parses and validates `options` (kLevelDbOptions). INVALID_ARGUMENT
// naming the key, the value found and what is accepted; unknown keys are
// errors too.
Status ParseSettings(const Options& options, Settings* out);

// What sluice::KvStoragePlugin needs of the engine.
struct LevelDbTraits {
  static constexpr const auto& kOptions = kLevelDbOptions;
  // snappy and none.
  static KvCodecs Codecs() { return {{"snappy", "none"}, {}, "LevelDB"}; }
  // The engine of one plugin instance (ParseSettings' errors for bad
  // options). Thread-safe; stores it opens keep it alive.
  static Status Make(const HostServices& host, const Options& options,
                     std::shared_ptr<KvStorage::Engine>* out);
};

// The plugin class.
using LevelDbStorage = KvStoragePlugin<LevelDbTraits>;

}  // namespace sluice::storage_leveldb

#endif  // SLUICE_PLUGINS_STORAGE_LEVELDB_LEVELDB_ENGINE_H_
