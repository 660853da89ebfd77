#include "cors.h"

#include "rest_service.h"

namespace sluice::rest {

namespace {

constexpr const char* kExposed =
    "X-Sluice-Endpoint, X-Sluice-Version, X-Sluice-Plan, X-Sluice-Scan, RateLimit-Limit, "
    "RateLimit-Remaining, RateLimit-Reset, Retry-After, WWW-Authenticate";

bool EqualNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if ((a[i] | 0x20) != (b[i] | 0x20)) return false;
  return true;
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// The Access-Control-Allow-Origin value for `origin`: "*" when any origin
// is allowed, the origin itself when it is listed, "" otherwise.
std::string AllowOrigin(const RestOptions::Cors& cors, std::string_view origin) {
  for (const std::string& o : cors.origins) {
    if (o == "*") return "*";
    if (EqualNoCase(o, origin)) return std::string(origin);
  }
  return "";
}

std::string_view Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

}  // namespace

bool IsPreflight(const RestOptions::Cors& cors, const HttpRequest& request) {
  return !cors.origins.empty() && request.method == "OPTIONS" && request.origin &&
         request.cors_method;
}

void AnswerPreflight(const RestOptions::Cors& cors, const HttpRequest& request,
                     HttpResponse* response) {
  response->route = "preflight";
  std::string origin = AllowOrigin(cors, *request.origin);
  if (origin.empty())
    return response->SetError(
        403, "permission_denied",
        "origin " + std::string(*request.origin) + " is not in the rest option cors.origins");
  bool method = false;
  for (const std::string& m : cors.methods) method = method || m == *request.cors_method;
  if (!method)
    return response->SetError(403, "permission_denied",
                              "method " + std::string(*request.cors_method) +
                                  " is not in the rest option cors.methods (" + Join(cors.methods) +
                                  ")");
  std::string_view asked = request.cors_headers ? *request.cors_headers : std::string_view();
  while (!asked.empty()) {
    size_t comma = asked.find(',');
    std::string_view h = Trim(asked.substr(0, comma));
    asked = comma == std::string_view::npos ? std::string_view() : asked.substr(comma + 1);
    if (h.empty()) continue;
    bool ok = false;
    for (const std::string& allowed : cors.headers) ok = ok || EqualNoCase(allowed, h);
    if (!ok)
      return response->SetError(403, "permission_denied",
                                "header " + std::string(h) +
                                    " is not in the rest option cors.headers (" +
                                    Join(cors.headers) + ")");
  }
  response->status = 204;
  response->body.clear();
  response->headers.emplace_back("Access-Control-Allow-Origin", origin);
  if (origin != "*") response->headers.emplace_back("Vary", "Origin");
  response->headers.emplace_back("Access-Control-Allow-Methods", Join(cors.methods));
  response->headers.emplace_back("Access-Control-Allow-Headers", Join(cors.headers));
  response->headers.emplace_back("Access-Control-Max-Age", std::to_string(cors.max_age_s));
}

void AddCorsHeaders(const RestOptions::Cors& cors, const HttpRequest& request,
                    HttpResponse* response) {
  if (cors.origins.empty() || !request.origin) return;
  std::string origin = AllowOrigin(cors, *request.origin);
  if (origin.empty()) return;
  response->headers.emplace_back("Access-Control-Allow-Origin", origin);
  if (origin != "*") response->headers.emplace_back("Vary", "Origin");
  response->headers.emplace_back("Access-Control-Expose-Headers", kExposed);
}

}  // namespace sluice::rest
