// What a connection has yet to send: owned strings and ranges of shared
// text blocks, in order, written with one gather write (sendmsg) or, over
// TLS, copied out a record's worth at a time.
//
// A shared block (TextBlock) holds the text of events encoded once for
// many streams (sse_group.h); a stream queues a reference to the range of
// its next events instead of a copy, so a thousand subscribers of one
// feed hold the bytes once. Ranges that follow each other in one block
// are queued as one chunk.
//
//   ChunkQueue q;
//   q.Push(std::move(head));                  // owned
//   q.Share(block, block->Append(text));      // by reference
//   iovec iov[64];
//   int n = q.Gather(iov, 64);
//   ssize_t sent = sendmsg(...);
//   q.Consume(sent);
#ifndef SLUICE_PLUGINS_API_REST_CHUNK_QUEUE_H_
#define SLUICE_PLUGINS_API_REST_CHUNK_QUEUE_H_

#include <sys/uio.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::rest {

// An append-only block of text of fixed capacity. Bytes once appended
// never move nor change, so a reader that learnt of a range under the
// writer's lock may read it from any thread without the lock, for as long
// as it holds a reference to the block, while the writer appends more.
class TextBlock {
 public:
  explicit TextBlock(size_t capacity) : data_(new char[capacity]), capacity_(capacity) {}
  TextBlock(const TextBlock&) = delete;
  TextBlock& operator=(const TextBlock&) = delete;

  size_t capacity() const { return capacity_; }
  size_t used() const { return used_; }
  size_t room() const { return capacity_ - used_; }
  // Appends `text` (text.size() <= room()) and returns where it is kept.
  // One writer at a time (the owner's lock).
  std::string_view Append(std::string_view text);

 private:
  std::unique_ptr<char[]> data_;
  const size_t capacity_;
  size_t used_ = 0;
};

class ChunkQueue {
 public:
  // Bytes queued and not yet consumed.
  size_t bytes() const {
    if (tail_open_) Settle();
    return bytes_;
  }
  bool empty() const { return bytes() == 0; }
  // Chunks queued (a partly consumed one counts): for tests and metrics.
  size_t chunks() const { return chunks_.size() - first_; }

  // Queues `text`, owned by the queue (nothing when empty).
  void Push(std::string text);
  // Queues a copy of `text`, added to the last chunk when that one is owned.
  void Copy(std::string_view text);
  // An owned string at the end of the queue to append to (bytes() counts
  // them on the next call of any other member). Valid until the next call.
  std::string* OwnedTail();
  // Queues `range`, which lies in `block`'s appended bytes, by reference:
  // the block lives at least until the range is consumed. Merged into the
  // last chunk when that one ends where `range` starts in the same block.
  void Share(const std::shared_ptr<const TextBlock>& block, std::string_view range);

  // Fills up to `max` iovecs with the bytes from the first unconsumed one,
  // in order; returns how many. The iovecs are valid until the queue
  // changes.
  int Gather(iovec* iov, int max) const;
  // Copies up to `max` bytes from the first unconsumed one into `to`;
  // returns how many.
  size_t CopyOut(char* to, size_t max) const;
  // The first unconsumed bytes, up to the end of their chunk.
  std::string_view Front() const;
  // Drops the first `n` bytes (n <= bytes()), freeing (or releasing the
  // references of) the chunks wholly consumed.
  void Consume(size_t n);
  // Drops everything.
  void Clear();

 private:
  struct Chunk {
    std::shared_ptr<const TextBlock> block;  // null: `owned` holds the bytes
    std::string owned;
    const char* data = nullptr;  // shared: the range
    size_t size = 0;
    std::string_view view() const {
      return block != nullptr ? std::string_view(data, size) : std::string_view(owned);
    }
  };
  // Brings bytes_ up to date after OwnedTail() appends.
  void Settle() const;

  std::vector<Chunk> chunks_;
  size_t first_ = 0;   // the first chunk not wholly consumed
  size_t offset_ = 0;  // bytes of chunks_[first_] consumed
  mutable size_t bytes_ = 0;
  // OwnedTail() handed out chunks_.back().owned, which was tail_seen_
  // bytes long when bytes_ last counted it.
  mutable size_t tail_seen_ = 0;
  bool tail_open_ = false;
};

}  // namespace sluice::rest

#endif  // SLUICE_PLUGINS_API_REST_CHUNK_QUEUE_H_
