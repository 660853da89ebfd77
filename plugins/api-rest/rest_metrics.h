// Request metrics of the REST plugin, rendered in the Prometheus text
// exposition format 0.0.4: a request counter per method, route template,
// endpoint and status, and a latency histogram per method, route template
// and endpoint. Route templates ("/{endpoint}/{pk}", "/v{n}/{endpoint}/count",
// "/admin/prune", "other" for unmatched paths) keep label values bounded,
// whatever paths clients send.
//
//   RequestMetrics m;
//   m.Record("GET", "/{endpoint}/{pk}", "trips", 200, 0.0012);
//   std::string text = m.Text();
//   //
//   sluice_http_requests_total{api="rest",method="GET",route="/{endpoint}/{pk}",endpoint="trips",status="200"}
//   1
#ifndef SLUICE_PLUGINS_API_REST_REST_METRICS_H_
#define SLUICE_PLUGINS_API_REST_REST_METRICS_H_

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

namespace sluice::rest {

// Upper bounds (seconds) of the latency histogram's buckets; +Inf follows.
inline constexpr std::array<double, 14> kLatencyBuckets = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

class RequestMetrics {
 public:
  RequestMetrics() = default;
  RequestMetrics(const RequestMetrics&) = delete;
  RequestMetrics& operator=(const RequestMetrics&) = delete;

  // Counts one answered request. `route` is a template, `endpoint` the
  // endpoint's name ("" for routes outside endpoints). Thread-safe.
  void Record(std::string_view method, std::string_view route, std::string_view endpoint,
              int status, double seconds);

  // Every series so far, families sorted by labels, then the text of the
  // function set with SetExtraText (the transport's counters). Thread-safe.
  std::string Text() const;

  // Sets (or, with nullptr, removes) a function whose Prometheus text
  // Text() appends. Thread-safe.
  void SetExtraText(std::function<std::string()> fn);

 private:
  using Key = std::tuple<std::string, std::string, std::string>;  // method, route, endpoint
  struct Histogram {
    std::array<uint64_t, kLatencyBuckets.size()> buckets{};  // not cumulative
    uint64_t count = 0;
    double sum = 0;
  };

  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, std::string, int>, uint64_t> requests_;
  std::map<Key, Histogram> latency_;
  std::function<std::string()> extra_;  // guarded by mu_
};

// Escapes a Prometheus label value (backslash, double quote, newline).
std::string EscapeLabel(std::string_view value);

}  // namespace sluice::rest

#endif  // SLUICE_PLUGINS_API_REST_REST_METRICS_H_
