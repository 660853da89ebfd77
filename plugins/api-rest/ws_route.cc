// GET /feeds: change feeds over WebSocket (docs/realtime.md). The
// handshake (RFC 6455 4.2) is checked here and answered 101 with the
// connection's session (ws_session.h) as its stream; each subscribe
// message then opens a feed as the events route does, with a request of
// its own for the handshake's caller.
#include <charconv>

#include "auth.h"
#include "feed_params.h"
#include "http/websocket.h"
#include "ws_session.h"

namespace sluice::rest {
namespace {

// True when the comma-separated header value `list` has `token`
// (ASCII case-insensitive).
bool HasToken(std::string_view list, std::string_view token) {
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c | 0x20) : c; };
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    bool same = item.size() == token.size();
    for (size_t i = 0; same && i < item.size(); ++i) same = lower(item[i]) == lower(token[i]);
    if (same) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

void RestService::WebSocket(Call& call, HttpResponse* response) {
  const HttpRequest& request = call.http;
  if (request.method != "GET") {
    response->allow = "GET";
    return response->SetError(
        405, "invalid_argument",
        std::string(request.method) +
            " is not allowed on /feeds; allowed: GET (a WebSocket handshake)");
  }
  auto upgrade = request.Header("Upgrade");
  auto connection = request.Header("Connection");
  if (!upgrade || !HasToken(*upgrade, "websocket") || !connection ||
      !HasToken(*connection, "upgrade")) {
    response->headers.emplace_back("Upgrade", "websocket");
    response->headers.emplace_back("Connection", "Upgrade");
    return response->SetError(426, "invalid_argument",
                              "/feeds is a WebSocket endpoint: send Upgrade: websocket and "
                              "Connection: Upgrade (docs/realtime.md)");
  }
  auto version = request.Header("Sec-WebSocket-Version");
  if (!version || *version != "13") {
    response->headers.emplace_back("Sec-WebSocket-Version", "13");
    return response->SetError(426, "invalid_argument",
                              "Sec-WebSocket-Version: only 13 (RFC 6455) is spoken, found '" +
                                  std::string(version.value_or("")) + "'");
  }
  auto key = request.Header("Sec-WebSocket-Key");
  if (!key || !http::ValidWebSocketKey(*key))
    return response->SetError(
        InvalidArgument("Sec-WebSocket-Key: expected the base64 of 16 bytes, found '" +
                        std::string(key.value_or("")) + "'"));
  FeedParams p;
  for (const auto& [name, raw] : request.query) {
    Status s = name == "heartbeat"
                   ? ParseFeedHeartbeat(raw, &p)
                   : InvalidArgument("query parameter '" + name +
                                     "' is not accepted on /feeds; it takes heartbeat (the "
                                     "feeds' parameters go in subscribe messages)");
    if (!s.ok()) return response->SetError(s);
  }
  WsCaller caller;
  if (request.x_api_key) caller.x_api_key = std::string(*request.x_api_key);
  if (request.authorization) caller.authorization = std::string(*request.authorization);
  caller.peer = std::string(request.peer);
  caller.from_loopback = request.from_loopback;
  caller.admin_channel = request.admin_channel;
  caller.listener = request.listener;
  response->status = 101;
  response->headers.emplace_back("Upgrade", "websocket");
  response->headers.emplace_back("Connection", "Upgrade");
  response->headers.emplace_back("Sec-WebSocket-Accept", http::WebSocketAccept(*key));
  response->stream =
      std::make_shared<WebSocketSession>(this, std::move(caller), p.heartbeat_s * 1000);
}

bool RestService::OpenSubscription(const WsCaller& caller, std::string_view path, uint32_t version,
                                   FeedParams* p, WsSubscription* sub, uint32_t* gone_from,
                                   HttpResponse* response) {
  HttpRequest http;
  http.method = "GET";
  http.path = path;
  if (caller.x_api_key) http.x_api_key = *caller.x_api_key;
  if (caller.authorization) http.authorization = *caller.authorization;
  http.peer = caller.peer;
  http.from_loopback = caller.from_loopback;
  http.admin_channel = caller.admin_channel;
  http.listener = caller.listener;
  Credential credential = RequestCredential(http.x_api_key, http.authorization);
  credential.peer = http.peer;
  credential.local = http.admin_channel;
  Call call{http, {}, credential.kind != Credential::Kind::kNone};
  api_.BeginRequest(credential, &call.host);
  if (!Allowed(call, Action::kRead, response)) return false;
  std::shared_ptr<const Catalog> catalog;
  Target target;
  bool found = false;
  Status s = FindTarget(path, &catalog, &target, &found);
  if (s.ok() && (!found || !target.suffix.empty()))
    s = NotFound("no endpoint has the path " + std::string(path) +
                 "; subscribe to an endpoint's path (\"/trips\") or a version's (\"/v2/trips\")");
  if (s.ok() && version != 0 && target.version != 0 && version != target.version)
    s = InvalidArgument("version " + std::to_string(version) + " and the path " +
                        std::string(path) + " name different versions");
  if (s.ok() && version != 0) target.version = version;
  if (s.ok() && target.version != 0 &&
      Catalog::FindVersion(*target.endpoint, target.version) == nullptr) {
    s = catalog_.Refresh(&catalog);  // maybe new since the last reading
    if (s.ok() && Resolve(*catalog, path, &target) && version != 0) target.version = version;
    if (s.ok() && Catalog::FindVersion(*target.endpoint, target.version) == nullptr)
      s = NotFound("endpoint " + target.endpoint->name + " has no version " +
                   std::to_string(target.version) +
                   "; versions: " + Catalog::VersionList(*target.endpoint));
  }
  if (!s.ok()) {
    response->SetError(s);
    return false;
  }
  if (!PinFeed(call, target, p, &sub->view, gone_from, response)) return false;
  sub->versioned = target.version != 0;
  sub->endpoint = target.endpoint->name;
  s = ChangeFeedReader::Open(call.host.api(), sub->view, p->options, &sub->feed);
  if (!s.ok()) {
    sub->feed.Close();
    sub->view.Reset();
    response->SetError(s);
    return false;
  }
  sub->request = std::move(call.host);
  sub->counters = feed_metrics_.Get("websocket", sub->endpoint);
  return true;
}

}  // namespace sluice::rest
