#include "settings.h"

#include <cstdlib>

namespace sluice::log_nats {
namespace {

constexpr const char* kKnownKeys =
    "servers, replicas, stream_prefix, connect_timeout_ms, request_timeout_ms, "
    "retry_timeout_ms, message_kb";

bool IsKnown(const std::string& key) {
  return key == "servers" || key == "replicas" || key == "stream_prefix" ||
         key == "connect_timeout_ms" || key == "request_timeout_ms" || key == "retry_timeout_ms" ||
         key == "message_kb";
}

Status BadValue(std::string_view key, const std::string& found, std::string_view expected) {
  return InvalidArgument("nats storage option '" + std::string(key) + "': expected " +
                         std::string(expected) + ", found '" + found + "'");
}

Status ParseRange(const Options& options, std::string_view key, int64_t lo, int64_t hi,
                  const char* unit, int64_t* out) {
  if (!options.Has(key)) return Status();
  std::string v = options.GetString(key);
  char* end = nullptr;
  long long n = std::strtoll(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || n < lo || n > hi)
    return BadValue(key, v,
                    "an integer from " + std::to_string(lo) + " to " + std::to_string(hi) + unit);
  *out = n;
  return Status();
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

Status ParseServers(const Options& options, std::vector<std::string>* out) {
  if (!options.Has("servers")) return Status();
  std::string v = options.GetString("servers");
  std::vector<std::string> urls;
  for (size_t at = 0; at <= v.size();) {
    size_t comma = v.find(',', at);
    if (comma == std::string::npos) comma = v.size();
    std::string url = Trim(v.substr(at, comma - at));
    bool ok = !url.empty() && url.find_first_of(" \t") == std::string::npos &&
              (url.find("://") == std::string::npos || url.rfind("nats://", 0) == 0 ||
               url.rfind("tls://", 0) == 0);
    if (!ok)
      return BadValue("servers", v,
                      "a comma-separated list of server URLs such as "
                      "'nats://10.0.0.1:4222,nats://10.0.0.2:4222'");
    urls.push_back(url);
    at = comma + 1;
  }
  *out = std::move(urls);
  return Status();
}

}  // namespace

bool IsToken(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '-'))
      return false;
  return true;
}

Status ParseSettings(const Options& options, Settings* out) {
  for (const auto& item : options.items())
    if (!IsKnown(item.first))
      return InvalidArgument("nats storage option '" + item.first +
                             "' is unknown; known options: " + kKnownKeys);
  Settings s;
  SLUICE_RETURN_IF_ERROR(ParseServers(options, &s.servers));
  SLUICE_RETURN_IF_ERROR(ParseRange(options, "replicas", 1, 5, "", &s.replicas));
  if (options.Has("stream_prefix")) {
    s.stream_prefix = options.GetString("stream_prefix");
    if (!IsToken(s.stream_prefix))
      return BadValue("stream_prefix", s.stream_prefix,
                      "letters, digits, '_' and '-' (it starts every stream name and subject)");
  }
  SLUICE_RETURN_IF_ERROR(
      ParseRange(options, "connect_timeout_ms", 1, 600000, " (ms)", &s.connect_timeout_ms));
  SLUICE_RETURN_IF_ERROR(
      ParseRange(options, "request_timeout_ms", 1, 600000, " (ms)", &s.request_timeout_ms));
  SLUICE_RETURN_IF_ERROR(
      ParseRange(options, "retry_timeout_ms", 0, 3600000, " (ms)", &s.retry_timeout_ms));
  SLUICE_RETURN_IF_ERROR(ParseRange(options, "message_kb", 0, 65536,
                                    " (KiB; 0 = the server's max_payload)", &s.message_kb));
  if (s.message_kb > 0 && s.message_kb < 4)
    return BadValue("message_kb", options.GetString("message_kb"),
                    "0 (the server's max_payload) or at least 4 (KiB)");
  *out = std::move(s);
  return Status();
}

}  // namespace sluice::log_nats
