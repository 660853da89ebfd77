// Options of the "leveldb" storage plugin, validated once at creation, and
// the LevelDB objects every database of one plugin instance shares.
//
//   std::shared_ptr<const Resources> res;
//   Status s = MakeResources(options, &res);     // INVALID_ARGUMENT on bad options
//   leveldb::Options o = res->DbOptions(KvStorage::StoreUse::kLog, /*create=*/true);
#ifndef SLUICE_PLUGINS_STORAGE_LEVELDB_SETTINGS_H_
#define SLUICE_PLUGINS_STORAGE_LEVELDB_SETTINGS_H_

#include <leveldb/cache.h>
#include <leveldb/filter_policy.h>
#include <leveldb/options.h>
#include <leveldb/status.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "sluice/host_services.h"
#include "sluice/kv_storage.h"
#include "sluice/status.h"

namespace sluice::storage_leveldb {

// block_cache_mb, write_buffer_mb, compression, log_compression and
// paranoid_checks (sluice::KvStorageOptions), with LevelDB's defaults:
// caches and logs uncompressed (a cache is derived and local, and
// uncompressed it builds and answers with less CPU; a log is written once
// and read in order), no paranoid checks.
using Settings = KvStorageOptions;

// Parses and validates `options`. INVALID_ARGUMENT naming the key, the
// value found and what is accepted; unknown keys are errors too.
// Compressions: snappy or none.
Status ParseSettings(const Options& options, Settings* out);

// Settings plus the block cache and bloom filter shared by all databases
// of one plugin instance. Immutable after creation; thread-safe. Every open
// database holds a shared_ptr so these outlive it.
class Resources {
 public:
  explicit Resources(const Settings& settings);
  Resources(const Resources&) = delete;
  Resources& operator=(const Resources&) = delete;

  const Settings& settings() const { return settings_; }
  // LevelDB options for one database holding `use`.
  leveldb::Options DbOptions(KvStorage::StoreUse use, bool create) const;

 private:
  Settings settings_;
  std::unique_ptr<leveldb::Cache> cache_;
  std::unique_ptr<const leveldb::FilterPolicy> filter_;
};

Status MakeResources(const Options& options, std::shared_ptr<const Resources>* out);

// Converts a LevelDB status into a sluice Status whose message names the
// operation and the path: "leveldb put /x/log: IO error: ...". Corruption
// becomes DATA_LOSS, NotFound NOT_FOUND, InvalidArgument INVALID_ARGUMENT,
// everything else INTERNAL.
Status FromLevelDb(const leveldb::Status& s, std::string_view op, std::string_view path);

}  // namespace sluice::storage_leveldb

#endif  // SLUICE_PLUGINS_STORAGE_LEVELDB_SETTINGS_H_
