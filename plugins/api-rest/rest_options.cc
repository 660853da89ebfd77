#include "rest_options.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::rest {

namespace {

constexpr std::string_view kKeys[] = {"host",         "port",     "threads",    "max_body_bytes",
                                      "admin_remote", "api_keys", "admin_keys", "ready_max_lag"};

// True for "api_keys" and "api_keys.<digits>" when list is "api_keys".
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
    if (k == "api_keys" || k == "admin_keys" ? IsListKey(key, k) : key == k) return true;
  return false;
}

// Collects the keys of list option `list` in file order, checking each.
Status ParseKeys(const Options& options, std::string_view list, std::vector<std::string>* out) {
  out->clear();
  for (const auto& [key, value] : options.items()) {
    if (!IsListKey(key, list)) continue;
    bool printable = !value.empty() && value.size() <= 256;
    for (char c : value) printable = printable && c > ' ' && c < 127;
    if (!printable)
      return InvalidArgument("rest option '" + key +
                             "': expected a key of 1 to 256 printable ASCII " +
                             "characters without spaces, found " + std::to_string(value.size()) +
                             " characters" + (value.empty() ? "" : " that do not qualify") +
                             "; generate one with e.g. `openssl rand -hex 32`");
    out->push_back(value);
  }
  return Status();
}

Status ParseAuth(const Options& options, RestOptions* out) {
  SLUICE_RETURN_IF_ERROR(ParseKeys(options, "api_keys", &out->api_keys));
  SLUICE_RETURN_IF_ERROR(ParseKeys(options, "admin_keys", &out->admin_keys));
  for (size_t i = 0; i < out->admin_keys.size(); ++i)
    for (size_t j = 0; j < out->api_keys.size(); ++j)
      if (out->admin_keys[i] == out->api_keys[j])
        return InvalidArgument("rest options: admin_keys." + std::to_string(i) +
                               " is also api_keys." + std::to_string(j) +
                               "; a key is either a data key or an admin key " +
                               "(admin keys are accepted on data routes anyway), remove one");
  return Status();
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
  if (v == "true" || v == "1" || v == "yes") return *out = true, Status();
  if (v == "false" || v == "0" || v == "no") return *out = false, Status();
  return InvalidArgument("rest option '" + std::string(key) + "': expected true or false, found '" +
                         v + "'");
}

}  // namespace

const char* KnownRestOptionKeys() {
  static const std::string keys =
      std::string(
          "host, port, threads, max_body_bytes, admin_remote, api_keys, admin_keys, "
          "ready_max_lag, ") +
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
  return ParseAuth(options, out);
}

}  // namespace sluice::rest
