#include "http/request_view.h"

#include <string>

#include "http/listener.h"

namespace sluice::rest::http {

void FillRequest(const char* base, const ParsedRequest& parsed, Listener listener,
                 std::string_view peer,
                 std::vector<std::pair<std::string_view, std::string_view>>* headers,
                 HttpRequest* request) {
  request->method = parsed.method.in(base);
  request->path = parsed.path.in(base);
  request->body = parsed.Body(base);
  request->query.clear();
  std::string_view q = parsed.query.in(base);
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view item = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
    if (item.empty()) continue;
    size_t eq = item.find('=');
    std::string_view name = item.substr(0, eq);
    std::string_view value =
        eq == std::string_view::npos ? std::string_view() : item.substr(eq + 1);
    // Every occurrence, in order: filters repeat a field (fare=gte.1&fare=lt.9).
    request->query.emplace_back(std::string(name), std::string(value));
  }
  headers->clear();
  for (const HeaderField& h : parsed.headers)
    headers->emplace_back(h.name.in(base), h.value.in(base));
  request->headers = headers;
  request->x_api_key = request->Header("X-API-Key");
  request->authorization = request->Header("Authorization");
  request->peer = peer;
  request->listener = listener;
  request->from_loopback = IsLoopbackAddress(std::string(peer));
  request->admin_channel = listener == Listener::kAdmin;
  request->origin = request->Header("Origin");
  request->cors_method = request->Header("Access-Control-Request-Method");
  request->cors_headers = request->Header("Access-Control-Request-Headers");
}

}  // namespace sluice::rest::http
