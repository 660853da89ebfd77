// RestService's operational and admin routes: /ready, /metrics,
// PUT /admin/endpoints/{name}/current and POST /admin/prune.
#include <simdjson.h>

#include "admin_rule.h"
#include "http_status.h"
#include "rest_service.h"
#include "sluice/json.h"

namespace sluice::rest {

namespace {

simdjson::dom::parser& Parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

// Parses a request body that must be a JSON object naming no member twice
// (a reader would have to guess which one counts; query bodies are refused
// the same way). INVALID_ARGUMENT otherwise, ending with `expected`.
Status ParseObject(std::string_view body, const char* expected, simdjson::dom::object* obj) {
  auto error = Parser().parse(body.data(), body.size()).get(*obj);
  if (error)
    return InvalidArgument(std::string("request body: ") + simdjson::error_message(error) + "; " +
                           expected);
  std::vector<std::string_view> seen;
  for (auto field : *obj) {
    for (std::string_view k : seen)
      if (k == field.key)
        return InvalidArgument("request body: key '" + std::string(field.key) + "' given twice");
    seen.push_back(field.key);
  }
  return Status();
}

// A member that must be an integer in [1, 2^32).
Status PositiveUint32(simdjson::dom::element value, const char* key, uint32_t* out) {
  uint64_t n = 0;
  if (value.get_uint64().get(n) || n == 0 || n > UINT32_MAX)
    return InvalidArgument(std::string("request body: '") + key +
                           "' must be an integer in [1, 4294967295], found " +
                           simdjson::to_string(value));
  *out = static_cast<uint32_t>(n);
  return Status();
}

// Parses the admin body {"version": N} (N >= 1) or {"version": "latest"} (*version = 0:
// unpin, follow the newest ready version).
Status AdminVersion(std::string_view body, uint32_t* version) {
  const char* expected =
      "expected a JSON body {\"version\": N} with N >= 1, or {\"version\": \"latest\"} to "
      "unpin";
  simdjson::dom::object obj;
  SLUICE_RETURN_IF_ERROR(ParseObject(body, expected, &obj));
  bool seen = false;
  for (auto field : obj) {
    if (field.key != "version")
      return InvalidArgument("request body: unknown key '" + std::string(field.key) + "'; " +
                             expected);
    seen = true;
    std::string_view text;
    if (!field.value.get_string().get(text)) {
      if (text != "latest")
        return InvalidArgument(
            "request body: 'version': expected a number or \"latest\", found \"" +
            std::string(text) + "\"");
      *version = 0;
      continue;
    }
    SLUICE_RETURN_IF_ERROR(PositiveUint32(field.value, "version", version));
  }
  if (!seen) return InvalidArgument("request body: missing 'version'; " + std::string(expected));
  return Status();
}

// Parses the prune body {"keep": N, "endpoint": "name"} (endpoint optional).
Status PruneBody(std::string_view body, uint32_t* keep, std::string* endpoint) {
  const char* expected =
      "expected a JSON body {\"keep\": N, \"endpoint\": \"name\"} with N >= 1 "
      "(endpoint optional: all endpoints when absent)";
  simdjson::dom::object obj;
  SLUICE_RETURN_IF_ERROR(ParseObject(body, expected, &obj));
  for (auto field : obj) {
    if (field.key == "keep") {
      SLUICE_RETURN_IF_ERROR(PositiveUint32(field.value, "keep", keep));
    } else if (field.key == "endpoint") {
      std::string_view name;
      if (field.value.get_string().get(name) || name.empty())
        return InvalidArgument("request body: 'endpoint' must be an endpoint name, found " +
                               simdjson::to_string(field.value));
      *endpoint = std::string(name);
    } else {
      return InvalidArgument("request body: unknown key '" + std::string(field.key) + "'; " +
                             expected);
    }
  }
  if (*keep == 0) return InvalidArgument("request body: missing 'keep'; " + std::string(expected));
  return Status();
}

// Why an endpoint is not ready ("" when it is).
std::string NotReadyReason(const EndpointInfo& e, uint64_t max_lag) {
  // A stopped ingest is not ready, whatever the cache serves meanwhile.
  if (e.has_ingest && (e.ingest.state == "failed" || e.ingest.state == "schema_changed" ||
                       e.ingest.state == "log_damaged"))
    return std::string("its ingest ") +
           (e.ingest.state == "failed"        ? "failed"
            : e.ingest.state == "log_damaged" ? "stopped: its log is damaged"
                                              : "stopped on a schema change") +
           " (v" + std::to_string(e.ingest.version) + "): " + e.ingest.detail;
  if (e.current_version == 0 && e.has_ingest && e.ingest.state == "waiting")
    return "no version yet: its source is waiting: " + e.ingest.detail;
  if (e.has_ingest && e.ingest.state == "storage_error")
    return "its ingest stopped on a storage error and is retried until writes succeed (v" +
           std::to_string(e.ingest.version) + "): " + e.ingest.detail;
  if (e.current_version == 0)
    return e.versions.empty()
               ? "no version exists yet; run `sluice migrate`"
               : "no current version yet: no version's cache has caught up (versions: " +
                     Catalog::VersionList(e) + ")";
  const VersionInfo* v = Catalog::FindVersion(e, e.current_version);
  if (v == nullptr)
    return "current version " + std::to_string(e.current_version) + " is not served";
  uint64_t lag = Catalog::Lag(*v);
  std::string which = "the cache of v" + std::to_string(v->version);
  if (lag > max_lag)
    return which + " is " + std::to_string(lag) + " log records behind (ready_max_lag " +
           std::to_string(max_lag) + ")";
  if (!v->ready) return which + " has not caught up with its log since it was opened";
  return "";
}

}  // namespace

bool RestService::MethodIs(const HttpRequest& request, const char* method, HttpResponse* response) {
  if (request.method == method) return true;
  bool get = std::string_view(method) == "GET";
  if (get && request.method == "HEAD") return true;
  response->allow = get ? "GET, HEAD" : method;
  response->SetError(405, "invalid_argument",
                     std::string(request.method) + " is not allowed on " +
                         std::string(request.path) + "; allowed: " + response->allow);
  return false;
}

bool RestService::AdminGate(Call& call, const char* method, HttpResponse* response) {
  if (!AdminRoutesServed(options_, call.http.listener, call.credential_sent)) {
    response->SetError(404, "not_found",
                       "admin routes are served on the admin socket (rest option "
                       "admin_socket_path); on this listener only to a caller presenting a "
                       "credential, or to any caller the access model admits when the rest "
                       "option admin_remote is true");
    return false;
  }
  return Allowed(call, Action::kAdmin, response) && MethodIs(call.http, method, response);
}

void RestService::HandleReady(Call& call, HttpResponse* response) {
  std::shared_ptr<const Catalog> catalog;
  Status s = catalog_.Refresh(&catalog);  // lag moves without notifications
  if (!s.ok()) return response->SetError(s);
  std::vector<std::string> reasons;
  bool all = true;
  for (const EndpointInfo& e : catalog->endpoints()) {
    reasons.push_back(NotReadyReason(e, options_.ready_max_lag));
    all = all && reasons.back().empty();
  }
  response->status = all ? 200 : 503;
  JsonWriter w(&response->body);
  w.BeginObject();
  w.KeyBool("ready", all);
  // Readiness is for anyone (probes send no credential); which endpoints
  // lag, and why, only for callers who may read them.
  if (!call.host.Authorize(Action::kRead).ok()) return w.EndObject();
  w.Key("endpoints");
  w.BeginArray();
  for (size_t i = 0; i < reasons.size(); ++i) {
    const EndpointInfo& e = catalog->endpoints()[i];
    if (!call.host.Authorize(Action::kRead, e.name).ok()) continue;
    const VersionInfo* v = Catalog::FindVersion(e, e.current_version);
    w.BeginObject();
    w.KeyString("name", e.name);
    w.KeyUint("current_version", e.current_version);
    w.KeyUint("lag", v != nullptr ? Catalog::Lag(*v) : 0);
    w.KeyBool("ready", reasons[i].empty());
    if (e.has_ingest) { w.KeyString("ingest_state", e.ingest.state); }
    if (!reasons[i].empty()) { w.KeyString("reason", reasons[i]); }
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

void RestService::HandleMetrics(Call& call, HttpResponse* response) {
  std::string& out = response->body;
  Status s = call.api().Metrics(&out);
  Code c = s.code();
  if (c == Code::kUnauthenticated || c == Code::kPermissionDenied || c == Code::kResourceExhausted)
    return Refuse(call, s, response);
  if (!out.empty() && out.back() != '\n') out += '\n';
  if (!s.ok()) {
    std::string message = s.message();
    for (char& c : message)
      if (c == '\n') c = ' ';
    out += "# host metrics unavailable: " + message + "\n";
  }
  out += metrics_.Text();
  out += feed_metrics_.Text();
  response->content_type = "text/plain; version=0.0.4; charset=utf-8";
}

void RestService::HandleAdmin(Call& call, std::string_view raw_name, HttpResponse* response) {
  std::string name;
  if (!PercentDecode(raw_name, false, &name))
    return response->SetError(InvalidArgument("malformed percent-encoding in endpoint name '" +
                                              std::string(raw_name) + "'"));
  uint32_t version = 0;
  Status s = AdminVersion(call.http.body, &version);
  if (s.ok()) s = call.api().SetCurrent(name, version);
  if (!s.ok()) return Refuse(call, s, response);
  (void)catalog_.Refresh(nullptr);
  JsonWriter w(&response->body);
  w.BeginObject();
  w.KeyString("endpoint", name);
  w.Key("current_version");
  std::shared_ptr<const Catalog> catalog;
  const EndpointInfo* e = catalog_.Refresh(&catalog).ok() ? catalog->FindByName(name) : nullptr;
  w.Uint(e != nullptr ? e->current_version : version);
  w.Key("pinned");
  if (version == 0) w.String("latest");
  else w.Uint(version);
  w.EndObject();
}

void RestService::HandlePrune(Call& call, HttpResponse* response) {
  uint32_t keep = 0;
  std::string endpoint;
  std::vector<std::string> lines;
  Status s = PruneBody(call.http.body, &keep, &endpoint);
  if (s.ok()) s = call.api().Prune(endpoint, keep, &lines);
  if (!s.ok()) return Refuse(call, s, response);
  (void)catalog_.Refresh(nullptr);
  JsonWriter w(&response->body);
  w.BeginObject();
  w.Key("pruned");
  w.BeginArray();
  for (const std::string& line : lines) w.String(line);
  w.EndArray();
  w.EndObject();
}

}  // namespace sluice::rest
