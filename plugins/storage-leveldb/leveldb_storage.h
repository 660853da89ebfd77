// The "leveldb" storage plugin: every log stream and every key/value store
// is its own LevelDB database in the directory the host names. All of them
// share one block cache (option block_cache_mb). sluice::KvStorage
// (sluice/kv_storage.h) does the directories and the logs (a sluice::KvLog
// on a database); this class opens and destroys the databases.
//
//   std::unique_ptr<LevelDbStorage> storage;
//   Status s = LevelDbStorage::Create(host, options, &storage);
//   std::unique_ptr<sluice::Log> log;
//   s = storage->OpenLog("trips/v0001", home + "/pipeline/logs/trips/v0001/log", true, &log);
#ifndef SLUICE_PLUGINS_STORAGE_LEVELDB_LEVELDB_STORAGE_H_
#define SLUICE_PLUGINS_STORAGE_LEVELDB_LEVELDB_STORAGE_H_

#include <memory>
#include <string>

#include "settings.h"
#include "sluice/kv_storage.h"

namespace sluice::storage_leveldb {

// Thread-safe. Logs and stores it opens may outlive it (they share the
// cache through a reference count). A database open elsewhere in this or
// another process fails to open with INTERNAL (LevelDB's lock is held).
class LevelDbStorage : public KvStorage {
 public:
  // Validates `options` (see settings.h); INVALID_ARGUMENT naming the bad
  // or unknown key.
  static Status Create(const HostServices& host, const Options& options,
                       std::unique_ptr<LevelDbStorage>* out);

 protected:
  // A database exists where its CURRENT file does.
  bool StoreExists(const std::string& dir) const override;
  Status OpenStore(const std::string& dir, StoreUse use, bool create,
                   std::unique_ptr<KvStore>* out) override;
  // leveldb::DestroyDB: fails while the database is open.
  Status DestroyStore(const std::string& dir) override;

 private:
  LevelDbStorage(HostServices host, std::shared_ptr<const Resources> res)
      : KvStorage(std::move(host)), res_(std::move(res)) {}

  const std::shared_ptr<const Resources> res_;
};

}  // namespace sluice::storage_leveldb

#endif  // SLUICE_PLUGINS_STORAGE_LEVELDB_LEVELDB_STORAGE_H_
