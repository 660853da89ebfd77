#include "rocksdb_storage.h"

#include <rocksdb/db.h>

#include <filesystem>
#include <system_error>

#include "rocksdb_kv.h"

namespace sluice::storage_rocksdb {

Status RocksDbStorage::Create(const HostServices& host, const Options& options,
                              std::unique_ptr<RocksDbStorage>* out) {
  std::shared_ptr<const Resources> res;
  SLUICE_RETURN_IF_ERROR(MakeResources(host, options, &res));
  out->reset(new RocksDbStorage(host, std::move(res)));
  return Status();
}

bool RocksDbStorage::StoreExists(const std::string& dir) const {
  std::error_code ec;
  return std::filesystem::exists(dir + "/CURRENT", ec);
}

Status RocksDbStorage::OpenStore(const std::string& dir, StoreUse use, bool create,
                                 std::unique_ptr<KvStore>* out) {
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(res_->DbOptions(use, create, dir), dir, &db);
  if (s.IsPathNotFound() && StoreExists(dir)) {
    // A database whose CURRENT names a file that is gone (its MANIFEST) is
    // damaged, not absent: DATA_LOSS, as LevelDB reports it, where RocksDB
    // says "IO error".
    return DataLoss("rocksdb open " + dir + ": the database is damaged, a file it needs is " +
                    "missing (" + s.ToString() + "); restore the directory or remove it");
  }
  SLUICE_RETURN_IF_ERROR(FromRocksDb(s, "open", dir));
  *out = std::make_unique<RocksDbKv>(dir, res_, std::unique_ptr<rocksdb::DB>(db));
  return Status();
}

Status RocksDbStorage::DestroyStore(const std::string& dir) {
  return FromRocksDb(rocksdb::DestroyDB(dir, res_->DbOptions(StoreUse::kKv, false, dir)), "destroy",
                     dir);
}

}  // namespace sluice::storage_rocksdb
