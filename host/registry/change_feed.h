// ChangeFeed: fans the changes a cache builder applies out to watchers
// (sluice_api_host.watch, gRPC onEvent). Each watcher has a bounded queue;
// one that falls too far behind is dropped with RESOURCE_EXHAUSTED rather
// than slowing the cache builder or growing memory without bound.
#ifndef SLUICE_HOST_REGISTRY_CHANGE_FEED_H_
#define SLUICE_HOST_REGISTRY_CHANGE_FEED_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "cache/version_cache.h"

namespace sluice::host {

class ChangeFeed {
 public:
  struct Change {
    uint32_t op;  // sluice_op
    uint64_t offset;
    std::string row;
  };

  class Subscription {
   public:
    // Waits up to `timeout` for changes and moves them into *out (cleared
    // first). OK with an empty *out on timeout; UNAVAILABLE once the feed
    // closed; RESOURCE_EXHAUSTED when this watcher overflowed.
    Status Next(std::chrono::milliseconds timeout, std::vector<Change>* out);

   private:
    friend class ChangeFeed;
    std::mutex mu;
    std::condition_variable cv;
    std::deque<Change> queue;
    size_t max_pending = 0;
    bool overflowed = false;
    bool closed = false;
  };

  ChangeFeed() = default;
  ChangeFeed(const ChangeFeed&) = delete;
  ChangeFeed& operator=(const ChangeFeed&) = delete;

  // A new watcher; it sees changes published from now on. Unsubscribe when done.
  std::shared_ptr<Subscription> Subscribe(size_t max_pending = 100000);
  void Unsubscribe(const std::shared_ptr<Subscription>& sub);
  // Hands applied ops to every watcher. Cheap when nobody watches.
  void Publish(const std::vector<CacheOp>& ops);
  // Ends every watch with UNAVAILABLE (server stopping).
  void Close();

 private:
  std::atomic<size_t> count_{0};
  std::mutex mu_;
  std::vector<std::shared_ptr<Subscription>> subs_;
  bool closed_ = false;
};

}  // namespace sluice::host

#endif  // SLUICE_HOST_REGISTRY_CHANGE_FEED_H_
