// RestService::Export: list or query with Accept: text/csv or
// application/x-ndjson streams every matching record (export_stream.h,
// docs/rest.md "Export"). The first page is read here, so a bad query is
// an ordinary error answer; the stream reads the rest.
#include "auth.h"
#include "export_stream.h"
#include "rest_service.h"

namespace sluice::rest {
namespace {

// "trips-v2.csv": the endpoint name with anything but [A-Za-z0-9._-]
// replaced, for Content-Disposition.
std::string FileName(std::string_view endpoint, uint32_t version, ExportFormat format) {
  std::string out;
  for (char c : endpoint) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == '_';
    out.push_back(ok ? c : '_');
  }
  out += "-v" + std::to_string(version);
  out += format == ExportFormat::kCsv ? ".csv" : ".ndjson";
  return out;
}

}  // namespace

void RestService::Export(Call& call, const Target& target, ExportFormat format,
                         std::string_view query_json, HttpResponse* response) {
  ExportCursor cursor;
  Status s = PrepareExport(query_json, &cursor);
  if (!s.ok()) return response->SetError(s);
  std::string first;
  QueryInfo info;
  {
    ApiHost::View view;
    if (!Pin(call, target, &view, response)) return;
    s = ExportPage(call.api(), view, format, &cursor, &first, &info);
  }
  if (info.reported && !info.plan.empty()) response->plan = info.plan, response->scan = info.scan;
  if (!s.ok()) {
    response->body.clear();
    return response->SetError(s);
  }
  auto stream = std::make_shared<ExportStream>(format, std::move(cursor), std::move(first));
  if (!stream->done()) {
    // The further pages outlive this call: they act through a request of
    // their own, for the same credential, on the version that answered,
    // cancelled by the stream (the client leaving, the server stopping).
    const HttpRequest& http = call.http;
    Credential credential = RequestCredential(http.x_api_key, http.authorization);
    credential.peer = http.peer;
    credential.local = http.admin_channel;
    s = RequestTimeout(http, &credential.timeout_ms);
    credential.cancel_fn = &ExportStream::Cancelled;
    credential.cancel_ctx = stream.get();
    ApiHost::Request own;
    if (s.ok()) api_.BeginRequest(credential, &own), s = own.status();
    ApiHost::View view;
    if (s.ok()) s = own.api().Acquire(target.endpoint->name, response->version, &view);
    if (!s.ok()) return Refuse(call, s, response);
    stream->Attach(std::move(own), std::move(view));
  }
  response->content_type = format == ExportFormat::kCsv ? "text/csv; charset=utf-8; header=present"
                                                        : "application/x-ndjson";
  response->headers.emplace_back("Transfer-Encoding", "chunked");
  response->headers.emplace_back(
      "Content-Disposition",
      "attachment; filename=\"" + FileName(response->endpoint, response->version, format) + "\"");
  response->stream = std::move(stream);
}

}  // namespace sluice::rest
