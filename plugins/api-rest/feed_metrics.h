// Change-feed counters of the REST plugin by transport ("sse",
// "websocket") and endpoint, in /metrics next to the host's per-version
// totals (docs/realtime.md, "Metrics"):
//
//   sluice_http_feed_subscribers{api="rest",transport="websocket",endpoint="trips"} 2
//   sluice_http_feed_events_sent_total{...} 1234
//   sluice_http_feed_slow_disconnects_total{...} 1
//
//   FeedCounters* c = metrics.Get("websocket", "trips");   // lives as long as metrics
//   c->Subscribed();  c->Sent(1);  c->CutOff();  c->Unsubscribed();
#ifndef SLUICE_PLUGINS_API_REST_FEED_METRICS_H_
#define SLUICE_PLUGINS_API_REST_FEED_METRICS_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace sluice::rest {

struct FeedCounters {
  void Subscribed() { subscribers.fetch_add(1, std::memory_order_relaxed); }
  void Unsubscribed() { subscribers.fetch_sub(1, std::memory_order_relaxed); }
  void Sent(uint64_t n) { sent.fetch_add(n, std::memory_order_relaxed); }
  void CutOff() { slow.fetch_add(1, std::memory_order_relaxed); }
  std::atomic<int64_t> subscribers{0};
  std::atomic<uint64_t> sent{0};
  std::atomic<uint64_t> slow{0};
};

class FeedMetrics {
 public:
  // The counters of (transport, endpoint), made on first use; the pointer
  // stays valid as long as this object. Thread-safe.
  FeedCounters* Get(std::string_view transport, std::string_view endpoint);
  // Every family in the Prometheus text format. Thread-safe.
  std::string Text() const;

 private:
  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::string>, std::unique_ptr<FeedCounters>> counters_;
};

}  // namespace sluice::rest

#endif  // SLUICE_PLUGINS_API_REST_FEED_METRICS_H_
