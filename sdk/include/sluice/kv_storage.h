// A storage plugin on an embedded ordered key/value engine that keeps one
// database per directory (LevelDB, RocksDB, ...). The plugin implements
// KvStorage::Engine: open a database as a KvStore, destroy one, tell
// whether a directory holds one. sluice::KvStorage does the rest of
// StoragePlugin: directories, NOT_FOUND without `create`, logs (a
// sluice::KvLog on a database of its own, so the log facet comes for
// free), removal. KvStoragePlugin<MakeEngine> is the plugin class.
// Header-only.
//
//   class MyEngine : public sluice::KvStorage::Engine { ... Exists, Open, Destroy ... };
//   sluice::Status MakeMyEngine(const sluice::HostServices& host, const sluice::Options& options,
//                               std::shared_ptr<sluice::KvStorage::Engine>* out);
//   using MyStorage = sluice::KvStoragePlugin<MakeMyEngine>;
//   SLUICE_PLUGIN(MyStorage, "mystore", "1.0.0", "my key/value engine")
//
// Also here: KvStorageOptions, the options such plugins share. A KvStore
// on an engine with LevelDB's C++ interface: sluice/kv_db.h.
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
#include "sluice/option_spec.h"
#include "sluice/status.h"
#include "sluice/storage.h"

namespace sluice {

// A StoragePlugin whose every log and store is one engine database in the
// directory the host names. Thread-safe when the engine is.
class KvStorage : public StoragePlugin {
 public:
  // What a database will hold: engines may tune the two apart (logs are
  // written once and read in order; stores take point reads).
  enum class StoreUse { kLog, kKv };

  // The engine's side: called from any thread, concurrently. Stores it
  // opens may outlive it and the KvStorage.
  class Engine {
   public:
    virtual ~Engine() = default;
    // True when `dir` holds a database (LevelDB and RocksDB: a CURRENT file).
    virtual bool Exists(const std::string& dir) const = 0;
    // Opens the database in `dir` (the directory exists), making one when
    // `create`, and wraps it in *out. Messages name the path; the caller
    // prefixes what the database is.
    virtual Status Open(const std::string& dir, StoreUse use, bool create,
                        std::unique_ptr<KvStore>* out) = 0;
    // Deletes the files of the database in `dir` (which exists). Nobody
    // should have it open; failing when someone does is right.
    virtual Status Destroy(const std::string& dir) = 0;
  };

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
  KvStorage(HostServices host, std::shared_ptr<Engine> engine)
      : host_(std::move(host)), engine_(std::move(engine)) {}

 private:
  Status Open(const std::string& what, const std::string& dir, StoreUse use, bool create,
              std::unique_ptr<KvStore>* out) {
    if (dir.empty()) return InvalidArgument(what + ": the directory is empty; pass where it lives");
    if (create) {
      std::error_code ec;
      std::filesystem::create_directories(dir, ec);
      if (ec) return Internal(what + ": cannot create directory " + dir + ": " + ec.message());
    } else if (!engine_->Exists(dir)) {
      return NotFound(what + ": no database in " + dir + " (open with create to make one)");
    }
    return engine_->Open(dir, use, create, out).WithContext(what);
  }
  Status Remove(const std::string& what, const std::string& dir) {
    if (dir.empty()) return InvalidArgument(what + ": the directory is empty; pass where it lives");
    std::error_code ec;
    if (!std::filesystem::exists(dir, ec)) return Status();
    SLUICE_RETURN_IF_ERROR(engine_->Destroy(dir).WithContext(what));
    std::filesystem::remove(dir, ec);  // best effort: only succeeds when empty
    return Status();
  }

  const HostServices host_;
  const std::shared_ptr<Engine> engine_;
};

// The plugin class of an engine that `Make` makes: Make validates the
// options (INVALID_ARGUMENT naming the key) and sets *out to the engine.
using KvEngineMaker = Status (*)(const HostServices& host, const Options& options,
                                 std::shared_ptr<KvStorage::Engine>* out);
template <KvEngineMaker Make>
class KvStoragePlugin final : public KvStorage {
 public:
  static Status Create(const HostServices& host, const Options& options,
                       std::unique_ptr<KvStoragePlugin>* out) {
    std::shared_ptr<Engine> engine;
    SLUICE_RETURN_IF_ERROR(Make(host, options, &engine));
    out->reset(new KvStoragePlugin(host, std::move(engine)));
    return Status();
  }
  // The option check the host runs before it touches the home
  // (sluice_plugin_descriptor.check_options): exactly what Create accepts,
  // since it is Make itself (which opens nothing).
  static void CheckOptions(const Options& options, OptionScope, uint32_t,
                           std::vector<OptionProblem>* problems) {
    std::shared_ptr<Engine> engine;
    Status s = Make(HostServices(), options, &engine);
    if (s.ok()) return;
    // OptionReader's messages name the key: "... option 'block_cache_mb': ...".
    std::string key;
    size_t at = s.message().find("option '");
    if (at != std::string::npos) {
      size_t end = s.message().find('\'', at + 8);
      if (end != std::string::npos) key = s.message().substr(at + 8, end - at - 8);
    }
    problems->push_back({key, s.message()});
  }

 private:
  using KvStorage::KvStorage;
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
  // Verified bytes: the engine's checks at open (its write-ahead log, the
  // table files' index and filter blocks) and the checksum of every block
  // read, so that a damaged file is DATA_LOSS (the host rebuilds a cache
  // from its log) rather than wrong data. false trusts the disk: a little
  // less CPU per read (bench/results/NOTES.md), but a flipped byte may be
  // served.
  bool paranoid_checks = true;

  bool operator==(const KvStorageOptions& o) const {
    return block_cache_mb == o.block_cache_mb && write_buffer_mb == o.write_buffer_mb &&
           compression == o.compression && log_compression == o.log_compression &&
           paranoid_checks == o.paranoid_checks;
  }
  bool operator!=(const KvStorageOptions& o) const { return !(*this == o); }

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

}  // namespace sluice

#endif  // SLUICE_KV_STORAGE_H_
