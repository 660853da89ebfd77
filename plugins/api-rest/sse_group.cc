#include "sse_group.h"

#include <algorithm>
#include <map>
#include <utility>

namespace sluice::rest {

std::shared_ptr<SseGroup> SseGroup::Join(uint64_t group, bool versioned) {
  static std::mutex mu;
  static std::map<std::pair<uint64_t, bool>, std::weak_ptr<SseGroup>> groups;
  std::lock_guard<std::mutex> lock(mu);
  for (auto it = groups.begin(); it != groups.end();)  // forgets groups nobody holds
    it = it->second.expired() ? groups.erase(it) : std::next(it);
  std::weak_ptr<SseGroup>& slot = groups[{group, versioned}];
  std::shared_ptr<SseGroup> g = slot.lock();
  if (g == nullptr) {
    g = std::make_shared<SseGroup>();
    slot = g;
  }
  return g;
}

bool SseGroup::Find(uint32_t version, uint64_t offset, uint64_t* cursor, Text* text) const {
  if (events_.empty()) return false;
  auto key = std::make_pair(version, offset);
  if (key < std::make_pair(events_.front().version, events_.front().offset) ||
      key > std::make_pair(events_.back().version, events_.back().offset))
    return false;  // outside the events kept
  auto matches = [&](size_t i) {
    const Event& e = events_[i];
    return e.version == version && e.offset == offset;
  };
  size_t i = *cursor >= base_ ? static_cast<size_t>(*cursor - base_) : events_.size();
  if (i >= events_.size() || !matches(i)) {
    auto at = std::lower_bound(events_.begin(), events_.end(), std::make_pair(version, offset),
                               [](const Event& e, const std::pair<uint32_t, uint64_t>& k) {
                                 return std::make_pair(e.version, e.offset) < k;
                               });
    if (at == events_.end()) return false;
    i = static_cast<size_t>(at - events_.begin());
    if (!matches(i)) return false;
  }
  const Event& e = events_[i];
  text->block = &blocks_[static_cast<size_t>(e.block - block_base_)];
  text->text = std::string_view(e.data, e.size);
  *cursor = base_ + i + 1;
  return true;
}

bool SseGroup::Add(uint32_t version, uint64_t offset, std::string_view text, uint64_t* cursor,
                   bool shared, Text* kept) {
  if (!shared) {  // alone in the group: nobody would share it
    base_ += events_.size();
    events_.clear();
    bytes_ = 0;
    block_base_ += blocks_.size();
    blocks_.clear();
    tail_.reset();
    return false;
  }
  if (!events_.empty() && std::make_pair(version, offset) <=
                              std::make_pair(events_.back().version, events_.back().offset))
    return false;
  if (tail_ == nullptr || tail_->room() < text.size()) {
    tail_ = std::make_shared<TextBlock>(std::max(kBlockBytes, text.size()));
    blocks_.push_back(tail_);
  }
  std::string_view at = tail_->Append(text);
  events_.push_back(Event{version, static_cast<uint32_t>(text.size()), offset,
                          block_base_ + blocks_.size() - 1, at.data()});
  bytes_ += text.size();
  Trim();
  *cursor = base_ + events_.size();
  kept->block = &blocks_.back();
  kept->text = at;
  return true;
}

void SseGroup::Trim() {
  while (events_.size() > 1 && (events_.size() > kMaxEvents || bytes_ > kMaxBytes)) {
    bytes_ -= events_.front().size;
    events_.pop_front();
    ++base_;
  }
  while (blocks_.size() > 1 && block_base_ < events_.front().block) {
    blocks_.pop_front();
    ++block_base_;
  }
}

}  // namespace sluice::rest
