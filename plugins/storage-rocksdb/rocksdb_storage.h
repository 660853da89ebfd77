// The "rocksdb" storage plugin: every log stream and every key/value store
// is its own RocksDB database in the directory the host names. All of them
// share one block cache (option block_cache_mb) and RocksDB's background
// thread pools. A log is a sluice::KvLog (sluice/kv_log.h) on its database.
//
//   std::unique_ptr<RocksDbStorage> storage;
//   Status s = RocksDbStorage::Create(host, options, &storage);
//   std::unique_ptr<sluice::Log> log;
//   s = storage->OpenLog("trips/v0001", home + "/pipeline/logs/trips/v0001/log", true, &log);
#ifndef SLUICE_PLUGINS_STORAGE_ROCKSDB_ROCKSDB_STORAGE_H_
#define SLUICE_PLUGINS_STORAGE_ROCKSDB_ROCKSDB_STORAGE_H_

#include <rocksdb/db.h>

#include <memory>
#include <string>

#include "settings.h"
#include "sluice/storage.h"

namespace sluice::storage_rocksdb {

// Thread-safe. Logs and stores it opens may outlive it (they share the
// cache through a reference count).
class RocksDbStorage : public StoragePlugin {
 public:
  // Validates `options` (see settings.h); INVALID_ARGUMENT naming the bad
  // or unknown key.
  static Status Create(const HostServices& host, const Options& options,
                       std::unique_ptr<RocksDbStorage>* out);

  // The database lives directly in `dir` (created with its parents when
  // `create`). NOT_FOUND if there is none and !create. A database open
  // elsewhere in this or another process fails with INTERNAL (lock held).
  Status OpenLog(const std::string& name, const std::string& dir, bool create,
                 std::unique_ptr<Log>* out) override;
  // Deletes the database in `dir`; OK when there is none.
  Status RemoveLog(const std::string& name, const std::string& dir) override;
  Status OpenKv(const std::string& dir, bool create, std::unique_ptr<KvStore>* out) override;
  Status RemoveKv(const std::string& dir) override;

 private:
  RocksDbStorage(HostServices host, std::shared_ptr<const Resources> res)
      : host_(std::move(host)), res_(std::move(res)) {}

  // Opens (or creates) the database in `dir`. `what` names it in errors.
  Status OpenDb(const std::string& what, const std::string& dir, DbKind kind, bool create,
                std::unique_ptr<rocksdb::DB>* out);
  Status DestroyDb(const std::string& what, const std::string& dir);

  const HostServices host_;
  const std::shared_ptr<const Resources> res_;
};

}  // namespace sluice::storage_rocksdb

#endif  // SLUICE_PLUGINS_STORAGE_ROCKSDB_ROCKSDB_STORAGE_H_
