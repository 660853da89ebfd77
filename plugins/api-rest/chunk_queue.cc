#include "chunk_queue.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace sluice::rest {
namespace {

// Consumed chunks at the front are erased once there are this many and
// they are half of the queue (a queue that never drains stays bounded).
constexpr size_t kCompactAt = 16;
// An emptied queue keeps room for this many chunks, no more.
constexpr size_t kKeptCapacity = 8;

}  // namespace

std::string_view TextBlock::Append(std::string_view text) {
  char* at = data_.get() + used_;
  std::memcpy(at, text.data(), text.size());
  used_ += text.size();
  return std::string_view(at, text.size());
}

void ChunkQueue::Settle() const {
  const std::string& tail = chunks_.back().owned;
  bytes_ += tail.size() - tail_seen_;
  tail_seen_ = tail.size();
}

void ChunkQueue::Push(std::string text) {
  if (text.empty()) return;
  if (tail_open_) Settle();
  tail_open_ = false;
  bytes_ += text.size();
  Chunk c;
  c.owned = std::move(text);
  chunks_.push_back(std::move(c));
}

void ChunkQueue::Copy(std::string_view text) {
  if (text.empty()) return;
  OwnedTail()->append(text);
}

std::string* ChunkQueue::OwnedTail() {
  if (tail_open_) return &chunks_.back().owned;
  if (chunks_.size() == first_ || chunks_.back().block != nullptr) chunks_.emplace_back();
  tail_open_ = true;
  tail_seen_ = chunks_.back().owned.size();
  return &chunks_.back().owned;
}

void ChunkQueue::Share(const std::shared_ptr<const TextBlock>& block, std::string_view range) {
  if (range.empty()) return;
  if (tail_open_) Settle();
  tail_open_ = false;
  bytes_ += range.size();
  if (chunks_.size() > first_) {
    Chunk& last = chunks_.back();
    if (last.block == block && last.data + last.size == range.data()) {
      last.size += range.size();
      return;
    }
  }
  Chunk c;
  c.block = block;
  c.data = range.data();
  c.size = range.size();
  chunks_.push_back(std::move(c));
}

int ChunkQueue::Gather(iovec* iov, int max) const {
  int n = 0;
  for (size_t i = first_; i < chunks_.size() && n < max; ++i) {
    std::string_view v = chunks_[i].view();
    if (i == first_) v.remove_prefix(offset_);
    if (v.empty()) continue;
    iov[n++] = {const_cast<char*>(v.data()), v.size()};
  }
  return n;
}

size_t ChunkQueue::CopyOut(char* to, size_t max) const {
  size_t n = 0;
  for (size_t i = first_; i < chunks_.size() && n < max; ++i) {
    std::string_view v = chunks_[i].view();
    if (i == first_) v.remove_prefix(offset_);
    size_t take = std::min(v.size(), max - n);
    std::memcpy(to + n, v.data(), take);
    n += take;
  }
  return n;
}

std::string_view ChunkQueue::Front() const {
  for (size_t i = first_; i < chunks_.size(); ++i) {
    std::string_view v = chunks_[i].view();
    if (i == first_) v.remove_prefix(offset_);
    if (!v.empty()) return v;
  }
  return {};
}

void ChunkQueue::Consume(size_t n) {
  if (tail_open_) Settle();
  bytes_ -= n;
  while (n > 0 || (first_ < chunks_.size() && offset_ == chunks_[first_].view().size())) {
    Chunk& c = chunks_[first_];
    size_t left = c.view().size() - offset_;
    if (n < left) {
      offset_ += n;
      return;
    }
    n -= left;
    if (tail_open_ && first_ + 1 == chunks_.size()) tail_open_ = false;
    c = Chunk();  // frees the bytes, or drops the reference
    ++first_;
    offset_ = 0;
  }
  if (first_ == chunks_.size()) return Clear();
  if (first_ >= kCompactAt && first_ * 2 >= chunks_.size()) {
    chunks_.erase(chunks_.begin(), chunks_.begin() + static_cast<std::ptrdiff_t>(first_));
    first_ = 0;
  }
}

void ChunkQueue::Clear() {
  if (chunks_.capacity() > kKeptCapacity) std::vector<Chunk>().swap(chunks_);
  else chunks_.clear();
  first_ = offset_ = bytes_ = tail_seen_ = 0;
  tail_open_ = false;
}

}  // namespace sluice::rest
