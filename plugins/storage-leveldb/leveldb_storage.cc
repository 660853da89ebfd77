#include "leveldb_storage.h"

#include <leveldb/env.h>

#include <filesystem>
#include <system_error>

#include "leveldb_kv.h"
#include "sluice/kv_log.h"

namespace sluice::storage_leveldb {

Status LevelDbStorage::Create(const HostServices& host, const Options& options,
                              std::unique_ptr<LevelDbStorage>* out) {
  std::shared_ptr<const Resources> res;
  SLUICE_RETURN_IF_ERROR(MakeResources(options, &res));
  out->reset(new LevelDbStorage(host, std::move(res)));
  return Status();
}

Status LevelDbStorage::OpenDb(const std::string& what, const std::string& dir, DbKind kind,
                              bool create, std::unique_ptr<leveldb::DB>* out) {
  if (dir.empty()) return InvalidArgument(what + ": the directory is empty; pass where it lives");
  if (create) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return Internal(what + ": cannot create directory " + dir + ": " + ec.message());
  } else if (!leveldb::Env::Default()->FileExists(dir + "/CURRENT")) {
    return NotFound(what + ": no database in " + dir + " (open with create to make one)");
  }
  leveldb::DB* db = nullptr;
  leveldb::Status s = leveldb::DB::Open(res_->DbOptions(kind, create), dir, &db);
  SLUICE_RETURN_IF_ERROR(FromLevelDb(s, "open", dir).WithContext(what));
  out->reset(db);
  return Status();
}

Status LevelDbStorage::DestroyDb(const std::string& what, const std::string& dir) {
  if (dir.empty()) return InvalidArgument(what + ": the directory is empty; pass where it lives");
  leveldb::Status s = leveldb::DestroyDB(dir, res_->DbOptions(DbKind::kKv, false));
  SLUICE_RETURN_IF_ERROR(FromLevelDb(s, "destroy", dir).WithContext(what));
  std::error_code ec;
  std::filesystem::remove(dir, ec);  // best effort: only succeeds when empty
  return Status();
}

Status LevelDbStorage::OpenLog(const std::string& name, const std::string& dir, bool create,
                               std::unique_ptr<Log>* out) {
  std::string what = "log '" + name + "'";
  std::unique_ptr<leveldb::DB> db;
  SLUICE_RETURN_IF_ERROR(OpenDb(what, dir, DbKind::kLog, create, &db));
  std::unique_ptr<Log> log;
  SLUICE_RETURN_IF_ERROR(
      KvLog::Open(name, dir, std::make_unique<LevelDbKv>(dir, res_, std::move(db)), &log));
  uint64_t end = 0;
  SLUICE_RETURN_IF_ERROR(log->End(&end));
  if (host_.Enabled(LogLevel::kDebug))
    host_.Debug("opened " + what + " in " + dir + " (end " + std::to_string(end) + ")");
  *out = std::move(log);
  return Status();
}

Status LevelDbStorage::RemoveLog(const std::string& name, const std::string& dir) {
  return DestroyDb("log '" + name + "'", dir);
}

Status LevelDbStorage::OpenKv(const std::string& dir, bool create, std::unique_ptr<KvStore>* out) {
  std::unique_ptr<leveldb::DB> db;
  SLUICE_RETURN_IF_ERROR(OpenDb("kv store", dir, DbKind::kKv, create, &db));
  *out = std::make_unique<LevelDbKv>(dir, res_, std::move(db));
  return Status();
}

Status LevelDbStorage::RemoveKv(const std::string& dir) { return DestroyDb("kv store", dir); }

}  // namespace sluice::storage_leveldb
