// Responses that go on after their head, and the one the REST plugin
// makes: a change feed as server-sent events (docs/realtime.md).
//
// The transport (http/connection.cc) sends the head, then pulls output
// whenever its send buffer has room or the stream woke it, writes a
// heartbeat when the stream has been quiet, and closes the connection
// once the stream has ended and its last bytes are sent.
#ifndef SLUICE_PLUGINS_API_REST_EVENT_STREAM_H_
#define SLUICE_PLUGINS_API_REST_EVENT_STREAM_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "chunk_queue.h"
#include "feed_metrics.h"
#include "sluice/api_host.h"
#include "sluice/feed.h"
#include "sluice/json.h"
#include "sluice/schema.h"
#include "sse_group.h"

namespace sluice::rest {

class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  // Gives the stream the function that tells its connection there is more
  // to pull; callable from any thread, at any time until the stream is
  // destroyed. Called once, on the connection's thread, before any Pull.
  virtual void Start(std::function<void()> wake) = 0;
  // Appends output to *out, about `room` bytes at most (0: only the
  // stream's end, when it has ended meanwhile). False once the stream has
  // ended: its last bytes are then in *out.
  virtual bool Pull(size_t room, std::string* out) = 0;
  // Pull into a connection's queue, by reference where the stream shares
  // its text with other streams. The default pulls into a string and
  // queues it. Same room and end as Pull: `room` counts the bytes queued.
  virtual bool PullChunks(size_t room, ChunkQueue* out);
  // Nothing was sent for heartbeat_ms(): appends a heartbeat.
  virtual void Heartbeat(std::string* out) = 0;
  // The server stops: appends the stream's last bytes.
  virtual void Stop(std::string* out) = 0;
  virtual uint32_t heartbeat_ms() const = 0;
};

// The name of a change's operation in events: "insert", "update",
// "delete", or "change" for an operation this plugin does not know.
const char* ChangeOpName(uint32_t op);

// How the feeds of a response stream wake its connection: a feed wakes
// from any thread (FeedOptions.wake), possibly before the transport has
// given the stream its wake function (ResponseStream::Start); such an
// early wake is kept and passed on by Start.
class WakeLatch {
 public:
  // Sets o's wake to this latch's (the latch must outlive the feed).
  void Prepare(FeedOptions* o) {
    o->wake = &WakeLatch::Wake;
    o->wake_ctx = this;
  }
  // The connection's wake function; runs it at once when a feed woke
  // before. Thread-safe.
  void Start(std::function<void()> wake);
  // A feed's wake (ctx: the latch): runs the connection's wake function,
  // or keeps the wake for Start. Thread-safe.
  static void Wake(void* latch);

 private:
  std::mutex mu_;
  std::function<void()> wake_;
  bool early_ = false;
};

// A change feed as text/event-stream: one event per change,
//
//   id: 42                      (on the unversioned path: "3:42", version:offset)
//   event: insert               (update, delete)
//   data: {"op":"insert","version":3,"offset":42,"record":{...}}
//
// an `event: version` when the current version switches (unversioned path),
// a comment line as heartbeat, and a last `event: end` saying why the feed
// ended and where to resume (`resume_after`).
class SseStream : public ResponseStream {
 public:
  // Takes the request, the view and the feed (opened with the stream's
  // wake: use Prepare()).
  // `versioned`: the path named the version (ids are bare offsets).
  SseStream(ApiHost::Request request, ApiHost::View view, bool versioned, uint32_t heartbeat_ms);
  ~SseStream() override;
  // Sets o's wake to this stream's.
  void Prepare(FeedOptions* o) { latch_.Prepare(o); }
  ChangeFeedReader& feed() { return feed_; }
  // Counts this stream in `c` (transport "sse") until it is destroyed.
  void SetCounters(FeedCounters* c) {
    counters_ = c;
    c->Subscribed();
  }
  const ApiHost& request_api() const { return request_.api(); }
  const ApiHost::View& view() const { return view_; }
  // Queues an `event: version` announcing a switch from version `from`
  // before the first change (a resume whose version is gone).
  void AnnounceSwitch(uint32_t from, uint32_t to);

  void Start(std::function<void()> wake) override;
  bool Pull(size_t room, std::string* out) override;
  bool PullChunks(size_t room, ChunkQueue* out) override;
  void Heartbeat(std::string* out) override;
  void Stop(std::string* out) override;
  uint32_t heartbeat_ms() const override { return heartbeat_ms_; }

 private:
  // Queues the event's text: by reference to its group's copy (sse_group.h)
  // when another stream of the group encoded it or may use it, else
  // encoded into *out.
  void Append(const sluice_feed_event& e, ChunkQueue* out);
  void Encode(const sluice_feed_event& e, std::string* out);
  void AppendEnd(const Status& s, std::string* out);
  void AppendId(uint32_t version, uint64_t offset, std::string* out) const;

  // Destroyed in reverse: the feed first, then the view, then the request.
  ApiHost::Request request_;
  ApiHost::View view_;
  const bool versioned_;
  const uint32_t heartbeat_ms_;
  std::string pending_;  // announced before the first change
  bool ended_ = false;
  uint64_t id_next_ = 0;  // the position the last id sent stands for
  const sluice_schema* schema_c_ = nullptr;
  Schema schema_;
  std::unique_ptr<RecordJson> record_;
  // The group of the feed's events, if any, and its lock while a Pull
  // uses it (released before Pull returns).
  uint64_t group_id_ = 0;
  std::shared_ptr<SseGroup> group_;
  uint64_t group_cursor_ = 0;
  std::unique_lock<std::mutex> group_lock_;
  std::string encoded_;  // an event encoded for the group
  WakeLatch latch_;
  FeedCounters* counters_ = nullptr;
  ChangeFeedReader feed_;
};

}  // namespace sluice::rest

#endif  // SLUICE_PLUGINS_API_REST_EVENT_STREAM_H_
