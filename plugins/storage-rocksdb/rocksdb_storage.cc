#include "rocksdb_storage.h"

#include <filesystem>
#include <system_error>

#include "rocksdb_kv.h"
#include "sluice/kv_log.h"

namespace sluice::storage_rocksdb {

Status RocksDbStorage::Create(const HostServices& host, const Options& options,
                              std::unique_ptr<RocksDbStorage>* out) {
  std::shared_ptr<const Resources> res;
  SLUICE_RETURN_IF_ERROR(MakeResources(host, options, &res));
  out->reset(new RocksDbStorage(host, std::move(res)));
  return Status();
}

Status RocksDbStorage::OpenDb(const std::string& what, const std::string& dir, DbKind kind,
                              bool create, std::unique_ptr<rocksdb::DB>* out) {
  if (dir.empty()) return InvalidArgument(what + ": the directory is empty; pass where it lives");
  std::error_code ec;
  if (create) {
    std::filesystem::create_directories(dir, ec);
    if (ec) return Internal(what + ": cannot create directory " + dir + ": " + ec.message());
  } else if (!std::filesystem::exists(dir + "/CURRENT", ec)) {
    return NotFound(what + ": no database in " + dir + " (open with create to make one)");
  }
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(res_->DbOptions(kind, create, dir), dir, &db);
  if (s.IsPathNotFound() && std::filesystem::exists(dir + "/CURRENT", ec)) {
    // A database whose CURRENT names a file that is gone (its MANIFEST) is
    // damaged, not absent: DATA_LOSS, as LevelDB reports it, where RocksDB
    // says "IO error".
    return DataLoss(what + ": rocksdb open " + dir + ": the database is damaged, a file it " +
                    "needs is missing (" + s.ToString() + "); restore the directory or remove it");
  }
  SLUICE_RETURN_IF_ERROR(FromRocksDb(s, "open", dir).WithContext(what));
  out->reset(db);
  return Status();
}

Status RocksDbStorage::DestroyDb(const std::string& what, const std::string& dir) {
  if (dir.empty()) return InvalidArgument(what + ": the directory is empty; pass where it lives");
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) return Status();
  rocksdb::Status s = rocksdb::DestroyDB(dir, res_->DbOptions(DbKind::kKv, false, dir));
  SLUICE_RETURN_IF_ERROR(FromRocksDb(s, "destroy", dir).WithContext(what));
  std::filesystem::remove(dir, ec);  // best effort: only succeeds when empty
  return Status();
}

Status RocksDbStorage::OpenLog(const std::string& name, const std::string& dir, bool create,
                               std::unique_ptr<Log>* out) {
  std::string what = "log '" + name + "'";
  std::unique_ptr<rocksdb::DB> db;
  SLUICE_RETURN_IF_ERROR(OpenDb(what, dir, DbKind::kLog, create, &db));
  std::unique_ptr<Log> log;
  SLUICE_RETURN_IF_ERROR(
      KvLog::Open(name, dir, std::make_unique<RocksDbKv>(dir, res_, std::move(db)), &log));
  uint64_t end = 0;
  SLUICE_RETURN_IF_ERROR(log->End(&end));
  if (host_.Enabled(LogLevel::kDebug))
    host_.Debug("opened " + what + " in " + dir + " (end " + std::to_string(end) + ")");
  *out = std::move(log);
  return Status();
}

Status RocksDbStorage::RemoveLog(const std::string& name, const std::string& dir) {
  return DestroyDb("log '" + name + "'", dir);
}

Status RocksDbStorage::OpenKv(const std::string& dir, bool create, std::unique_ptr<KvStore>* out) {
  std::unique_ptr<rocksdb::DB> db;
  SLUICE_RETURN_IF_ERROR(OpenDb("kv store", dir, DbKind::kKv, create, &db));
  *out = std::make_unique<RocksDbKv>(dir, res_, std::move(db));
  return Status();
}

Status RocksDbStorage::RemoveKv(const std::string& dir) { return DestroyDb("kv store", dir); }

}  // namespace sluice::storage_rocksdb
