#include "settings.h"

#include <string>
#include <utility>
#include <vector>

namespace sluice::log_nats {
namespace {

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

// The URLs of `v` ("nats://a:4222, tls://b:4222"); false when one is bad.
bool SplitServers(const std::string& v, std::vector<std::string>* out) {
  std::vector<std::string> urls;
  for (size_t at = 0; at <= v.size();) {
    size_t comma = v.find(',', at);
    if (comma == std::string::npos) comma = v.size();
    std::string url = Trim(v.substr(at, comma - at));
    bool ok = !url.empty() && url.find_first_of(" \t") == std::string::npos &&
              (url.find("://") == std::string::npos || url.rfind("nats://", 0) == 0 ||
               url.rfind("tls://", 0) == 0);
    if (!ok) return false;
    urls.push_back(url);
    at = comma + 1;
  }
  *out = std::move(urls);
  return true;
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

void SettingsProblems(const Options& options, std::vector<OptionProblem>* out) {
  std::vector<std::string> urls;
  if (options.Has("servers") && !SplitServers(options.GetString("servers"), &urls))
    out->push_back(BadOptionValue("servers",
                                  "a comma-separated list of server URLs such as "
                                  "'nats://10.0.0.1:4222,nats://10.0.0.2:4222'",
                                  options.GetString("servers")));
  if (options.Has("stream_prefix") && !IsToken(options.GetString("stream_prefix")))
    out->push_back(BadOptionValue(
        "stream_prefix", "letters, digits, '_' and '-' (it starts every stream name and subject)",
        options.GetString("stream_prefix")));
  int64_t kb = 0;
  if (options.Read(kNatsOptions, "message_kb", &kb).ok() && kb > 0 && kb < 4)
    out->push_back(BadOptionValue("message_kb", "0 (the server's max_payload) or at least 4 (KiB)",
                                  std::to_string(kb)));
}

Status ParseSettings(const Options& options, Settings* out) {
  SLUICE_RETURN_IF_ERROR(options.Check(kNatsOptions, OptionScope::kInstance));
  std::vector<OptionProblem> problems;
  SettingsProblems(options, &problems);
  SLUICE_RETURN_IF_ERROR(ProblemsStatus(problems));
  Settings s;
  std::string servers;
  SLUICE_RETURN_IF_ERROR(options.Read(kNatsOptions, "servers", &servers));
  SplitServers(servers, &s.servers);
  SLUICE_RETURN_IF_ERROR(options.Read(kNatsOptions, "replicas", &s.replicas));
  SLUICE_RETURN_IF_ERROR(options.Read(kNatsOptions, "stream_prefix", &s.stream_prefix));
  SLUICE_RETURN_IF_ERROR(options.Read(kNatsOptions, "connect_timeout_ms", &s.connect_timeout_ms));
  SLUICE_RETURN_IF_ERROR(options.Read(kNatsOptions, "request_timeout_ms", &s.request_timeout_ms));
  SLUICE_RETURN_IF_ERROR(options.Read(kNatsOptions, "retry_timeout_ms", &s.retry_timeout_ms));
  SLUICE_RETURN_IF_ERROR(options.Read(kNatsOptions, "message_kb", &s.message_kb));
  *out = std::move(s);
  return Status();
}

}  // namespace sluice::log_nats
