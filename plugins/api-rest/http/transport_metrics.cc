#include "http/transport_metrics.h"

#include <algorithm>

#include "http/worker_pool.h"

namespace sluice::rest::http {

namespace {

void Family(std::string* out, const char* name, const char* type, const char* help) {
  *out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

void Sample(std::string* out, const char* name, std::string_view labels, uint64_t value) {
  *out += name;
  *out += "{api=\"rest\"";
  if (!labels.empty()) *out += ",";
  *out += labels;
  *out += "} " + std::to_string(value) + "\n";
}

}  // namespace

size_t TransportMetrics::ReasonIndex(std::string_view reason) {
  for (size_t i = 0; i < kReasons.size(); ++i)
    if (kReasons[i] == reason) return i;
  return 0;
}

void TransportMetrics::RefusedRequest(std::string_view reason) {
  refused_requests_[ReasonIndex(reason)].fetch_add(1, std::memory_order_relaxed);
}

uint64_t TransportMetrics::refused_requests(std::string_view reason) const {
  return refused_requests_[ReasonIndex(reason)].load();
}

std::string TransportMetrics::Text(const WorkerPool* pool) const {
  std::string out;
  Family(&out, "sluice_http_connections_open", "gauge", "HTTP connections open now.");
  Sample(&out, "sluice_http_connections_open", "",
         static_cast<uint64_t>(std::max<int64_t>(0, open_.load())));
  Family(&out, "sluice_http_connections_accepted_total", "counter",
         "HTTP connections accepted (not counting refused ones).");
  Sample(&out, "sluice_http_connections_accepted_total", "", accepted_.load());
  Family(&out, "sluice_http_connections_refused_total", "counter",
         "HTTP connections refused with 503 at once, by reason.");
  const char* conn_reasons[] = {"max_connections", "max_connections_per_client", "fd_limit"};
  for (size_t i = 0; i < refused_connections_.size(); ++i)
    Sample(&out, "sluice_http_connections_refused_total",
           std::string("reason=\"") + conn_reasons[i] + "\"", refused_connections_[i].load());
  Family(&out, "sluice_http_requests_refused_total", "counter",
         "HTTP requests the transport refused before or instead of handling them, by reason.");
  for (size_t i = 0; i < kReasons.size(); ++i)
    Sample(&out, "sluice_http_requests_refused_total",
           "reason=\"" + std::string(kReasons[i]) + "\"", refused_requests_[i].load());
  Family(&out, "sluice_http_timeouts_total", "counter",
         "HTTP connections closed by a timeout, by kind.");
  const char* kinds[] = {"idle", "header", "body", "send"};
  for (size_t i = 0; i < timeouts_.size(); ++i)
    Sample(&out, "sluice_http_timeouts_total", std::string("kind=\"") + kinds[i] + "\"",
           timeouts_[i].load());
  Family(&out, "sluice_http_tls_handshake_failures_total", "counter",
         "TLS handshakes that failed or timed out.");
  Sample(&out, "sluice_http_tls_handshake_failures_total", "", tls_failures_.load());
  if (pool != nullptr) {
    Family(&out, "sluice_http_query_workers", "gauge", "Threads that run queries.");
    Sample(&out, "sluice_http_query_workers", "", pool->threads());
    Family(&out, "sluice_http_query_queue_depth", "gauge", "Queries waiting for a worker.");
    Sample(&out, "sluice_http_query_queue_depth", "", pool->queued());
    Family(&out, "sluice_http_query_running", "gauge", "Queries running on a worker now.");
    Sample(&out, "sluice_http_query_running", "", pool->running());
    Family(&out, "sluice_http_query_rejected_total", "counter",
           "Queries refused with 503 because query_queue queries were waiting.");
    Sample(&out, "sluice_http_query_rejected_total", "", pool->rejected());
  }
  return out;
}

}  // namespace sluice::rest::http
