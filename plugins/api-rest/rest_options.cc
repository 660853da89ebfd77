#include "rest_options.h"

#include <cstdint>
#include <string>
#include <string_view>

#include "sluice/listen_check.h"

namespace sluice::rest {

namespace {

constexpr std::string_view kKeys[] = {"host",           "port",         "threads",
                                      "max_body_bytes", "admin_remote", "ready_max_lag"};
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

Status IntInRange(const Options& options, std::string_view key, int64_t fallback, int64_t lo,
                  int64_t hi, int64_t* out) {
  SLUICE_RETURN_IF_ERROR(options.GetInt(key, fallback, out).WithContext("rest"));
  if (*out < lo || *out > hi)
    return InvalidArgument("rest option '" + std::string(key) + "': expected an integer in [" +
                           std::to_string(lo) + ", " + std::to_string(hi) + "], found " +
                           std::to_string(*out));
  return Status();
}

Status ParseBool(const Options& options, std::string_view key, bool fallback, bool* out) {
  if (!options.Has(key)) return *out = fallback, Status();
  std::string v = options.GetString(key);
  if (ParseBoolOption(v, out)) return Status();
  return InvalidArgument("rest option '" + std::string(key) + "': expected true or false, found '" +
                         v + "'");
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
    if (!bad.empty())
      return InvalidArgument("rest option '" + std::string(list) +
                             "': expected values without "
                             "spaces or commas, found '" +
                             bad + "'");
  }
  for (const std::string& o : out->origins)
    if (o != "*" && o.find("://") == std::string::npos)
      return InvalidArgument(
          "rest option 'cors.origins': expected origins like "
          "https://app.example.com (scheme, host, optional port) or *, found '" +
          o + "'");
  for (const std::string& m : out->methods) {
    bool known = false;
    for (std::string_view k : kMethods) known = known || m == k;
    if (!known)
      return InvalidArgument(
          "rest option 'cors.methods': expected GET, HEAD, POST, PUT or "
          "OPTIONS, found '" +
          m + "'");
  }
  int64_t age = 0;
  SLUICE_RETURN_IF_ERROR(IntInRange(options, "cors.max_age_s", out->max_age_s, 0, 86400, &age));
  out->max_age_s = static_cast<uint32_t>(age);
  return Status();
}

}  // namespace

void CheckRestOptions(const Options& options, uint32_t flags, std::vector<OptionProblem>* out) {
  if ((flags & SLUICE_CHECK_LISTEN) == 0) return;
  RestOptions o;
  if (!ParseRestOptions(options, &o).ok()) return;  // create() says why
  std::string why = ListenProblem(o.host, o.port);
  if (!why.empty()) out->push_back({options.Has("port") ? "port" : "", why});
}

const char* KnownRestOptionKeys() {
  static const std::string keys =
      std::string(
          "host, port, threads, max_body_bytes, admin_remote, ready_max_lag, cors.origins, "
          "cors.methods, cors.headers, cors.max_age_s, ") +
      TransportOptionKeys();
  return keys.c_str();
}

Status ParseRestOptions(const Options& options, RestOptions* out) {
  for (const auto& kv : options.items()) {
    if (!IsKnownKey(kv.first))
      return InvalidArgument("rest: unknown option '" + kv.first +
                             "'; known options: " + KnownRestOptionKeys());
  }
  out->host = options.GetString("host", out->host);
  if (out->host.empty())
    return InvalidArgument("rest option 'host': expected an address such as 127.0.0.1, found ''");
  int64_t n = 0;
  SLUICE_RETURN_IF_ERROR(IntInRange(options, "port", out->port, 0, 65535, &n));
  out->port = static_cast<uint16_t>(n);
  SLUICE_RETURN_IF_ERROR(IntInRange(options, "threads", out->threads, 1, 256, &n));
  out->threads = static_cast<int>(n);
  SLUICE_RETURN_IF_ERROR(IntInRange(options, "max_body_bytes",
                                    static_cast<int64_t>(out->max_body_bytes), 1, int64_t{1} << 30,
                                    &n));
  out->max_body_bytes = static_cast<uint64_t>(n);
  SLUICE_RETURN_IF_ERROR(IntInRange(options, "ready_max_lag",
                                    static_cast<int64_t>(out->ready_max_lag), 0, INT64_MAX, &n));
  out->ready_max_lag = static_cast<uint64_t>(n);
  SLUICE_RETURN_IF_ERROR(ParseBool(options, "admin_remote", out->admin_remote, &out->admin_remote));
  SLUICE_RETURN_IF_ERROR(ParseTransportOptions(options, &out->transport));
  return ParseCors(options, &out->cors);
}

}  // namespace sluice::rest
