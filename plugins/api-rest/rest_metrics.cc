#include "rest_metrics.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace sluice::rest {

namespace {

// Shortest text of a bucket bound or sum ("0.0005", "10", "2.5").
std::string Number(double v) {
  char buf[32];
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
  }
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

std::string Labels(std::string_view method, std::string_view route, std::string_view endpoint) {
  return "api=\"rest\",method=\"" + EscapeLabel(method) + "\",route=\"" + EscapeLabel(route) +
         "\",endpoint=\"" + EscapeLabel(endpoint) + "\"";
}

}  // namespace

std::string EscapeLabel(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

void RequestMetrics::Record(std::string_view method, std::string_view route,
                            std::string_view endpoint, int status, double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_[{std::string(method), std::string(route), std::string(endpoint), status}];
  Histogram& h = latency_[{std::string(method), std::string(route), std::string(endpoint)}];
  size_t i = 0;
  while (i < kLatencyBuckets.size() && seconds > kLatencyBuckets[i]) ++i;
  if (i < kLatencyBuckets.size()) ++h.buckets[i];
  ++h.count;
  h.sum += seconds;
}

void RequestMetrics::SetExtraText(std::function<std::string()> fn) {
  std::lock_guard<std::mutex> lock(mu_);
  extra_ = std::move(fn);
}

std::string RequestMetrics::Text() const {
  std::unique_lock<std::mutex> lock(mu_);
  std::function<std::string()> extra = extra_;
  std::string out =
      "# HELP sluice_http_requests_total HTTP requests answered, by route template and status.\n"
      "# TYPE sluice_http_requests_total counter\n";
  for (const auto& [k, n] : requests_) {
    const auto& [method, route, endpoint, status] = k;
    out += "sluice_http_requests_total{" + Labels(method, route, endpoint) + ",status=\"" +
           std::to_string(status) + "\"} " + std::to_string(n) + "\n";
  }
  out +=
      "# HELP sluice_http_request_duration_seconds Time to answer HTTP requests (until the "
      "answer is ready to send), by route template.\n"
      "# TYPE sluice_http_request_duration_seconds histogram\n";
  for (const auto& [k, h] : latency_) {
    std::string labels = Labels(std::get<0>(k), std::get<1>(k), std::get<2>(k));
    uint64_t cumulative = 0;
    for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
      cumulative += h.buckets[i];
      out += "sluice_http_request_duration_seconds_bucket{" + labels + ",le=\"" +
             Number(kLatencyBuckets[i]) + "\"} " + std::to_string(cumulative) + "\n";
    }
    out += "sluice_http_request_duration_seconds_bucket{" + labels + ",le=\"+Inf\"} " +
           std::to_string(h.count) + "\n";
    out += "sluice_http_request_duration_seconds_sum{" + labels + "} " + Number(h.sum) + "\n";
    out += "sluice_http_request_duration_seconds_count{" + labels + "} " + std::to_string(h.count) +
           "\n";
  }
  lock.unlock();
  if (extra) out += extra();
  return out;
}

}  // namespace sluice::rest
