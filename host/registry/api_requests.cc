// Requests acting for a caller (sluice_api_host.begin_request, ABI 1.2):
// authenticating the credential, global rate limits, authorize and
// request_info. See api_host_internal.h.
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <ctime>

#include "registry/api_host_internal.h"

namespace sluice::host {
namespace api_internal {
namespace {

double MonotonicSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// "auth.rate_limits[0]" out of "sluice.yaml:12:7: auth.rate_limits[0]":
// clients are not told where the config file is.
std::string RuleName(const RateLimitConfig& r) {
  size_t at = r.where.rfind(": ");
  return at == std::string::npos ? r.where : r.where.substr(at + 2);
}

std::string Per(const RateLimitConfig& r) {
  switch (r.by) {
    case RateLimitConfig::By::kAddress: return "per client address";
    case RateLimitConfig::By::kPrincipal: return "per key or token subject";
    case RateLimitConfig::By::kClaim: return "per value of the claim " + r.claim;
    case RateLimitConfig::By::kAll: return "for all callers together";
  }
  return "";
}

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// The class a refused credential is counted under (it made no principal).
ApiHostImpl::Class ClassOfCredential(const Credential& c) {
  if (c.kind == Credential::Kind::kNone)
    return c.local ? ApiHostImpl::kLocal : ApiHostImpl::kAnonymous;
  if (c.kind == Credential::Kind::kBearer && JwtVerifier::LooksLikeJwt(c.token))
    return ApiHostImpl::kToken;
  return ApiHostImpl::kKey;
}

}  // namespace

Status ChargeRate(Request& r, const Principal& p, std::string_view endpoint) {
  RateLimiter& limiter = r.host->limiter();
  if (limiter.empty()) return Status();
  RateDecision d = limiter.Take(endpoint, p, r.peer, MonotonicSeconds());
  if (!d.applied) return Status();
  {
    std::lock_guard<std::mutex> lock(r.mu);
    if (!r.rate.applied || !d.allowed || (r.rate.allowed && d.remaining < r.rate.remaining))
      r.rate = d;
  }
  if (d.allowed) return Status();
  const RateLimitConfig& rule = limiter.rules()[d.rule];
  return ResourceExhausted(
      "too many requests: " + RuleName(rule) + " allows " + std::to_string(rule.burst) +
      " requests at once and " + Number(rule.per_second) + " per second " + Per(rule) +
      (rule.endpoint.empty() ? std::string() : " to endpoint " + rule.endpoint) + "; retry in " +
      Number(std::ceil(d.retry_after_s * 1000) / 1000) + " s");
}

int32_t BeginRequest(void* ctx, const sluice_credential* credential,
                     const sluice_api_host** request, sluice_status* st) {
  Request& root = *Req(ctx);
  *request = nullptr;
  if (!root.root)
    return InvalidArgument(
               "begin_request is called on the table given to create(), not on a request's")
        .ToC(st);
  ApiHostImpl* host = root.host;
  Credential c;
  std::string peer;
  uint32_t timeout_ms = 0;
  int32_t (*cancelled)(void*) = nullptr;
  void* cancel_ctx = nullptr;
  if (credential != nullptr &&
      credential->struct_size >= offsetof(sluice_credential, cancel_ctx) + sizeof(void*)) {
    timeout_ms = credential->timeout_ms;
    cancelled = credential->cancelled;
    cancel_ctx = credential->cancel_ctx;
  }
  if (credential != nullptr) {
    c.kind = credential->kind == SLUICE_CREDENTIAL_API_KEY  ? Credential::Kind::kApiKey
             : credential->kind == SLUICE_CREDENTIAL_BEARER ? Credential::Kind::kBearer
                                                            : Credential::Kind::kNone;
    if (credential->token != nullptr)
      c.token = std::string_view(credential->token, credential->token_size);
    c.local = credential->local != 0;
    if (credential->peer != nullptr) peer = credential->peer;
  }
  if (c.token.empty()) c.kind = Credential::Kind::kNone;
  const AccessPolicy& policy = host->policy();
  if (c.kind == Credential::Kind::kNone && !c.local && host->limiter().empty() && timeout_ms == 0 &&
      cancelled == nullptr) {
    *request = &host->anonymous_request()->table;  // nothing per request: shared
    host->CountRequest(ApiHostImpl::kAnonymous, ApiHostImpl::kAccepted);
    return SLUICE_OK;
  }
  auto r = std::make_unique<Request>();
  r->host = host;
  r->owned = true;
  r->peer = std::move(peer);
  r->timeout_ms = timeout_ms;
  r->cancelled = cancelled;
  r->cancel_ctx = cancel_ctx;
  FillTable(r.get());
  std::shared_ptr<const Principal> p;
  Status s = policy.Authenticate(c, static_cast<int64_t>(std::time(nullptr)), &p);
  if (!s.ok()) {
    host->CountRequest(ClassOfCredential(c), ApiHostImpl::kUnauthenticated);
  } else {
    r->principal = p;
    s = ChargeRate(*r, *p, "");
    host->CountRequest(ClassOf(*p), s.ok() ? ApiHostImpl::kAccepted : ApiHostImpl::kRateLimited);
  }
  r->refused = s;
  *request = &r.release()->table;
  return s.ToC(st);
}

void EndRequest(void* ctx) {
  Request* r = Req(ctx);
  if (r->owned) delete r;
}

int32_t Authorize(void* ctx, uint32_t action, const char* endpoint, sluice_status* st) {
  Request& r = *Req(ctx);
  if (!r.refused.ok()) return r.refused.ToC(st);
  Caller caller(r);
  const AccessPolicy& policy = caller.policy();
  const Principal& p = caller.principal();
  Status s;
  const AccessRuleConfig* rule = nullptr;
  switch (action) {
    case SLUICE_ACTION_READ:
      s = endpoint == nullptr ? policy.MayRead(p)
                              : policy.Grant(p, policy.EndpointName(endpoint), &rule);
      break;
    case SLUICE_ACTION_ADMIN: s = policy.MayAdmin(p); break;
    case SLUICE_ACTION_METRICS: s = policy.MayMetrics(p); break;
    default: return InvalidArgument("unknown action " + std::to_string(action)).ToC(st);
  }
  return caller.Check(s).ToC(st);
}

int32_t RequestInfo(void* ctx, sluice_request_info* info, sluice_status* st) {
  Request& r = *Req(ctx);
  if (info == nullptr || info->struct_size < offsetof(sluice_request_info, rate_limited))
    return InvalidArgument("request_info needs a sluice_request_info with struct_size set").ToC(st);
  sluice_request_info out{};
  out.struct_size = info->struct_size;
  if (r.principal != nullptr) {
    out.principal_class = r.principal->cls == PrincipalClass::kKey     ? SLUICE_PRINCIPAL_KEY
                          : r.principal->cls == PrincipalClass::kToken ? SLUICE_PRINCIPAL_TOKEN
                                                                       : SLUICE_PRINCIPAL_ANONYMOUS;
    out.principal = r.principal->name.c_str();
  } else {
    out.principal = "";
  }
  if (r.owned) {  // shared requests never meet a rate limit
    std::lock_guard<std::mutex> lock(r.mu);
    const RateDecision& d = r.rate;
    out.rate_limited = d.applied ? 1 : 0;
    out.limit = d.limit;
    out.remaining = d.remaining;
    out.reset_ms = static_cast<uint32_t>(std::ceil(d.reset_s * 1000));
    out.retry_after_ms = static_cast<uint32_t>(std::ceil(d.retry_after_s * 1000));
  }
  std::memcpy(info, &out, std::min<size_t>(info->struct_size, sizeof out));
  return Status().ToC(st);
}

}  // namespace api_internal
}  // namespace sluice::host
