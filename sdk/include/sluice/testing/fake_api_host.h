// An in-memory sluice_api_host for API plugins' unit tests: endpoints with
// versions and rows (encoded with RowWriter), answering the C
// query-service calls the way the host does, recording what it was asked,
// and with knobs to make it fail, stall or emit changes. Header-only (the
// calls are in fake_api_host_calls.inc, ABI 1.2 requests in
// fake_api_host_requests.inc). The real host is what end-to-end tests run;
// this is for testing a plugin's translation in milliseconds.
//
//   sluice::testing::FakeApiHost host;
//   sluice::testing::FakeVersion v;
//   v.schema = ...;  v.rows = {{"1", row}};           // (key text, encoded row)
//   host.AddEndpoint({"trips", "/trips", 1, false, {v}});
//   MyApi::Create(sluice::HostServices(), options, host.api(), &plugin);
//
// Deliberately small:
//   - get matches the key text exactly;
//   - query and count answer every row of the version in insertion order,
//     unless set_query_fn says otherwise (a plugin's tests read its own
//     query language there, e.g. $limit and $skip);
//   - the query texts "bad", "unknown" and "stall" answer INVALID_ARGUMENT
//     ("query is not valid JSON: bad"), code UNKNOWN, or block until
//     Release();
//   - watch delivers what Emit() sends, with a heartbeat every 50 ms; the
//     filter text "bad" is INVALID_ARGUMENT; Close() ends every watch with
//     UNAVAILABLE, as a stopping host does.
#ifndef SLUICE_TESTING_FAKE_API_HOST_H_
#define SLUICE_TESTING_FAKE_API_HOST_H_

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sluice/abi.h"
#include "sluice/api_host.h"
#include "sluice/row.h"
#include "sluice/schema.h"
#include "sluice/status.h"

namespace sluice::testing {

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
  // How a query or count is answered: OK with the rows [*begin, *end) of
  // the version (*begin = 0, *end = `rows` on entry), or the status to
  // answer with. `count` tells a count from a query.
  using QueryFn = std::function<Status(std::string_view query, bool count, size_t rows,
                                       size_t* begin, size_t* end)>;

  FakeApiHost();
  ~FakeApiHost() { Close(); }
  FakeApiHost(const FakeApiHost&) = delete;
  FakeApiHost& operator=(const FakeApiHost&) = delete;

  // The C service table; valid while this object lives.
  const sluice_api_host* c() const { return &c_; }
  ApiHost api() const { return ApiHost(&c_); }

  void AddEndpoint(FakeEndpoint endpoint);
  // Changes the current version directly (as a config reload would).
  void SetCurrentDirectly(const std::string& endpoint, uint32_t version);
  void SetReady(const std::string& endpoint, uint32_t version, bool ready);

  // The query text of the last count/query call.
  std::string last_query() const {
    std::lock_guard<std::mutex> lock(mu_);
    return last_query_;
  }
  // Views acquired and not yet released.
  int open_views() const { return open_views_.load(); }
  // Called inside every query call before it answers (may block).
  void set_on_query(std::function<void()> fn) {
    std::lock_guard<std::mutex> lock(mu_);
    on_query_ = std::move(fn);
  }
  void set_query_fn(QueryFn fn) {
    std::lock_guard<std::mutex> lock(mu_);
    query_fn_ = std::move(fn);
  }
  // What query_info reports as the plan of every query it runs. Default:
  // "scan" and scan true (this host reads rows in insertion order).
  void set_plan(std::string plan, bool scan) {
    std::lock_guard<std::mutex> lock(mu_);
    plan_ = std::move(plan);
    plan_scan_ = scan;
  }
  // Offers only the ABI 1.0 part of the table (struct_size ends before
  // query_info), as an older host would.
  void set_abi_1_0() { c_.struct_size = offsetof(sluice_api_host, query_info); }
  // The text the metrics call answers (ABI 1.1).
  void set_metrics_text(std::string text) {
    std::lock_guard<std::mutex> lock(mu_);
    metrics_text_ = std::move(text);
  }
  // "endpoint keep" of every prune call so far ("" endpoint = all).
  std::vector<std::string> prune_calls() const {
    std::lock_guard<std::mutex> lock(mu_);
    return prune_calls_;
  }

  // Delivers a change to every watcher of endpoint/version.
  void Emit(const std::string& endpoint, uint32_t version, uint32_t op, const std::string& row) {
    std::lock_guard<std::mutex> lock(mu_);
    changes_.push_back({endpoint, version, op, row});
    cv_.notify_all();
  }
  // Ends stalled queries (and lets later "stall" queries through).
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    released_ = true;
    cv_.notify_all();
  }
  // Stops every watch with UNAVAILABLE, as a stopping host does.
  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    released_ = true;
    cv_.notify_all();
  }
  // Watchers now blocked in watch().
  int watchers() const {
    std::lock_guard<std::mutex> lock(mu_);
    return watchers_;
  }

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
  std::vector<std::string> credentials_seen() const {
    std::lock_guard<std::mutex> lock(mu_);
    return credentials_seen_;
  }

  struct Request;  // a request table's context (fake_api_host_requests.inc)

 private:
  struct VersionRec;
  struct EndpointRec;
  struct View;
  struct Change {
    std::string endpoint;
    uint32_t version;
    uint32_t op;
    std::string row;
  };
  static void FillRequestTable(Request* r);
  static FakeApiHost* Self(void* ctx) { return static_cast<FakeApiHost*>(ctx); }
  static int32_t Fail(sluice_status* st, Code code, const std::string& message) {
    return Status(code, message).ToC(st);
  }

  static int32_t CatalogFn(void* ctx, sluice_endpoint_fn fn, void* fn_ctx, sluice_status* st);
  static int32_t Acquire(void* ctx, const char* endpoint, uint32_t version, void** view,
                         sluice_status* st);
  static void ReleaseView(void* ctx, void* view);
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
  // The rows [*begin, *end) a query or count answers, or its error; runs
  // the on_query hook, the trigger texts and the query function.
  Status Select(void* view, const char* query, size_t query_size, bool count, size_t* begin,
                size_t* end);
  static int32_t RunQuery(void* ctx, void* view, const char* query, size_t query_size,
                          sluice_rows_fn fn, void* fn_ctx, uint64_t* examined, sluice_status* st);
  static int32_t Watch(void* ctx, void* view, const char* filter, size_t filter_size,
                       int32_t (*fn)(void*, uint32_t, uint64_t, const uint8_t*, size_t),
                       void* fn_ctx, sluice_status* st);
  static int32_t Metrics(void* ctx, void (*fn)(void*, const char*, size_t), void* fn_ctx,
                         sluice_status* st);
  // Drops versions older than the newest `keep` that are not current, like
  // the host (without waiting for views).
  static int32_t Prune(void* ctx, const char* endpoint, uint32_t keep,
                       void (*fn)(void*, const char*), void* fn_ctx, sluice_status* st);

  EndpointRec* FindLocked(const std::string& name_or_path);

  sluice_api_host c_{};
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<EndpointRec>> endpoints_;  // guarded by mu_
  std::string last_query_;                               // guarded by mu_
  std::function<void()> on_query_;                       // guarded by mu_
  QueryFn query_fn_;                                     // guarded by mu_
  std::string plan_ = "scan";                            // guarded by mu_
  bool plan_scan_ = true;                                // guarded by mu_
  std::string metrics_text_;                             // guarded by mu_
  std::vector<std::string> prune_calls_;                 // guarded by mu_
  std::vector<Change> changes_;                          // guarded by mu_: every change emitted
  bool released_ = false;                                // guarded by mu_
  bool closed_ = false;                                  // guarded by mu_
  int watchers_ = 0;                                     // guarded by mu_
  std::map<std::string, std::string> tokens_;            // set before use
  bool required_ = false;
  std::vector<std::string> credentials_seen_;  // guarded by mu_
  std::atomic<int> open_views_{0};
};

}  // namespace sluice::testing

#include "sluice/testing/fake_api_host_calls.inc"
#include "sluice/testing/fake_api_host_requests.inc"

#endif  // SLUICE_TESTING_FAKE_API_HOST_H_
