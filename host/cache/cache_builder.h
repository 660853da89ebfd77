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

  void Start();
  void Stop();

  // Applies everything up to the log's current end on the calling thread
  // (for tests and one-shot tools). Not while Start()ed.
  Status CatchUp();

 private:
  // The whole commits read from one stretch of the log, reused.
  struct Window {
    uint64_t from = 0;
    uint64_t commit_end = 0;   // offset after the last whole commit (== from: none)
    uint64_t flags = 0;        // flags of that commit
    std::string arena;         // row bytes of every op, back to back
    std::vector<CacheOp> ops;  // the ops of whole commits; rows view arena
  };

  void Run();
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
  // Once caught up: frees the window buffers and the cache's batch buffers
  // that a bulk build grew (a trickle of small commits needs little).
  void ReleaseBuffers();

  std::shared_ptr<VersionLog> log_;
  VersionCache* cache_;
  std::function<void()> on_progress_;
  std::function<void(const Status&)> on_error_;
  std::function<void(const std::vector<CacheOp>&)> on_applied_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  // Records per window. Each window is one synced cache write, so larger
  // windows mean fewer syncs; 64k records of the bench's trips rows are ~12 MB.
  size_t window_ = 65536;
  Window windows_[2];
  int cur_ = 0;                // windows_[cur_] is being applied; the other is read ahead
  std::future<Status> ahead_;  // declared after windows_: joined before they go
  uint64_t ahead_from_ = 0;
  bool buffers_grown_ = false;  // windows were filled since the last release
};

}  // namespace sluice::host

#endif  // SLUICE_HOST_CACHE_CACHE_BUILDER_H_
