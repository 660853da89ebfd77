#include "registry/api_host.h"

#include <chrono>
#include <thread>
#include <vector>

#include "plugin/plugin_catalog.h"
#include "registry/api_host_internal.h"
#include "runtime/runtime.h"
#include "sluice/schema.h"
#include "util/c_guard.h"
#include "util/log.h"

namespace sluice::host {
namespace api_internal {
namespace {

Status NotServing() { return Unavailable("nothing is served by this process"); }

// C descriptions of endpoints, alive while a callback runs.
struct EndpointC {
  std::vector<sluice_version_info> versions;
  std::vector<std::unique_ptr<Schema>> schemas;  // schemas as a restricted caller sees them
  std::vector<std::unique_ptr<SchemaView>> views;
  sluice_endpoint_info info{};
  IngestStatus status;
  sluice_ingest_info ingest{};

  void SetIngest(const IngestStatus& st) {
    status = st;
    ingest.struct_size = sizeof ingest;
    ingest.state = IngestPhaseName(status.phase);
    ingest.version = status.version;
    ingest.since_ms = status.since_ms;
    ingest.detail = status.detail.c_str();
    ingest.errors = status.errors;
    ingest.last_error = status.last_error.message.c_str();
    ingest.last_error_file = status.last_error.place.file.c_str();
    ingest.last_error_line = status.last_error.place.line;
    ingest.last_error_column = status.last_error.place.column;
    ingest.last_error_ms = status.last_error.at_ms;
    ingest.duplicate_keys = status.duplicate_keys;
    ingest.first_duplicate = status.first_duplicate.c_str();
    info.ingest = &ingest;
  }

  void AddVersion(uint32_t number, const ServedVersion& sv, const AccessRuleConfig* rule) {
    sluice_version_info v{};
    v.struct_size = sizeof v;
    v.version = number;
    v.ready = sv.ready ? 1 : 0;
    v.log_end = sv.log->end();
    v.cache_offset = sv.cache->applied();
    v.rows = sv.cache->rows();
    v.schema = sv.c_schema->get();
    v.created_at = sv.meta.created_at.c_str();
    if (rule != nullptr && !rule->fields.empty()) {
      schemas.push_back(
          std::make_unique<Schema>(VisibleSchema(*rule, sv.meta.table_schema.schema)));
      views.push_back(std::make_unique<SchemaView>(*schemas.back()));
      v.schema = views.back()->get();
    }
    versions.push_back(v);
  }
  // The pin fields; `source` must outlive the callback.
  void SetPin(const std::string& source, uint32_t version, int64_t since_ms) {
    info.pin_source = source.c_str();
    info.pin_version = version;
    info.pin_since_ms = since_ms;
  }
  const sluice_endpoint_info* Finish(const std::string& name, const std::string& path,
                                     uint32_t current, bool pinned) {
    info.struct_size = sizeof info;
    if (info.pin_source == nullptr) info.pin_source = "";
    info.name = name.c_str();
    info.path = path.c_str();
    info.current_version = current;
    info.pinned = pinned ? 1 : 0;
    info.version_count = static_cast<uint32_t>(versions.size());
    info.versions = versions.data();
    return &info;
  }
};

}  // namespace

ApiHostImpl::Class ClassOf(const Principal& p) {
  switch (p.cls) {
    case PrincipalClass::kKey: return ApiHostImpl::kKey;
    case PrincipalClass::kToken: return ApiHostImpl::kToken;
    case PrincipalClass::kAnonymous: break;
  }
  return p.local ? ApiHostImpl::kLocal : ApiHostImpl::kAnonymous;
}

Status Refused(const Request& r, const Principal& p, Status s) {
  ApiHostImpl::Outcome o = s.code() == Code::kUnauthenticated    ? ApiHostImpl::kUnauthenticated
                           : s.code() == Code::kPermissionDenied ? ApiHostImpl::kPermissionDenied
                                                                 : ApiHostImpl::kRateLimited;
  r.host->CountRefusal(ClassOf(p), o);
  return s;
}

int32_t Catalog(void* ctx, sluice_endpoint_fn fn, void* fn_ctx, sluice_status* st) {
  Request& r = *Req(ctx);
  if (!r.refused.ok()) return r.refused.ToC(st);
  if (r.host->registry() == nullptr) return NotServing().ToC(st);
  Caller caller(r);
  const Principal& p = caller.principal();
  if (!r.root) {
    Status s = caller.Check(caller.policy().MayRead(p));
    if (!s.ok()) return s.ToC(st);
  }
  for (const ServedEndpoint& ep : r.host->registry()->Snapshot()) {
    const AccessRuleConfig* rule = nullptr;
    if (!r.root && !caller.policy().Grant(p, ep.config.name, &rule).ok()) continue;
    EndpointC c;
    for (const auto& [n, sv] : ep.versions) c.AddVersion(n, *sv, rule);
    // The ingest state may quote rows (a duplicate key, an error): not for
    // a caller restricted to some rows or fields.
    const IngestBoard* board = r.host->ingest_board();
    if (board != nullptr && board->Has(ep.config.name) && rule == nullptr)
      c.SetIngest(board->Get(ep.config.name));
    c.SetPin(ep.pin_source, ep.pinned, ep.pin_since_ms);
    fn(fn_ctx, c.Finish(ep.config.name, ep.config.path, ep.current, ep.pinned != 0));
  }
  return Status().ToC(st);
}

int32_t Acquire(void* ctx, const char* endpoint, uint32_t version, void** view, sluice_status* st) {
  Request& r = *Req(ctx);
  if (!r.refused.ok()) return r.refused.ToC(st);
  if (r.host->registry() == nullptr) return NotServing().ToC(st);
  Caller caller(r);
  const Principal& p = caller.principal();
  std::string_view name = caller.policy().EndpointName(endpoint ? endpoint : "");
  const AccessRuleConfig* rule = nullptr;
  Status s = caller.policy().Grant(p, name, &rule);
  if (s.ok()) s = ChargeRate(r, p, name);
  if (!s.ok()) return caller.Check(s).ToC(st);
  auto h = std::make_unique<ViewHandle>();
  Registry::EndpointState state;
  s = r.host->registry()->Acquire(endpoint ? endpoint : "", version, &h->version, &state);
  if (!s.ok()) return s.ToC(st);
  h->endpoint = std::move(state.name);
  h->path = std::move(state.path);
  h->current = state.current;
  h->pinned = state.pinned;
  if (rule != nullptr) {
    s = CompileRestriction(*rule, h->endpoint, p, h->version->meta.table_schema, &h->restriction);
    if (s.code() == Code::kInternal) {
      log::Error("api", "an access rule cannot be applied", {{"error", s.message()}});
      s = Internal("the access rule of endpoint " + h->endpoint +
                   " cannot be applied to this caller; the server log says why");
    }
    if (!s.ok()) return caller.Check(s).ToC(st);
  }
  *view = h.release();
  Req(ctx)->host->ViewAcquired();
  return SLUICE_OK;
}

int32_t Metrics(void* ctx, void (*fn)(void*, const char*, size_t), void* fn_ctx,
                sluice_status* st) {
  Request& r = *Req(ctx);
  if (!r.refused.ok()) return r.refused.ToC(st);
  Caller caller(r);
  Status s = caller.Check(caller.policy().MayMetrics(caller.principal()));
  if (!s.ok()) return s.ToC(st);
  std::string text = r.host->MetricsText();
  fn(fn_ctx, text.data(), text.size());
  return Status().ToC(st);
}

// OK when `r` may administer; else the refusal, counted.
Status AdminAllowed(Request& r) {
  if (!r.refused.ok()) return r.refused;
  Caller caller(r);
  return caller.Check(caller.policy().MayAdmin(caller.principal()));
}

int32_t Prune(void* ctx, const char* endpoint, uint32_t keep, void (*fn)(void*, const char*),
              void* fn_ctx, sluice_status* st) {
  Request& r = *Req(ctx);
  Status s = AdminAllowed(r);
  if (!s.ok()) return s.ToC(st);
  if (r.host->registry() == nullptr) return NotServing().ToC(st);
  std::vector<std::string> lines;
  s = r.host->registry()->Prune(endpoint ? endpoint : "", keep, &lines);
  for (const auto& l : lines) fn(fn_ctx, l.c_str());
  return s.ToC(st);
}

int32_t Plugins(void* ctx, void (*fn)(void*, const sluice_loaded_plugin*), void* fn_ctx,
                sluice_status* st) {
  Request& r = *Req(ctx);
  Status s = AdminAllowed(r);
  if (!s.ok()) return s.ToC(st);
  if (r.host->registry() == nullptr) return NotServing().ToC(st);
  for (const PluginInfo& p : r.host->registry()->runtime().plugins().plugins()) {
    std::string path = p.path.string();
    sluice_loaded_plugin e{};
    e.struct_size = sizeof e;
    e.kind = KindName(p.kind);
    e.name = p.name.c_str();
    e.version = p.version.c_str();
    e.description = p.description.c_str();
    e.abi_major = p.abi_major;
    e.abi_minor = p.abi_minor;
    e.path = path.c_str();
    fn(fn_ctx, &e);
  }
  return s.ToC(st);
}

int32_t SetCurrent(void* ctx, const char* endpoint, uint32_t version, sluice_status* st) {
  Request& r = *Req(ctx);
  Status s = AdminAllowed(r);
  if (!s.ok()) return s.ToC(st);
  if (r.host->registry() == nullptr) return NotServing().ToC(st);
  return r.host->registry()->SetCurrent(endpoint ? endpoint : "", version).ToC(st);
}

// Every function is guarded: no exception reaches the plugin (util/c_guard.h).
void FillTable(Request* r) {
  sluice_api_host& t = r->table;
  t.struct_size = sizeof(sluice_api_host);
  t.ctx = r;
  t.catalog = &CGuard<&Catalog>::Call;
  t.acquire = &CGuard<&Acquire>::Call;
  t.release = &CGuard<&Release>::Call;
  t.view_info = &CGuard<&ViewInfo>::Call;
  t.get = &CGuard<&Get>::Call;
  t.count = &CGuard<&Count>::Call;
  t.query = &CGuard<&RunQ>::Call;
  t.set_current = &CGuard<&SetCurrent>::Call;
  t.query_info = &CGuard<&QueryInfoFn>::Call;
  t.watch = &CGuard<&Watch>::Call;
  t.metrics = &CGuard<&Metrics>::Call;
  t.prune = &CGuard<&Prune>::Call;
  t.begin_request = &CGuard<&BeginRequest>::Call;
  t.end_request = &CGuard<&EndRequest>::Call;
  t.authorize = &CGuard<&Authorize>::Call;
  t.request_info = &CGuard<&RequestInfo>::Call;
  t.feed_open = &CGuard<&FeedOpen>::Call;
  t.feed_next = &CGuard<&FeedNext>::Call;
  t.feed_close = &CGuard<&FeedClose>::Call;
  t.aggregate = &CGuard<&Aggregate>::Call;
  t.plugins = &CGuard<&Plugins>::Call;
}

}  // namespace api_internal

ApiHostImpl::ApiHostImpl(Registry* registry, QueryLimits limits,
                         std::shared_ptr<const AccessPolicy> policy)
    : registry_(registry), limits_(limits) {
  if (policy == nullptr) {
    std::vector<std::string> warnings;
    Status s = AccessPolicy::Build(Config(), &policy, &warnings);  // no credentials: cannot fail
    if (!s.ok())
      log::Error("api", "cannot build the empty access policy", {{"error", s.message()}});
  }
  limiters_.push_back(std::make_unique<RateLimiter>(policy->auth().rate_limits));
  limiter_.store(limiters_.back().get());
  policies_.push_back(std::move(policy));
  policy_.store(policies_.back().get());
  root_ = std::make_unique<Request>();
  root_->host = this;
  root_->root = true;
  api_internal::FillTable(root_.get());
  anonymous_ = std::make_unique<Request>();
  anonymous_->host = this;
  api_internal::FillTable(anonymous_.get());
}

ApiHostImpl::~ApiHostImpl() = default;

const sluice_api_host* ApiHostImpl::table() const { return &root_->table; }

namespace {

bool SameRules(const std::vector<RateLimitConfig>& a, const std::vector<RateLimitConfig>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].by != b[i].by || a[i].claim != b[i].claim || a[i].per_second != b[i].per_second ||
        a[i].burst != b[i].burst || a[i].endpoint != b[i].endpoint)
      return false;
  return true;
}

}  // namespace

void ApiHostImpl::SetPolicy(std::shared_ptr<const AccessPolicy> policy) {
  std::lock_guard<std::mutex> lock(set_mu_);
  if (!SameRules(limiter().rules(), policy->auth().rate_limits)) {
    RateLimiter* old = &limiter();
    limiters_.push_back(std::make_unique<RateLimiter>(policy->auth().rate_limits));
    limiter_.store(limiters_.back().get(), std::memory_order_release);
    old->Forget();
  }
  policies_.push_back(std::move(policy));
  policy_.store(policies_.back().get(), std::memory_order_release);
}

void ApiHostImpl::WaitUntilNoViews() const {
  while (open_views_.load() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

}  // namespace sluice::host
