// AccessPolicy: the host's access model (docs/security.md) for one loaded
// config: who presents a credential (API keys, JWTs) and what that
// principal may do: read endpoints (through which access rule), use admin
// routes, read metrics. Immutable once built; a config reload builds a new
// one (re-reading key files and JWKS) and swaps it in.
//
//   std::shared_ptr<const AccessPolicy> policy;
//   Status s = AccessPolicy::Build(config, &policy, &warnings);
//   std::shared_ptr<const Principal> who;
//   s = policy->Authenticate({Credential::Kind::kBearer, token}, now, &who);
//   const AccessRuleConfig* rule = nullptr;
//   if (s.ok()) s = policy->Grant(*who, "orders", &rule);   // rule: row filter, fields
#ifndef SLUICE_HOST_ACCESS_POLICY_H_
#define SLUICE_HOST_ACCESS_POLICY_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "access/jwt.h"
#include "access/principal.h"
#include "config/config.h"
#include "sluice/status.h"

namespace sluice::host {

// What a request presents. `token` is only read during Authenticate.
struct Credential {
  enum class Kind {
    kNone,    // nothing
    kApiKey,  // an API key (REST X-API-Key, gRPC x-api-key)
    kBearer,  // Authorization: Bearer: an API key or a JWT (the host tells)
  };
  Kind kind = Kind::kNone;
  std::string_view token;
  bool local = false;  // arrived on an operators' channel (Principal::local)
};

class AccessPolicy {
 public:
  // Builds the policy of `config` (its auth section and endpoint access
  // rules), reading key files and JWT keys now. INVALID_ARGUMENT naming the
  // config entry and file when one cannot be used. *warnings gets what was
  // skipped (JWKS entries of other algorithms).
  static Status Build(const Config& config, std::shared_ptr<const AccessPolicy>* out,
                      std::vector<std::string>* warnings);

  // True once any credential is configured: every API then needs one.
  bool credentials_configured() const { return auth_.CredentialsConfigured(); }
  const AuthConfig& auth() const { return auth_; }

  // The principal presenting `c`: anonymous (or local) without a
  // credential; UNAUTHENTICATED for a key or token that is not accepted,
  // saying why. `now_s` is the time tokens are checked at.
  Status Authenticate(const Credential& c, int64_t now_s,
                      std::shared_ptr<const Principal>* out) const;

  // OK when `p` may read anything at all (the catalog, data routes):
  // always without credentials configured; else when it presented one or
  // anonymous callers have roles. UNAUTHENTICATED otherwise.
  Status MayRead(const Principal& p) const;
  // Admin routes: the admin role, an operators' channel, or
  // auth.anonymous_admin for callers without a credential.
  Status MayAdmin(const Principal& p) const;
  // Metrics: open without credentials configured; else the admin or
  // metrics role, or what MayAdmin allows.
  Status MayMetrics(const Principal& p) const;
  // How `p` may read endpoint `endpoint` (its name): OK with *rule the
  // access rule that applies (nullptr: every row and field), or
  // PERMISSION_DENIED (UNAUTHENTICATED when MayRead fails) saying which
  // roles would do.
  Status Grant(const Principal& p, std::string_view endpoint, const AccessRuleConfig** rule) const;
  // The name of the endpoint named or (starting with '/') pathed
  // `name_or_path` in the config; the text itself when none is. Views
  // this policy or the argument.
  std::string_view EndpointName(std::string_view name_or_path) const;
  // The principal of a caller without a credential (`local`: on an
  // operators' channel); lives as long as the policy.
  const Principal& Anonymous(bool local) const { return local ? *local_ : *anonymous_; }

 private:
  AccessPolicy() = default;
  Status AddKey(const ApiKeyConfig& k);
  Status KeyPrincipal(std::string_view key, bool local,
                      std::shared_ptr<const Principal>* out) const;

  AuthConfig auth_;
  std::map<std::string, std::vector<AccessRuleConfig>, std::less<>> rules_;  // endpoint -> rules
  std::map<std::string, std::string, std::less<>> paths_;                    // path -> endpoint
  // SHA-256 of each key -> its principal: a lookup reveals nothing about
  // how much of a wrong key matched.
  std::unordered_map<std::string, std::shared_ptr<const Principal>> keys_;
  std::unique_ptr<JwtVerifier> jwt_;
  std::shared_ptr<const Principal> anonymous_, local_;
};

}  // namespace sluice::host

#endif  // SLUICE_HOST_ACCESS_POLICY_H_
