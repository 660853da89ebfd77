#include "ws_session.h"

#include <charconv>
#include <utility>

#include "event_stream.h"
#include "feed_params.h"
#include "http/websocket.h"
#include "http_status.h"

namespace sluice::rest {
namespace {

using http::AppendCloseFrame;
using http::AppendServerFrame;

// Changes one Next asks a feed for at a time.
constexpr uint32_t kBatch = 256;

void AppendUint(uint64_t n, std::string* out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
  (void)ec;
  out->append(buf, static_cast<size_t>(end - buf));
}

// The position text: "42" on a versioned subscription, "3:42" otherwise.
void AppendPosition(bool versioned, uint32_t version, uint64_t offset, std::string* out) {
  *out += '"';
  if (!versioned) {
    AppendUint(version, out);
    *out += ':';
  }
  AppendUint(offset, out);
  *out += '"';
}

constexpr std::string_view kSubscribeKeys = "type, id, path, version, $filter, fields, from, after";

}  // namespace

WebSocketSession::WebSocketSession(RestService* service, WsCaller caller, uint32_t heartbeat_ms)
    : service_(service), caller_(std::move(caller)), heartbeat_ms_(heartbeat_ms) {}

WebSocketSession::~WebSocketSession() {
  for (auto& sub : subs_)
    if (sub->counters != nullptr) sub->counters->Unsubscribed();
  subs_.clear();  // closes every feed
}

void WebSocketSession::Start(std::function<void()> wake) { latch_.Start(std::move(wake)); }

void WebSocketSession::Send(std::string* out) {
  AppendServerFrame(http::kWsText, msg_, out);
  msg_.clear();
}

void WebSocketSession::AppendError(std::string_view id_json, int status,
                                   std::string_view error_body, std::string* out) {
  // error_body is {"error":{...}}: the same as an HTTP answer's.
  msg_ = "{\"type\":\"error\",\"id\":";
  msg_ += id_json;
  msg_ += ",\"status\":" + std::to_string(status) + ",";
  msg_ += error_body.size() > 1 ? error_body.substr(1) : std::string_view("}");
  Send(out);
}

void WebSocketSession::AppendError(std::string_view id_json, const Status& s, std::string* out) {
  HttpResponse r;
  r.SetError(s);
  AppendError(id_json, r.status, r.body, out);
}

bool WebSocketSession::Fail(uint16_t code, std::string_view why, std::string* out) {
  AppendCloseFrame(code, why, out);
  ended_ = true;
  return false;
}

bool WebSocketSession::Input(const char* data, size_t size, std::string* out) {
  if (ended_) return false;
  in_.append(data, size);
  size_t off = 0;
  bool open = true;
  while (open && off < in_.size()) {
    http::WsFrame f;
    size_t used = 0;
    uint16_t code = 0;
    std::string why;
    http::WsParse r = http::ParseClientFrame(in_.data() + off, in_.size() - off, kMaxMessage, &f,
                                             &used, &code, &why);
    if (r == http::WsParse::kNeedMore) break;
    if (r == http::WsParse::kError) return Fail(code, why, out);
    off += used;
    switch (f.opcode) {
      case http::kWsPing: AppendServerFrame(http::kWsPong, f.payload, out); break;
      case http::kWsPong: break;
      case http::kWsClose: {
        // Echo the client's code (RFC 6455 5.5.1); then the connection closes.
        uint16_t echo = f.payload.size() >= 2
                            ? static_cast<uint16_t>((static_cast<uint8_t>(f.payload[0]) << 8) |
                                                    static_cast<uint8_t>(f.payload[1]))
                            : uint16_t{http::kWsNormal};
        return Fail(echo, "", out);
      }
      default: {
        bool continuation = f.opcode == http::kWsContinuation;
        if (continuation != in_message_)
          return Fail(http::kWsProtocolError,
                      continuation ? "a continuation frame without a message"
                                   : "a new message before the last one ended",
                      out);
        if (!continuation && f.opcode == http::kWsBinary)
          return Fail(http::kWsUnsupportedData,
                      "binary messages are not accepted; send JSON text messages", out);
        if (message_.size() + f.payload.size() > kMaxMessage)
          return Fail(http::kWsMessageTooBig, "message over 65536 bytes", out);
        if (f.fin && !in_message_) {
          OnMessage(f.payload, out);
        } else {
          message_.append(f.payload);
          in_message_ = !f.fin;
          if (f.fin) {
            std::string whole = std::move(message_);
            message_.clear();
            OnMessage(whole, out);
          }
        }
        open = !ended_;
      }
    }
  }
  in_.erase(0, off);
  return !ended_;
}

void WebSocketSession::OnMessage(std::string_view text, std::string* out) {
  if (!simdjson::validate_utf8(text.data(), text.size())) {
    Fail(http::kWsInvalidPayload, "a text message must be UTF-8", out);
    return;
  }
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::object obj;
  std::string_view type;
  auto error = parser.parse(text.data(), text.size()).get(doc);
  if (!error) error = doc.get_object().get(obj);
  if (error)
    return AppendError("null",
                       InvalidArgument(std::string("message: ") + simdjson::error_message(error) +
                                       "; expected a JSON object with \"type\": \"subscribe\" "
                                       "or \"unsubscribe\""),
                       out);
  if (obj["type"].get_string().get(type) != simdjson::SUCCESS) type = std::string_view();
  if (type == "subscribe") return Subscribe(obj, out);
  if (type == "unsubscribe") return Unsubscribe(obj, out);
  std::string id_json = "null";
  simdjson::dom::element id;
  if (obj["id"].get(id) == simdjson::SUCCESS && id.is_string()) id_json = simdjson::to_string(id);
  AppendError(id_json,
              InvalidArgument("message: \"type\" must be \"subscribe\" or \"unsubscribe\", found " +
                              (type.empty() ? std::string("none") : "'" + std::string(type) + "'")),
              out);
}

void WebSocketSession::Subscribe(simdjson::dom::object message, std::string* out) {
  auto sub = std::make_unique<WsSubscription>();
  std::string id_json = "null";
  std::string path;
  uint32_t version = 0;
  FeedParams p;
  std::string after;
  bool has_id = false;
  simdjson::dom::element id;
  std::string_view v;
  if (message["id"].get(id) == simdjson::SUCCESS && id.get_string().get(v) == simdjson::SUCCESS) {
    sub->id = std::string(v);
    id_json = sub->id_json = simdjson::to_string(id);
    has_id = !sub->id.empty() && sub->id.size() <= 256;
  }
  Status s = FeedParamsFromObject(
      message, "subscribe message", kSubscribeKeys, /*heartbeat=*/false,
      [&](std::string_view key, simdjson::dom::element v, Status* error) {
        std::string_view str;
        uint64_t n = 0;
        if (key == "type" || key == "id") return true;
        if (key == "path") {
          if (v.get_string().get(str) != simdjson::SUCCESS || str.empty() || str[0] != '/')
            *error = InvalidArgument(
                "subscribe message: path must be an endpoint's path "
                "(\"/trips\", or \"/v2/trips\" for a version)");
          path = std::string(str);
          return true;
        }
        if (key == "version") {
          if (v.get_uint64().get(n) != simdjson::SUCCESS || n == 0 || n > UINT32_MAX)
            *error =
                InvalidArgument("subscribe message: version must be a version number (1, 2, ...)");
          version = static_cast<uint32_t>(n);
          return true;
        }
        return false;
      },
      &p, &after);
  if (s.ok() && !has_id)
    s = InvalidArgument(
        "subscribe message: id must be a string of 1 to 256 characters, unique "
        "among this connection's subscriptions");
  if (s.ok() && path.empty()) s = InvalidArgument("subscribe message: path is missing");
  if (s.ok() && !after.empty()) s = ParseFeedAfter("after", after, &p);
  for (const auto& other : subs_)
    if (s.ok() && other->id == sub->id)
      s = InvalidArgument("subscription id " + id_json + " is already in use on this connection");
  if (s.ok() && subs_.size() >= kMaxSubscriptions)
    s = ResourceExhausted("this connection has " + std::to_string(kMaxSubscriptions) +
                          " subscriptions, the most one connection may have");
  if (!s.ok()) return AppendError(id_json, s, out);
  latch_.Prepare(&p.options);
  HttpResponse refusal;
  uint32_t gone_from = 0;
  if (!service_->OpenSubscription(caller_, path, version, &p, sub.get(), &gone_from, &refusal))
    return AppendError(id_json, refusal.status, refusal.body, out);
  sub->counters->Subscribed();
  msg_ = "{\"type\":\"subscribed\",\"id\":" + id_json + ",\"endpoint\":";
  AppendJsonString(&msg_, sub->view.endpoint().name);
  msg_ += ",\"version\":" + std::to_string(sub->view.version().version) + "}";
  Send(out);
  if (gone_from != 0) {
    msg_ = "{\"type\":\"version\",\"id\":" + id_json +
           ",\"op\":\"switch\",\"from\":" + std::to_string(gone_from) +
           ",\"to\":" + std::to_string(sub->view.version().version) + "}";
    Send(&sub->pending);
  }
  subs_.push_back(std::move(sub));
}

void WebSocketSession::Unsubscribe(simdjson::dom::object message, std::string* out) {
  simdjson::dom::element id;
  std::string_view want;
  if (message["id"].get(id) != simdjson::SUCCESS || id.get_string().get(want) != simdjson::SUCCESS)
    return AppendError("null", InvalidArgument("unsubscribe message: id (a string) is missing"),
                       out);
  for (auto it = subs_.begin(); it != subs_.end(); ++it) {
    WsSubscription& sub = **it;
    if (sub.id != want) continue;
    msg_ = "{\"type\":\"unsubscribed\",\"id\":" + sub.id_json + ",";
    AppendResumeAfter(sub, &msg_);
    msg_ += "}";
    Send(out);
    sub.counters->Unsubscribed();
    subs_.erase(it);
    return;
  }
  AppendError(simdjson::to_string(id),
              NotFound("no subscription " + simdjson::to_string(id) + " on this connection"), out);
}

void WebSocketSession::AppendEvent(WsSubscription& sub, const sluice_feed_event& e,
                                   std::string* out) {
  if (e.op == SLUICE_FEED_SWITCH) {
    msg_ = "{\"type\":\"version\",\"id\":" + sub.id_json +
           ",\"op\":\"switch\",\"from\":" + std::to_string(e.previous) +
           ",\"to\":" + std::to_string(e.version) + "}";
    return Send(out);
  }
  if (e.schema != sub.schema_c) {
    sub.schema_c = e.schema;
    if (e.schema == nullptr || !Schema::FromC(*e.schema, &sub.schema)) sub.schema = Schema();
    sub.record = std::make_unique<RecordJson>(sub.schema);
  }
  // Written into msg_ piece by piece: its capacity is reused from event to event.
  msg_.clear();
  msg_ += "{\"type\":\"event\",\"id\":";
  msg_ += sub.id_json;
  msg_ += ",\"position\":";
  AppendPosition(sub.versioned, e.version, e.offset, &msg_);
  msg_ += ",\"op\":\"";
  msg_ += ChangeOpName(e.op);
  msg_ += "\",\"version\":";
  AppendUint(e.version, &msg_);
  msg_ += ",\"offset\":";
  AppendUint(e.offset, &msg_);
  msg_ += ",\"record\":";
  size_t before = msg_.size();
  Status s =
      sub.record->Append(&msg_, std::string_view(reinterpret_cast<const char*>(e.row), e.row_size));
  if (!s.ok()) {
    msg_.resize(before);
    msg_ += "null";
  }
  msg_ += "}";
  Send(out);
  sub.counters->Sent(1);
}

void WebSocketSession::AppendResumeAfter(const WsSubscription& sub, std::string* msg) const {
  const sluice_feed_position& p = sub.feed.position();
  *msg += "\"version\":" + std::to_string(p.version) + ",\"resume_after\":";
  if (p.next == 0) *msg += "null";
  else AppendPosition(sub.versioned, p.version, p.next - 1, msg);
}

void WebSocketSession::AppendEnd(WsSubscription& sub, const Status& s, std::string* out) {
  msg_ = "{\"type\":\"end\",\"id\":" + sub.id_json + ",\"code\":\"";
  msg_ += CodeName(s.code());
  msg_ += "\",\"message\":";
  AppendJsonString(&msg_, s.message());
  msg_ += ",";
  AppendResumeAfter(sub, &msg_);
  msg_ += "}";
  Send(out);
}

void WebSocketSession::EndAll(const Status& s, uint16_t code, std::string* out) {
  for (auto& sub : subs_) {
    AppendEnd(*sub, s, out);
    sub->counters->Unsubscribed();
  }
  subs_.clear();
  AppendCloseFrame(code, s.code() == Code::kUnavailable ? "server stopping" : "read too slowly",
                   out);
  ended_ = true;
}

Status WebSocketSession::PullOne(WsSubscription& sub, size_t room, size_t start, size_t* handed,
                                 std::string* out) {
  if (!sub.pending.empty() && room > 0) {
    *out += sub.pending;
    sub.pending.clear();
  }
  size_t n = 0;
  Status s = sub.feed.Next(room == 0 ? 0 : kBatch, 0, [&](const sluice_feed_event& e) {
    ++n;
    AppendEvent(sub, e, out);
    return out->size() - start < room;
  });
  if (n > 0) sub.id_next = sub.feed.position().next;
  *handed += n;
  return s;
}

bool WebSocketSession::Pull(size_t room, std::string* out) {
  if (ended_) return false;
  size_t start = out->size();
  // Round-robin: every subscription gets a batch in turn while there is room.
  bool more = true;
  while (more && !subs_.empty()) {
    more = false;
    size_t count = subs_.size();
    size_t first = turn_ % count;
    turn_ = first + 1;
    for (size_t k = 0; k < count; ++k) {
      size_t i = (first + k) % count;
      WsSubscription& sub = *subs_[i];
      size_t left = out->size() - start < room ? room - (out->size() - start) : 0;
      size_t handed = 0;
      Status s = PullOne(sub, left, out->size(), &handed, out);
      if (s.code() == Code::kResourceExhausted) {
        // The client reads too slowly for this feed: the connection is cut
        // off, every subscription told where to resume.
        std::string cut = sub.id_json;
        sub.counters->CutOff();
        AppendEnd(sub, s, out);
        sub.counters->Unsubscribed();
        subs_.erase(subs_.begin() + static_cast<std::ptrdiff_t>(i));
        EndAll(ResourceExhausted("the connection is closed: subscription " + cut +
                                 " fell behind; resume where this message says"),
               http::kWsPolicyViolation, out);
        return false;
      }
      if (!s.ok()) {  // this feed ended (its version is no longer served, ...)
        AppendEnd(sub, s, out);
        sub.counters->Unsubscribed();
        subs_.erase(subs_.begin() + static_cast<std::ptrdiff_t>(i));
        more = true;
        break;
      }
      if (handed > 0 && out->size() - start < room) more = true;
    }
    if (out->size() - start >= room) break;
  }
  return true;
}

void WebSocketSession::Heartbeat(std::string* out) {
  // A subscription whose filter passed over changes since its last event
  // is told its position, so that a resume starts from there.
  for (auto& sub : subs_) {
    const sluice_feed_position& p = sub->feed.position();
    if (p.next > sub->id_next && p.next > 0) {
      msg_ = "{\"type\":\"position\",\"id\":" + sub->id_json + ",\"position\":";
      AppendPosition(sub->versioned, p.version, p.next - 1, &msg_);
      msg_ += "}";
      Send(out);
      sub->id_next = p.next;
    }
  }
  AppendServerFrame(http::kWsPing, "", out);
}

void WebSocketSession::Stop(std::string* out) {
  if (ended_) return;
  EndAll(Unavailable("the server is stopping; reconnect to resume"), http::kWsGoingAway, out);
}

}  // namespace sluice::rest
