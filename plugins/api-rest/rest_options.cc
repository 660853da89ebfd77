#include "rest_options.h"

#include <string_view>

namespace sluice::rest {

namespace {

constexpr std::string_view kKeys[] = {"host", "port", "threads", "max_body_bytes", "admin_remote"};

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
  if (v == "true" || v == "1" || v == "yes") return *out = true, Status();
  if (v == "false" || v == "0" || v == "no") return *out = false, Status();
  return InvalidArgument("rest option '" + std::string(key) +
                         "': expected true or false, found '" + v + "'");
}

}  // namespace

const char* KnownRestOptionKeys() { return "host, port, threads, max_body_bytes, admin_remote"; }

Status ParseRestOptions(const Options& options, RestOptions* out) {
  for (const auto& kv : options.items()) {
    bool known = false;
    for (std::string_view k : kKeys) known = known || kv.first == k;
    if (!known)
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
  return ParseBool(options, "admin_remote", out->admin_remote, &out->admin_remote);
}

}  // namespace sluice::rest
