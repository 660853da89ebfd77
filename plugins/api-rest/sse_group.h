// SseGroup: the server-sent events of one feed group, encoded once for all
// the streams of that group (event_stream.h).
//
// Feeds that hand out events with the same sluice_feed_event.group hand
// out the same event for the same offset; streams that also write ids the
// same way (`versioned`) would write the same bytes for it. The first
// stream to reach an event encodes it and keeps the text here, in shared
// blocks (chunk_queue.h); every stream queues a reference to it, none a
// copy. A group keeps the most recent events only (kMaxEvents, kMaxBytes),
// and only while two streams or more hold it: a stream further behind, or
// alone in its group, encodes for itself. A block the group no longer
// keeps lives on while a queue refers to it.
//
//   auto g = SseGroup::Join(e.group, versioned);
//   std::unique_lock<std::mutex> lock(g->mu());
//   SseGroup::Text t;
//   if (g->Find(e.version, e.offset, &cursor, &t)) queue.Share(*t.block, t.text);
//   else { encode into text; if (g->Add(..., text, &cursor, shared, &t)) queue.Share(...); }
#ifndef SLUICE_PLUGINS_API_REST_SSE_GROUP_H_
#define SLUICE_PLUGINS_API_REST_SSE_GROUP_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "chunk_queue.h"

namespace sluice::rest {

class SseGroup {
 public:
  // As many events as the host's ring of recent changes (registry/
  // change_feed.h), so that streams behind by that much still share.
  static constexpr size_t kMaxEvents = 65536;
  static constexpr size_t kMaxBytes = 8 << 20;
  // The capacity of a block (larger for a larger event).
  static constexpr size_t kBlockBytes = 16384;

  // An event's text kept by the group: valid while the group's lock is
  // held; queue it with ChunkQueue::Share(*block, text).
  struct Text {
    const std::shared_ptr<const TextBlock>* block = nullptr;
    std::string_view text;
  };

  // The group of feed group `group` for streams whose ids are bare offsets
  // (`versioned`) or version:offset; shared while a stream holds it.
  // Thread-safe.
  static std::shared_ptr<SseGroup> Join(uint64_t group, bool versioned);

  // Guards Find and Add.
  std::mutex& mu() { return mu_; }
  // The text of the event at (version, offset), if kept; *cursor is where
  // the caller last found or added one (a hint, updated).
  bool Find(uint32_t version, uint64_t offset, uint64_t* cursor, Text* text) const;
  // Keeps `text` as the event at (version, offset) when it comes after
  // every event kept and another stream holds the group (`shared`), and
  // sets *kept to the group's copy; else false (alone: the group forgets
  // what it kept).
  bool Add(uint32_t version, uint64_t offset, std::string_view text, uint64_t* cursor, bool shared,
           Text* kept);
  // Bytes of event text kept, and blocks held: for tests.
  size_t bytes() const { return bytes_; }
  size_t blocks() const { return blocks_.size(); }

 private:
  struct Event {
    uint32_t version;
    uint32_t size;
    uint64_t offset;
    uint64_t block;  // blocks_[block - block_base_]
    const char* data;
  };
  // Forgets the oldest events beyond kMaxEvents and kMaxBytes, and the
  // blocks no event kept is in.
  void Trim();

  mutable std::mutex mu_;
  std::deque<Event> events_;
  uint64_t base_ = 0;  // the index of events_.front() since the group began
  size_t bytes_ = 0;
  std::deque<std::shared_ptr<const TextBlock>> blocks_;
  uint64_t block_base_ = 0;          // the number of blocks_.front() since the group began
  std::shared_ptr<TextBlock> tail_;  // blocks_.back(), writable
};

}  // namespace sluice::rest

#endif  // SLUICE_PLUGINS_API_REST_SSE_GROUP_H_
