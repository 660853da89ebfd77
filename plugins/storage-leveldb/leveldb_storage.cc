#include "leveldb_storage.h"

#include <leveldb/db.h>
#include <leveldb/env.h>

#include "leveldb_kv.h"

namespace sluice::storage_leveldb {

Status LevelDbStorage::Create(const HostServices& host, const Options& options,
                              std::unique_ptr<LevelDbStorage>* out) {
  std::shared_ptr<const Resources> res;
  SLUICE_RETURN_IF_ERROR(MakeResources(options, &res));
  out->reset(new LevelDbStorage(host, std::move(res)));
  return Status();
}

bool LevelDbStorage::StoreExists(const std::string& dir) const {
  return leveldb::Env::Default()->FileExists(dir + "/CURRENT");
}

Status LevelDbStorage::OpenStore(const std::string& dir, StoreUse use, bool create,
                                 std::unique_ptr<KvStore>* out) {
  leveldb::DB* db = nullptr;
  SLUICE_RETURN_IF_ERROR(
      FromLevelDb(leveldb::DB::Open(res_->DbOptions(use, create), dir, &db), "open", dir));
  *out = std::make_unique<LevelDbKv>(dir, res_, std::unique_ptr<leveldb::DB>(db));
  return Status();
}

Status LevelDbStorage::DestroyStore(const std::string& dir) {
  return FromLevelDb(leveldb::DestroyDB(dir, res_->DbOptions(StoreUse::kKv, false)), "destroy",
                     dir);
}

}  // namespace sluice::storage_leveldb
