// Counters of the REST plugin's HTTP transport, rendered in the Prometheus
// text format next to the request metrics (docs/operations.md, "Metrics"):
// connections open, accepted and refused (by reason), requests refused by
// the transport (by reason), timeouts (by kind), TLS handshake failures,
// and the query worker pool (queue depth, running, rejected).
//
//   TransportMetrics m;
//   m.RefusedConnection(ConnectionRefusal::kPerClient);
//   std::string text = m.Text(&pool);
#ifndef SLUICE_PLUGINS_API_REST_HTTP_TRANSPORT_METRICS_H_
#define SLUICE_PLUGINS_API_REST_HTTP_TRANSPORT_METRICS_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::rest::http {

class WorkerPool;

enum class ConnectionRefusal { kMaxConnections, kPerClient, kFdLimit, kCount };

enum class TimeoutKind { kIdle, kHeader, kBody, kSend, kCount };

class TransportMetrics {
 public:
  void Accepted() {
    accepted_.fetch_add(1, std::memory_order_relaxed);
    open_.fetch_add(1, std::memory_order_relaxed);
  }
  void Closed() { open_.fetch_sub(1, std::memory_order_relaxed); }
  void RefusedConnection(ConnectionRefusal why) {
    refused_connections_[static_cast<size_t>(why)].fetch_add(1, std::memory_order_relaxed);
  }
  // Counts a request the transport refused; `reason` is a ParseError
  // reason, "header_timeout", "body_timeout", "queue_full" or "internal"
  // (unknown reasons count as "malformed").
  void RefusedRequest(std::string_view reason);
  void Timeout(TimeoutKind kind) {
    timeouts_[static_cast<size_t>(kind)].fetch_add(1, std::memory_order_relaxed);
  }
  void TlsHandshakeFailed() { tls_failures_.fetch_add(1, std::memory_order_relaxed); }

  int64_t open() const { return open_.load(); }
  uint64_t refused_connections(ConnectionRefusal why) const {
    return refused_connections_[static_cast<size_t>(why)].load();
  }
  uint64_t refused_requests(std::string_view reason) const;

  // Every family, with `pool`'s gauges when not null. Thread-safe.
  std::string Text(const WorkerPool* pool) const;

 private:
  static constexpr std::array<std::string_view, 10> kReasons = {
      "malformed",      "header_too_large",   "too_many_headers",        "url_too_long",
      "body_too_large", "unsupported_coding", "unsupported_expectation", "header_timeout",
      "body_timeout",   "queue_full"};
  static size_t ReasonIndex(std::string_view reason);

  std::atomic<uint64_t> accepted_{0};
  std::atomic<int64_t> open_{0};
  std::array<std::atomic<uint64_t>, static_cast<size_t>(ConnectionRefusal::kCount)>
      refused_connections_{};
  std::array<std::atomic<uint64_t>, kReasons.size()> refused_requests_{};
  std::array<std::atomic<uint64_t>, static_cast<size_t>(TimeoutKind::kCount)> timeouts_{};
  std::atomic<uint64_t> tls_failures_{0};
};

}  // namespace sluice::rest::http

#endif  // SLUICE_PLUGINS_API_REST_HTTP_TRANSPORT_METRICS_H_
