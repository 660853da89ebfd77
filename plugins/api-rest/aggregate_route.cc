// RestService's aggregate route: POST /{endpoint}/aggregate (and
// /v{n}/{endpoint}/aggregate) runs an aggregate request (docs/aggregates.md)
// on one pinned view; X-Sluice-Plan says whether maintained state or a
// read of the rows answered it.
#include "rest_service.h"

namespace sluice::rest {

void RestService::Aggregate(Call& call, const Target& target, HttpResponse* response) {
  std::string_view request;
  Status s = QueryBody(call.http.body, &request);
  if (!s.ok()) return response->SetError(s);
  ApiHost::View view;
  if (!Pin(call, target, &view, response)) return;
  QueryInfo info;
  s = call.api().Aggregate(view, request, &response->body, &info);
  if (info.reported && !info.plan.empty()) {
    response->plan = HeaderSafe(info.plan);
    response->scan = info.scan;
  }
  if (!s.ok()) {
    response->body.clear();
    response->SetError(s);
  }
}

}  // namespace sluice::rest
