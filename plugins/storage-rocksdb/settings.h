// Options of the "rocksdb" storage plugin, validated once at creation, and
// the RocksDB objects every database of one plugin instance shares.
//
//   std::shared_ptr<const Resources> res;
//   Status s = MakeResources(host, options, &res);  // INVALID_ARGUMENT on bad options
//   rocksdb::Options o = res->DbOptions(KvStorage::StoreUse::kLog, /*create=*/true, dir);
#ifndef SLUICE_PLUGINS_STORAGE_ROCKSDB_SETTINGS_H_
#define SLUICE_PLUGINS_STORAGE_ROCKSDB_SETTINGS_H_

#include <rocksdb/cache.h>
#include <rocksdb/options.h>
#include <rocksdb/status.h>
#include <rocksdb/table.h>

#include <cstdint>
#include <memory>
#include <string>
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

// Settings plus the block cache and table factories shared by all
// databases of one plugin instance. Immutable after creation; thread-safe.
// Every open database holds a shared_ptr so these outlive it.
class Resources {
 public:
  Resources(const Settings& settings, HostServices host);
  Resources(const Resources&) = delete;
  Resources& operator=(const Resources&) = delete;

  const Settings& settings() const { return settings_; }
  const HostServices& host() const { return host_; }
  // RocksDB options for the database in `dir`, holding `use`. RocksDB's own
  // diagnostics go to the host's log (no LOG files in `dir`).
  rocksdb::Options DbOptions(KvStorage::StoreUse use, bool create, const std::string& dir) const;
  // Read options every read of the instance uses.
  rocksdb::ReadOptions ReadOpts() const;

 private:
  const Settings settings_;
  const HostServices host_;
  std::shared_ptr<rocksdb::Cache> cache_;
  std::shared_ptr<rocksdb::TableFactory> log_tables_;
  std::shared_ptr<rocksdb::TableFactory> kv_tables_;
};

Status MakeResources(const HostServices& host, const Options& options,
                     std::shared_ptr<const Resources>* out);

// Converts a RocksDB status into a sluice Status whose message names the
// operation and the path: "rocksdb put /x/log: IO error: ...". Corruption
// becomes DATA_LOSS, NotFound NOT_FOUND, InvalidArgument INVALID_ARGUMENT,
// Busy/TryAgain UNAVAILABLE, out of space RESOURCE_EXHAUSTED, everything
// else INTERNAL.
Status FromRocksDb(const rocksdb::Status& s, std::string_view op, std::string_view path);

}  // namespace sluice::storage_rocksdb

#endif  // SLUICE_PLUGINS_STORAGE_ROCKSDB_SETTINGS_H_
