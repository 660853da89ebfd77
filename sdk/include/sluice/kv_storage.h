// A storage plugin on an embedded ordered key/value engine that keeps one
// database per directory (LevelDB, RocksDB, ...). The plugin implements
// KvStorage::Engine: open a database as a KvStore, destroy one, tell
// whether a directory holds one. sluice::KvStorage does the rest of
// StoragePlugin: directories, NOT_FOUND without `create`, logs (a
// sluice::KvLog on a database of its own, so the log facet comes for
// free), removal. KvStoragePlugin<Traits> is the plugin class.
// Header-only.
//
//   class MyEngine : public sluice::KvStorage::Engine { ... Exists, Open, Destroy ... };
//   struct MyEngineTraits { kOptions, Codecs(), Make(): see KvStoragePlugin };
//   using MyStorage = sluice::KvStoragePlugin<MyEngineTraits>;
//   SLUICE_PLUGIN(MyStorage, "mystore", "1.0.0", "my key/value engine")
//
// Also here: KvStorageOptions, the options such plugins share
// (declared in kKvStorageOptions). A KvStore
// on an engine with LevelDB's C++ interface: sluice/kv_db.h.
#ifndef SLUICE_KV_STORAGE_H_
#define SLUICE_KV_STORAGE_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "sluice/host_services.h"
#include "sluice/kv_log.h"
#include "sluice/option_spec.h"
#include "sluice/options.h"
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

// The compression codecs of an engine, by the names options use.
struct KvCodecs {
  std::vector<std::string> available;  // built in; messages list them in this order
  std::vector<std::string> missing;    // known to the engine, not built into its library
  std::string library;                 // names the library in messages: "RocksDB"
};

// The declarations of the options every KvStorage plugin takes, meaning the
// same on every engine; a plugin lists them in its own kOptions (after them
// its own options): kKvStorageOptions alone when it has none. compression
// and log_compression take a codec of the engine's (KvCodecs; checked by
// KvStorageOptions, not by the declaration, since only the engine's library
// knows which it has).
namespace kv_option {
inline constexpr OptionSpec kBlockCacheMb =
    opt::Int("block_cache_mb", "one block cache for every database of the instance")
        .Range(1, 1 << 20)
        .Unit("MiB")
        .Default("64");
inline constexpr OptionSpec kWriteBufferMb =
    opt::Int("write_buffer_mb", "the memtable of each database")
        .Range(1, 1024)
        .Unit("MiB")
        .Default("16");
inline constexpr OptionSpec kCompression = opt::String(
    "compression", "table compression of the key/value stores (caches): a codec of the engine's");
inline constexpr OptionSpec kLogCompression =
    opt::String("log_compression", "compression of the logs (written once, read in order)")
        .Default("none");
inline constexpr OptionSpec kParanoidChecks =
    opt::Bool("paranoid_checks",
              "verify every block read and the files at open (a damaged cache is rebuilt from "
              "its log); false trusts the disk")
        .Default("true");
}  // namespace kv_option
inline constexpr OptionSpec kKvStorageOptions[] = {
    kv_option::kBlockCacheMb, kv_option::kWriteBufferMb, kv_option::kCompression,
    kv_option::kLogCompression, kv_option::kParanoidChecks};

// The options every KvStorage plugin takes (kKvStorageOptions), as
// settings: a plugin starts from its defaults and reads these with Read,
// its own with Options::Read.
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

  // Checks `options` against `specs` (the plugin's kOptions, which list
  // kKvStorageOptions) and reads the five, keeping the values in *this for
  // absent ones without a declared default. INVALID_ARGUMENT as
  // Options::Check (every problem, one per line, each naming the key) and
  // CodecProblems.
  Status Read(const Options& options, OptionSpecs specs, const KvCodecs& codecs) {
    SLUICE_RETURN_IF_ERROR(options.Check(specs, OptionScope::kInstance));
    std::vector<OptionProblem> problems;
    CodecProblems(options, codecs, &problems);
    SLUICE_RETURN_IF_ERROR(ProblemsStatus(problems));
    SLUICE_RETURN_IF_ERROR(options.Read(specs, "block_cache_mb", &block_cache_mb));
    SLUICE_RETURN_IF_ERROR(options.Read(specs, "write_buffer_mb", &write_buffer_mb));
    SLUICE_RETURN_IF_ERROR(options.Read(specs, "compression", &compression));
    SLUICE_RETURN_IF_ERROR(options.Read(specs, "log_compression", &log_compression));
    return options.Read(specs, "paranoid_checks", &paranoid_checks);
  }

  // Appends a problem (kind kValue, naming the key) for each of compression
  // and log_compression in `options` that is not one of `codecs.available`:
  // "expected none or lz4, found 'x'", or "'zstd' is not built into this
  // RocksDB library; available: none, lz4".
  static void CodecProblems(const Options& options, const KvCodecs& codecs,
                            std::vector<OptionProblem>* out) {
    for (const char* key : {"compression", "log_compression"}) {
      if (!options.Has(key)) continue;
      std::string v = options.GetString(key);
      bool ok = false, missing = false;
      for (const std::string& c : codecs.available) ok = ok || v == c;
      for (const std::string& c : codecs.missing) missing = missing || v == c;
      if (ok) continue;
      std::string list;
      for (const std::string& c : codecs.available) list += (list.empty() ? "" : ", ") + c;
      std::vector<std::string_view> names(codecs.available.begin(), codecs.available.end());
      if (missing)
        out->push_back({key, "'" + v + "' is not built into this " + codecs.library +
                                 " library; available: " + list});
      else out->push_back(BadOptionValue(key, OrList(names), v));
    }
  }
};

// The plugin class of an engine: Traits says what the engine takes and
// makes it.
//
//   struct MyEngineTraits {
//     // The declared options: kKvStorageOptions, or a list of its own that
//     // starts with kv_option::kBlockCacheMb ... kParanoidChecks.
//     static constexpr const auto& kOptions = sluice::kKvStorageOptions;
//     // The compressions of the engine's library.
//     static sluice::KvCodecs Codecs();
//     // The engine for `options` (KvStorageOptions::Read and the
//     // plugin's own options: INVALID_ARGUMENT naming the key); opens nothing.
//     static sluice::Status Make(const sluice::HostServices& host, const sluice::Options& options,
//                                std::shared_ptr<sluice::KvStorage::Engine>* out);
//   };
//   using MyStorage = sluice::KvStoragePlugin<MyEngineTraits>;
template <class Traits>
class KvStoragePlugin final : public KvStorage {
 public:
  static constexpr const auto& kOptions = Traits::kOptions;

  static Status Create(const HostServices& host, const Options& options,
                       std::unique_ptr<KvStoragePlugin>* out) {
    std::shared_ptr<Engine> engine;
    SLUICE_RETURN_IF_ERROR(Traits::Make(host, options, &engine));
    out->reset(new KvStoragePlugin(host, std::move(engine)));
    return Status();
  }
  // What the declarations cannot say, checked before the host touches the
  // home (sluice_plugin_descriptor.check_options; only once the declared
  // checks passed): that each compression is one the engine's library has.
  static void CheckOptions(const Options& options, OptionScope, uint32_t,
                           std::vector<OptionProblem>* problems) {
    KvStorageOptions::CodecProblems(options, Traits::Codecs(), problems);
  }

 private:
  using KvStorage::KvStorage;
};

}  // namespace sluice

#endif  // SLUICE_KV_STORAGE_H_
