// A WebSocket connection of the change-feed endpoint (GET /feeds,
// docs/realtime.md): many subscriptions, each a change feed of the host
// opened for the handshake's caller, on one connection. The client sends
// JSON text messages (subscribe, unsubscribe); the session answers and
// sends each subscription's events tagged with its id, as much as the
// connection's output buffer takes, round-robin over the subscriptions.
// A ping every heartbeat keeps proxies from closing the connection.
//
// A subscription cut off for falling behind (its client reads too slowly)
// ends the connection: every subscription gets a last `end` message
// saying where to resume, then the connection closes (1008). The server
// stopping does the same (1001).
#ifndef SLUICE_PLUGINS_API_REST_WS_SESSION_H_
#define SLUICE_PLUGINS_API_REST_WS_SESSION_H_

#include <simdjson.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "duplex_stream.h"
#include "feed_metrics.h"
#include "rest_service.h"
#include "sluice/api_host.h"
#include "sluice/feed.h"
#include "sluice/json.h"
#include "sluice/schema.h"

namespace sluice::rest {

// Who opened the connection: what its handshake presented, for the
// requests each subscription opens with the host.
struct WsCaller {
  std::optional<std::string> x_api_key;
  std::optional<std::string> authorization;
  std::string peer;
  bool from_loopback = false;
  bool admin_channel = false;
  Listener listener = Listener::kData;
};

// One subscription: its own request with the host (the caller's rights
// and rate limits), the version it pinned and its feed. Members are
// destroyed in reverse: the feed, then the view, then the request.
struct WsSubscription {
  std::string id;          // the client's
  std::string id_json;     // the id as a JSON string
  std::string endpoint;    // for metrics
  bool versioned = false;  // the path named the version: positions are bare offsets
  ApiHost::Request request;
  ApiHost::View view;
  ChangeFeedReader feed;
  FeedCounters* counters = nullptr;
  uint64_t id_next = 0;  // the position the last event or position message stands for
  std::string pending;   // a switch announced before the first change
  const sluice_schema* schema_c = nullptr;
  Schema schema;
  std::unique_ptr<RecordJson> record;
};

class WebSocketSession : public DuplexStream {
 public:
  // At most this many subscriptions per connection.
  static constexpr size_t kMaxSubscriptions = 64;
  // A client message (all its fragments) is at most this long.
  static constexpr size_t kMaxMessage = 65536;

  // `service` outlives the session (the transport stops first).
  WebSocketSession(RestService* service, WsCaller caller, uint32_t heartbeat_ms);
  ~WebSocketSession() override;

  void Start(std::function<void()> wake) override;
  bool Pull(size_t room, std::string* out) override;
  void Heartbeat(std::string* out) override;
  void Stop(std::string* out) override;
  uint32_t heartbeat_ms() const override { return heartbeat_ms_; }
  bool Input(const char* data, size_t size, std::string* out) override;

 private:
  // One complete text message.
  void OnMessage(std::string_view text, std::string* out);
  void Subscribe(simdjson::dom::object message, std::string* out);
  void Unsubscribe(simdjson::dom::object message, std::string* out);
  // Pulls sub's changes while there is room; the feed's status.
  Status PullOne(WsSubscription& sub, size_t room, size_t start, size_t* handed, std::string* out);
  void AppendEvent(WsSubscription& sub, const sluice_feed_event& e, std::string* out);
  // `"resume_after":...` of sub's position.
  void AppendResumeAfter(const WsSubscription& sub, std::string* msg) const;
  void AppendEnd(WsSubscription& sub, const Status& s, std::string* out);
  // Ends every subscription with `s`, closes with `code`.
  void EndAll(const Status& s, uint16_t code, std::string* out);
  // An error message about subscription `id_json` ("null": none).
  void AppendError(std::string_view id_json, int status, std::string_view error_body,
                   std::string* out);
  void AppendError(std::string_view id_json, const Status& s, std::string* out);
  // Closes with `code` after a protocol error; false.
  bool Fail(uint16_t code, std::string_view why, std::string* out);
  void Send(std::string* out);  // msg_ as a text frame

  RestService* const service_;
  const WsCaller caller_;
  const uint32_t heartbeat_ms_;
  WakeLatch latch_;  // every subscription's feed wakes through it
  std::vector<std::unique_ptr<WsSubscription>> subs_;
  size_t turn_ = 0;      // the subscription pulled first next time
  std::string in_;       // client bytes not yet a whole frame
  std::string message_;  // fragments of the message being received
  bool in_message_ = false;
  bool ended_ = false;
  std::string msg_;  // the message being written
};

}  // namespace sluice::rest

#endif  // SLUICE_PLUGINS_API_REST_WS_SESSION_H_
