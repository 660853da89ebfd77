#include "feed_metrics.h"

#include "rest_metrics.h"

namespace sluice::rest {

FeedCounters* FeedMetrics::Get(std::string_view transport, std::string_view endpoint) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& c = counters_[{std::string(transport), std::string(endpoint)}];
  if (c == nullptr) c = std::make_unique<FeedCounters>();
  return c.get();
}

std::string FeedMetrics::Text() const {
  struct Family {
    const char* name;
    const char* type;
    const char* help;
    uint64_t (*get)(const FeedCounters&);
  };
  static const Family kFamilies[] = {
      {"sluice_http_feed_subscribers", "gauge", "Change feeds open now, by transport.",
       [](const FeedCounters& c) {
         int64_t n = c.subscribers.load(std::memory_order_relaxed);
         return static_cast<uint64_t>(n < 0 ? 0 : n);
       }},
      {"sluice_http_feed_events_sent_total", "counter", "Changes sent to clients, by transport.",
       [](const FeedCounters& c) { return c.sent.load(std::memory_order_relaxed); }},
      {"sluice_http_feed_slow_disconnects_total", "counter",
       "Feeds cut off because their client read too slowly, by transport.",
       [](const FeedCounters& c) { return c.slow.load(std::memory_order_relaxed); }},
  };
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  for (const Family& f : kFamilies) {
    out +=
        std::string("# HELP ") + f.name + " " + f.help + "\n# TYPE " + f.name + " " + f.type + "\n";
    for (const auto& [key, c] : counters_)
      out += std::string(f.name) + "{api=\"rest\",transport=\"" + EscapeLabel(key.first) +
             "\",endpoint=\"" + EscapeLabel(key.second) + "\"} " + std::to_string(f.get(*c)) + "\n";
  }
  return out;
}

}  // namespace sluice::rest
