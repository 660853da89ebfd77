// RestService's endpoint routes: list, get by key, count, query and the
// OpenAPI document, each answered from one pinned view.
#include "export_stream.h"
#include "http_status.h"
#include "openapi.h"
#include "rest_service.h"
#include "sluice/json.h"
#include "url_query.h"

namespace sluice::rest {

std::string HeaderSafe(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  return out;
}

namespace {

// The view a request pins: one per thread, reused, so that acquiring a
// version again copies its description (schema included) into storage
// that already fits instead of allocating it anew. The pin itself ends
// with the request.
class RequestView {
 public:
  RequestView() : view_(Slot()) {}
  ~RequestView() { view_.Reset(); }
  RequestView(const RequestView&) = delete;
  RequestView& operator=(const RequestView&) = delete;
  ApiHost::View& get() { return view_; }

 private:
  static ApiHost::View& Slot() {
    thread_local ApiHost::View view;
    return view;
  }
  ApiHost::View& view_;
};

}  // namespace

bool RestService::Pin(Call& call, const Target& target, ApiHost::View* view,
                      HttpResponse* response) {
  Status s = call.api().Acquire(target.endpoint->name, target.version, view);
  if (!s.ok()) {
    Refuse(call, s, response);  // 401, 403, 429 (a rate limit: acquire runs no query), ...
    return false;
  }
  response->endpoint = view->endpoint().name;
  response->version = view->version().version;
  return true;
}

void RestService::RunQuery(Call& call, const Target& target, const ApiHost::View& view,
                           std::string_view query_json, HttpResponse* response) {
  ExportFormat format = AcceptedExport(call.http.Header("Accept").value_or(""));
  if (format != ExportFormat::kNone && call.http.method != "HEAD")
    return Export(call, target, format, query_json, response);
  RecordJson record(view.schema());
  std::string& body = response->body;
  JsonWriter w(&body);
  Status row_error;
  QueryInfo info;
  bool started = false;
  w.BeginArray();
  Status s = call.api().Query(
      view, query_json,
      [&](const sluice_row_batch& rows) {
        if (!started) record.Select(info.select), started = true;
        if (rows.row_count > 0)  // JSON takes about twice the bytes of the encoded rows
          body.reserve(body.size() + 2 * size_t{rows.row_ends[rows.row_count - 1]});
        for (uint32_t i = 0; i < rows.row_count && row_error.ok(); ++i)
          row_error = w.Record(record, BatchRow(rows, i));
        return row_error.ok();
      },
      &info);
  w.EndArray();
  if (info.reported && !info.plan.empty()) {
    response->plan = HeaderSafe(info.plan);
    response->scan = info.scan;
  }
  if (s.ok()) s = row_error;
  if (!s.ok()) {
    body.clear();
    response->SetError(s);
  }
}

void RestService::List(Call& call, const Target& target, HttpResponse* response) {
  RequestView pinned;
  ApiHost::View& view = pinned.get();
  if (!Pin(call, target, &view, response)) return;
  std::string query;
  Status s = ListQueryJson(call.http.query, view.schema(), &query);
  if (!s.ok()) return response->SetError(s);
  RunQuery(call, target, view, query, response);
}

bool RestService::PinWithBody(Call& call, const Target& target, std::string_view* query,
                              ApiHost::View* view, HttpResponse* response) {
  Status s = QueryBody(call.http.body, query);
  if (!s.ok()) {
    response->SetError(s);
    return false;
  }
  return Pin(call, target, view, response);
}

void RestService::Query(Call& call, const Target& target, HttpResponse* response) {
  std::string_view query;
  RequestView pinned;
  ApiHost::View& view = pinned.get();
  if (!PinWithBody(call, target, &query, &view, response)) return;
  RunQuery(call, target, view, query, response);
}

void RestService::Count(Call& call, const Target& target, HttpResponse* response) {
  std::string_view query;
  RequestView pinned;
  ApiHost::View& view = pinned.get();
  if (!PinWithBody(call, target, &query, &view, response)) return;
  uint64_t count = 0;
  Status s = call.api().Count(view, query, &count);
  if (!s.ok()) return response->SetError(s);
  JsonWriter w(&response->body);
  w.BeginObject();
  w.Key("count");
  w.Uint(count);
  w.EndObject();
}

void RestService::GetRecord(Call& call, const Target& target, std::string_view raw_key,
                            HttpResponse* response) {
  std::string key;
  if (!PercentDecode(raw_key, /*plus_is_space=*/false, &key))
    return response->SetError(
        InvalidArgument("malformed percent-encoding in key '" + std::string(raw_key) + "'"));
  RequestView pinned;
  ApiHost::View& view = pinned.get();
  if (!Pin(call, target, &view, response)) return;
  RecordJson record(view.schema());
  std::vector<uint32_t> select;
  for (const auto& [name, value] : call.http.query) {  // only select= (HandleEndpoint)
    Status s = SelectParam(value, view.schema(), &select);
    if (!s.ok()) return response->SetError(s);
    record.Select(select);
  }
  Status row_error;
  bool got = false;
  Status s = call.api().Get(view, key, [&](const sluice_row_batch& rows) {
    if (rows.row_count > 0 && !got) {
      got = true;
      row_error = record.Append(&response->body, BatchRow(rows, 0));
    }
    return false;
  });
  if (s.ok()) s = row_error;
  if (s.ok() && !got)
    s = NotFound("no record with key \"" + key + "\" in " + view.endpoint().name + " v" +
                 std::to_string(view.version().version));
  if (!s.ok()) {
    response->body.clear();
    response->SetError(s);
  }
}

// Served from the catalog, not a view: the document of a version exists
// (and is useful) before its cache is ready. The catalog as the caller
// sees it: fields it may not see are nullable there.
void RestService::OpenApi(Call& call, const Target& target, HttpResponse* response) {
  Status s = call.host.Authorize(Action::kRead, target.endpoint->name);
  std::vector<EndpointInfo> endpoints;
  if (s.ok()) s = call.api().Catalog(&endpoints);
  if (!s.ok()) return Refuse(call, s, response);
  const EndpointInfo* found = nullptr;
  for (const EndpointInfo& x : endpoints) found = x.name == target.endpoint->name ? &x : found;
  if (found == nullptr)
    return response->SetError(NotFound("endpoint " + target.endpoint->name + " is gone"));
  const EndpointInfo& e = *found;
  uint32_t version = target.version != 0 ? target.version : e.current_version;
  const VersionInfo* v = Catalog::FindVersion(e, version);
  if (v == nullptr)
    return response->SetError(
        Unavailable("endpoint " + e.name +
                    " has no current version yet; versions: " + Catalog::VersionList(e)));
  response->version = version;
  response->body = OpenApiDocument(e.name, e.path, version, v->schema);
}

}  // namespace sluice::rest
