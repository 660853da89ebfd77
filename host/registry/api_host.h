// ApiHostImpl: the host's implementation of sluice_api_host, the query
// service API plugins call (sdk/include/sluice/abi_api.h). Views pin a
// ServedVersion; queries run on the host's query engine. Every call acts
// for a caller (a request opened with begin_request, or the caller without
// a credential for the table given to plugins) and the host's access
// policy (host/access/) decides what that caller may read and do.
#ifndef SLUICE_HOST_REGISTRY_API_HOST_H_
#define SLUICE_HOST_REGISTRY_API_HOST_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "access/policy.h"
#include "access/rate_limiter.h"
#include "query/query_engine.h"
#include "registry/registry.h"
#include "sluice/abi.h"

namespace sluice::host {

class ApiHostImpl {
 public:
  // `registry` may be null (e.g. while migrating, when nothing is served):
  // every call then answers UNAVAILABLE. `policy` null = no credentials
  // configured (everything but admin is open).
  ApiHostImpl(Registry* registry, QueryLimits limits,
              std::shared_ptr<const AccessPolicy> policy = nullptr);
  ~ApiHostImpl();
  ApiHostImpl(const ApiHostImpl&) = delete;
  ApiHostImpl& operator=(const ApiHostImpl&) = delete;

  // The table to hand to API plugins; valid while this object lives. It
  // acts for a caller without a credential; its catalog lists everything.
  const sluice_api_host* table() const;
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

  // Replaces the access policy (config reload): calls from now on use it.
  // Rate-limit buckets start afresh when the rules changed. Replaced
  // policies stay allocated until this object goes (calls may still use
  // them; a reload costs a few kilobytes), replaced limiters forget their
  // buckets.
  void SetPolicy(std::shared_ptr<const AccessPolicy> policy);
  // The current policy and rate limiter: one atomic load each, valid while
  // this object lives.
  const AccessPolicy& policy() const { return *policy_.load(std::memory_order_acquire); }
  RateLimiter& limiter() const { return *limiter_.load(std::memory_order_acquire); }

  // Counts a request begun (by its principal's class and outcome) or a
  // call refused; for metrics.
  enum Outcome { kAccepted, kUnauthenticated, kPermissionDenied, kRateLimited, kOutcomes };
  enum Class { kAnonymous, kKey, kToken, kLocal, kClasses };
  void CountRequest(Class c, Outcome o) { requests_[c][o].fetch_add(1); }
  void CountRefusal(Class c, Outcome o) { refusals_[c][o].fetch_add(1); }

  struct Request;  // the context of a request's table (api_host_internal.h)
  // The request shared by callers without a credential while no rate
  // limit is configured (nothing to keep per request).
  Request* anonymous_request() const { return anonymous_.get(); }
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
  std::atomic<const AccessPolicy*> policy_{nullptr};
  std::atomic<RateLimiter*> limiter_{nullptr};
  std::mutex set_mu_;  // serializes SetPolicy; guards what follows
  std::vector<std::shared_ptr<const AccessPolicy>> policies_;  // every policy set so far
  std::vector<std::unique_ptr<RateLimiter>> limiters_;         // every limiter made so far
  std::unique_ptr<Request> root_;                              // the table given to plugins
  std::unique_ptr<Request> anonymous_;  // shared by requests without credential or limits
  std::array<std::array<std::atomic<uint64_t>, kOutcomes>, kClasses> requests_{};
  std::array<std::array<std::atomic<uint64_t>, kOutcomes>, kClasses> refusals_{};
  std::atomic<int64_t> open_views_{0};
};

}  // namespace sluice::host

#endif  // SLUICE_HOST_REGISTRY_API_HOST_H_
