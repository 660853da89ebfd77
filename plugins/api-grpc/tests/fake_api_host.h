// An in-memory sluice_api_host for the gRPC plugin's tests: endpoints with
// versions and rows, answering the C query-service calls as the host does,
// with knobs to make it fail, stall or emit changes.
//
// Deliberately small: get matches the first key column's text exactly;
// count and query ignore the query except for the trigger texts below and
// return every row in insertion order.
//   query "bad"     -> INVALID_ARGUMENT "query is not valid JSON"
//   query "unknown" -> the host answers with code UNKNOWN
//   query "stall"   -> blocks until Release() is called, then answers
#ifndef SLUICE_PLUGINS_API_GRPC_TESTS_FAKE_API_HOST_H_
#define SLUICE_PLUGINS_API_GRPC_TESTS_FAKE_API_HOST_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "sluice/abi.h"
#include "sluice/api_host.h"

namespace sluice::grpcapi::testing {

struct FakeVersion {
  uint32_t version = 1;
  bool ready = true;
  Schema schema;
  std::vector<std::pair<std::string, std::string>> rows;  // (key text, encoded row)
};

struct FakeEndpoint {
  std::string name;
  std::string path;
  uint32_t current = 0;
  std::vector<FakeVersion> versions;
};

class FakeApiHost {
 public:
  FakeApiHost();
  FakeApiHost(const FakeApiHost&) = delete;
  FakeApiHost& operator=(const FakeApiHost&) = delete;

  const sluice_api_host* c() const { return &c_; }
  ApiHost api() const { return ApiHost(&c_); }

  void Add(FakeEndpoint e);
  void SetCurrent(const std::string& endpoint, uint32_t version);
  void SetReady(const std::string& endpoint, uint32_t version, bool ready);
  // Delivers a change to every watcher of endpoint/version.
  void Emit(const std::string& endpoint, uint32_t version, uint32_t op, const std::string& row);
  // Ends stalled queries.
  void Release();
  // Watchers now blocked in watch().
  int watchers() const;
  // Stops every watch with UNAVAILABLE, as a stopping host does.
  void Close();

 private:
  struct View {
    FakeEndpoint* endpoint;
    FakeVersion* version;
  };
  struct Change {
    std::string endpoint;
    uint32_t version;
    uint32_t op;
    std::string row;
  };

  FakeEndpoint* Find(const std::string& name);
  static FakeApiHost* Self(void* ctx) { return static_cast<FakeApiHost*>(ctx); }
  static int32_t Fail(sluice_status* st, Code code, const std::string& m) {
    return Status(code, m).ToC(st);
  }
  static int32_t Rows(View* v, sluice_rows_fn fn, void* fn_ctx);
  // Trigger texts shared by count and query; returns -1 to go on.
  int32_t Triggers(std::string_view query, sluice_status* st);

  static int32_t Catalog(void*, sluice_endpoint_fn, void*, sluice_status*);
  static int32_t Acquire(void*, const char*, uint32_t, void**, sluice_status*);
  static void ReleaseView(void*, void*);
  static int32_t ViewInfo(void*, void*,
                          void (*)(void*, const sluice_endpoint_info*, const sluice_version_info*),
                          void*, sluice_status*);
  static int32_t Get(void*, void*, const char*, size_t, sluice_rows_fn, void*, sluice_status*);
  static int32_t Count(void*, void*, const char*, size_t, uint64_t*, sluice_status*);
  static int32_t Query(void*, void*, const char*, size_t, sluice_rows_fn, void*, sluice_status*);
  static int32_t QueryInfo(void*, void*, const char*, size_t, sluice_rows_fn, void*,
                           void (*)(void*, const char*, const char*), void*, sluice_status*);
  static int32_t SetCurrentC(void*, const char*, uint32_t, sluice_status*);
  static int32_t Watch(void*, void*, const char*, size_t,
                       int32_t (*)(void*, uint32_t, uint64_t, const uint8_t*, size_t), void*,
                       sluice_status*);
  static int32_t Metrics(void*, void (*)(void*, const char*, size_t), void*, sluice_status*);
  static int32_t Prune(void*, const char*, uint32_t, void (*)(void*, const char*), void*,
                       sluice_status*);

  sluice_api_host c_{};
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<FakeEndpoint> endpoints_;  // guarded by mu_ (stable addresses)
  std::vector<Change> changes_;         // guarded by mu_: every change emitted
  bool released_ = false;               // guarded by mu_
  bool closed_ = false;                 // guarded by mu_
  int watchers_ = 0;                    // guarded by mu_
};

// Schema used by most tests: id int64 (key), fare float64?, at timestamp?,
// day date?, paid bool, note string?
Schema SampleSchema();
// A row of SampleSchema; fare, at and day null when `nulls`.
std::string SampleRow(int64_t id, bool nulls);
// "trips" with v1 (3 rows: ids 1, 2 null-heavy, 3) ready and current, and
// v2 (same schema, rows 1..5) not ready.
void AddTrips(FakeApiHost* host);

}  // namespace sluice::grpcapi::testing

#endif  // SLUICE_PLUGINS_API_GRPC_TESTS_FAKE_API_HOST_H_
