// ChangeFeed: the changes one version's cache builder applied, shared by
// every change feed reading that version (registry/feed.h). It keeps the
// most recent applies in a bounded ring of immutable batches that feeds
// read without copying, and wakes the feeds waiting for more. Publishing
// never waits for a feed and keeps nothing per feed: feeds further back
// than the ring (a resume, a start from the log's beginning, a slow
// client) read the log itself.
//
//   feed.Init(cache->applied());              // before the builder starts
//   builder: feed.Publish(ops, cache->applied());
//   reader:  feed.Add(&sub) ... feed.Read(sub.position, &batches, &window) ... feed.Remove(&sub)
#ifndef SLUICE_HOST_REGISTRY_CHANGE_FEED_H_
#define SLUICE_HOST_REGISTRY_CHANGE_FEED_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "cache/version_cache.h"

namespace sluice::host {

class ChangeFeed {
 public:
  // The row operations of one apply (whole commits), in log order.
  struct Batch {
    struct Change {
      uint32_t op;  // sluice_op
      uint64_t offset;
      size_t begin, size;  // the row: arena[begin, begin + size)
    };
    uint64_t first = 0;  // offsets [first, end) are covered (commit records included)
    uint64_t end = 0;
    std::string arena;
    std::vector<Change> changes;
    std::string_view row(const Change& c) const { return {arena.data() + c.begin, c.size}; }
  };

  // One reader of the feed (registry/feed.h); registered with Add() while
  // it reads.
  struct Subscriber {
    // Called (under the feed's lock, so quick) when something is new for a
    // subscriber that armed itself, and when the feed closes.
    void (*wake)(void* ctx) = nullptr;
    void* wake_ctx = nullptr;
    std::atomic<bool> armed{false};  // found nothing new: wants a wake
  };

  // What Read() saw: the ring holds [ring_start, end); end is the offset
  // after the last commit published (everything before it is applied).
  struct Window {
    uint64_t ring_start = 0;
    uint64_t end = 0;
    bool closed = false;
  };

  ChangeFeed() = default;
  ChangeFeed(const ChangeFeed&) = delete;
  ChangeFeed& operator=(const ChangeFeed&) = delete;

  // The offset the cache has applied up to when the version opens.
  void Init(uint64_t end);
  // Publishes the ops of one apply, which ended at log offset `end`. Ops
  // before the end published so far (a cache rebuilt from scratch applies
  // them again) are dropped. Cheap when nobody reads.
  void Publish(const std::vector<CacheOp>& ops, uint64_t end);
  // The ring's batches with offsets at or after `from`, up to the one that
  // holds the `max_changes`-th change from `from` (a reader behind by the
  // whole ring neither copies nor keeps room for a reference to each of
  // its batches), and the window.
  void Read(uint64_t from, std::vector<std::shared_ptr<const Batch>>* out, Window* w,
            size_t max_changes = SIZE_MAX) const;
  // The window alone.
  Window Peek() const;
  void Add(Subscriber* s);
  void Remove(Subscriber* s);
  // Wakes every armed subscriber (e.g. the endpoint's current version moved).
  void WakeAll();
  // Ends every feed with UNAVAILABLE (the version is no longer served or
  // the server stops).
  void Close();

  size_t subscribers() const { return count_.load(std::memory_order_relaxed); }
  // Metrics: events handed to feeds, feeds cut off for falling behind
  // (counted by the feeds).
  void CountSent(uint64_t n) { sent_.fetch_add(n, std::memory_order_relaxed); }
  void CountCut() { cut_.fetch_add(1, std::memory_order_relaxed); }
  uint64_t sent() const { return sent_.load(std::memory_order_relaxed); }
  uint64_t cut() const { return cut_.load(std::memory_order_relaxed); }
  // A process-wide unique id for the feeds of this version that hand out
  // identical events (sluice_feed_event.group), named by `key` (their
  // filter and fields); 0 once the version has too many distinct keys.
  uint64_t Group(const std::string& key);
  // Changes the ring keeps at most (a feed within that of the end reads
  // from memory). For tests.
  void SetRingLimit(size_t changes) { ring_limit_ = changes; }

 private:
  void WakeLocked(Subscriber* s);

  std::atomic<size_t> count_{0};
  std::atomic<uint64_t> sent_{0}, cut_{0};
  mutable std::mutex mu_;
  std::vector<Subscriber*> subs_;
  std::deque<std::shared_ptr<const Batch>> ring_;
  size_t ring_changes_ = 0;
  size_t ring_limit_ = 65536;
  uint64_t end_ = 0;
  bool closed_ = false;
  std::map<std::string, uint64_t> groups_;
};

}  // namespace sluice::host

#endif  // SLUICE_HOST_REGISTRY_CHANGE_FEED_H_
