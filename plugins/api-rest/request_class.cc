// RestService::RunsQuery: which requests run a query (and so go to the
// transport's worker pool).
#include "rest_service.h"

namespace sluice::rest {

bool RestService::RunsQuery(const HttpRequest& request, std::string_view* route,
                            std::string* endpoint) {
  std::string_view path = request.path;
  if (path == "/" || path == "/health" || path == "/ready" || path == "/metrics" ||
      path.substr(0, 7) == "/admin/")
    return false;
  // The host decides access when the request runs (on the worker): a
  // refused request costs a worker turn, not a query.
  std::shared_ptr<const Catalog> catalog;
  if (!catalog_.Get(&catalog).ok()) return false;
  Target target;
  bool found = Resolve(*catalog, path, &target);
  if (!found || (target.version != 0 && !Catalog::FindVersion(*target.endpoint, target.version))) {
    if (!catalog_.Refresh(&catalog).ok()) return false;  // maybe new since the last reading
    found = Resolve(*catalog, path, &target);
  }
  if (!found) return false;
  EndpointAction action = ParseAction(target.suffix);
  bool query = action.kind == EndpointAction::kCollection ||
               action.kind == EndpointAction::kCount || action.kind == EndpointAction::kQuery;
  if (!query) return false;
  // The route's own method (GET for list, POST for count and query); HEAD
  // where it is GET. (allow() is the Allow header's text, not a method.)
  std::string_view method = action.method();
  if (request.method != method && !(method == "GET" && request.method == "HEAD")) return false;
  *route = RouteTemplate(action.kind, target.version != 0);
  *endpoint = target.endpoint->name;
  return true;
}

}  // namespace sluice::rest
