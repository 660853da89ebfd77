// Internal to ApiHostImpl: the context behind each sluice_api_host table
// (a request acting for one caller), pinned views with the restriction of
// their caller, and the C functions of the table, split by file:
// api_host.cc (catalog, acquire, admin, metrics), api_requests.cc
// (begin_request, end_request, authorize, request_info), api_reads.cc
// (view_info, get, count, query, query_info) and api_feeds.cc (watch and
// change feeds).
#ifndef SLUICE_HOST_REGISTRY_API_HOST_INTERNAL_H_
#define SLUICE_HOST_REGISTRY_API_HOST_INTERNAL_H_

#include <memory>
#include <mutex>
#include <string>

#include "access/restriction.h"
#include "registry/api_host.h"

namespace sluice::host {

struct ApiHostImpl::Request {
  ApiHostImpl* host = nullptr;
  sluice_api_host table{};  // ctx = this
  // Who the calls act for; null = the caller without a credential under
  // the policy current at each call.
  std::shared_ptr<const Principal> principal;
  bool root = false;   // the table given to plugins: its catalog lists everything
  bool owned = false;  // end_request deletes it
  Status refused;      // not OK: every call fails with it
  std::string peer;    // the client's address, for rate limits
  std::mutex mu;       // guards rate
  RateDecision rate;   // the tightest rate limit met so far
  // Bounds the plugin set on the request's queries (sluice_credential).
  uint32_t timeout_ms = 0;
  int32_t (*cancelled)(void*) = nullptr;
  void* cancel_ctx = nullptr;
};

namespace api_internal {

using Request = ApiHostImpl::Request;

inline Request* Req(void* ctx) { return static_cast<Request*>(ctx); }

// A pinned version as handed out through the C boundary, with what its
// caller may see of it.
struct ViewHandle {
  std::shared_ptr<ServedVersion> version;
  std::string endpoint, path;
  uint32_t current = 0;
  bool pinned = false;
  std::shared_ptr<const Restriction> restriction;  // null: every row and field
};

// The principal `r` acts for under `policy`.
inline const Principal& Who(const Request& r, const AccessPolicy& policy) {
  return r.principal != nullptr ? *r.principal : policy.Anonymous(false);
}
ApiHostImpl::Class ClassOf(const Principal& p);
// Counts a refused call of `r` (metrics) and returns `s`.
Status Refused(const Request& r, const Principal& p, Status s);
// One call of request `r`: the policy current now and the principal the
// call acts for under it.
class Caller {
 public:
  explicit Caller(const Request& r) : r_(r), policy_(r.host->policy()), p_(Who(r, policy_)) {}
  const AccessPolicy& policy() const { return policy_; }
  const Principal& principal() const { return p_; }
  // `s`, counted as a refused call when it is not OK.
  Status Check(Status s) const { return s.ok() ? s : Refused(r_, p_, std::move(s)); }

 private:
  const Request& r_;
  const AccessPolicy& policy_;
  const Principal& p_;
};

// Charges `r` to the rate limits of `endpoint` ("" = the request's start).
// RESOURCE_EXHAUSTED (saying when to retry) when a bucket is empty.
Status ChargeRate(Request& r, const Principal& p, std::string_view endpoint);
// Sets every function of r->table, ctx = r.
void FillTable(Request* r);

// api_host.cc.
int32_t Catalog(void* ctx, sluice_endpoint_fn fn, void* fn_ctx, sluice_status* st);
int32_t Acquire(void* ctx, const char* endpoint, uint32_t version, void** view, sluice_status* st);
int32_t SetCurrent(void* ctx, const char* endpoint, uint32_t version, sluice_status* st);
int32_t Prune(void* ctx, const char* endpoint, uint32_t keep, void (*fn)(void*, const char*),
              void* fn_ctx, sluice_status* st);
int32_t Metrics(void* ctx, void (*fn)(void*, const char*, size_t), void* fn_ctx, sluice_status* st);
int32_t Plugins(void* ctx, void (*fn)(void*, const sluice_loaded_plugin*), void* fn_ctx,
                sluice_status* st);

// api_requests.cc.
int32_t BeginRequest(void* ctx, const sluice_credential* credential,
                     const sluice_api_host** request, sluice_status* st);
void EndRequest(void* ctx);
int32_t Authorize(void* ctx, uint32_t action, const char* endpoint, sluice_status* st);
int32_t RequestInfo(void* ctx, sluice_request_info* info, sluice_status* st);

// api_reads.cc.
void Release(void* ctx, void* view);
// A read that found the cache corrupt (DATA_LOSS) starts its rebuild; `s`
// is returned as it is.
Status Checked(void* ctx, ViewHandle* h, Status s);
// Binds a parsed query to the request and view: the request's timeout and
// cancellation, and the caller's restriction (row filter ANDed in, hidden
// fields refused).
Status BindQuery(void* ctx, const ViewHandle& h, Query* q);
int32_t Aggregate(void* ctx, void* view, const char* request, size_t size,
                  void (*fn)(void*, const char*, size_t), void* fn_ctx,
                  void (*info_fn)(void*, const char*, const char*), void* info_ctx,
                  sluice_status* st);
int32_t ViewInfo(void* ctx, void* view,
                 void (*fn)(void*, const sluice_endpoint_info*, const sluice_version_info*),
                 void* fn_ctx, sluice_status* st);
int32_t Get(void* ctx, void* view, const char* key, size_t key_size, sluice_rows_fn fn,
            void* fn_ctx, sluice_status* st);
int32_t Count(void* ctx, void* view, const char* query, size_t size, uint64_t* count,
              sluice_status* st);
int32_t RunQ(void* ctx, void* view, const char* query, size_t size, sluice_rows_fn fn, void* fn_ctx,
             sluice_status* st);
int32_t QueryInfoFn(void* ctx, void* view, const char* query, size_t size, sluice_rows_fn fn,
                    void* fn_ctx, void (*info_fn)(void*, const char*, const char*), void* info_ctx,
                    sluice_status* st);

// api_feeds.cc.
int32_t Watch(void* ctx, void* view, const char* filter, size_t filter_size,
              int32_t (*fn)(void*, uint32_t, uint64_t, const uint8_t*, size_t), void* fn_ctx,
              sluice_status* st);
int32_t FeedOpen(void* ctx, void* view, const sluice_feed_options* options, void** feed,
                 sluice_status* st);
int32_t FeedNext(void* ctx, void* feed, uint32_t max, uint32_t timeout_ms,
                 int32_t (*fn)(void*, const sluice_feed_event*), void* fn_ctx,
                 sluice_feed_position* position, sluice_status* st);
void FeedClose(void* ctx, void* feed);

}  // namespace api_internal
}  // namespace sluice::host

#endif  // SLUICE_HOST_REGISTRY_API_HOST_INTERNAL_H_
