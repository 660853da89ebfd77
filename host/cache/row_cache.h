// RowCache: the encoded rows of one VersionCache that queries read most
// recently, by primary key, shared by every thread that queries it
// (docs/query.md, "The row cache"). A query that walks a secondary index
// reads each row by its key; a row found here costs a hash lookup instead
// of a store read.
//
// Consistency with snapshots. Every change the VersionCache applies runs
// between BeginChange() and EndChange(), and Invalidate()s each row key it
// writes in between. The cache counts changes in an epoch: even while no
// change runs, odd during one. A reader notes the epoch before and after
// taking its store snapshot (ReadEpoch): when both are the same even value,
// its snapshot is exactly the state at that epoch, and it may Lookup() and
// Insert() with it; otherwise it reads the store only. An entry records the
// epoch it was read at, and stays only while its key is unchanged:
//
//   - Insert() stores nothing unless the epoch is still the reader's (no
//     change has begun since its snapshot), so no entry is older than a
//     change that began before it was stored;
//   - BeginChange() moves the epoch first, then the change removes its keys:
//     an entry present holds the row as of every epoch from its own to now;
//   - Lookup() with epoch e uses an entry of epoch <= e only (an entry read
//     at a later state may hold a row newer than e's snapshot).
//
//   RowCache cache(32 << 20);
//   uint64_t e;
//   bool usable = cache.ReadEpoch(&e, [&] { return kv.NewSnapshot(&snap); });
//   if (usable && cache.Lookup(pk, e, &row)) ...  // else read snap, then:
//   if (usable) cache.Insert(pk, row, e);
//
// Thread-safe: any number of readers; one writer (the VersionCache's
// Apply/Clear) at a time. Bounded: at most capacity() bytes of keys, rows
// and per-entry overhead, least recently used entries evicted first.
#ifndef SLUICE_HOST_CACHE_ROW_CACHE_H_
#define SLUICE_HOST_CACHE_ROW_CACHE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "sluice/function_ref.h"
#include "sluice/status.h"

namespace sluice::host {

class RowCache {
 public:
  // Bytes charged per entry besides its key and row (nodes, headers).
  static constexpr size_t kEntryOverhead = 128;

  // A cache of at most `capacity_bytes` (0: disabled; every call is then a
  // no-op and Lookup() misses).
  explicit RowCache(size_t capacity_bytes);
  RowCache(const RowCache&) = delete;
  RowCache& operator=(const RowCache&) = delete;

  size_t capacity() const { return capacity_; }
  bool enabled() const { return capacity_ > 0; }

  // Runs `take_snapshot` and sets *epoch to the epoch its snapshot belongs
  // to. True when the snapshot is exactly the state at *epoch (no change
  // ran meanwhile) and the cache is enabled: only then may the caller use
  // Lookup() and Insert() with *epoch. take_snapshot's error is returned
  // through `status` (false then).
  bool ReadEpoch(uint64_t* epoch, FunctionRef<Status()> take_snapshot, Status* status) const;

  // Copies into *row the row stored under `key` if it was read at an epoch
  // <= `epoch` (and so holds the row as of `epoch`). False on a miss.
  bool Lookup(std::string_view key, uint64_t epoch, std::string* row);

  // Stores `row` (as a snapshot at `epoch` holds it) under `key`, unless a
  // change has begun since `epoch`, or the entry alone would exceed a
  // sixteenth of a shard. Evicts the least recently used entries to fit.
  void Insert(std::string_view key, std::string_view row, uint64_t epoch);

  // Writer: brackets one change of the store. Between them, Invalidate()
  // every row key the change writes or deletes (after BeginChange(), before
  // the change is visible to readers). Cleared() after a change of
  // unknown keys. EndChange() also after a failed change.
  void BeginChange();
  // True when the cache holds no entry: the writer may then skip its
  // Invalidate() calls (no entry can appear during a change).
  bool Empty() const { return entries_.load() == 0; }
  void Invalidate(std::string_view key);
  void Clear();
  void EndChange();

  // Entries and bytes held now (for tests and metrics).
  size_t entries() const { return entries_.load(); }
  size_t bytes() const;

 private:
  struct Entry {
    std::string key;
    std::string row;
    uint64_t epoch;
  };
  struct Shard {
    std::mutex mu;
    std::list<Entry> lru;  // most recently used first
    std::unordered_map<std::string_view, std::list<Entry>::iterator> map;  // views lru keys
    size_t bytes = 0;
  };
  static constexpr size_t kShards = 16;
  Shard& ShardOf(std::string_view key);
  void Erase(Shard& s, std::list<Entry>::iterator it);

  const size_t capacity_;
  const size_t shard_capacity_;
  std::atomic<uint64_t> epoch_{0};
  std::atomic<size_t> entries_{0};
  std::unique_ptr<Shard[]> shards_;
};

}  // namespace sluice::host

#endif  // SLUICE_HOST_CACHE_ROW_CACHE_H_
