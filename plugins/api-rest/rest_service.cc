#include "rest_service.h"

#include <simdjson.h>

#include <chrono>

#include "cors.h"
#include "http_status.h"
#include "index_json.h"
#include "sluice/json.h"

namespace sluice::rest {

namespace {

constexpr std::string_view kAdminPrefix = "/admin/endpoints/";
constexpr std::string_view kAdminSuffix = "/current";
constexpr std::string_view kAdminCurrentRoute = "/admin/endpoints/{name}/current";
constexpr std::string_view kFeedsPath = "/feeds";  // WebSocket change feeds (ws_route.cc)

// "/trips, /zones": every endpoint path, for "no such route" messages.
std::string PathList(const Catalog& catalog) {
  std::string out;
  for (const EndpointInfo& e : catalog.endpoints()) out += (out.empty() ? "" : ", ") + e.path;
  return out.empty() ? "none configured" : out;
}

bool IsBlank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

simdjson::dom::parser& ThreadParser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

}  // namespace

void HttpResponse::SetError(const Status& s) {
  SetError(HttpStatusFor(s.code()), CodeName(s.code()), s.message());
}

void HttpResponse::SetError(int http_status, std::string_view code_name, std::string_view message) {
  status = http_status;
  body = ErrorJson(code_name, message);
}

void HttpResponse::SetRefusal(const Status& s, bool credential_sent, uint32_t retry_after_ms) {
  if (s.code() == Code::kUnauthenticated) www_authenticate = Challenge(credential_sent);
  if (s.code() != Code::kResourceExhausted) return SetError(s);
  SetError(429, CodeName(s.code()), s.message());
  headers.emplace_back("Retry-After",
                       std::to_string(std::max<uint32_t>(1, (retry_after_ms + 999) / 1000)));
}

Status QueryBody(std::string_view body, std::string_view* query) {
  if (IsBlank(body)) {
    *query = "{}";
    return Status();
  }
  simdjson::dom::element doc;
  auto error = ThreadParser().parse(body.data(), body.size()).get(doc);
  if (error)
    return InvalidArgument(std::string("request body is not valid JSON: ") +
                           simdjson::error_message(error));
  if (!doc.is_object())
    return InvalidArgument("request body must be a JSON object (a query, docs/query.md), found " +
                           simdjson::to_string(doc).substr(0, 40));
  *query = body;
  return Status();
}

Status RequestTimeout(const HttpRequest& request, uint32_t* ms) {
  *ms = 0;
  std::optional<std::string_view> v = request.Header("X-Sluice-Timeout-Ms");
  if (!v) return Status();
  uint64_t n = 0;
  bool ok = !v->empty() && v->size() <= 8;
  for (char c : *v) ok = ok && c >= '0' && c <= '9', n = n * 10 + static_cast<uint64_t>(c - '0');
  if (!ok || n == 0 || n > 86400000)
    return InvalidArgument(
        "header X-Sluice-Timeout-Ms: expected milliseconds from 1 to 86400000, found '" +
        std::string(*v) + "'");
  *ms = static_cast<uint32_t>(n);
  return Status();
}

RestService::RestService(const ApiHost& api, const RestOptions& options)
    : api_(api), options_(options), catalog_(api) {}

void RestService::CatalogChanged() { (void)catalog_.Refresh(nullptr); }

void RestService::Handle(const HttpRequest& request, HttpResponse* response) {
  auto start = std::chrono::steady_clock::now();
  if (IsPreflight(options_.cors, request)) {
    AnswerPreflight(options_.cors, request, response);
  } else {
    Credential credential = RequestCredential(request.x_api_key, request.authorization);
    credential.peer = request.peer;
    credential.local = request.admin_channel;
    credential.cancelled = request.cancelled;
    Status timeout = RequestTimeout(request, &credential.timeout_ms);
    Call call{request, {}, credential.kind != Credential::Kind::kNone};
    ConsoleCall console;  // a browser of the console: its session's credential
    if (!call.credential_sent && ConsoleSessionOf(request, &console)) {
      call.console = &console;
      credential.kind = console.session.kind;
      credential.token = console.session.token;
      call.credential_sent = credential.kind != Credential::Kind::kNone;
      if (timeout.ok()) timeout = ConsoleCsrf(request, console);
    }
    if (!timeout.ok()) {
      response->SetError(timeout);
    } else {
      if (request.path != "/health") api_.BeginRequest(credential, &call.host);
      Route(call, response);
    }
    AddRateHeaders(call, response);
    AddCorsHeaders(options_.cors, request, response);
  }
  response->omit_body = request.method == "HEAD";
  std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  bool matched = !response->route.empty();
  metrics_.Record(request.method, matched ? response->route : "other",
                  matched ? std::string_view(response->endpoint) : std::string_view(),
                  response->status, took.count());
}

void RestService::Route(Call& call, HttpResponse* response) {
  const HttpRequest& request = call.http;
  std::string_view path = request.path;
  if (path == "/health" || path == "/ready") {
    response->route = path == "/health" ? "/health" : "/ready";
    if (!MethodIs(request, "GET", response)) return;
    if (path == "/ready") return HandleReady(call, response);
    response->body = "{\"status\":\"ok\"}";
    return;
  }
  if (path == "/metrics") {
    response->route = "/metrics";
    if (Allowed(call, Action::kMetrics, response) && MethodIs(request, "GET", response))
      HandleMetrics(call, response);
    return;
  }
  if (HandleConsole(call, response) || HandleAdminInfo(call, response)) return;
  if (path == "/admin/prune") {
    response->route = "/admin/prune";
    if (AdminGate(call, "POST", response)) HandlePrune(call, response);
    return;
  }
  if (path.substr(0, kAdminPrefix.size()) == kAdminPrefix && path.size() > kAdminPrefix.size() &&
      path.substr(path.size() - kAdminSuffix.size()) == kAdminSuffix) {
    std::string_view name =
        path.substr(kAdminPrefix.size(), path.size() - kAdminPrefix.size() - kAdminSuffix.size());
    if (!name.empty() && name.find('/') == std::string_view::npos) {
      response->route = kAdminCurrentRoute;
      if (AdminGate(call, "PUT", response)) HandleAdmin(call, name, response);
      return;
    }
  }
  // Before routing: a client that may read nothing learns no endpoint name.
  if (!Allowed(call, Action::kRead, response)) return;
  if (path == kFeedsPath) {
    response->route = kFeedsPath;
    return WebSocket(call, response);
  }
  if (path == "/") {
    response->route = "/";
    if (MethodIs(request, "GET", response)) HandleIndex(call, response);
    return;
  }
  HandleEndpoint(call, response);
}

bool RestService::Allowed(Call& call, Action action, HttpResponse* response) {
  Status s = call.host.Authorize(action);
  if (s.ok()) return true;
  Refuse(call, s, response);
  return false;
}

void RestService::Refuse(Call& call, const Status& s, HttpResponse* response) {
  response->SetRefusal(s, call.credential_sent, call.host.Info().retry_after_ms);
}

void RestService::AddRateHeaders(Call& call, HttpResponse* response) {
  RequestInfo info = call.host.Info();
  if (!info.rate_limited) return;
  response->headers.emplace_back("RateLimit-Limit", std::to_string(info.limit));
  response->headers.emplace_back("RateLimit-Remaining", std::to_string(info.remaining));
  response->headers.emplace_back("RateLimit-Reset", std::to_string((info.reset_ms + 999) / 1000));
}

void RestService::HandleIndex(Call& call, HttpResponse* response) {
  Status s = IndexJson(call.api(), &response->body);
  if (!s.ok()) return Refuse(call, s, response);
}

bool RestService::Resolve(const Catalog& catalog, std::string_view path, Target* out) const {
  auto match = [&](std::string_view p, uint32_t version) {
    for (std::string_view prefix : PathPrefixes(p)) {
      const EndpointInfo* e = catalog.FindByPath(prefix);
      if (e == nullptr) continue;
      *out = Target{e, version, p.substr(prefix.size())};
      return true;
    }
    return false;
  };
  uint32_t version = 0;
  std::string_view rest;
  if (SplitVersion(path, &version, &rest) && match(rest, version)) return true;
  return match(path, 0);
}

Status RestService::FindTarget(std::string_view path, std::shared_ptr<const Catalog>* catalog,
                               Target* out, bool* found) {
  SLUICE_RETURN_IF_ERROR(catalog_.Get(catalog));
  *found = Resolve(**catalog, path, out);
  bool version_known =
      *found && (out->version == 0 || Catalog::FindVersion(*out->endpoint, out->version));
  if (!*found || !version_known) {  // maybe new since the last reading
    SLUICE_RETURN_IF_ERROR(catalog_.Refresh(catalog));
    *found = Resolve(**catalog, path, out);
  }
  return Status();
}

void RestService::HandleEndpoint(Call& call, HttpResponse* response) {
  const HttpRequest& request = call.http;
  std::shared_ptr<const Catalog> catalog;
  Target target;
  bool found = false;
  Status s = FindTarget(request.path, &catalog, &target, &found);
  if (!s.ok()) return response->SetError(s);
  EndpointAction action = ParseAction(found ? target.suffix : std::string_view("?"));
  if (action.kind == EndpointAction::kUnknown)
    return response->SetError(NotFound("no route " + std::string(request.method) + " " +
                                       std::string(request.path) +
                                       "; endpoint paths: " + PathList(*catalog)));
  response->endpoint = target.endpoint->name;
  response->route = RouteTemplate(action.kind, target.version != 0);
  if (target.version != 0 && Catalog::FindVersion(*target.endpoint, target.version) == nullptr)
    return response->SetError(NotFound("endpoint " + target.endpoint->name + " has no version " +
                                       std::to_string(target.version) +
                                       "; versions: " + Catalog::VersionList(*target.endpoint)));
  bool head_of_get = request.method == "HEAD" && action.method() == std::string_view("GET");
  bool events_post = action.kind == EndpointAction::kEvents && request.method == "POST";
  if (request.method != action.method() && !head_of_get && !events_post) {
    response->allow = action.allow();
    return response->SetError(405, "invalid_argument",
                              std::string(request.method) + " is not allowed on " +
                                  std::string(request.path) + "; allowed: " + action.allow());
  }
  for (const auto& [name, value] : request.query) {
    if (action.kind == EndpointAction::kCollection || action.kind == EndpointAction::kEvents ||
        (action.kind == EndpointAction::kRecord && name == "select"))
      continue;
    return response->SetError(InvalidArgument(
        "query parameter '" + name + "' is not accepted on " + std::string(request.path) +
        (action.kind == EndpointAction::kRecord ? "; get by key takes select only"
                                                : "; only the list route takes filters, select, "
                                                  "order, limit, skip and after")));
  }
  Dispatch(call, target, action, response);
}

void RestService::Dispatch(Call& call, const Target& target, const EndpointAction& action,
                           HttpResponse* response) {
  switch (action.kind) {
    case EndpointAction::kCollection: return List(call, target, response);
    case EndpointAction::kRecord: return GetRecord(call, target, action.key, response);
    case EndpointAction::kCount: return Count(call, target, response);
    case EndpointAction::kQuery: return Query(call, target, response);
    case EndpointAction::kOapi: return OpenApi(call, target, response);
    case EndpointAction::kEvents: return Events(call, target, response);
    case EndpointAction::kAggregate: return Aggregate(call, target, response);
    case EndpointAction::kUnknown: break;
  }
  response->SetError(Internal("unhandled route kind"));
}

}  // namespace sluice::rest
