#include "registry/change_feed.h"

#include <algorithm>

namespace sluice::host {

Status ChangeFeed::Subscription::Next(std::chrono::milliseconds timeout, std::vector<Change>* out) {
  out->clear();
  std::unique_lock<std::mutex> lock(mu);
  cv.wait_for(lock, timeout, [&] { return !queue.empty() || closed || overflowed; });
  if (overflowed)
    return ResourceExhausted("watcher fell more than " + std::to_string(max_pending) +
                             " changes behind; reconnect and resume");
  while (!queue.empty()) {
    out->push_back(std::move(queue.front()));
    queue.pop_front();
  }
  if (out->empty() && closed) return Unavailable("the server is stopping");
  return Status();
}

std::shared_ptr<ChangeFeed::Subscription> ChangeFeed::Subscribe(size_t max_pending) {
  auto sub = std::make_shared<Subscription>();
  sub->max_pending = max_pending;
  std::lock_guard<std::mutex> lock(mu_);
  sub->closed = closed_;
  subs_.push_back(sub);
  count_ = subs_.size();
  return sub;
}

void ChangeFeed::Unsubscribe(const std::shared_ptr<Subscription>& sub) {
  std::lock_guard<std::mutex> lock(mu_);
  subs_.erase(std::remove(subs_.begin(), subs_.end(), sub), subs_.end());
  count_ = subs_.size();
}

void ChangeFeed::Publish(const std::vector<CacheOp>& ops) {
  if (count_.load(std::memory_order_relaxed) == 0 || ops.empty()) return;
  std::vector<std::shared_ptr<Subscription>> subs;
  {
    std::lock_guard<std::mutex> lock(mu_);
    subs = subs_;
  }
  for (auto& sub : subs) {
    {
      std::lock_guard<std::mutex> lock(sub->mu);
      if (sub->overflowed || sub->closed) continue;
      if (sub->queue.size() + ops.size() > sub->max_pending) {
        sub->overflowed = true;
        sub->queue.clear();
      } else {
        for (const CacheOp& op : ops)
          sub->queue.push_back({static_cast<uint32_t>(op.op), op.offset, std::string(op.row)});
      }
    }
    sub->cv.notify_all();
  }
}

void ChangeFeed::Close() {
  std::vector<std::shared_ptr<Subscription>> subs;
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    subs = subs_;
  }
  for (auto& sub : subs) {
    {
      std::lock_guard<std::mutex> lock(sub->mu);
      sub->closed = true;
    }
    sub->cv.notify_all();
  }
}

}  // namespace sluice::host
