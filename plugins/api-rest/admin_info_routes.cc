// RestService's admin routes that describe the server, for operators and
// the web console (docs/rest.md): GET /admin/plugins,
// GET /admin/endpoints/{name}/versions, GET /admin/endpoints/{name}/diff
// and GET /admin/status/events (the catalog as server-sent events, once a
// second).
#include <charconv>
#include <mutex>

#include "event_stream.h"
#include "http_status.h"
#include "index_json.h"
#include "rest_service.h"
#include "sluice/json.h"
#include "sluice/schema_diff.h"

namespace sluice::rest {

namespace {

constexpr std::string_view kEndpoints = "/admin/endpoints/";

// `GET /`'s answer as an event every interval, for as long as the client
// reads: a light status stream (the catalog's figures move continuously,
// so it is sent whole rather than as changes).
class StatusStream : public ResponseStream {
 public:
  StatusStream(ApiHost::Request request, uint32_t interval_ms)
      : request_(std::move(request)), interval_ms_(interval_ms) {}

  void Start(std::function<void()> wake) override { wake(); }
  bool Pull(size_t, std::string* out) override {
    if (ended_) return false;
    if (!sent_first_) {
      sent_first_ = true;
      Append(out);
    }
    return !ended_;
  }
  void Heartbeat(std::string* out) override { Append(out); }
  void Stop(std::string* out) override {
    ended_ = true;
    *out += "event: end\ndata: {\"code\":\"unavailable\",\"message\":\"the server stops\"}\n\n";
  }
  uint32_t heartbeat_ms() const override { return interval_ms_; }

 private:
  void Append(std::string* out) {
    std::string json;
    Status s = IndexJson(request_.api(), &json);
    if (!s.ok()) {  // e.g. the key was revoked by a reload
      ended_ = true;
      *out += "event: end\ndata: " + ErrorJson(CodeName(s.code()), s.message()) + "\n\n";
      return;
    }
    *out += "event: status\ndata: " + json + "\n\n";
  }

  ApiHost::Request request_;
  const uint32_t interval_ms_;
  bool sent_first_ = false;
  bool ended_ = false;
};

bool ParseVersion(std::string_view text, uint32_t* out) {
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && p == text.data() + text.size() && *out > 0;
}

// The query parameter `key`, or nullopt.
std::optional<std::string_view> Param(const HttpRequest& request, std::string_view key) {
  for (const auto& [k, v] : request.query)
    if (k == key) return std::string_view(v);
  return std::nullopt;
}

Status FindEndpoint(const ApiHost& api, std::string_view name, EndpointInfo* out) {
  std::vector<EndpointInfo> endpoints;
  SLUICE_RETURN_IF_ERROR(api.Catalog(&endpoints));
  std::string names;
  for (EndpointInfo& e : endpoints) {
    if (e.name == name) {
      *out = std::move(e);
      return Status();
    }
    names += (names.empty() ? "" : ", ") + e.name;
  }
  return NotFound("no endpoint named '" + std::string(name) +
                  "'; endpoints: " + (names.empty() ? "none" : names));
}

}  // namespace

bool RestService::HandleAdminInfo(Call& call, HttpResponse* response) {
  std::string_view path = call.http.path;
  if (path == "/admin/plugins") {
    response->route = "/admin/plugins";
    if (AdminGate(call, "GET", response)) HandlePlugins(call, response);
    return true;
  }
  if (path == "/admin/status/events") {
    response->route = "/admin/status/events";
    if (AdminGate(call, "GET", response)) HandleStatusStream(call, response);
    return true;
  }
  if (path.substr(0, kEndpoints.size()) != kEndpoints) return false;
  std::string_view rest = path.substr(kEndpoints.size());
  size_t slash = rest.find('/');
  if (slash == 0 || slash == std::string_view::npos) return false;
  std::string_view name = rest.substr(0, slash), what = rest.substr(slash);
  if (what == "/versions") {
    response->route = "/admin/endpoints/{name}/versions";
    if (AdminGate(call, "GET", response)) HandleVersions(call, name, response);
    return true;
  }
  if (what == "/diff") {
    response->route = "/admin/endpoints/{name}/diff";
    if (AdminGate(call, "GET", response)) HandleDiff(call, name, response);
    return true;
  }
  return false;
}

void RestService::HandlePlugins(Call& call, HttpResponse* response) {
  std::vector<PluginEntry> plugins;
  Status s = call.api().Plugins(&plugins);
  if (!s.ok()) return Refuse(call, s, response);
  JsonWriter w(&response->body);
  w.BeginObject();
  w.Key("plugins");
  w.BeginArray();
  for (const PluginEntry& p : plugins) {
    w.BeginObject();
    w.KeyString("kind", p.kind);
    w.KeyString("name", p.name);
    w.KeyString("version", p.version);
    w.KeyString("description", p.description);
    w.KeyString("abi", std::to_string(p.abi_major) + "." + std::to_string(p.abi_minor));
    w.KeyString("path", p.path);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

bool RestService::EndpointNamed(Call& call, std::string_view raw_name, EndpointInfo* out,
                                HttpResponse* response) {
  std::string name;
  if (!PercentDecode(raw_name, false, &name)) {
    response->SetError(InvalidArgument("malformed percent-encoding in endpoint name"));
    return false;
  }
  Status s = FindEndpoint(call.api(), name, out);
  if (!s.ok()) {
    Refuse(call, s, response);
    return false;
  }
  response->endpoint = out->name;
  return true;
}

void RestService::HandleVersions(Call& call, std::string_view raw_name, HttpResponse* response) {
  EndpointInfo e;
  if (!EndpointNamed(call, raw_name, &e, response)) return;
  JsonWriter w(&response->body);
  w.BeginObject();
  WriteEndpointHead(e, "endpoint", &w);
  WriteVersions(e.versions, SchemaForm::kFull, &w);
  w.EndObject();
}

void RestService::HandleDiff(Call& call, std::string_view raw_name, HttpResponse* response) {
  uint32_t from = 0, to = 0;
  std::optional<std::string_view> f = Param(call.http, "from"), t = Param(call.http, "to");
  if (!f || !t || !ParseVersion(*f, &from) || !ParseVersion(*t, &to))
    return response->SetError(InvalidArgument(
        "expected the query parameters from=N&to=M naming two versions (N, M >= 1)"));
  for (const auto& [k, v] : call.http.query)
    if (k != "from" && k != "to")
      return response->SetError(InvalidArgument("query parameter '" + k +
                                                "' is not accepted; the diff takes from and to"));
  EndpointInfo e;
  if (!EndpointNamed(call, raw_name, &e, response)) return;
  const VersionInfo* a = Catalog::FindVersion(e, from);
  const VersionInfo* b = Catalog::FindVersion(e, to);
  if (a == nullptr || b == nullptr)
    return response->SetError(NotFound("endpoint " + e.name + " has no version " +
                                       std::to_string(a == nullptr ? from : to) +
                                       "; versions: " + Catalog::VersionList(e)));
  JsonWriter w(&response->body);
  w.BeginObject();
  w.KeyString("endpoint", e.name);
  w.KeyUint("from", from);
  w.KeyUint("to", to);
  w.Key("changes");
  w.BeginArray();
  for (const std::string& c : DiffSchemas(a->schema, b->schema)) w.String(c);
  w.EndArray();
  w.Key("from_schema");
  WriteSchema(a->schema, &w);
  w.Key("to_schema");
  WriteSchema(b->schema, &w);
  w.EndObject();
}

void RestService::HandleStatusStream(Call& call, HttpResponse* response) {
  uint32_t interval_s = 1;
  for (const auto& [k, v] : call.http.query)
    if (k != "interval" || !ParseVersion(v, &interval_s) || interval_s > 60)
      return response->SetError(
          InvalidArgument("the status stream takes interval=N (seconds, 1 to 60) only"));
  std::string first;
  Status s = IndexJson(call.api(), &first);  // refused now rather than in the stream
  if (!s.ok()) return Refuse(call, s, response);
  AddRateHeaders(call, response);  // before the request moves into the stream
  response->content_type = "text/event-stream";
  response->headers.emplace_back("Cache-Control", "no-cache");
  response->headers.emplace_back("X-Accel-Buffering", "no");
  response->stream = std::make_shared<StatusStream>(std::move(call.host), interval_s * 1000);
}

}  // namespace sluice::rest
