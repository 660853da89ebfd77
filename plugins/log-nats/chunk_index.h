// ChunkIndex: where every record of a stream lives, rebuilt from message
// headers alone (message_format.h) by replaying them in sequence order.
//
// Replay rules (docs/log-nats.md, "Replay"):
// - A message whose Sluice-Start is its own sequence begins an append;
//   an unfinished append before it is abandoned (its writer died).
// - Later messages of that append extend it; anything else (a fragment out
//   of order, a piece of an abandoned append) is ignored.
// - The commit message applies the append: every indexed chunk at or after
//   the append's first offset is dropped (that is how a truncation is
//   written), then the append's chunks are added and the end moves.
//
//   ChunkIndex index;
//   Status s = index.Apply(seq, headers);   // for every message, in order
//   size_t i = index.Find(offset);          // chunk holding `offset`
//
// Not thread-safe; the owner locks.
#ifndef SLUICE_PLUGINS_LOG_NATS_CHUNK_INDEX_H_
#define SLUICE_PLUGINS_LOG_NATS_CHUNK_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "message_format.h"
#include "sluice/status.h"

namespace sluice::log_nats {

// One chunk: records [first, first + count) in messages [seq, seq + msgs).
struct ChunkRef {
  uint64_t first = 0;
  uint32_t count = 0;
  uint64_t seq = 0;
  uint32_t msgs = 0;
};

class ChunkIndex {
 public:
  static constexpr size_t kNone = static_cast<size_t>(-1);

  // Feeds message `seq`. Messages at or below applied_seq() are ignored, so
  // feeding the same message twice is harmless. DATA_LOSS when a commit
  // would leave a gap or start inside a chunk (not something a writer of
  // this format produces).
  Status Apply(uint64_t seq, const MessageHeaders& h);

  // Offset the next append gets.
  uint64_t end() const { return end_; }
  // Highest sequence fed so far (0: none).
  uint64_t applied_seq() const { return applied_seq_; }
  // The chunk that carries the current checkpoint; msgs == 0 when nothing
  // was ever committed.
  const ChunkRef& commit() const { return commit_; }
  const std::vector<ChunkRef>& chunks() const { return chunks_; }
  // Index into chunks() of the chunk holding `offset`, or kNone.
  size_t Find(uint64_t offset) const;
  // Moves out the chunks dropped by truncations since the last call.
  std::vector<ChunkRef> TakeSuperseded();
  // Forgets everything (the stream was recreated).
  void Reset() { *this = ChunkIndex(); }

 private:
  void Abandon() { pending_.clear(), has_partial_ = false, pending_start_ = 0; }
  void AddPiece(uint64_t seq, const MessageHeaders& h);
  Status Commit(uint64_t seq);

  uint64_t applied_seq_ = 0;
  uint64_t end_ = 0;
  std::vector<ChunkRef> chunks_;
  std::vector<ChunkRef> superseded_;
  ChunkRef commit_;

  // The append being replayed.
  uint64_t pending_start_ = 0;  // 0: none
  uint64_t pending_first_ = 0;
  uint64_t pending_next_ = 0;
  std::vector<ChunkRef> pending_;
  bool has_partial_ = false;  // a fragmented chunk is being collected
  ChunkRef partial_;
  uint32_t partial_frags_ = 0;
};

}  // namespace sluice::log_nats

#endif  // SLUICE_PLUGINS_LOG_NATS_CHUNK_INDEX_H_
