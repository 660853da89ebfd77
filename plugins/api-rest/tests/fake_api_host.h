// An in-memory sluice_api_host for the REST plugin's tests: a few
// endpoints with versions and rows (encoded with RowWriter), answering the
// C query-service calls the way the host does, and recording what it was
// asked so tests can check the REST -> query translation.
//
// Deliberately small: get matches the key text exactly; count supports only
// an empty $filter (anything else is UNIMPLEMENTED); query honours $limit
// (default 50) and $skip and returns rows in insertion order; query_info
// (ABI 1.1) does the same and reports the plan set by set_plan.
#ifndef SLUICE_PLUGINS_API_REST_TESTS_FAKE_API_HOST_H_
#define SLUICE_PLUGINS_API_REST_TESTS_FAKE_API_HOST_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "sluice/abi.h"
#include "sluice/schema.h"

namespace sluice::rest::testing {

struct FakeVersion {
  uint32_t version = 1;
  bool ready = true;
  Schema schema;
  // (key text, encoded row), in the order queries return them.
  std::vector<std::pair<std::string, std::string>> rows;
  uint64_t log_end = 0;
  uint64_t cache_offset = 0;
};

struct FakeEndpoint {
  std::string name;
  std::string path;
  uint32_t current_version = 0;
  bool pinned = false;
  std::vector<FakeVersion> versions;
};

class FakeApiHost {
 public:
  FakeApiHost();
  ~FakeApiHost();
  FakeApiHost(const FakeApiHost&) = delete;
  FakeApiHost& operator=(const FakeApiHost&) = delete;

  // The C service table; valid while this object lives.
  const sluice_api_host* c() const { return &c_; }

  void AddEndpoint(FakeEndpoint endpoint);
  // Changes the current version directly (as a config reload would).
  void SetCurrentDirectly(const std::string& endpoint, uint32_t version);
  void SetReady(const std::string& endpoint, uint32_t version, bool ready);

  // The query text of the last count/query call.
  std::string last_query() const;
  // Views acquired and not yet released.
  int open_views() const { return open_views_.load(); }
  // Called inside every query call before it answers (may block).
  void set_on_query(std::function<void()> fn);
  // What query_info reports as the plan of every query it runs. Default:
  // "scan" and scan true (this host reads rows in insertion order).
  void set_plan(std::string plan, bool scan);
  // Offers only the ABI 1.0 part of the table (struct_size ends before
  // query_info), as an older host would.
  void set_abi_1_0();
  // The text the metrics call answers (ABI 1.1).
  void set_metrics_text(std::string text);
  // "endpoint keep" of every prune call so far ("" endpoint = all).
  std::vector<std::string> prune_calls() const;

  // Offers ABI 1.2 requests (off by default, as on an older host) with a
  // small stand-in for the host's access policy, enough to see how the
  // plugin answers its decisions: `tokens` maps credentials to a role
  // ("data": reads; "admin": reads and admin routes). With `required`, a
  // request without a credential may do nothing; without, it may do
  // everything. An unknown token is refused (UNAUTHENTICATED); the token
  // "limited" is refused as over a rate limit (RESOURCE_EXHAUSTED, retry
  // after 2.5 s). Accepted requests with a credential report a rate limit
  // of 10 with 9 left, full again in 1 s.
  void set_access(std::map<std::string, std::string> tokens, bool required);
  // "kind:token" of every credential begin_request received ("0:" = none).
  std::vector<std::string> credentials_seen() const;

  struct Request;  // a request table's context (fake_api_requests.cc)

 private:
  struct View;
  struct EndpointRec;
  static void FillRequestTable(Request* r);

  static int32_t CatalogFn(void* ctx, sluice_endpoint_fn fn, void* fn_ctx, sluice_status* st);
  static int32_t Acquire(void* ctx, const char* endpoint, uint32_t version, void** view,
                         sluice_status* st);
  static void Release(void* ctx, void* view);
  static int32_t ViewInfo(void* ctx, void* view,
                          void (*fn)(void*, const sluice_endpoint_info*,
                                     const sluice_version_info*),
                          void* fn_ctx, sluice_status* st);
  static int32_t Get(void* ctx, void* view, const char* key, size_t key_size, sluice_rows_fn fn,
                     void* fn_ctx, sluice_status* st);
  static int32_t Count(void* ctx, void* view, const char* query, size_t query_size, uint64_t* count,
                       sluice_status* st);
  static int32_t Query(void* ctx, void* view, const char* query, size_t query_size,
                       sluice_rows_fn fn, void* fn_ctx, sluice_status* st);
  static int32_t SetCurrent(void* ctx, const char* endpoint, uint32_t version, sluice_status* st);
  static int32_t QueryInfo(void* ctx, void* view, const char* query, size_t query_size,
                           sluice_rows_fn fn, void* fn_ctx,
                           void (*info_fn)(void*, const char*, const char*), void* info_ctx,
                           sluice_status* st);
  // Runs a query for Query and QueryInfo; *examined = rows looked at.
  static int32_t RunQuery(void* ctx, void* view, const char* query, size_t query_size,
                          sluice_rows_fn fn, void* fn_ctx, uint64_t* examined, sluice_status* st);
  static int32_t Metrics(void* ctx, void (*fn)(void*, const char*, size_t), void* fn_ctx,
                         sluice_status* st);
  // Drops versions older than the newest `keep` that are not current, like
  // the host (without waiting for views).
  static int32_t Prune(void* ctx, const char* endpoint, uint32_t keep,
                       void (*fn)(void*, const char*), void* fn_ctx, sluice_status* st);

  EndpointRec* FindLocked(const std::string& name_or_path);
  void RecordQuery(const char* query, size_t size);

  sluice_api_host c_{};
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<EndpointRec>> endpoints_;  // guarded by mu_
  std::string last_query_;                               // guarded by mu_
  std::function<void()> on_query_;                       // guarded by mu_
  std::string plan_ = "scan";                            // guarded by mu_
  bool plan_scan_ = true;                                // guarded by mu_
  std::string metrics_text_;                             // guarded by mu_
  std::vector<std::string> prune_calls_;                 // guarded by mu_
  std::map<std::string, std::string> tokens_;            // set before use
  bool required_ = false;
  std::vector<std::string> credentials_seen_;  // guarded by mu_
  std::atomic<int> open_views_{0};
};

// The schema of the typed test table: id int64 (key), fare float64?,
// paid bool, note string?, at timestamp, day date?.
Schema TypedSchema();

// The endpoints most tests use:
//   trips at /trips: v1 {trip_id int64 key, name string} rows 10, 11, 12;
//     v2 TypedSchema rows 1..5 (1: every type set, 2: every nullable null,
//     3: strings needing escapes, negative time); current version 2.
//   zones at /geo/zones: v1 {zone string key, borough string?} rows
//     "Upper East/Side" and "Midtown"; v2 same schema, not ready; current 1.
void AddSampleEndpoints(FakeApiHost* host);

}  // namespace sluice::rest::testing

#endif  // SLUICE_PLUGINS_API_REST_TESTS_FAKE_API_HOST_H_
