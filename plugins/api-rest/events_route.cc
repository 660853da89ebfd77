// RestService::Events: GET or POST {endpoint}/events, a change feed as
// server-sent events (docs/realtime.md). Checks the parameters, pins the
// version, opens the feed through the host for the caller, and hands the
// stream to the transport.
#include <simdjson.h>

#include <charconv>

#include "event_stream.h"
#include "rest_service.h"

namespace sluice::rest {
namespace {

struct FeedParams {
  FeedOptions options;
  bool resume = false;          // after = resume_version:resume_offset
  uint32_t resume_version = 0;  // 0 = not named
  uint32_t heartbeat_s = 15;
};

bool ParseU64(std::string_view s, uint64_t* out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

// "N" or "V:N" (what an id of the unversioned path looks like).
Status ParseAfter(std::string_view where, std::string_view text, FeedParams* p) {
  uint64_t version = 0, offset = 0;
  size_t colon = text.find(':');
  bool ok = colon == std::string_view::npos
                ? ParseU64(text, &offset)
                : ParseU64(text.substr(0, colon), &version) && version > 0 &&
                      version <= UINT32_MAX && ParseU64(text.substr(colon + 1), &offset);
  if (!ok)
    return InvalidArgument(std::string(where) + ": expected a log offset (42) or version:offset " +
                           "(3:42) as in event ids, found '" + std::string(text) + "'");
  p->resume = true;
  p->resume_version = static_cast<uint32_t>(version);
  p->options.from = SLUICE_FEED_FROM_AFTER;
  p->options.after = offset;
  return Status();
}

Status ParseFrom(std::string_view text, FeedParams* p) {
  uint64_t n = 0;
  if (text == "now") p->options.from = SLUICE_FEED_FROM_NOW;
  else if (text == "start" || (ParseU64(text, &n) && n == 0))
    p->options.from = SLUICE_FEED_FROM_START;
  else if (ParseU64(text, &n)) p->options.from = SLUICE_FEED_FROM_AFTER, p->options.after = n - 1;
  else
    return InvalidArgument("from: expected now, start or a log offset, found '" +
                           std::string(text) + "'");
  return Status();
}

Status ParseHeartbeat(std::string_view text, FeedParams* p) {
  uint64_t n = 0;
  if (!ParseU64(text, &n) || n < 1 || n > 300)
    return InvalidArgument("heartbeat: expected seconds from 1 to 300, found '" +
                           std::string(text) + "'");
  p->heartbeat_s = static_cast<uint32_t>(n);
  return Status();
}

Status FromQuery(const HttpRequest& request, FeedParams* p, std::string* after) {
  for (const auto& [key, raw] : request.query) {
    bool repeated = false;  // the first occurrence counts
    for (const auto& other : request.query) {
      if (&other.first == &key) break;
      repeated = repeated || other.first == key;
    }
    if (repeated) continue;
    std::string value;
    if (!PercentDecode(raw, /*plus_is_space=*/true, &value))
      return InvalidArgument("query parameter '" + key + "': malformed percent-encoding");
    if (key == "filter") p->options.filter = value;
    else if (key == "fields") p->options.fields = value;
    else if (key == "after") *after = value;
    else if (key == "from") SLUICE_RETURN_IF_ERROR(ParseFrom(value, p));
    else if (key == "heartbeat") SLUICE_RETURN_IF_ERROR(ParseHeartbeat(value, p));
    else
      return InvalidArgument("query parameter '" + key + "' is not accepted on " +
                             std::string(request.path) +
                             "; the events route takes from, after, filter, fields and heartbeat");
  }
  return Status();
}

// POST: {"$filter": {...}, "fields": ["a", ...] or "a,b", "from": ..., "after": ...}
Status FromBody(std::string_view body, FeedParams* p, std::string* after) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return Status();
  thread_local simdjson::dom::parser parser;
  simdjson::dom::object obj;
  auto error = parser.parse(body.data(), body.size()).get(obj);
  if (error)
    return InvalidArgument(std::string("request body: ") + simdjson::error_message(error) +
                           "; expected an object with $filter, fields, from, after, heartbeat");
  std::vector<std::string_view> seen;
  for (auto field : obj) {
    std::string_view k = field.key;
    for (std::string_view s : seen)
      if (s == k) return InvalidArgument("request body: key '" + std::string(k) + "' given twice");
    seen.push_back(k);
    simdjson::dom::element v = field.value;
    std::string_view str;
    std::string text =
        v.get_string().get(str) == simdjson::SUCCESS ? std::string(str) : simdjson::to_string(v);
    simdjson::dom::array names;
    if (k == "$filter") {
      if (!v.is_object()) return InvalidArgument("request body: $filter must be an object");
      p->options.filter = text;
    } else if (k == "fields") {
      if (v.get_array().get(names) == simdjson::SUCCESS) {
        text.clear();
        for (simdjson::dom::element f : names) {
          if (f.get_string().get(str) != simdjson::SUCCESS)
            return InvalidArgument("request body: fields must list field names (strings)");
          text += (text.empty() ? "" : ",") + std::string(str);
        }
      } else if (!v.is_string()) {
        return InvalidArgument("request body: fields must be an array of names or \"a,b\"");
      }
      p->options.fields = text;
    } else if (k == "from") {
      SLUICE_RETURN_IF_ERROR(ParseFrom(text, p));
    } else if (k == "after") {
      *after = text;
    } else if (k == "heartbeat") {
      SLUICE_RETURN_IF_ERROR(ParseHeartbeat(text, p));
    } else {
      return InvalidArgument("request body: unknown key '" + std::string(k) +
                             "'; expected $filter, fields, from, after, heartbeat");
    }
  }
  return Status();
}

}  // namespace

void RestService::Events(Call& call, const Target& target, HttpResponse* response) {
  const HttpRequest& request = call.http;
  FeedParams p;
  std::string after;
  Status s = FromQuery(request, &p, &after);
  if (s.ok() && request.method == "POST") s = FromBody(request.body, &p, &after);
  // A browser reconnecting sends the last id it saw: that wins over the URL.
  auto last_id = request.Header("Last-Event-ID");
  if (s.ok() && last_id.has_value() && !last_id->empty())
    s = ParseAfter("Last-Event-ID", *last_id, &p);
  else if (s.ok() && !after.empty()) s = ParseAfter("after", after, &p);
  if (s.ok() && target.version != 0 && p.resume_version != 0 && p.resume_version != target.version)
    s = InvalidArgument("the resume point names version " + std::to_string(p.resume_version) +
                        " but the path is v" + std::to_string(target.version) + "; resume on /v" +
                        std::to_string(p.resume_version) + " or on the unversioned path");
  if (!s.ok()) return response->SetError(s);

  // On the unversioned path a resume names the version it was reading:
  // read on from there, and the feed announces the switch to the current one.
  uint32_t pin = target.version;
  bool follow = target.version == 0;
  bool gone = false;
  ApiHost::View view;
  if (follow && p.resume_version != 0) {
    pin = p.resume_version;
    s = call.api().Acquire(target.endpoint->name, pin, &view);
    if (s.code() == Code::kNotFound) {  // that version is gone: the current one from its start
      gone = true;
      pin = 0;
      p.options.from = SLUICE_FEED_FROM_START;
    } else if (!s.ok()) {
      return Refuse(call, s, response);
    }
  }
  if (!view.valid() && !Pin(call, Target{target.endpoint, pin, target.suffix}, &view, response))
    return;
  response->endpoint = view.endpoint().name;
  response->version = view.version().version;
  p.options.follow_current = follow;
  p.options.max_lag = options_.transport.events_max_lag;
  p.options.max_lag_ms = options_.transport.events_max_lag_ms;
  AddRateHeaders(call, response);
  uint32_t version = view.version().version;
  auto stream = std::make_shared<SseStream>(std::move(call.host), std::move(view),
                                            target.version != 0, p.heartbeat_s * 1000);
  stream->Prepare(&p.options);
  s = ChangeFeedReader::Open(stream->request_api(), stream->view(), p.options, &stream->feed());
  if (!s.ok()) return response->SetError(s);
  if (gone) stream->AnnounceSwitch(p.resume_version, version);
  response->content_type = "text/event-stream";
  response->headers.emplace_back("Cache-Control", "no-cache");
  response->headers.emplace_back("X-Accel-Buffering", "no");
  response->stream = std::move(stream);
}

}  // namespace sluice::rest
