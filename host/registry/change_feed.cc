#include "registry/change_feed.h"

#include <algorithm>

namespace sluice::host {

void ChangeFeed::Init(uint64_t end) {
  std::lock_guard<std::mutex> lock(mu_);
  end_ = std::max(end_, end);
}

void ChangeFeed::Publish(const std::vector<CacheOp>& ops, uint64_t end) {
  std::lock_guard<std::mutex> lock(mu_);
  if (end <= end_) return;  // applied again after a rebuild: published before
  uint64_t first = end_;
  if (!subs_.empty()) {
    auto b = std::make_shared<Batch>();
    b->first = first;
    b->end = end;
    size_t bytes = 0;
    for (const CacheOp& op : ops) bytes += op.offset >= first ? op.row.size() : 0;
    b->arena.reserve(bytes);
    b->changes.reserve(ops.size());
    for (const CacheOp& op : ops) {
      if (op.offset < first) continue;
      b->changes.push_back(
          {static_cast<uint32_t>(op.op), op.offset, b->arena.size(), op.row.size()});
      b->arena.append(op.row);
    }
    ring_changes_ += b->changes.size();
    ring_.push_back(std::move(b));
    while (ring_.size() > 1 && ring_changes_ > ring_limit_) {
      ring_changes_ -= ring_.front()->changes.size();
      ring_.pop_front();
    }
  } else {
    ring_.clear();
    ring_changes_ = 0;
  }
  end_ = end;
  for (Subscriber* s : subs_) WakeLocked(s);
}

void ChangeFeed::WakeLocked(Subscriber* s) {
  if (s->armed.exchange(false) && s->wake != nullptr) s->wake(s->wake_ctx);
}

void ChangeFeed::Read(uint64_t from, std::vector<std::shared_ptr<const Batch>>* out, Window* w,
                      size_t max_changes) const {
  out->clear();
  std::lock_guard<std::mutex> lock(mu_);
  w->end = end_;
  w->closed = closed_;
  w->ring_start = ring_.empty() ? end_ : ring_.front()->first;
  // The ring is in offset order: the first batch that ends after `from`.
  auto it =
      std::partition_point(ring_.begin(), ring_.end(),
                           [&](const std::shared_ptr<const Batch>& b) { return b->end <= from; });
  size_t changes = 0;
  for (; it != ring_.end() && changes < max_changes; ++it) {
    out->push_back(*it);
    changes += (*it)->changes.size();
  }
}

ChangeFeed::Window ChangeFeed::Peek() const {
  std::lock_guard<std::mutex> lock(mu_);
  return Window{ring_.empty() ? end_ : ring_.front()->first, end_, closed_};
}

void ChangeFeed::Add(Subscriber* s) {
  std::lock_guard<std::mutex> lock(mu_);
  subs_.push_back(s);
  count_ = subs_.size();
}

void ChangeFeed::Remove(Subscriber* s) {
  std::lock_guard<std::mutex> lock(mu_);
  subs_.erase(std::remove(subs_.begin(), subs_.end(), s), subs_.end());
  count_ = subs_.size();
  if (subs_.empty()) {
    ring_.clear();
    ring_changes_ = 0;
  }
}

uint64_t ChangeFeed::Group(const std::string& key) {
  static std::atomic<uint64_t> next{1};
  constexpr size_t kMaxGroups = 4096;  // distinct filters of one version
  std::lock_guard<std::mutex> lock(mu_);
  auto at = groups_.find(key);
  if (at != groups_.end()) return at->second;
  if (groups_.size() >= kMaxGroups) return 0;
  uint64_t id = next.fetch_add(1, std::memory_order_relaxed);
  groups_.emplace(key, id);
  return id;
}

void ChangeFeed::WakeAll() {
  std::lock_guard<std::mutex> lock(mu_);
  for (Subscriber* s : subs_) WakeLocked(s);
}

void ChangeFeed::Close() {
  std::lock_guard<std::mutex> lock(mu_);
  closed_ = true;
  for (Subscriber* s : subs_) {
    s->armed = true;
    WakeLocked(s);
  }
}

}  // namespace sluice::host
