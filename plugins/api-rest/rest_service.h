// The REST plugin's request handling, independent of the HTTP library:
// routes a request to the catalog's endpoints and answers it through the
// host's query service. Every endpoint request pins one version (a view)
// for its whole duration, so an answer never mixes versions.
//
//   RestService service(api, options);
//   HttpRequest req;  req.method = "GET";  req.path = "/v2/trips/42";
//   HttpResponse resp;
//   service.Handle(req, &resp);    // resp.status 200, resp.body {"trip_id":42,...}
#ifndef SLUICE_PLUGINS_API_REST_REST_SERVICE_H_
#define SLUICE_PLUGINS_API_REST_REST_SERVICE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth.h"
#include "catalog_cache.h"
#include "console_session.h"
#include "export_stream.h"
#include "feed_metrics.h"
#include "rest_metrics.h"
#include "rest_options.h"
#include "route.h"
#include "sluice/api_host.h"
#include "sluice/status.h"

namespace sluice::rest {

// Which of the plugin's listeners took a request.
enum class Listener {
  kData,   // the TCP listener (host, port), with or without TLS
  kAdmin,  // the unix socket of admin_socket_path
};

struct HttpRequest {
  std::string_view method;  // "GET", "POST", ...
  std::string_view path;    // as received: percent-encoded, no query string
  // URL query parameters as received (percent-encoded values).
  std::vector<std::pair<std::string, std::string>> query;
  std::string_view body;
  bool from_loopback = false;  // the peer address is 127.0.0.0/8 or ::1
  std::string_view peer;       // the peer's IP address ("" unknown), for rate limits
  // The request came on a listener only the server's operators reach (an
  // admin unix socket): the host allows admin routes there without a
  // credential. False for every TCP listener.
  bool admin_channel = false;
  // The X-API-Key and Authorization headers, when present.
  std::optional<std::string_view> x_api_key;
  std::optional<std::string_view> authorization;
  // CORS: Origin, and the Access-Control-Request-Method and -Headers of a
  // preflight request, when present.
  std::optional<std::string_view> origin;
  std::optional<std::string_view> cors_method;
  std::optional<std::string_view> cors_headers;
  // Every header field as sent, in order: (name, value without surrounding
  // whitespace). Null when the caller has none. Look one up with Header().
  const std::vector<std::pair<std::string_view, std::string_view>>* headers = nullptr;
  Listener listener = Listener::kData;
  // Becomes true when the client disconnects or the server stops while the
  // request runs: a handler may pass it on to long work so that it stops
  // early. Valid during Handle(); null when the caller offers none.
  const std::atomic<bool>* cancelled = nullptr;

  // The value of header `name` (ASCII case-insensitive; the first one when
  // repeated), or nullopt.
  std::optional<std::string_view> Header(std::string_view name) const {
    if (headers == nullptr) return std::nullopt;
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c | 0x20) : c; };
    for (const auto& [n, v] : *headers) {
      bool same = n.size() == name.size();
      for (size_t i = 0; same && i < n.size(); ++i) same = lower(n[i]) == lower(name[i]);
      if (same) return v;
    }
    return std::nullopt;
  }
};

// A response that goes on after its head (event_stream.h).
class ResponseStream;
// Change-feed parameters (feed_params.h); a WebSocket connection's caller
// and one of its subscriptions (ws_session.h).
struct FeedParams;
struct WsCaller;
struct WsSubscription;

struct HttpResponse {
  int status = 200;
  std::string body;      // JSON (every answer, errors included)
  std::string allow;     // methods for the Allow header (405 answers)
  std::string endpoint;  // X-Sluice-Endpoint, when the request named an endpoint
  uint32_t version = 0;  // X-Sluice-Version when nonzero: the version that answered
  // How the query behind a list or query answer ran, as the host reported
  // it: X-Sluice-Plan (header-safe text; "" = not reported, no headers)
  // and X-Sluice-Scan. Kept on error answers too (e.g. over the budget).
  std::string plan;
  bool scan = false;
  std::string content_type;      // Content-Type; "" = application/json
  std::string www_authenticate;  // WWW-Authenticate (401 answers)
  // Further headers to send as they are (CORS, RateLimit-*, Retry-After).
  std::vector<std::pair<std::string, std::string>> headers;
  // HEAD: send the headers the body would have (Content-Length included)
  // and no body.
  bool omit_body = false;
  // Set when the answer goes on after its head (server-sent events): the
  // transport sends the head without a length and then what the stream
  // gives, and closes the connection when it ends.
  std::shared_ptr<ResponseStream> stream;
  // The route template that answered ("/{endpoint}/{pk}"), for metrics;
  // "" = no route matched. Points to static text.
  std::string_view route;

  // Replaces the body with the error JSON of `s` and sets the status.
  void SetError(const Status& s);
  // Same with an explicit HTTP status and code name (403, 405, 413).
  void SetError(int http_status, std::string_view code_name, std::string_view message);
  // The error of a call the host refused for the caller: 401 with
  // WWW-Authenticate (UNAUTHENTICATED), 403, 429 with Retry-After
  // (RESOURCE_EXHAUSTED: a rate limit), else as SetError.
  void SetRefusal(const Status& s, bool credential_sent, uint32_t retry_after_ms);
};

class RestService {
 public:
  // `api` is the host's query service; it must outlive the service.
  RestService(const ApiHost& api, const RestOptions& options);
  RestService(const RestService&) = delete;
  RestService& operator=(const RestService&) = delete;

  // Answers one request. Never fails: every error becomes an error response.
  // Thread-safe; requests run concurrently.
  void Handle(const HttpRequest& request, HttpResponse* response);

  // Re-reads the catalog (the host reports a change). Thread-safe.
  void CatalogChanged();

  // True when answering `request` runs a query through the host: list,
  // count or query on an endpoint, with that route's method and a key the
  // route accepts. The transport runs those on its worker pool and every
  // other request (health, ready, metrics, get by key, OpenAPI, admin,
  // errors) on its event loops. Sets *route (template) and *endpoint for
  // metrics. Thread-safe (request_class.cc).
  bool RunsQuery(const HttpRequest& request, std::string_view* route, std::string* endpoint);

  // The plugin's request metrics; Handle() records every request it
  // answers, the transport records those it refuses itself.
  RequestMetrics& metrics() { return metrics_; }

  const RestOptions& options() const { return options_; }

  // Opens one subscription of a WebSocket connection (ws_route.cc): a
  // request with the host for `caller` (as every HTTP request opens one:
  // the same refusals), the endpoint at `path` ("/trips", "/v2/trips";
  // `version` nonzero names the version too), pinned and read as the
  // events route does with `p`. Fills *sub (request, view, feed, counters)
  // and *gone_from (the resume's version when it is no longer served, 0
  // otherwise); false with the answer an HTTP request would have had.
  bool OpenSubscription(const WsCaller& caller, std::string_view path, uint32_t version,
                        FeedParams* p, WsSubscription* sub, uint32_t* gone_from,
                        HttpResponse* response);

  // Change-feed counters by transport.
  FeedMetrics& feed_metrics() { return feed_metrics_; }

 private:
  // The endpoint and version a path under an endpoint's routes names.
  struct Target {
    const EndpointInfo* endpoint = nullptr;
    uint32_t version = 0;  // 0 = the current version (unversioned path)
    std::string_view suffix;
  };

  // One request being answered: what the client sent, and the request
  // the host opened for it, through which every call acts for the client
  // (the host applies its permissions, row filters and rate limits).
  // A request made with the console's session cookie (console_session.h).
  struct ConsoleCall {
    std::string id;
    ConsoleSessions::Session session;
  };

  struct Call {
    const HttpRequest& http;
    ApiHost::Request host;
    bool credential_sent = false;
    const ConsoleCall* console = nullptr;  // set when the console's cookie identified it
    const ApiHost& api() const { return host.api(); }
  };

  // Handle() without the metrics and the CORS and rate-limit headers.
  void Route(Call& call, HttpResponse* response);
  bool Resolve(const Catalog& catalog, std::string_view path, Target* out) const;
  void HandleIndex(Call& call, HttpResponse* response);
  // False (with the answer filled) unless the host lets `call` do `action`.
  bool Allowed(Call& call, Action action, HttpResponse* response);
  // Answers a refusal of the host for `call`.
  void Refuse(Call& call, const Status& s, HttpResponse* response);
  // Adds RateLimit-* headers when a rate limit applied to `call`.
  void AddRateHeaders(Call& call, HttpResponse* response);

  // Operational and admin routes (ops_routes.cc).
  // False (with a 405 answer) unless the request's method is `method`
  // (HEAD counts as GET: it answers a GET's headers without its body).
  static bool MethodIs(const HttpRequest& request, const char* method, HttpResponse* response);
  // Loopback rule, admin rights and method of admin routes; false with the
  // answer filled.
  bool AdminGate(Call& call, const char* method, HttpResponse* response);
  void HandleReady(Call& call, HttpResponse* response);
  void HandleMetrics(Call& call, HttpResponse* response);
  void HandleAdmin(Call& call, std::string_view name, HttpResponse* response);
  void HandlePrune(Call& call, HttpResponse* response);
  void HandleEndpoint(Call& call, HttpResponse* response);
  void Dispatch(Call& call, const Target& target, const EndpointAction& action,
                HttpResponse* response);

  // The web console (console_route.cc). HandleConsole answers /console
  // and /console/... when the console is on (false otherwise: not its path).
  bool HandleConsole(Call& call, HttpResponse* response);
  void HandleConsoleSession(Call& call, HttpResponse* response);
  // Fills *out when the request carries the cookie of a live console session.
  bool ConsoleSessionOf(const HttpRequest& request, ConsoleCall* out);
  // OK unless a state-changing request made with the console's cookie
  // lacks its CSRF token or comes from another origin.
  static Status ConsoleCsrf(const HttpRequest& request, const ConsoleCall& console);
  // False when the request names an Origin that is not the Host it was sent to.
  static bool SameOrigin(const HttpRequest& request);

  // Admin routes that describe the server (admin_info_routes.cc):
  // /admin/plugins, /admin/endpoints/{name}/versions and .../diff,
  // /admin/status/events. False when the path is none of them.
  bool HandleAdminInfo(Call& call, HttpResponse* response);
  void HandlePlugins(Call& call, HttpResponse* response);
  // The endpoint `raw_name` (percent-encoded) names, as the caller sees
  // it; false with the error answered otherwise.
  bool EndpointNamed(Call& call, std::string_view raw_name, EndpointInfo* out,
                     HttpResponse* response);
  void HandleVersions(Call& call, std::string_view name, HttpResponse* response);
  void HandleDiff(Call& call, std::string_view name, HttpResponse* response);
  void HandleStatusStream(Call& call, HttpResponse* response);

  // Endpoint routes (endpoint_routes.cc). `version` 0 = current.
  void List(Call& call, const Target& target, HttpResponse* response);
  void GetRecord(Call& call, const Target& target, std::string_view raw_key,
                 HttpResponse* response);
  void Count(Call& call, const Target& target, HttpResponse* response);
  // POST .../aggregate (aggregate_route.cc).
  void Aggregate(Call& call, const Target& target, HttpResponse* response);
  void Query(Call& call, const Target& target, HttpResponse* response);
  void OpenApi(Call& call, const Target& target, HttpResponse* response);
  // GET or POST .../events: a change feed as server-sent events
  // (events_route.cc); on success response->stream carries it.
  void Events(Call& call, const Target& target, HttpResponse* response);
  // With p's parameters read: checks the resume point against the path,
  // pins the version to read (on the unversioned path, the resume's
  // version while it is served; *gone_from names it when it is not) and
  // completes p->options. False with the answer filled. SSE and WebSocket.
  bool PinFeed(Call& call, const Target& target, FeedParams* p, ApiHost::View* view,
               uint32_t* gone_from, HttpResponse* response);
  // GET /feeds: the WebSocket handshake (ws_route.cc); on success a 101
  // answer whose stream is the connection's session.
  void WebSocket(Call& call, HttpResponse* response);
  // The endpoint and version `path` names (*found), re-reading the catalog
  // when the copy does not know the path or version; *catalog is the copy
  // used. An error when the catalog cannot be read.
  Status FindTarget(std::string_view path, std::shared_ptr<const Catalog>* catalog, Target* out,
                    bool* found);
  // Pins target's version for `call`; on failure fills the error response.
  bool Pin(Call& call, const Target& target, ApiHost::View* view, HttpResponse* response);
  // A POST's body checked as a query (QueryBody) into *query, then
  // target's version pinned into *view: query, count and aggregate. False
  // with the error answered when either fails (a bad body before the pin).
  bool PinWithBody(Call& call, const Target& target, std::string_view* query, ApiHost::View* view,
                   HttpResponse* response);
  // Runs `query_json` on a pinned view and writes the JSON array of
  // records, or exports every matching record when the Accept header asks
  // for CSV or NDJSON.
  void RunQuery(Call& call, const Target& target, const ApiHost::View& view,
                std::string_view query_json, HttpResponse* response);
  // Streams every record `query_json` matches as `format` (export_route.cc).
  void Export(Call& call, const Target& target, ExportFormat format, std::string_view query_json,
              HttpResponse* response);

  ApiHost api_;
  RestOptions options_;
  CatalogCache catalog_;
  RequestMetrics metrics_;
  FeedMetrics feed_metrics_;
  ConsoleSessions sessions_;
};

// `text` fit for a header value: control characters become spaces.
std::string HeaderSafe(std::string_view text);
// The client's bound on its queries: X-Sluice-Timeout-Ms (1 to 86400000);
// *ms = 0 without the header. INVALID_ARGUMENT when malformed.
Status RequestTimeout(const HttpRequest& request, uint32_t* ms);

// Checks that `body` is one JSON object (an empty body counts as {}) and
// sets *query to the text to pass to the host. INVALID_ARGUMENT with the
// JSON parser's message otherwise.
Status QueryBody(std::string_view body, std::string_view* query);

}  // namespace sluice::rest

#endif  // SLUICE_PLUGINS_API_REST_REST_SERVICE_H_
