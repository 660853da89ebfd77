// SseGroup: the server-sent events of one feed group, encoded once for all
// the streams of that group (event_stream.h).
//
// Feeds that hand out events with the same sluice_feed_event.group hand
// out the same event for the same offset; streams that also write ids the
// same way (`versioned`) would write the same bytes for it. The first
// stream to reach an event encodes it and keeps the text here; the others
// copy it. A group keeps the most recent events only (kMaxEvents, kMaxBytes),
// and only while two streams or more hold it: a stream further behind, or
// alone in its group, encodes for itself.
//
//   auto g = SseGroup::Join(e.group, versioned);
//   std::unique_lock<std::mutex> lock(g->mu());
//   std::string_view text;
//   if (!g->Find(e.version, e.offset, &cursor, &text)) { encode into out; g->Add(...); }
#ifndef SLUICE_PLUGINS_API_REST_SSE_GROUP_H_
#define SLUICE_PLUGINS_API_REST_SSE_GROUP_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace sluice::rest {

class SseGroup {
 public:
  // As many events as the host's ring of recent changes (registry/
  // change_feed.h), so that streams behind by that much still share.
  static constexpr size_t kMaxEvents = 65536;
  static constexpr size_t kMaxBytes = 8 << 20;

  // The group of feed group `group` for streams whose ids are bare offsets
  // (`versioned`) or version:offset; shared while a stream holds it.
  // Thread-safe.
  static std::shared_ptr<SseGroup> Join(uint64_t group, bool versioned);

  // Guards Find and Add.
  std::mutex& mu() { return mu_; }
  // The text of the event at (version, offset), if kept; *cursor is where
  // the caller last found or added one (a hint, updated).
  bool Find(uint32_t version, uint64_t offset, uint64_t* cursor, std::string_view* text) const;
  // Keeps `text` as the event at (version, offset) when it comes after
  // every event kept and another stream holds the group (else nothing).
  void Add(uint32_t version, uint64_t offset, std::string_view text, uint64_t* cursor, bool shared);

 private:
  struct Event {
    uint32_t version;
    uint64_t offset;
    std::string text;
  };
  mutable std::mutex mu_;
  std::deque<Event> events_;
  uint64_t base_ = 0;  // the index of events_.front() since the group began
  size_t bytes_ = 0;
};

}  // namespace sluice::rest

#endif  // SLUICE_PLUGINS_API_REST_SSE_GROUP_H_
