// sluice::KvStore on one LevelDB database (bytewise comparator), with its
// snapshots and bounded iterators.
#ifndef SLUICE_PLUGINS_STORAGE_LEVELDB_LEVELDB_KV_H_
#define SLUICE_PLUGINS_STORAGE_LEVELDB_LEVELDB_KV_H_

#include <leveldb/db.h>

#include <memory>
#include <string>

#include "settings.h"
#include "sluice/kv_storage.h"

namespace sluice::storage_leveldb {

// Thread-safe. Snapshots and iterators it creates must be destroyed before
// it; a snapshot passed to Get or NewIterator must come from this store
// (INVALID_ARGUMENT otherwise).
class LevelDbKv : public KvStore {
 public:
  // Wraps the open database `db` kept at `dir`.
  LevelDbKv(std::string dir, std::shared_ptr<const Resources> res, std::unique_ptr<leveldb::DB> db);
  LevelDbKv(const LevelDbKv&) = delete;
  LevelDbKv& operator=(const LevelDbKv&) = delete;
  ~LevelDbKv() override = default;

  // INVALID_ARGUMENT for an op kind other than kPut or kDelete.
  Status Write(const KvOp* ops, size_t count, bool sync) override;
  Status Get(const KvSnapshot* snapshot, std::string_view key, std::string* value) override;
  Status NewSnapshot(std::unique_ptr<KvSnapshot>* out) override;
  Status NewIterator(const KvSnapshot* snapshot, std::string_view lower, std::string_view upper,
                     bool reverse, std::unique_ptr<KvIterator>* out) override;

 private:
  // Read options for `snapshot`; INVALID_ARGUMENT if it is not ours.
  Status ReadOpts(const KvSnapshot* snapshot, leveldb::ReadOptions* out) const;

  const std::string dir_;
  const std::shared_ptr<const Resources> res_;  // declared before db_: outlives it
  const std::unique_ptr<leveldb::DB> db_;
};

}  // namespace sluice::storage_leveldb

#endif  // SLUICE_PLUGINS_STORAGE_LEVELDB_LEVELDB_KV_H_
