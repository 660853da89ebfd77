#include "rest_options.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace sluice::rest {

namespace {

constexpr std::string_view kKeys[] = {"host",         "port",          "threads", "max_body_bytes",
                                      "admin_remote", "ready_max_lag", "console"};
constexpr std::string_view kCorsLists[] = {"cors.origins", "cors.methods", "cors.headers"};
constexpr std::string_view kMethods[] = {"GET", "HEAD", "POST", "PUT", "OPTIONS"};

// True for "cors.origins" and "cors.origins.<digits>" when list is "cors.origins".
bool IsListKey(std::string_view key, std::string_view list) {
  if (key.substr(0, list.size()) != list) return false;
  std::string_view rest = key.substr(list.size());
  if (rest.empty()) return true;
  if (rest[0] != '.' || rest.size() == 1) return false;
  return rest.substr(1).find_first_not_of("0123456789") == std::string_view::npos;
}

bool IsKnownKey(std::string_view key) {
  if (IsTransportOptionKey(key)) return true;
  for (std::string_view k : kKeys)
    if (key == k) return true;
  for (std::string_view k : kCorsLists)
    if (IsListKey(key, k)) return true;
  return key == "cors.max_age_s";
}

// The values of list option `list` in file order (or none, leaving *out).
void ListValues(const Options& options, std::string_view list, std::vector<std::string>* out) {
  std::vector<std::string> values;
  for (const auto& [key, value] : options.items())
    if (IsListKey(key, list)) values.push_back(value);
  if (!values.empty()) *out = std::move(values);
}

// A value of `list` that is not printable text without spaces, or "".
std::string BadToken(const std::vector<std::string>& values) {
  for (const std::string& v : values) {
    bool ok = !v.empty() && v.size() <= 256;
    for (char c : v) ok = ok && c > ' ' && c < 127 && c != ',';
    if (!ok) return v.empty() ? "(empty)" : v;
  }
  return "";
}

Status ParseCors(const Options& options, RestOptions::Cors* out) {
  ListValues(options, "cors.origins", &out->origins);
  ListValues(options, "cors.methods", &out->methods);
  ListValues(options, "cors.headers", &out->headers);
  for (const char* list : {"cors.origins", "cors.methods", "cors.headers"}) {
    const std::vector<std::string>& v = std::string_view(list) == "cors.origins"   ? out->origins
                                        : std::string_view(list) == "cors.methods" ? out->methods
                                                                                   : out->headers;
    std::string bad = BadToken(v);
    if (!bad.empty()) return InvalidOption(list, "values without spaces or commas", bad);
  }
  for (const std::string& o : out->origins)
    if (o != "*" && o.find("://") == std::string::npos)
      return InvalidOption(
          "cors.origins", "origins like https://app.example.com (scheme, host, optional port) or *",
          o);
  for (const std::string& m : out->methods) {
    bool known = false;
    for (std::string_view k : kMethods) known = known || m == k;
    if (!known) return InvalidOption("cors.methods", "GET, HEAD, POST, PUT or OPTIONS", m);
  }
  return options.GetInt("cors.max_age_s", out->max_age_s, 0, 86400, &out->max_age_s);
}

}  // namespace

const char* KnownRestOptionKeys() {
  static const std::string keys = std::string(
                                      "host, port, threads, max_body_bytes, admin_remote, "
                                      "ready_max_lag, console, cors.origins, "
                                      "cors.methods, cors.headers, cors.max_age_s, ") +
                                  TransportOptionKeys();
  return keys.c_str();
}

Status ParseRestOptions(const Options& options, RestOptions* out) {
  SLUICE_RETURN_IF_ERROR(options.Check(kRestOptionSpecs, OptionScope::kInstance));
  // The declarations take any key of tls and cors: these are the ones there are.
  SLUICE_RETURN_IF_ERROR(options.CheckKeys(IsKnownKey, KnownRestOptionKeys()));
  SLUICE_RETURN_IF_ERROR(options.Read(
      kRestOptionSpecs, "host", &out->host, "port", &out->port, "threads", &out->threads,
      "max_body_bytes", &out->max_body_bytes, "ready_max_lag", &out->ready_max_lag, "admin_remote",
      &out->admin_remote, "console", &out->console));
  SLUICE_RETURN_IF_ERROR(ParseTransportOptions(options, &out->transport));
  return ParseCors(options, &out->cors);
}

}  // namespace sluice::rest
