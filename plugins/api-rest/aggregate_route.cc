// RestService's aggregate route: POST /{endpoint}/aggregate (and
// /v{n}/{endpoint}/aggregate) runs an aggregate request (docs/aggregates.md)
// on one pinned view; X-Sluice-Plan says whether maintained state or a
// read of the rows answered it.
#include "rest_service.h"

namespace sluice::rest {

void RestService::Aggregate(Call& call, const Target& target, HttpResponse* response) {
  std::string_view request;
  ApiHost::View view;
  if (!PinWithBody(call, target, &request, &view, response)) return;
  QueryInfo info;
  Status s = call.api().Aggregate(view, request, &response->body, &info);
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
