// The leveldb storage plugin's engine: its options, and the LevelDB
// databases it opens with them, each wrapped as a sluice::KvStore (writes
// through a batch each thread reuses; reads, snapshots and bounded
// iterators as sluice/kv_db.h does them for every LevelDB-like engine).
#include "leveldb_engine.h"

#include <leveldb/cache.h>
#include <leveldb/db.h>
#include <leveldb/env.h>
#include <leveldb/filter_policy.h>
#include <leveldb/options.h>
#include <leveldb/write_batch.h>

#include <memory>
#include <string>

#include "sluice/kv_db.h"
#include "table_files.h"

namespace sluice::storage_leveldb {
namespace {

// A thread keeps its write batch's buffer for the next write while its
// batches are large (a cache build), up to kMaxKeptBatchBytes, and frees it
// at the first small one.
constexpr size_t kMaxKeptBatchBytes = 64u << 20;
constexpr size_t kSmallBatchBytes = 1u << 20;

leveldb::Slice Sl(std::string_view s) { return leveldb::Slice(s.data(), s.size()); }

Status FromLevelDb(const leveldb::Status& s, std::string_view op, std::string_view path) {
  return FromEngineStatus(s, "leveldb", op, path);
}

// sluice::KvStore on one LevelDB database (bytewise comparator).
class LevelDbKv final : public DbKvStore<leveldb::DB, leveldb::ReadOptions> {
 public:
  LevelDbKv(std::string dir, std::shared_ptr<const void> keep, std::unique_ptr<leveldb::DB> db,
            leveldb::ReadOptions read)
      : DbKvStore(std::move(dir), std::move(keep), std::move(db), read) {}

  Status Write(const KvOp* ops, size_t count, bool sync) override {
    // One batch per thread, cleared and reused: a cache build writes batches
    // of megabytes, and growing a fresh one each time costs as much as
    // filling it.
    SLUICE_RETURN_IF_ERROR(CheckKvOps(ops, count, dir()));
    SLUICE_RETURN_IF_ERROR(BeginWrite());
    thread_local leveldb::WriteBatch batch;
    thread_local bool grown = false;  // batch holds a buffer of a large batch
    batch.Clear();
    for (size_t i = 0; i < count; ++i) {
      if (ops[i].kind == KvOp::kPut) {
        batch.Put(Sl(ops[i].key), Sl(ops[i].value));
      } else {
        batch.Delete(Sl(ops[i].key));
      }
    }
    leveldb::WriteOptions wo;
    wo.sync = sync;
    Status s = EndWrite(FromLevelDb(db()->Write(wo, &batch), "write", dir()));
    size_t size = batch.ApproximateSize();
    if (size > kMaxKeptBatchBytes || (grown && size < kSmallBatchBytes)) {
      batch = leveldb::WriteBatch();
      grown = false;
    } else if (size >= kSmallBatchBytes) {
      grown = true;
    }
    return s;
  }

 protected:
  Status FromEngine(const leveldb::Status& s, std::string_view op) const override {
    return FromLevelDb(s, op, dir());
  }
};

// The settings, block cache and bloom filter every database of one plugin
// instance shares. Thread-safe; every open database keeps it alive.
class LevelDbEngine final : public KvStorage::Engine,
                            public std::enable_shared_from_this<LevelDbEngine> {
 public:
  explicit LevelDbEngine(const Settings& settings)
      : settings_(settings),
        cache_(leveldb::NewLRUCache(static_cast<size_t>(settings.block_cache_mb) << 20)),
        filter_(leveldb::NewBloomFilterPolicy(10)),
        kv_files_(static_cast<uint64_t>(settings.mmap_mb) << 20),
        log_files_(0) {}

  // A database is where its CURRENT file is.
  bool Exists(const std::string& dir) const override {
    return leveldb::Env::Default()->FileExists(dir + "/CURRENT");
  }
  // A database open elsewhere, in this process or another, fails to open
  // (INTERNAL: LevelDB's lock is held).
  Status Open(const std::string& dir, KvStorage::StoreUse use, bool create,
              std::unique_ptr<KvStore>* out) override {
    leveldb::DB* db = nullptr;
    SLUICE_RETURN_IF_ERROR(
        FromLevelDb(leveldb::DB::Open(DbOptions(use, create), dir, &db), "open", dir));
    leveldb::ReadOptions read;
    read.verify_checksums = settings_.paranoid_checks;
    // A log is read in order (a cache build, a writer's check): its blocks,
    // each holding a chunk of up to 4 MiB, would only push the stores' out
    // of the block cache, and no sharded cache bounds such blocks well.
    read.fill_cache = use == KvStorage::StoreUse::kKv;
    *out = std::make_unique<LevelDbKv>(dir, shared_from_this(), std::unique_ptr<leveldb::DB>(db),
                                       read);
    return Status();
  }
  // Fails while the database is open (LevelDB's lock).
  Status Destroy(const std::string& dir) override {
    return FromLevelDb(leveldb::DestroyDB(dir, DbOptions(KvStorage::StoreUse::kKv, false)),
                       "destroy", dir);
  }

 private:
  leveldb::Options DbOptions(KvStorage::StoreUse use, bool create) const {
    const bool kv = use == KvStorage::StoreUse::kKv;
    leveldb::Options o;
    o.create_if_missing = create;
    o.paranoid_checks = settings_.paranoid_checks;
    o.write_buffer_size = static_cast<size_t>(settings_.write_buffer_mb) << 20;
    o.block_cache = cache_.get();
    o.env = kv ? &kv_files_ : &log_files_;
    const std::string& codec = kv ? settings_.compression : settings_.log_compression;
    o.compression = codec == "snappy" ? leveldb::kSnappyCompression : leveldb::kNoCompression;
    if (kv) {
      o.filter_policy = filter_.get();  // point reads by key
    } else {
      o.max_file_size = 32u << 20;  // keys only grow: fewer, larger tables
      o.block_size = 64u << 10;     // reads are sequential scans
    }
    return o;
  }

  const Settings settings_;
  const std::unique_ptr<leveldb::Cache> cache_;
  const std::unique_ptr<const leveldb::FilterPolicy> filter_;
  // Table reads: the stores' mapped within mmap_mb, the logs' never.
  mutable TableFilesEnv kv_files_;
  mutable TableFilesEnv log_files_;
};

}  // namespace

Status ParseSettings(const Options& options, Settings* out) {
  Settings s;
  SLUICE_RETURN_IF_ERROR(s.Read(options, LevelDbTraits::kOptions, LevelDbTraits::Codecs()));
  SLUICE_RETURN_IF_ERROR(options.Read(LevelDbTraits::kOptions, "mmap_mb", &s.mmap_mb));
  *out = s;
  return Status();
}

Status LevelDbTraits::Make(const HostServices&, const Options& options,
                           std::shared_ptr<KvStorage::Engine>* out) {
  Settings s;
  SLUICE_RETURN_IF_ERROR(ParseSettings(options, &s));
  *out = std::make_shared<LevelDbEngine>(s);
  return Status();
}

}  // namespace sluice::storage_leveldb
