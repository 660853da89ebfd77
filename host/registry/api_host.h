// ApiHostImpl: the host's implementation of sluice_api_host, the query
// service API plugins call (sdk/include/sluice/abi_api.h). Views pin a
// ServedVersion; queries run on the host's query engine.
#ifndef SLUICE_HOST_REGISTRY_API_HOST_H_
#define SLUICE_HOST_REGISTRY_API_HOST_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "query/query_engine.h"
#include "registry/registry.h"
#include "sluice/abi.h"

namespace sluice::host {

class ApiHostImpl {
 public:
  // `registry` may be null (e.g. while migrating, when nothing is served):
  // every call then answers UNAVAILABLE.
  ApiHostImpl(Registry* registry, QueryLimits limits);
  ApiHostImpl(const ApiHostImpl&) = delete;
  ApiHostImpl& operator=(const ApiHostImpl&) = delete;

  // The table to hand to API plugins; valid while this object lives.
  const sluice_api_host* table() const { return &table_; }
  Registry* registry() { return registry_; }
  const QueryLimits& limits() const { return limits_; }
  // Adds text (Prometheus format) from elsewhere in the process to metrics,
  // e.g. ingest counters. Set before plugins start.
  void SetExtraMetrics(std::function<std::string()> fn) { extra_metrics_ = std::move(fn); }
  // Where the catalog finds each endpoint's ingest state (null: this
  // process does not ingest). Set before plugins start.
  void SetIngestBoard(const IngestBoard* board) { board_ = board; }
  const IngestBoard* ingest_board() const { return board_; }
  // The host's metrics in Prometheus text format.
  std::string MetricsText() const;

  // Views API plugins hold now: one per request in flight (and per change
  // feed). Thread-safe.
  int64_t open_views() const { return open_views_.load(); }
  // Blocks until no view is held: after API plugins stopped, a request they
  // abandoned may still be running on the engine, which must outlive it.
  // Unbounded (the process's stop deadline bounds a stop).
  void WaitUntilNoViews() const;
  void ViewAcquired() { open_views_.fetch_add(1); }
  void ViewReleased() { open_views_.fetch_sub(1); }

 private:
  Registry* registry_;
  QueryLimits limits_;
  std::function<std::string()> extra_metrics_;
  const IngestBoard* board_ = nullptr;
  sluice_api_host table_{};
  std::atomic<int64_t> open_views_{0};
};

}  // namespace sluice::host

#endif  // SLUICE_HOST_REGISTRY_API_HOST_H_
