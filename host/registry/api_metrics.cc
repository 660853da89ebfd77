// ApiHostImpl::MetricsText: the host's Prometheus metrics (docs/operations.md,
// "Metrics"): log and cache offsets per version, current versions, requests
// and refusals per principal class, and what the process adds (ingest).
#include "registry/api_host.h"

namespace sluice::host {
namespace {

const char* const kClassNames[] = {"anonymous", "key", "token", "local"};
const char* const kOutcomeNames[] = {"accepted", "unauthenticated", "permission_denied",
                                     "rate_limited"};

}  // namespace

std::string ApiHostImpl::MetricsText() const {
  std::string out;
  auto family = [&](const char* name, const char* type, const char* help) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  };
  auto sample = [&](const char* name, const std::string& labels, uint64_t v) {
    out += std::string(name) + "{" + labels + "} " + std::to_string(v) + "\n";
  };
  std::vector<ServedEndpoint> eps;
  if (registry_ != nullptr) eps = registry_->Snapshot();
  struct Gauge {
    const char* name;
    const char* help;
    uint64_t (*get)(const ServedVersion&);
  };
  static const Gauge kGauges[] = {
      {"sluice_log_end_offset", "Offset after the last committed log record.",
       [](const ServedVersion& v) { return v.log->end(); }},
      {"sluice_cache_applied_offset", "Log offset the cache has applied up to.",
       [](const ServedVersion& v) { return v.cache->applied(); }},
      {"sluice_cache_lag_records", "Log records the cache has not applied yet.",
       [](const ServedVersion& v) { return v.lag(); }},
      {"sluice_cache_rows", "Rows in the cache.",
       [](const ServedVersion& v) { return v.cache->rows(); }},
      {"sluice_version_ready", "1 when the version's cache has caught up since it was opened.",
       [](const ServedVersion& v) { return uint64_t{v.ready ? 1u : 0u}; }},
      {"sluice_cache_storage_error",
       "1 while the version's cache build waits for storage (a write or log read failed, e.g. "
       "on a full disk); it retries with backoff.",
       [](const ServedVersion& v) {
         std::lock_guard<std::mutex> lock(v.mu);
         return uint64_t{v.storage_error.empty() ? 0u : 1u};
       }},
  };
  for (const Gauge& g : kGauges) {
    family(g.name, "gauge", g.help);
    for (const ServedEndpoint& ep : eps)
      for (const auto& [n, sv] : ep.versions)
        sample(g.name, "endpoint=\"" + ep.config.name + "\",version=\"" + std::to_string(n) + "\"",
               g.get(*sv));
  }
  family("sluice_cache_storage_errors_total", "counter",
         "Cache writes and log reads of the version's cache build that failed on storage.");
  for (const ServedEndpoint& ep : eps)
    for (const auto& [n, sv] : ep.versions)
      sample("sluice_cache_storage_errors_total",
             "endpoint=\"" + ep.config.name + "\",version=\"" + std::to_string(n) + "\"",
             sv->storage_errors.load());
  struct FeedMetric {
    const char* type;
    Gauge g;
  };
  static const FeedMetric kFeedMetrics[] = {
      {"gauge",
       {"sluice_feed_subscribers", "Change feeds reading the version now (SSE, WebSocket, gRPC).",
        [](const ServedVersion& v) { return uint64_t{v.feed.subscribers()}; }}},
      {"counter",
       {"sluice_feed_events_sent_total", "Changes handed to change feeds of the version.",
        [](const ServedVersion& v) { return v.feed.sent(); }}},
      {"counter",
       {"sluice_feed_slow_disconnects_total",
        "Change feeds of the version cut off for falling more than max_lag changes behind.",
        [](const ServedVersion& v) { return v.feed.cut(); }}},
  };
  for (const auto& [type, g] : kFeedMetrics) {
    family(g.name, type, g.help);
    for (const ServedEndpoint& ep : eps)
      for (const auto& [n, sv] : ep.versions)
        sample(g.name, "endpoint=\"" + ep.config.name + "\",version=\"" + std::to_string(n) + "\"",
               g.get(*sv));
  }
  family("sluice_current_version", "gauge", "The version unversioned routes serve (0 = none yet).");
  for (const ServedEndpoint& ep : eps)
    sample("sluice_current_version", "endpoint=\"" + ep.config.name + "\"", ep.current);
  auto per_class = [&](const char* name, const char* help, const auto& counts,
                       std::initializer_list<Outcome> outcomes) {
    family(name, "counter", help);
    for (int c = 0; c < kClasses; ++c)
      for (Outcome o : outcomes)
        sample(name,
               std::string("principal_class=\"") + kClassNames[c] + "\",outcome=\"" +
                   kOutcomeNames[o] + "\"",
               counts[c][o].load());
  };
  per_class("sluice_api_requests_total",
            "Requests API plugins opened with the host, by who they act for and whether the host "
            "accepted the credential and the global rate limits.",
            requests_, {kAccepted, kUnauthenticated, kRateLimited});
  per_class("sluice_api_refusals_total",
            "Calls refused by the access policy or an endpoint's rate limits, by who they act for.",
            refusals_, {kUnauthenticated, kPermissionDenied, kRateLimited});
  if (extra_metrics_) out += extra_metrics_();
  return out;
}

}  // namespace sluice::host
