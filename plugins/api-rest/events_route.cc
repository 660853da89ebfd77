// RestService::Events: GET or POST {endpoint}/events, a change feed as
// server-sent events (docs/realtime.md). Checks the parameters, pins the
// version, opens the feed through the host for the caller, and hands the
// stream to the transport.
#include "event_stream.h"
#include "feed_params.h"
#include "rest_service.h"

namespace sluice::rest {
namespace {

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
    else if (key == "from") SLUICE_RETURN_IF_ERROR(ParseFeedFrom(value, p));
    else if (key == "heartbeat") SLUICE_RETURN_IF_ERROR(ParseFeedHeartbeat(value, p));
    else
      return InvalidArgument("query parameter '" + key + "' is not accepted on " +
                             std::string(request.path) +
                             "; the events route takes from, after, filter, fields and heartbeat");
  }
  return Status();
}

}  // namespace

void RestService::Events(Call& call, const Target& target, HttpResponse* response) {
  const HttpRequest& request = call.http;
  FeedParams p;
  std::string after;
  Status s = FromQuery(request, &p, &after);
  if (s.ok() && request.method == "POST") s = FeedParamsFromBody(request.body, &p, &after);
  // A browser reconnecting sends the last id it saw: that wins over the URL.
  auto last_id = request.Header("Last-Event-ID");
  if (s.ok() && last_id.has_value() && !last_id->empty())
    s = ParseFeedAfter("Last-Event-ID", *last_id, &p);
  else if (s.ok() && !after.empty()) s = ParseFeedAfter("after", after, &p);
  if (!s.ok()) return response->SetError(s);
  ApiHost::View view;
  uint32_t gone_from = 0;
  if (!PinFeed(call, target, &p, &view, &gone_from, response)) return;
  AddRateHeaders(call, response);
  uint32_t version = view.version().version;
  auto stream = std::make_shared<SseStream>(std::move(call.host), std::move(view),
                                            target.version != 0, p.heartbeat_s * 1000);
  stream->Prepare(&p.options);
  s = ChangeFeedReader::Open(stream->request_api(), stream->view(), p.options, &stream->feed());
  if (!s.ok()) return response->SetError(s);
  if (gone_from != 0) stream->AnnounceSwitch(gone_from, version);
  stream->SetCounters(feed_metrics_.Get("sse", stream->view().endpoint().name));
  response->content_type = "text/event-stream";
  response->headers.emplace_back("Cache-Control", "no-cache");
  response->headers.emplace_back("X-Accel-Buffering", "no");
  response->stream = std::move(stream);
}

bool RestService::PinFeed(Call& call, const Target& target, FeedParams* p, ApiHost::View* view,
                          uint32_t* gone_from, HttpResponse* response) {
  *gone_from = 0;
  if (target.version != 0 && p->resume_version != 0 && p->resume_version != target.version) {
    response->SetError(
        InvalidArgument("the resume point names version " + std::to_string(p->resume_version) +
                        " but the path is v" + std::to_string(target.version) + "; resume on /v" +
                        std::to_string(p->resume_version) + " or on the unversioned path"));
    return false;
  }
  // On the unversioned path a resume names the version it was reading:
  // read on from there, and the feed announces the switch to the current one.
  uint32_t pin = target.version;
  bool follow = target.version == 0;
  if (follow && p->resume_version != 0) {
    pin = p->resume_version;
    Status s = call.api().Acquire(target.endpoint->name, pin, view);
    if (s.code() == Code::kNotFound) {  // that version is gone: the current one from its start
      *gone_from = p->resume_version;
      pin = 0;
      p->options.from = SLUICE_FEED_FROM_START;
    } else if (!s.ok()) {
      Refuse(call, s, response);
      return false;
    }
  }
  if (!view->valid() && !Pin(call, Target{target.endpoint, pin, target.suffix}, view, response))
    return false;
  response->endpoint = view->endpoint().name;
  response->version = view->version().version;
  p->options.follow_current = follow;
  p->options.max_lag = options_.transport.events_max_lag;
  p->options.max_lag_ms = options_.transport.events_max_lag_ms;
  return true;
}

}  // namespace sluice::rest
