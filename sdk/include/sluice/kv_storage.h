// Helpers for a storage plugin on an embedded ordered key/value engine that
// keeps one database per directory (LevelDB, RocksDB, ...). The plugin
// opens and destroys the engine's databases and wraps one as a KvStore;
// sluice::KvStorage does the rest of StoragePlugin: directories, NOT_FOUND
// without `create`, logs (a sluice::KvLog on a database of its own, so the
// log facet comes for free), removal. Header-only.
//
//   class MyStorage : public sluice::KvStorage {
//    public:
//     static sluice::Status Create(const sluice::HostServices& host,
//                                  const sluice::Options& options,
//                                  std::unique_ptr<MyStorage>* out);
//    protected:
//     bool StoreExists(const std::string& dir) const override;
//     sluice::Status OpenStore(const std::string& dir, StoreUse use, bool create,
//                              std::unique_ptr<sluice::KvStore>* out) override;
//     sluice::Status DestroyStore(const std::string& dir) override;
//   };
//
// Also here: KvStorageOptions (the options such plugins share), DbSnapshot
// (a KvSnapshot holding an engine snapshot, with the check that a snapshot
// handed to a store came from it) and CheckKvOps.
#ifndef SLUICE_KV_STORAGE_H_
#define SLUICE_KV_STORAGE_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "sluice/host_services.h"
#include "sluice/kv_log.h"
#include "sluice/option_reader.h"
#include "sluice/status.h"
#include "sluice/storage.h"

namespace sluice {

// A StoragePlugin whose every log and store is one engine database in the
// directory the host names. Thread-safe when the engine calls are.
class KvStorage : public StoragePlugin {
 public:
  // What a database will hold: engines may tune the two apart (logs are
  // written once and read in order; stores take point reads).
  enum class StoreUse { kLog, kKv };

  // The database of a stream lives directly in `dir` (created with its
  // parents when `create`); the log is a KvLog on it. NOT_FOUND if there is
  // none and !create; errors are prefixed with "log '<name>'".
  Status OpenLog(const std::string& name, const std::string& dir, bool create,
                 std::unique_ptr<Log>* out) override {
    std::string what = "log '" + name + "'";
    std::unique_ptr<KvStore> kv;
    SLUICE_RETURN_IF_ERROR(Open(what, dir, StoreUse::kLog, create, &kv));
    std::unique_ptr<Log> log;
    SLUICE_RETURN_IF_ERROR(KvLog::Open(name, dir, std::move(kv), &log));
    if (host_.Enabled(LogLevel::kDebug)) {
      uint64_t end = 0;
      SLUICE_RETURN_IF_ERROR(log->End(&end));
      host_.Debug("opened " + what + " in " + dir + " (end " + std::to_string(end) + ")");
    }
    *out = std::move(log);
    return Status();
  }
  // Destroys the database in `dir` and the directory if it is then empty;
  // OK when there is no directory.
  Status RemoveLog(const std::string& name, const std::string& dir) override {
    return Remove("log '" + name + "'", dir);
  }
  Status OpenKv(const std::string& dir, bool create, std::unique_ptr<KvStore>* out) override {
    return Open("kv store", dir, StoreUse::kKv, create, out);
  }
  Status RemoveKv(const std::string& dir) override { return Remove("kv store", dir); }

 protected:
  explicit KvStorage(HostServices host) : host_(std::move(host)) {}
  const HostServices& host() const { return host_; }

  // True when `dir` holds a database (LevelDB and RocksDB: a CURRENT file).
  virtual bool StoreExists(const std::string& dir) const = 0;
  // Opens the database in `dir` (the directory exists), making one when
  // `create`, and wraps it in *out. Messages name the path; the caller
  // prefixes what the database is.
  virtual Status OpenStore(const std::string& dir, StoreUse use, bool create,
                           std::unique_ptr<KvStore>* out) = 0;
  // Deletes the files of the database in `dir` (which exists); it is open
  // nowhere, and failing when it is open is right.
  virtual Status DestroyStore(const std::string& dir) = 0;

 private:
  Status Open(const std::string& what, const std::string& dir, StoreUse use, bool create,
              std::unique_ptr<KvStore>* out) {
    if (dir.empty()) return InvalidArgument(what + ": the directory is empty; pass where it lives");
    if (create) {
      std::error_code ec;
      std::filesystem::create_directories(dir, ec);
      if (ec) return Internal(what + ": cannot create directory " + dir + ": " + ec.message());
    } else if (!StoreExists(dir)) {
      return NotFound(what + ": no database in " + dir + " (open with create to make one)");
    }
    return OpenStore(dir, use, create, out).WithContext(what);
  }
  Status Remove(const std::string& what, const std::string& dir) {
    if (dir.empty()) return InvalidArgument(what + ": the directory is empty; pass where it lives");
    std::error_code ec;
    if (!std::filesystem::exists(dir, ec)) return Status();
    SLUICE_RETURN_IF_ERROR(DestroyStore(dir).WithContext(what));
    std::filesystem::remove(dir, ec);  // best effort: only succeeds when empty
    return Status();
  }

  const HostServices host_;
};

// The compression codecs of an engine, by the names options use.
struct KvCodecs {
  std::vector<std::string> available;  // built in; messages list them in this order
  std::vector<std::string> missing;    // known to the engine, not built into its library
  std::string library;                 // names the library in messages: "RocksDB"
};

// The options every KvStorage plugin takes, meaning the same on every
// engine (the plugins' docs list them): a plugin starts from its defaults,
// reads these with Read and its own options with the same OptionReader.
struct KvStorageOptions {
  int64_t block_cache_mb = 64;           // one block cache for every database of the instance
  int64_t write_buffer_mb = 16;          // memtable of each database
  std::string compression = "none";      // table compression of the key/value stores (caches)
  std::string log_compression = "none";  // of the logs: written once, read in order
  bool paranoid_checks = false;          // the engine's checks at open and of every block read

  // Reads the five options, keeping the values in *this for absent ones,
  // after checking that every key is one of them or of `extra_keys` (the
  // plugin's own). INVALID_ARGUMENT naming the key, the value found and
  // what is accepted: block_cache_mb 1 to 1048576, write_buffer_mb 1 to
  // 1024, compressions one of `codecs.available`.
  Status Read(const OptionReader& r, const KvCodecs& codecs,
              const std::vector<std::string_view>& extra_keys = {}) {
    std::vector<std::string_view> keys = {"block_cache_mb", "write_buffer_mb", "compression",
                                          "log_compression", "paranoid_checks"};
    keys.insert(keys.end(), extra_keys.begin(), extra_keys.end());
    SLUICE_RETURN_IF_ERROR(r.OnlyKnown(keys));
    SLUICE_RETURN_IF_ERROR(r.Int("block_cache_mb", 1, 1 << 20, "MiB", &block_cache_mb));
    SLUICE_RETURN_IF_ERROR(r.Int("write_buffer_mb", 1, 1024, "MiB", &write_buffer_mb));
    SLUICE_RETURN_IF_ERROR(ReadCodec(r, "compression", codecs, &compression));
    SLUICE_RETURN_IF_ERROR(ReadCodec(r, "log_compression", codecs, &log_compression));
    return r.Bool("paranoid_checks", &paranoid_checks);
  }

 private:
  static Status ReadCodec(const OptionReader& r, std::string_view key, const KvCodecs& codecs,
                          std::string* out) {
    if (!r.Has(key)) return Status();
    std::string v = r.Get(key);
    for (const std::string& c : codecs.available) {
      if (v != c) continue;
      *out = v;
      return Status();
    }
    std::string list;
    for (const std::string& c : codecs.available) list += (list.empty() ? "" : ", ") + c;
    for (const std::string& c : codecs.missing)
      if (v == c)
        return r.Invalid(key, "'" + v + "' is not built into this " + codecs.library +
                                  " library; available: " + list);
    return r.Bad(key, v, OptionReader::Choices(codecs.available));
  }
};

// A KvSnapshot holding snapshot `snap` of engine database `db`, released
// when destroyed. `Db` is any engine type with ReleaseSnapshot(const
// Snapshot*) (leveldb::DB, rocksdb::DB). Must not outlive the database.
template <class Db, class Snapshot>
class DbSnapshot final : public KvSnapshot {
 public:
  DbSnapshot(Db* db, const Snapshot* snap) : db_(db), snap_(snap) {}
  DbSnapshot(const DbSnapshot&) = delete;
  DbSnapshot& operator=(const DbSnapshot&) = delete;
  ~DbSnapshot() override { db_->ReleaseSnapshot(snap_); }

  // Sets *out to the engine snapshot `snapshot` holds when it is a snapshot
  // of `db`, and to nullptr when `snapshot` is null (the latest state).
  // INVALID_ARGUMENT naming `store` for any other snapshot: of another
  // store, or not made by this class at all.
  static Status Unwrap(const KvSnapshot* snapshot, const Db* db, const std::string& store,
                       const Snapshot** out) {
    *out = nullptr;
    if (snapshot == nullptr) return Status();
    const auto* s = dynamic_cast<const DbSnapshot*>(snapshot);
    if (s == nullptr || s->db_ != db)
      return InvalidArgument("kv " + store + ": the snapshot belongs to another store");
    *out = s->snap_;
    return Status();
  }

 private:
  Db* const db_;
  const Snapshot* const snap_;
};

// INVALID_ARGUMENT naming `store` and the first op whose kind is neither
// kPut nor kDelete; a KvStore::Write checks its ops with it before applying
// any.
inline Status CheckKvOps(const KvOp* ops, size_t count, const std::string& store) {
  for (size_t i = 0; i < count; ++i)
    if (ops[i].kind != KvOp::kPut && ops[i].kind != KvOp::kDelete)
      return InvalidArgument("kv write " + store + ": op " + std::to_string(i) + " has kind " +
                             std::to_string(static_cast<uint32_t>(ops[i].kind)) +
                             "; expected 1 (put) or 2 (delete)");
  return Status();
}

}  // namespace sluice

#endif  // SLUICE_KV_STORAGE_H_
