// CacheBuilder: keeps one version's cache caught up with its log, on its own
// thread. It applies whole commits only, resumes from the cache's applied
// offset, and rebuilds from scratch when the cache is ahead of the log (the
// log's tail was cut after a crash).
//
// While one window of commits is applied (encoded, written, synced), the
// next one is read from the log and checked on a helper thread, so reading
// the log overlaps the cache's writes.
#ifndef SLUICE_HOST_CACHE_CACHE_BUILDER_H_
#define SLUICE_HOST_CACHE_CACHE_BUILDER_H_

#include <atomic>
#include <condition_variable>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cache/version_cache.h"
#include "storage/version_log.h"

namespace sluice::host {

// Inserts of an existing key an apply met (VersionCache::duplicates), with
// what it takes to find the first one in the source.
struct DuplicateReport {
  uint64_t count = 0;
  std::string key;          // the first one's key, "name=value, ..."
  uint64_t log_offset = 0;  // the first one's log record
  // The source offset its commit started from (the previous commit's) and
  // its row index in that commit: a reader opened at that offset reaches it
  // as row number index_in_commit. Empty offset: the start of the source.
  std::string commit_source_offset;
  uint64_t index_in_commit = 0;
  bool halted = false;  // on_duplicate: error stopped the cache before it
};

class CacheBuilder {
 public:
  // `on_progress` runs on the builder thread after every apply and whenever
  // the cache is found caught up; `on_error` once if the builder stops on an
  // error (e.g. a corrupt log record).
  CacheBuilder(std::shared_ptr<VersionLog> log, VersionCache* cache,
               std::function<void()> on_progress, std::function<void(const Status&)> on_error);
  ~CacheBuilder();  // stops and joins
  CacheBuilder(const CacheBuilder&) = delete;
  CacheBuilder& operator=(const CacheBuilder&) = delete;

  // Called on the builder thread with the ops of every apply, after they
  // were applied. Set before Start().
  void SetOnApplied(std::function<void(const std::vector<CacheOp>&)> fn) {
    on_applied_ = std::move(fn);
  }
  // Called on the builder thread when an apply met duplicate keys; with
  // on_duplicate: error the builder then stops (on_error gets a
  // FAILED_PRECONDITION naming the key) after applying every commit
  // before the one holding the first duplicate. Set before Start().
  void SetOnDuplicates(std::function<void(const DuplicateReport&)> fn) {
    on_duplicates_ = std::move(fn);
  }

  // What the builder does when the cache refuses a write (a full disk):
  // `on_storage` runs with the error and then after every failed probe
  // (with the backoff's next wait in ms; with OK and 0 once log reads work
  // again), while the builder keeps what the
  // cache holds served and probes the cache's directory for space, backing
  // off from `retry_min_ms` to `retry_max_ms`; once the probe succeeds,
  // `reopen` runs and the builder ends: its owner opens the cache again,
  // which resumes from its applied offset (the last commit it wrote whole).
  // A log read that fails the same way (its log is being reopened) is
  // retried with the same backoff. Without handlers, such errors stop the
  // builder (on_error). Set before Start().
  void SetStorageHandlers(std::function<void(const Status&, uint32_t retry_in_ms)> on_storage,
                          std::function<void()> reopen, uint32_t retry_min_ms,
                          uint32_t retry_max_ms) {
    on_storage_ = std::move(on_storage);
    reopen_ = std::move(reopen);
    retry_min_ms_ = retry_min_ms;
    retry_max_ms_ = retry_max_ms;
  }

  void Start();
  void Stop();

  // Applies everything up to the log's current end on the calling thread
  // (for tests and one-shot tools). Not while Start()ed.
  Status CatchUp();

  // Row operations (inserts, updates, deletes) this builder applied since
  // it was made: a cache build's progress. Thread-safe.
  uint64_t applied_ops() const { return applied_ops_.load(std::memory_order_relaxed); }

 private:
  // The whole commits read from one stretch of the log, reused.
  struct Commit {
    size_t ops_end = 0;    // ops[..ops_end) are this and the earlier commits
    uint64_t log_end = 0;  // offset after its commit record
    uint64_t flags = 0;
    std::string source_offset;
  };
  struct Window {
    uint64_t from = 0;
    uint64_t commit_end = 0;      // offset after the last whole commit (== from: none)
    uint64_t flags = 0;           // flags of that commit
    std::string arena;            // row bytes of every op, back to back
    std::vector<CacheOp> ops;     // the ops of whole commits; rows view arena
    std::vector<Commit> commits;  // the whole commits, in order
  };

  void Run();
  // After a storage error `s`: backs off and, for a cache write, probes for
  // space until it is there. False when stopping or when `s` is no storage
  // error; *reopen when the cache must be opened again.
  bool RecoverFromStorage(const Status& s, bool* reopen);
  // Sleeps for `ms` unless stopped; false when stopping.
  bool Sleep(uint32_t ms);
  // Applies at most one window of whole commits; *applied_any tells if it did.
  Status Step(bool* applied_any);
  // Reads up to `max` records from `from` into *w (thread-safe: log reads).
  Status ReadWindow(uint64_t from, size_t max, Window* w);
  // The window that starts at `from`: the read-ahead one when it holds a
  // commit, else windows_[cur_] read now.
  Status NextWindow(uint64_t from, Window** out);
  // Starts reading the window at `from` into the spare buffer.
  void StartReadAhead(uint64_t from);
  // Waits for the read-ahead, if any, and forgets it.
  void DropReadAhead();
  // Reports the duplicates of the last apply of `w`; with on_duplicate:
  // error (`halted`) first applies the commits before the first one.
  Status OnDuplicates(const Window& w, bool halted);
  // The source offset the commit before log offset `commit_start` resumed
  // from (empty for the log's first commit).
  Status SourceOffsetBefore(const Window& w, size_t commit, std::string* out);
  // Once caught up: frees the window buffers and the cache's batch buffers
  // that a bulk build grew (a trickle of small commits needs little).
  void ReleaseBuffers();

  std::shared_ptr<VersionLog> log_;
  VersionCache* cache_;
  std::function<void()> on_progress_;
  std::function<void(const Status&)> on_error_;
  std::function<void(const std::vector<CacheOp>&)> on_applied_;
  std::function<void(const DuplicateReport&)> on_duplicates_;
  std::function<void(const Status&, uint32_t)> on_storage_;
  std::function<void()> reopen_;
  uint32_t retry_min_ms_ = 1000, retry_max_ms_ = 30000;
  uint32_t storage_wait_ = 0;  // the next backoff after a storage error; 0: none pending
  std::atomic<bool> stop_{false};
  std::mutex sleep_mu_;
  std::condition_variable sleep_cv_;
  std::thread thread_;
  // Records per window. Each window is one synced cache write, so larger
  // windows mean fewer syncs; 64k records of the bench's trips rows are ~12 MB.
  size_t window_ = 65536;
  Window windows_[2];
  int cur_ = 0;                // windows_[cur_] is being applied; the other is read ahead
  std::future<Status> ahead_;  // declared after windows_: joined before they go
  uint64_t ahead_from_ = 0;
  bool buffers_grown_ = false;  // windows were filled since the last release
  std::atomic<uint64_t> applied_ops_{0};
};

}  // namespace sluice::host

#endif  // SLUICE_HOST_CACHE_CACHE_BUILDER_H_
