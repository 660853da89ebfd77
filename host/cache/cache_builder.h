// CacheBuilder: keeps one version's cache caught up with its log, on its own
// thread. It applies whole commits only, resumes from the cache's applied
// offset, and rebuilds from scratch when the cache is ahead of the log (the
// log's tail was cut after a crash).
#ifndef SLUICE_HOST_CACHE_CACHE_BUILDER_H_
#define SLUICE_HOST_CACHE_CACHE_BUILDER_H_

#include <atomic>
#include <functional>
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
  CacheBuilder(std::shared_ptr<VersionLog> log, VersionCache* cache, std::function<void()> on_progress,
               std::function<void(const Status&)> on_error);
  ~CacheBuilder();  // stops and joins
  CacheBuilder(const CacheBuilder&) = delete;
  CacheBuilder& operator=(const CacheBuilder&) = delete;

  // Called on the builder thread with the ops of every apply, after they
  // were applied. Set before Start().
  void SetOnApplied(std::function<void(const std::vector<CacheOp>&)> fn) { on_applied_ = std::move(fn); }

  void Start();
  void Stop();

  // Applies everything up to the log's current end on the calling thread
  // (for tests and one-shot tools). Not while Start()ed.
  Status CatchUp();

 private:
  void Run();
  // Applies at most one window of whole commits; *applied_any tells if it did.
  Status Step(bool* applied_any);

  std::shared_ptr<VersionLog> log_;
  VersionCache* cache_;
  std::function<void()> on_progress_;
  std::function<void(const Status&)> on_error_;
  std::function<void(const std::vector<CacheOp>&)> on_applied_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  size_t window_ = 20000;
};

}  // namespace sluice::host

#endif  // SLUICE_HOST_CACHE_CACHE_BUILDER_H_
