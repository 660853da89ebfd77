// sluice::KvStore on one RocksDB database (bytewise comparator).
#ifndef SLUICE_PLUGINS_STORAGE_ROCKSDB_ROCKSDB_KV_H_
#define SLUICE_PLUGINS_STORAGE_ROCKSDB_ROCKSDB_KV_H_

#include <rocksdb/db.h>

#include <memory>
#include <string>

#include "settings.h"
#include "sluice/kv_storage.h"

namespace sluice::storage_rocksdb {

// Thread-safe. Snapshots and iterators must be destroyed before the store;
// a snapshot passed to Get or NewIterator must come from this store
// (INVALID_ARGUMENT otherwise).
class RocksDbKv : public KvStore {
 public:
  // Wraps the open database `db` kept at `dir`.
  RocksDbKv(std::string dir, std::shared_ptr<const Resources> res, std::unique_ptr<rocksdb::DB> db);
  RocksDbKv(const RocksDbKv&) = delete;
  RocksDbKv& operator=(const RocksDbKv&) = delete;
  ~RocksDbKv() override;

  // INVALID_ARGUMENT for an op kind other than kPut or kDelete.
  Status Write(const KvOp* ops, size_t count, bool sync) override;
  Status Get(const KvSnapshot* snapshot, std::string_view key, std::string* value) override;
  Status NewSnapshot(std::unique_ptr<KvSnapshot>* out) override;
  // The bounds are handed to RocksDB (iterate_lower_bound/upper_bound), so
  // the iterator never reads past them.
  Status NewIterator(const KvSnapshot* snapshot, std::string_view lower, std::string_view upper,
                     bool reverse, std::unique_ptr<KvIterator>* out) override;

 private:
  // Read options for `snapshot`; INVALID_ARGUMENT if it is not ours.
  Status ReadOpts(const KvSnapshot* snapshot, rocksdb::ReadOptions* out) const;

  const std::string dir_;
  const std::shared_ptr<const Resources> res_;  // declared before db_: outlives it
  const std::unique_ptr<rocksdb::DB> db_;
};

}  // namespace sluice::storage_rocksdb

#endif  // SLUICE_PLUGINS_STORAGE_ROCKSDB_ROCKSDB_KV_H_
