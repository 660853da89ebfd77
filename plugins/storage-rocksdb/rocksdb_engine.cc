// The rocksdb storage plugin's engine: its options, and the RocksDB
// databases it opens with them, each wrapped as a sluice::KvStore (writes
// through a batch sized up front, iterators bounded inside RocksDB, closed
// when destroyed; reads, snapshots and iteration as sluice/kv_db.h does them
// for every LevelDB-like engine).
#include "rocksdb_engine.h"

#include <rocksdb/cache.h>
#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "host_logger.h"
#include "sluice/kv_db.h"

namespace sluice::storage_rocksdb {
namespace {

rocksdb::Slice Sl(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

// Every codec the options name, in the order messages list them.
const std::pair<const char*, rocksdb::CompressionType> kCodecs[] = {
    {"none", rocksdb::kNoCompression},
    {"snappy", rocksdb::kSnappyCompression},
    {"lz4", rocksdb::kLZ4Compression},
    {"zstd", rocksdb::kZSTD}};

rocksdb::CompressionType ToRocksDb(const std::string& name) {
  for (const auto& [n, type] : kCodecs)
    if (name == n) return type;
  return rocksdb::kNoCompression;
}

}  // namespace

KvCodecs RocksDbTraits::Codecs() {
  std::vector<rocksdb::CompressionType> have = rocksdb::GetSupportedCompressions();
  have.push_back(rocksdb::kNoCompression);
  KvCodecs codecs{{}, {}, "RocksDB"};
  for (const auto& [name, type] : kCodecs)
    (std::find(have.begin(), have.end(), type) != have.end() ? codecs.available : codecs.missing)
        .push_back(name);
  return codecs;
}

namespace {

// sluice::KvStore on one RocksDB database (bytewise comparator), closed
// when destroyed.
class RocksDbKv final : public DbKvStore<rocksdb::DB, rocksdb::ReadOptions> {
 public:
  // `what` names the database in the warning of a failed close.
  RocksDbKv(std::string what, const std::string& dir, std::shared_ptr<const void> keep,
            std::unique_ptr<rocksdb::DB> db, rocksdb::ReadOptions read, HostServices host)
      : DbKvStore(dir, std::move(keep), std::move(db), read),
        what_(std::move(what)),
        host_(std::move(host)) {}
  ~RocksDbKv() override {
    rocksdb::Status s = db()->Close();
    if (!s.ok()) host_.Warn(FromRocksDb(s, "close", dir()).WithContext(what_).message());
  }

  Status Write(const KvOp* ops, size_t count, bool sync) override {
    // Sized once up front (12-byte header; per op a tag and two varint
    // lengths of at most 5 bytes each), so that a cache build's multi-megabyte
    // batches are not regrown and copied as they fill.
    SLUICE_RETURN_IF_ERROR(CheckKvOps(ops, count, dir()));
    SLUICE_RETURN_IF_ERROR(BeginWrite());
    size_t bytes = 12;
    for (size_t i = 0; i < count; ++i) bytes += 11 + ops[i].key.size() + ops[i].value.size();
    rocksdb::WriteBatch batch(bytes);
    for (size_t i = 0; i < count; ++i) {
      rocksdb::Status s = ops[i].kind == KvOp::kPut ? batch.Put(Sl(ops[i].key), Sl(ops[i].value))
                                                    : batch.Delete(Sl(ops[i].key));
      SLUICE_RETURN_IF_ERROR(FromRocksDb(s, "write", dir()));
    }
    rocksdb::WriteOptions wo;
    wo.sync = sync;
    return EndWrite(FromRocksDb(db()->Write(wo, &batch), "write", dir()));
  }

 protected:
  Status FromEngine(const rocksdb::Status& s, std::string_view op) const override {
    return FromRocksDb(s, op, dir());
  }
  // RocksDB stops at the bounds itself, so a scan never reads past them.
  rocksdb::Iterator* NewEngineIterator(rocksdb::ReadOptions ro, const rocksdb::Slice* lower,
                                       const rocksdb::Slice* upper) const override {
    ro.iterate_lower_bound = lower;
    ro.iterate_upper_bound = upper;
    return db()->NewIterator(ro);
  }

 private:
  const std::string what_;
  const HostServices host_;
};

// The settings, block cache and table factories every database of one
// plugin instance shares. Thread-safe; every open database keeps it alive.
class RocksDbEngine final : public KvStorage::Engine,
                            public std::enable_shared_from_this<RocksDbEngine> {
 public:
  RocksDbEngine(const Settings& settings, HostServices host)
      : settings_(settings),
        host_(std::move(host)),
        cache_(rocksdb::NewLRUCache(static_cast<size_t>(settings.block_cache_mb) << 20)) {
    rocksdb::BlockBasedTableOptions log;
    log.block_cache = cache_;
    log.block_size = 64u << 10;  // reads are sequential scans
    log_tables_.reset(rocksdb::NewBlockBasedTableFactory(log));
    rocksdb::BlockBasedTableOptions kv;
    kv.block_cache = cache_;
    kv.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));  // point reads by key
    kv_tables_.reset(rocksdb::NewBlockBasedTableFactory(kv));
  }

  // A database is where its CURRENT file is.
  bool Exists(const std::string& dir) const override {
    std::error_code ec;
    return std::filesystem::exists(dir + "/CURRENT", ec);
  }
  // A database open elsewhere, in this process or another, fails to open
  // (INTERNAL: RocksDB's lock is held); one whose CURRENT names a file that
  // is gone is DATA_LOSS.
  Status Open(const std::string& dir, KvStorage::StoreUse use, bool create,
              std::unique_ptr<KvStore>* out) override {
    rocksdb::DB* db = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(DbOptions(use, create, dir), dir, &db);
    if (s.IsPathNotFound() && Exists(dir)) {
      // A database whose CURRENT names a file that is gone (its MANIFEST) is
      // damaged, not absent: DATA_LOSS, as LevelDB reports it, where RocksDB
      // says "IO error".
      return DataLoss("rocksdb open " + dir + ": the database is damaged, a file it needs is " +
                      "missing (" + s.ToString() + "); restore the directory or remove it");
    }
    SLUICE_RETURN_IF_ERROR(FromRocksDb(s, "open", dir));
    rocksdb::ReadOptions read;
    read.verify_checksums = settings_.paranoid_checks;
    std::string what = use == KvStorage::StoreUse::kLog ? "log" : "kv store";
    *out = std::make_unique<RocksDbKv>(what, dir, shared_from_this(),
                                       std::unique_ptr<rocksdb::DB>(db), read, host_);
    return Status();
  }
  // Fails while the database is open (RocksDB's lock).
  Status Destroy(const std::string& dir) override {
    return FromRocksDb(rocksdb::DestroyDB(dir, DbOptions(KvStorage::StoreUse::kKv, false, dir)),
                       "destroy", dir);
  }

 private:
  // RocksDB's own diagnostics go to the host's log (no LOG files in `dir`).
  rocksdb::Options DbOptions(KvStorage::StoreUse use, bool create, const std::string& dir) const {
    const bool kv = use == KvStorage::StoreUse::kKv;
    rocksdb::Options o;
    o.create_if_missing = create;
    o.paranoid_checks = settings_.paranoid_checks;
    o.write_buffer_size = static_cast<size_t>(settings_.write_buffer_mb) << 20;
    o.max_background_jobs = static_cast<int>(settings_.max_background_jobs);
    o.compression = ToRocksDb(kv ? settings_.compression : settings_.log_compression);
    o.max_open_files = 512;  // a home holds many databases: bound descriptors per database
    o.info_log = std::make_shared<HostLogger>(host_, dir);
    o.info_log_level = HostLogger::LevelFor(host_);
    if (kv) {
      o.table_factory = kv_tables_;
    } else {
      o.table_factory = log_tables_;
      o.target_file_size_base = 32u << 20;  // keys only grow: fewer, larger tables
      // Only an incomplete last write-ahead record (an append cut short by
      // a crash) is dropped at open; a damaged one before it fails the
      // open (DATA_LOSS) instead of silently ending the log there.
      o.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
    }
    return o;
  }

  const Settings settings_;
  const HostServices host_;
  std::shared_ptr<rocksdb::Cache> cache_;
  std::shared_ptr<rocksdb::TableFactory> log_tables_;
  std::shared_ptr<rocksdb::TableFactory> kv_tables_;
};

}  // namespace

Status ParseSettings(const Options& options, Settings* out) {
  KvCodecs codecs = RocksDbTraits::Codecs();
  Settings s;
  bool lz4 =
      std::find(codecs.available.begin(), codecs.available.end(), "lz4") != codecs.available.end();
  s.compression = lz4 ? "lz4" : "none";
  SLUICE_RETURN_IF_ERROR(s.Read(options, kRocksDbOptions, codecs));
  SLUICE_RETURN_IF_ERROR(
      options.Read(kRocksDbOptions, "max_background_jobs", &s.max_background_jobs));
  *out = s;
  return Status();
}

Status RocksDbTraits::Make(const HostServices& host, const Options& options,
                           std::shared_ptr<KvStorage::Engine>* out) {
  Settings s;
  SLUICE_RETURN_IF_ERROR(ParseSettings(options, &s));
  *out = std::make_shared<RocksDbEngine>(s, host);
  return Status();
}

Status FromRocksDb(const rocksdb::Status& s, std::string_view op, std::string_view path) {
  Code other = s.IsBusy() || s.IsTryAgain() ? Code::kUnavailable : Code::kInternal;
  return FromEngineStatus(s, "rocksdb", op, path, other);
}

}  // namespace sluice::storage_rocksdb
