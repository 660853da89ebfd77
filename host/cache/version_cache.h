// VersionCache: the queryable state of one endpoint version, built from its
// log on any storage plugin's ordered key/value facet (docs/formats.md,
// "Cache keys"):
//
//   0x00 'm'                      meta: varint applied_offset | varint rows | varint flags
//   0x01 pk_key                   the row (sluice/row.h encoding)
//   0x02 index_no pk... index_key pk_key   secondary index entry (empty value)
//
// Every Apply() writes rows, index entries and the new applied offset in ONE
// atomic batch, so after a crash the cache is exactly the state of some
// commit boundary and resumes from its own applied offset.
#ifndef SLUICE_HOST_CACHE_VERSION_CACHE_H_
#define SLUICE_HOST_CACHE_VERSION_CACHE_H_

#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "cache/cache_batch.h"
#include "cache/derived_state.h"
#include "cache/row_cache.h"
#include "config/config.h"
#include "core/table_schema.h"
#include "sluice/row.h"
#include "sluice/storage.h"

namespace sluice::host {

struct CacheOp {
  sluice_op op;
  std::string_view row;  // valid during Apply()
  uint64_t offset = 0;   // log offset of the record
};

// Rows of one Apply() whose primary key was already stored (or put earlier
// in the same Apply) and that came as inserts: duplicate keys.
struct DuplicateKeys {
  uint64_t count = 0;
  size_t first_op = 0;    // index in Apply()'s ops of the first one
  std::string first_key;  // its key, "name=value, ..."
};

// The cache's meta entry: where it stands in its log.
struct CacheMeta {
  uint64_t applied = 0;  // log offset after the last applied commit
  uint64_t rows = 0;     // rows stored
  uint64_t flags = 0;    // flags of the last applied commit
};

class VersionCache {
 public:
  // Opens (creating if needed) the cache under `dir`. A cache that cannot
  // be read back is removed and started afresh (the caller rebuilds it from
  // the log); *rebuilt tells whether that happened.
  static Status Open(StoragePlugin& storage, const std::filesystem::path& dir,
                     const TableSchema& schema, std::unique_ptr<VersionCache>* out, bool* rebuilt);
  VersionCache(const VersionCache&) = delete;
  VersionCache& operator=(const VersionCache&) = delete;

  // Applies ops (a whole number of log commits) and records `applied` (the
  // log offset after them) and the last commit's flags, atomically. Rows
  // that do not decode against the schema are DATA_LOSS (nothing applied).
  // One writer at a time.
  Status Apply(const std::vector<CacheOp>& ops, uint64_t applied, uint64_t flags);

  // With `on`, the secondary index entries Apply() writes carry the row as
  // their value (covering indexes: a query walking an index reads no row
  // separately); without, their value is empty. Entries written either way
  // are valid: readers take an empty value as "read the row by its key", so
  // switching needs no rebuild. Call before Apply(); one writer.
  void SetCoveringIndexes(bool on) { covering_ = on; }

  // Gives the cache a RowCache of `bytes` (0: none) that queries share
  // (docs/query.md, "The row cache"); Apply() and Clear() invalidate what
  // they change. Call before any query or Apply(); one writer.
  void SetRowCacheBytes(size_t bytes) { row_cache_ = std::make_unique<RowCache>(bytes); }
  // The row cache (disabled until SetRowCacheBytes()). Thread-safe.
  RowCache& row_cache() { return *row_cache_; }

  // What an insert whose key is already stored does (the endpoint's
  // on_duplicate): kLast replaces the row, kFirst keeps the stored one, and
  // kError makes Apply() fail with FAILED_PRECONDITION, applying nothing.
  // Each Apply() counts them in duplicates(). Call before Apply(); one writer.
  void SetOnDuplicate(OnDuplicate policy) { on_duplicate_ = policy; }
  // The duplicate keys the last Apply() met (also when it failed on one).
  const DuplicateKeys& duplicates() const { return dups_; }

  // Frees the buffers Apply() keeps from one call to the next (they grow to
  // the largest batch seen), e.g. once the cache has caught up with its
  // log. One writer: not concurrently with Apply().
  void ReleaseBuffers();

  // Deletes the (closed) cache under `dir` so that a crash at any moment
  // leaves either no cache or the old one, never half of it.
  static Status Discard(StoragePlugin& storage, const std::filesystem::path& dir);

  // Discards every entry (for a rebuild). One writer, no concurrent Apply.
  Status Clear();

  uint64_t applied() const { return applied_.load(std::memory_order_acquire); }
  uint64_t rows() const { return rows_.load(std::memory_order_acquire); }
  uint64_t flags() const { return flags_.load(std::memory_order_acquire); }

  // Reads the meta entry as `snapshot` sees it (nullptr: the latest state),
  // e.g. the row count that belongs with a query's snapshot, which rows()
  // may already have moved past. An empty cache has no meta: all zeros.
  // DATA_LOSS when the entry is malformed; the store's errors as they are.
  // Thread-safe.
  Status ReadMeta(const KvSnapshot* snapshot, CacheMeta* out) const;

  const TableSchema& schema() const { return schema_; }
  KvStore& kv() { return *kv_; }
  // The directory it was opened in.
  const std::filesystem::path& dir() const { return dir_; }
  // A write of Apply() or Clear() failed (e.g. a full disk): the store may
  // refuse writes until the cache is opened again (sluice/storage.h,
  // KvStore::Write); what it holds is the state of the last applied commit.
  bool write_failed() const { return write_failed_; }

  // Key prefixes, for readers.
  static std::string PrimaryPrefix() { return std::string(1, '\x01'); }
  static std::string IndexPrefix(uint32_t index_no);
  // Smallest key greater than every key starting with `prefix`.
  static std::string PrefixEnd(const std::string& prefix);

 private:
  VersionCache(std::unique_ptr<KvStore> kv, TableSchema schema)
      : kv_(std::move(kv)), schema_(std::move(schema)) {
    if (DerivedState::Needed(schema_)) derived_ = std::make_unique<DerivedState>(schema_);
  }
  Status LoadMeta();
  Status FindMaxKey();
  // What Apply() knows of a key before an op: present or not, and its row
  // (viewing a log record of the batch or existing_).
  struct Touched {
    bool present = false;
    std::string_view row;
  };
  Status Existing(const std::string& pk, std::string* row, bool* found);
  // Adds one op's entries to batch_; the helpers work on pk_ and decoded_.
  Status ApplyOne(const CacheOp& op, size_t index, int64_t* rows, std::string* new_max);
  Status Before(Touched* out);
  bool FindAppended(Touched* out) const;
  size_t PutRow(std::string_view row);
  // Index entries of `row`: puts carrying `encoded` (when covering) or deletes.
  void AddIndexKeys(const std::vector<Value>& row, bool put, std::string_view encoded = {});

  // Writes `ops` to the store, noting a failure (write_failed()), and
  // invalidates the row cache's entries of the rows they write.
  Status WriteOps(const KvOp* ops, size_t count, bool sync);

  std::unique_ptr<KvStore> kv_;
  TableSchema schema_;
  std::filesystem::path dir_;
  bool write_failed_ = false;
  bool covering_ = false;
  OnDuplicate on_duplicate_ = OnDuplicate::kLast;
  DuplicateKeys dups_;
  std::atomic<uint64_t> applied_{0};
  std::atomic<uint64_t> rows_{0};
  std::atomic<uint64_t> flags_{0};
  std::string max_pk_;  // largest primary key stored (fast path for appends)
  // Declared aggregates and full-text postings, when the table has any.
  std::unique_ptr<DerivedState> derived_;
  std::unique_ptr<RowCache> row_cache_ = std::make_unique<RowCache>(0);

  // Apply() scratch, reused so that a steady build allocates nearly nothing.
  CacheBatch batch_;
  std::vector<size_t> appended_;  // batch_ ops of rows past every earlier key, in key order
  std::unordered_map<std::string, Touched> touched_;  // other keys this batch wrote
  std::vector<Value> decoded_, old_decoded_;
  std::string pk_, existing_, meta_value_;
};

}  // namespace sluice::host

#endif  // SLUICE_HOST_CACHE_VERSION_CACHE_H_
