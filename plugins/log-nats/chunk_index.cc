#include "chunk_index.h"

#include <algorithm>
#include <string>

namespace sluice::log_nats {

Status ChunkIndex::Apply(uint64_t seq, const MessageHeaders& h) {
  if (seq <= applied_seq_) return Status();
  applied_seq_ = seq;
  if (h.start == seq) {
    Abandon();
    pending_start_ = seq;
    pending_first_ = pending_next_ = h.first;
  } else if (pending_start_ == 0 || h.start != pending_start_) {
    return Status();  // a piece of an abandoned append
  }
  AddPiece(seq, h);
  if (pending_start_ == 0 || !h.commit) return Status();
  if (has_partial_) {  // a commit in the middle of a chunk: malformed
    Abandon();
    return Status();
  }
  return Commit(seq);
}

void ChunkIndex::AddPiece(uint64_t seq, const MessageHeaders& h) {
  if (h.frag == 1) {
    if (has_partial_ || h.first != pending_next_) return Abandon();
    partial_ = ChunkRef{h.first, h.count, seq, 1};
    partial_frags_ = h.frags;
    has_partial_ = true;
  } else {
    bool continues = has_partial_ && h.first == partial_.first && h.count == partial_.count &&
                     h.frags == partial_frags_ && h.frag == partial_.msgs + 1 &&
                     seq == partial_.seq + partial_.msgs;
    if (!continues) return Abandon();
    ++partial_.msgs;
  }
  if (partial_.msgs == partial_frags_) {
    pending_.push_back(partial_);
    pending_next_ += partial_.count;
    has_partial_ = false;
  }
}

Status ChunkIndex::Commit(uint64_t seq) {
  const uint64_t first = pending_first_;
  if (first > end_) {
    Abandon();
    return DataLoss("message " + std::to_string(seq) + " commits an append at offset " +
                    std::to_string(first) + ", beyond the end " + std::to_string(end_));
  }
  while (!chunks_.empty() && chunks_.back().first >= first) {
    superseded_.push_back(chunks_.back());
    chunks_.pop_back();
  }
  if (!chunks_.empty() && chunks_.back().first + chunks_.back().count > first) {
    Abandon();
    return DataLoss("message " + std::to_string(seq) + " commits an append at offset " +
                    std::to_string(first) + ", inside the chunk at " +
                    std::to_string(chunks_.back().first));
  }
  for (const ChunkRef& c : pending_)
    if (c.count > 0) chunks_.push_back(c);
  end_ = pending_next_;
  commit_ = pending_.back();
  Abandon();
  return Status();
}

size_t ChunkIndex::Find(uint64_t offset) const {
  auto it = std::upper_bound(chunks_.begin(), chunks_.end(), offset,
                             [](uint64_t o, const ChunkRef& c) { return o < c.first; });
  if (it == chunks_.begin()) return kNone;
  --it;
  if (offset >= it->first + it->count) return kNone;
  return static_cast<size_t>(it - chunks_.begin());
}

std::vector<ChunkRef> ChunkIndex::TakeSuperseded() {
  std::vector<ChunkRef> out;
  out.swap(superseded_);
  return out;
}

}  // namespace sluice::log_nats
