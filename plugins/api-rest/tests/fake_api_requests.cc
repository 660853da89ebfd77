// FakeApiHost's ABI 1.2 requests: each request table checks a stand-in
// policy (see set_access), then forwards to the fake's own functions.
#include <cstring>

#include "fake_api_host.h"
#include "sluice/status.h"

namespace sluice::rest::testing {

struct FakeApiHost::Request {
  FakeApiHost* host = nullptr;
  sluice_api_host table{};
  std::string role;  // "" = no credential
  Status refused;
  bool limited = false;
};

namespace {

FakeApiHost::Request* R(void* ctx) { return static_cast<FakeApiHost::Request*>(ctx); }

}  // namespace

void FakeApiHost::set_access(std::map<std::string, std::string> tokens, bool required) {
  tokens_ = std::move(tokens);
  required_ = required;
  // The root table itself is never used as a request by the plugin.
  c_.end_request = [](void*) {};
  c_.authorize = [](void*, uint32_t, const char*, sluice_status* st) {
    return Internal("authorize on the table given to create()").ToC(st);
  };
  c_.request_info = [](void*, sluice_request_info*, sluice_status* st) {
    return Internal("request_info on the table given to create()").ToC(st);
  };
  c_.begin_request = [](void* ctx, const sluice_credential* cred, const sluice_api_host** out,
                        sluice_status* st) -> int32_t {
    auto* host = static_cast<FakeApiHost*>(ctx);
    std::string token(cred->token ? cred->token : "", cred->token_size);
    {
      std::lock_guard<std::mutex> lock(host->mu_);
      host->credentials_seen_.push_back(std::to_string(cred->kind) + ":" + token);
    }
    auto* r = new Request();
    r->host = host;
    FillRequestTable(r);
    *out = &r->table;
    if (cred->kind == SLUICE_CREDENTIAL_NONE) return SLUICE_OK;
    if (token == "limited") {
      r->limited = true;
      r->refused = ResourceExhausted("too many requests; retry in 2.5 s");
    } else if (host->tokens_.count(token) == 0) {
      r->refused = Unauthenticated("the API key sent is not accepted");
    } else {
      r->role = host->tokens_[token];
    }
    return r->refused.ToC(st);
  };
}

std::vector<std::string> FakeApiHost::credentials_seen() const {
  std::lock_guard<std::mutex> lock(mu_);
  return credentials_seen_;
}

namespace {

// What the stand-in policy says about `r` doing `action`.
Status Check(const FakeApiHost::Request& r, bool required, uint32_t action) {
  if (!r.refused.ok()) return r.refused;
  if (r.role.empty()) return required ? Unauthenticated("this route needs a credential") : Status();
  if (action != SLUICE_ACTION_READ && r.role != "admin")
    return PermissionDenied("key with role " + r.role + " lacks the admin role");
  return Status();
}

}  // namespace

void FakeApiHost::FillRequestTable(Request* r) {
  sluice_api_host& t = r->table;
  t = r->host->c_;
  t.ctx = r;
  t.catalog = [](void* ctx, sluice_endpoint_fn fn, void* fn_ctx, sluice_status* st) -> int32_t {
    Status s = Check(*R(ctx), R(ctx)->host->required_, SLUICE_ACTION_READ);
    return s.ok() ? CatalogFn(R(ctx)->host, fn, fn_ctx, st) : s.ToC(st);
  };
  t.acquire = [](void* ctx, const char* e, uint32_t v, void** view, sluice_status* st) -> int32_t {
    Status s = Check(*R(ctx), R(ctx)->host->required_, SLUICE_ACTION_READ);
    return s.ok() ? Acquire(R(ctx)->host, e, v, view, st) : s.ToC(st);
  };
  t.release = [](void* ctx, void* view) { Release(R(ctx)->host, view); };
  t.view_info = [](void* ctx, void* view,
                   void (*fn)(void*, const sluice_endpoint_info*, const sluice_version_info*),
                   void* fn_ctx,
                   sluice_status* st) { return ViewInfo(R(ctx)->host, view, fn, fn_ctx, st); };
  t.get = [](void* ctx, void* view, const char* k, size_t n, sluice_rows_fn fn, void* fn_ctx,
             sluice_status* st) { return Get(R(ctx)->host, view, k, n, fn, fn_ctx, st); };
  t.count = [](void* ctx, void* view, const char* q, size_t n, uint64_t* c, sluice_status* st) {
    return Count(R(ctx)->host, view, q, n, c, st);
  };
  t.query = [](void* ctx, void* view, const char* q, size_t n, sluice_rows_fn fn, void* fn_ctx,
               sluice_status* st) { return Query(R(ctx)->host, view, q, n, fn, fn_ctx, st); };
  t.query_info = [](void* ctx, void* view, const char* q, size_t n, sluice_rows_fn fn, void* fn_ctx,
                    void (*info_fn)(void*, const char*, const char*), void* info_ctx,
                    sluice_status* st) {
    return QueryInfo(R(ctx)->host, view, q, n, fn, fn_ctx, info_fn, info_ctx, st);
  };
  t.set_current = [](void* ctx, const char* e, uint32_t v, sluice_status* st) -> int32_t {
    Status s = Check(*R(ctx), R(ctx)->host->required_, SLUICE_ACTION_ADMIN);
    return s.ok() ? SetCurrent(R(ctx)->host, e, v, st) : s.ToC(st);
  };
  t.prune = [](void* ctx, const char* e, uint32_t keep, void (*fn)(void*, const char*),
               void* fn_ctx, sluice_status* st) -> int32_t {
    Status s = Check(*R(ctx), R(ctx)->host->required_, SLUICE_ACTION_ADMIN);
    return s.ok() ? Prune(R(ctx)->host, e, keep, fn, fn_ctx, st) : s.ToC(st);
  };
  t.metrics = [](void* ctx, void (*fn)(void*, const char*, size_t), void* fn_ctx,
                 sluice_status* st) -> int32_t {
    Status s = Check(*R(ctx), R(ctx)->host->required_, SLUICE_ACTION_METRICS);
    return s.ok() ? Metrics(R(ctx)->host, fn, fn_ctx, st) : s.ToC(st);
  };
  t.begin_request = [](void*, const sluice_credential*, const sluice_api_host** out,
                       sluice_status* st) -> int32_t {
    *out = nullptr;
    return InvalidArgument("begin_request on a request").ToC(st);
  };
  t.end_request = [](void* ctx) { delete R(ctx); };
  t.authorize = [](void* ctx, uint32_t action, const char*, sluice_status* st) -> int32_t {
    return Check(*R(ctx), R(ctx)->host->required_, action).ToC(st);
  };
  t.request_info = [](void* ctx, sluice_request_info* info, sluice_status* st) -> int32_t {
    const Request& r = *R(ctx);
    sluice_request_info out{};
    out.struct_size = info->struct_size;
    out.principal = "";
    if (r.limited) out.rate_limited = 1, out.limit = 10, out.retry_after_ms = 2500;
    else if (!r.role.empty()) out.rate_limited = 1, out.limit = 10, out.remaining = 9;
    out.reset_ms = out.rate_limited ? 1000 : 0;
    std::memcpy(info, &out, std::min<size_t>(info->struct_size, sizeof out));
    return Status().ToC(st);
  };
}

}  // namespace sluice::rest::testing
