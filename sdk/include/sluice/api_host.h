// sluice::ApiHost: the host's query service as API plugins call it. A
// header-only wrapper over sluice_api_host.
//
//   sluice::ApiHost::Request request;       // one per client request
//   api.BeginRequest({sluice::Credential::Kind::kBearer, token, peer}, &request);
//   const sluice::ApiHost& as_caller = request.api();   // acts for that client
//   sluice::ApiHost::View view;
//   sluice::Status s = as_caller.Acquire("/trips", 0, &view);   // 0 = current
//   if (s.ok()) s = as_caller.Get(view, "42", [&](const sluice_row_batch& rows) {
//     ... sluice::BatchRow(rows, 0) decoded with view.schema() ...
//     return true;
//   });
//   // the view is released before the request ends (declare it after)
#ifndef SLUICE_API_HOST_H_
#define SLUICE_API_HOST_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sluice/abi.h"
#include "sluice/function_ref.h"
#include "sluice/schema.h"
#include "sluice/status.h"

namespace sluice {

struct VersionInfo {
  uint32_t version = 0;
  bool ready = false;
  uint64_t log_end = 0;
  uint64_t cache_offset = 0;
  uint64_t rows = 0;
  Schema schema;
  std::string created_at;  // ISO-8601 UTC; "" = unknown (hosts before ABI 1.2)
};

// An endpoint's ingest (sluice_ingest_info), as the ingesting process sees it.
struct IngestInfo {
  std::string state;  // "running", "caught_up", "waiting", "failed", "schema_changed",
                      // "log_damaged", "starting"
  uint32_t version = 0;
  int64_t since_ms = 0;
  std::string detail;
  uint64_t errors = 0;
  std::string last_error;  // "" = none
  std::string last_error_file;
  uint64_t last_error_line = 0;
  uint32_t last_error_column = 0;
  int64_t last_error_ms = 0;
  uint64_t duplicate_keys = 0;
  std::string first_duplicate;
};

struct EndpointInfo {
  std::string name;
  std::string path;
  uint32_t current_version = 0;  // 0 = none ready yet
  bool pinned = false;
  std::vector<VersionInfo> versions;
  // Set when the host ingests this endpoint (ABI 1.2 hosts, catalog only).
  bool has_ingest = false;
  IngestInfo ingest;
  // Who pinned the current version: "config", "admin" or "" (latest); ABI 1.2.
  std::string pin_source;
  uint32_t pin_version = 0;  // 0 = latest
  int64_t pin_since_ms = 0;
};

// A plugin the host has loaded (sluice_loaded_plugin; ABI 1.2).
struct PluginEntry {
  std::string kind;  // "storage", "source", "api"
  std::string name;
  std::string version;
  std::string description;
  uint16_t abi_major = 0;
  uint16_t abi_minor = 0;
  std::string path;
};

// Receives result rows batch by batch; return false to stop.
using RowsFn = FunctionRef<bool(const sluice_row_batch& rows)>;

// How a query ran (ABI 1.1 hosts report it; `reported` is false otherwise).
struct QueryInfo {
  bool reported = false;
  std::string plan;       // e.g. "index [pickup_zone_id] eq", "scan"
  bool scan = false;      // no key or index served it
  uint64_t examined = 0;  // rows looked at
  // Known before the first rows arrive (ABI 1.2 hosts): the fields the
  // query's $select names, in order (empty = every field), and the fields
  // of its total order (what an $after cursor must hold).
  std::vector<uint32_t> select;
  std::vector<uint32_t> cursor;
};

// Receives one change (op is a sluice_op; op 0 = heartbeat with no row);
// return false to stop watching.
using ChangeFn = FunctionRef<bool(uint32_t op, uint64_t offset, std::string_view row)>;

// What a client presented with its request (sluice_credential). API
// plugins extract it from their protocol; the host decides what it is
// worth (docs/security.md).
struct Credential {
  enum class Kind : uint32_t {
    kNone = SLUICE_CREDENTIAL_NONE,
    kApiKey = SLUICE_CREDENTIAL_API_KEY,  // X-API-Key, gRPC x-api-key
    kBearer = SLUICE_CREDENTIAL_BEARER,   // Authorization: Bearer (API key or JWT)
  };
  Kind kind = Kind::kNone;
  std::string_view token;
  std::string_view peer;  // the client's IP address ("" unknown), for rate limits
  bool local = false;     // came on a channel only operators reach (admin allowed)
  // Bounds on the request's queries: a timeout (0 = the host's alone; else
  // the tighter one applies) and a flag the plugin sets when the client
  // leaves, polled by the host while a query runs (null = none; it must
  // outlive the request).
  uint32_t timeout_ms = 0;
  const std::atomic<bool>* cancelled = nullptr;
  // Or, instead of the flag, a function polled with `cancel_ctx`.
  int32_t (*cancel_fn)(void* cancel_ctx) = nullptr;
  void* cancel_ctx = nullptr;
};

enum class Action : uint32_t {
  kRead = SLUICE_ACTION_READ,  // with an endpoint name: read that endpoint
  kAdmin = SLUICE_ACTION_ADMIN,
  kMetrics = SLUICE_ACTION_METRICS,
};

// Who a request acts for and the rate limit binding it (sluice_request_info).
struct RequestInfo {
  bool reported = false;  // false on hosts older than ABI 1.2
  uint32_t principal_class = SLUICE_PRINCIPAL_ANONYMOUS;
  std::string principal;
  bool rate_limited = false;
  uint64_t limit = 0;
  uint64_t remaining = 0;
  uint32_t reset_ms = 0;
  uint32_t retry_after_ms = 0;
};

class ApiHost {
 public:
  // A pinned endpoint version (see sluice_api_host). Move-only; releases on
  // destruction. Must not outlive the ApiHost it came from.
  class View {
   public:
    View() = default;
    View(View&& o) noexcept { *this = std::move(o); }
    View& operator=(View&& o) noexcept {
      Reset();
      host_ = o.host_, handle_ = o.handle_, endpoint_ = std::move(o.endpoint_),
      version_ = std::move(o.version_);
      o.host_ = nullptr, o.handle_ = nullptr;
      return *this;
    }
    ~View() { Reset(); }
    void Reset() {
      if (handle_ != nullptr) host_->release(host_->ctx, handle_);
      handle_ = nullptr;
    }
    bool valid() const { return handle_ != nullptr; }
    const EndpointInfo& endpoint() const { return endpoint_; }
    const VersionInfo& version() const { return version_; }
    const Schema& schema() const { return version_.schema; }
    void* handle() const { return handle_; }

   private:
    friend class ApiHost;
    const sluice_api_host* host_ = nullptr;
    void* handle_ = nullptr;
    EndpointInfo endpoint_;
    VersionInfo version_;
  };

  // One client request (defined below).
  class Request;

  ApiHost() = default;
  explicit ApiHost(const sluice_api_host* c) : c_(c) {}
  const sluice_api_host* c() const { return c_; }

  // Opens a request for the client presenting `credential`. Always fills
  // *out; out->status() is the host's refusal, if any. On a host older
  // than ABI 1.2 (no access control) out->api() is this service itself.
  void BeginRequest(const Credential& credential, Request* out) const;

  // Every endpoint with all its versions, in config order.
  Status Catalog(std::vector<EndpointInfo>* out) const {
    out->clear();
    sluice_status st{};
    int32_t rc = c_->catalog(
        c_->ctx,
        [](void* u, const sluice_endpoint_info* e) {
          static_cast<std::vector<EndpointInfo>*>(u)->push_back(Convert(*e));
        },
        out, &st);
    return Status::FromC(rc, st);
  }

  // Pins a version (0 = current) of an endpoint given by name or path.
  Status Acquire(std::string_view endpoint, uint32_t version, View* out) const {
    out->Reset();
    std::string name(endpoint);
    sluice_status st{};
    void* handle = nullptr;
    int32_t rc = c_->acquire(c_->ctx, name.c_str(), version, &handle, &st);
    if (rc != SLUICE_OK) return Status::FromC(rc, st);
    out->host_ = c_;
    out->handle_ = handle;
    rc = c_->view_info(
        c_->ctx, handle,
        [](void* u, const sluice_endpoint_info* e, const sluice_version_info* v) {
          View* view = static_cast<View*>(u);
          ConvertInto(*e, &view->endpoint_);
          ConvertVersionInto(*v, &view->version_);
        },
        out, &st);
    return Status::FromC(rc, st);
  }

  // Record by primary key text (docs/query.md, "Keys"); NOT_FOUND if absent.
  Status Get(const View& view, std::string_view key, RowsFn fn) const {
    sluice_status st{};
    int32_t rc = c_->get(c_->ctx, view.handle(), key.data(), key.size(), &Trampoline, &fn, &st);
    return Status::FromC(rc, st);
  }
  Status Count(const View& view, std::string_view query, uint64_t* count) const {
    sluice_status st{};
    int32_t rc = c_->count(c_->ctx, view.handle(), query.data(), query.size(), count, &st);
    return Status::FromC(rc, st);
  }
  Status Query(const View& view, std::string_view query, RowsFn fn) const {
    sluice_status st{};
    int32_t rc =
        c_->query(c_->ctx, view.handle(), query.data(), query.size(), &Trampoline, &fn, &st);
    return Status::FromC(rc, st);
  }
  // Query that also reports how it ran (falls back to Query on a 1.0 host).
  Status Query(const View& view, std::string_view query, RowsFn fn, QueryInfo* info) const {
    if (!Has(offsetof(sluice_api_host, query_info))) return Query(view, query, fn);
    sluice_status st{};
    int32_t rc = c_->query_info(c_->ctx, view.handle(), query.data(), query.size(), &Trampoline,
                                &fn, &OnQueryInfo, info, &st);
    return Status::FromC(rc, st);
  }
  // Runs an aggregate request (sluice_api_host.aggregate): *json gets the
  // JSON array of groups, *info (may be null) how it ran. UNIMPLEMENTED on
  // a host without aggregates.
  Status Aggregate(const View& view, std::string_view request, std::string* json,
                   QueryInfo* info) const {
    if (!Has(offsetof(sluice_api_host, aggregate)) || c_->aggregate == nullptr)
      return Unimplemented("the host does not offer aggregates");
    sluice_status st{};
    auto on_json = [](void* u, const char* text, size_t n) {
      static_cast<std::string*>(u)->assign(text, n);
    };
    int32_t rc = c_->aggregate(c_->ctx, view.handle(), request.data(), request.size(), on_json,
                               json, &OnQueryInfo, info, &st);
    return Status::FromC(rc, st);
  }
  // Streams changes of the view's version until fn returns false (see
  // sluice_api_host.watch). UNIMPLEMENTED on a 1.0 host. Defined in
  // sluice/feed.h, with the change feeds of ABI 1.2.
  Status Watch(const View& view, std::string_view filter, ChangeFn fn) const;

  // The admin calls, defined in sluice/api_admin.h. The request needs
  // admin rights (metrics rights for Metrics; see sluice_api_host).
  // The host's metrics, Prometheus text format ("" on a 1.0 host).
  Status Metrics(std::string* out) const;
  // Deletes versions of `endpoint` ("" = every endpoint) older than the
  // newest `keep` that are neither current nor pinned (see
  // sluice_api_host.prune); *lines gets one line per version removed.
  // UNIMPLEMENTED on a 1.0 host.
  Status Prune(std::string_view endpoint, uint32_t keep, std::vector<std::string>* lines) const;
  // The plugins the host has loaded, in load order (see
  // sluice_api_host.plugins). UNIMPLEMENTED on hosts that do not list them.
  Status Plugins(std::vector<PluginEntry>* out) const;
  // Makes `version` the endpoint's current version and pins it; 0 unpins
  // (see sluice_api_host.set_current).
  Status SetCurrent(std::string_view endpoint, uint32_t version) const;

  static VersionInfo ConvertVersion(const sluice_version_info& v) {
    VersionInfo out;
    ConvertVersionInto(v, &out);
    return out;
  }
  // Fills *out, reusing its storage: a View acquired again for the same
  // version (RestService keeps one per thread) copies without allocating.
  static void ConvertVersionInto(const sluice_version_info& v, VersionInfo* out) {
    out->version = v.version;
    out->ready = v.ready != 0;
    out->log_end = v.log_end;
    out->cache_offset = v.cache_offset;
    out->rows = v.rows;
    if (v.schema == nullptr || !Schema::FromC(*v.schema, &out->schema)) out->schema = Schema();
    bool has_created = v.struct_size >= offsetof(sluice_version_info, created_at) + sizeof(char*);
    if (has_created && v.created_at != nullptr) out->created_at.assign(v.created_at);
    else out->created_at.clear();
  }
  static void ConvertIngestInto(const sluice_ingest_info& c, IngestInfo* out) {
    auto str = [](const char* s) { return s != nullptr ? s : ""; };
    out->state.assign(str(c.state));
    out->version = c.version;
    out->since_ms = c.since_ms;
    out->detail.assign(str(c.detail));
    out->errors = c.errors;
    out->last_error.assign(str(c.last_error));
    out->last_error_file.assign(str(c.last_error_file));
    out->last_error_line = c.last_error_line;
    out->last_error_column = c.last_error_column;
    out->last_error_ms = c.last_error_ms;
    out->duplicate_keys = c.duplicate_keys;
    out->first_duplicate.assign(str(c.first_duplicate));
  }
  static EndpointInfo Convert(const sluice_endpoint_info& e) {
    EndpointInfo out;
    ConvertInto(e, &out);
    return out;
  }
  static void ConvertInto(const sluice_endpoint_info& e, EndpointInfo* out) {
    out->name.assign(e.name);
    out->path.assign(e.path);
    out->current_version = e.current_version;
    out->pinned = e.pinned != 0;
    out->versions.resize(e.version_count);
    for (uint32_t i = 0; i < e.version_count; ++i)
      ConvertVersionInto(e.versions[i], &out->versions[i]);
    out->has_ingest = e.struct_size >= offsetof(sluice_endpoint_info, ingest) + sizeof(e.ingest) &&
                      e.ingest != nullptr;
    if (out->has_ingest) ConvertIngestInto(*e.ingest, &out->ingest);
    bool has_pin = e.struct_size >= offsetof(sluice_endpoint_info, pin_since_ms) + sizeof(int64_t);
    out->pin_source.assign(has_pin && e.pin_source != nullptr ? e.pin_source : "");
    out->pin_version = has_pin ? e.pin_version : (e.pinned ? e.current_version : 0);
    out->pin_since_ms = has_pin ? e.pin_since_ms : 0;
  }

 private:
  // True when the host's table reaches the function pointer at `offset`
  // and that pointer is set.
  bool Has(size_t offset) const {
    if (c_->struct_size < offset + sizeof(void*)) return false;
    void* fn = nullptr;
    std::memcpy(&fn, reinterpret_cast<const char*>(c_) + offset, sizeof fn);
    return fn != nullptr;
  }
  // The info_fn of query_info and aggregate: one key of how the query ran
  // into the QueryInfo `u` (null: ignored).
  static void OnQueryInfo(void* u, const char* k, const char* v) {
    if (u == nullptr) return;
    auto* i = static_cast<QueryInfo*>(u);
    i->reported = true;
    std::string_view key(k);
    if (key == "plan") i->plan = v;
    else if (key == "scan") i->scan = std::string_view(v) == "true";
    else if (key == "examined") i->examined = std::strtoull(v, nullptr, 10);
    else if (key == "select" || key == "cursor")
      ParseFieldNumbers(v, key == "select" ? &i->select : &i->cursor);
  }
  // "3,0" -> {3, 0}.
  static void ParseFieldNumbers(std::string_view text, std::vector<uint32_t>* out) {
    out->clear();
    uint32_t n = 0;
    for (size_t i = 0; i <= text.size(); ++i) {
      if (i == text.size() || text[i] == ',') {
        if (i > 0) out->push_back(n);
        n = 0;
      } else {
        n = n * 10 + static_cast<uint32_t>(text[i] - '0');
      }
    }
  }
  static int32_t Trampoline(void* ctx, const sluice_row_batch* rows) {
    return (*static_cast<RowsFn*>(ctx))(*rows) ? 1 : 0;
  }
  const sluice_api_host* c_ = nullptr;
};

// One client request (sluice_api_host.begin_request). Move-only; ends
// the request on destruction. Views acquired through api() must be
// released first (declare them after the request).
class ApiHost::Request {
 public:
  Request() = default;
  Request(Request&& o) noexcept { *this = std::move(o); }
  Request& operator=(Request&& o) noexcept {
    End();
    api_ = o.api_, owned_ = o.owned_, status_ = std::move(o.status_);
    o.owned_ = false;
    return *this;
  }
  ~Request() { End(); }
  // The query service acting for this request's caller.
  const ApiHost& api() const { return api_; }
  // OK, or why the host refused the request (every call through api()
  // then fails the same way).
  const Status& status() const { return status_; }
  // Whether the request may do `action` (sluice_api_host.authorize); OK
  // on hosts older than ABI 1.2, which have no access control.
  Status Authorize(Action action, std::string_view endpoint = {}) const {
    if (!owned_) return status_;
    std::string name(endpoint);
    sluice_status st{};
    const sluice_api_host* c = api_.c();
    return Status::FromC(c->authorize(c->ctx, static_cast<uint32_t>(action),
                                      endpoint.empty() ? nullptr : name.c_str(), &st),
                         st);
  }
  // Who the request acts for and its rate limit.
  RequestInfo Info() const {
    RequestInfo out;
    if (!owned_) return out;
    sluice_request_info i{};
    i.struct_size = sizeof i;
    sluice_status st{};
    const sluice_api_host* c = api_.c();
    if (c->request_info(c->ctx, &i, &st) != SLUICE_OK) return out;
    out.reported = true;
    out.principal_class = i.principal_class;
    out.principal = i.principal != nullptr ? i.principal : "";
    out.rate_limited = i.rate_limited != 0;
    out.limit = i.limit, out.remaining = i.remaining;
    out.reset_ms = i.reset_ms, out.retry_after_ms = i.retry_after_ms;
    return out;
  }
  void End() {
    if (owned_) api_.c()->end_request(api_.c()->ctx);
    owned_ = false;
  }

 private:
  friend class ApiHost;
  ApiHost api_;
  bool owned_ = false;  // api_ is a request table to end
  Status status_;
};

inline void ApiHost::BeginRequest(const Credential& credential, Request* out) const {
  out->End();
  out->api_ = *this;
  out->status_ = Status();
  if (!Has(offsetof(sluice_api_host, request_info))) return;
  sluice_credential cred{};
  cred.struct_size = sizeof cred;
  cred.kind = static_cast<uint32_t>(credential.kind);
  cred.token = credential.token.data();
  cred.token_size = credential.token.size();
  std::string peer(credential.peer);
  cred.peer = peer.c_str();
  cred.local = credential.local ? 1 : 0;
  cred.timeout_ms = credential.timeout_ms;
  if (credential.cancel_fn != nullptr) {
    cred.cancelled = credential.cancel_fn;
    cred.cancel_ctx = credential.cancel_ctx;
  } else if (credential.cancelled != nullptr) {
    cred.cancelled = [](void* flag) -> int32_t {
      return static_cast<const std::atomic<bool>*>(flag)->load(std::memory_order_relaxed) ? 1 : 0;
    };
    cred.cancel_ctx = const_cast<std::atomic<bool>*>(credential.cancelled);
  }
  sluice_status st{};
  const sluice_api_host* request = nullptr;
  int32_t rc = c_->begin_request(c_->ctx, &cred, &request, &st);
  if (request != nullptr) {
    out->api_ = ApiHost(request);
    out->owned_ = true;
  }
  out->status_ = Status::FromC(rc, st);
}

}  // namespace sluice

// The definitions of ApiHost::Watch and the admin calls (each header
// includes this one first, so either may be included on its own).
#include "sluice/api_admin.h"
#include "sluice/feed.h"

#endif  // SLUICE_API_HOST_H_
