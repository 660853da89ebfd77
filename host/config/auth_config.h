// Access control settings (docs/security.md, docs/config.md "auth"): who
// may call the APIs (API keys, JWTs), what each principal may read (per
// endpoint access rules with row filters and field lists), and rate limits.
// Plain data, validated for shape when the config loads; host/access/
// loads the key material and enforces it.
#ifndef SLUICE_HOST_CONFIG_AUTH_CONFIG_H_
#define SLUICE_HOST_CONFIG_AUTH_CONFIG_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace sluice::host {

// One API key: a principal of class "key".
struct ApiKeyConfig {
  std::string name;                // names the principal in logs; never the key
  std::string key;                 // the key itself, when given inline ...
  std::filesystem::path key_file;  // ... or the file holding it (absolute)
  std::vector<std::string> roles;
  // The principal's claims as a JSON object text (row filters may refer to
  // them as $claims.<name>); "sub" is the key's name unless given.
  std::string claims_json = "{}";
  std::string where;  // "sluice.yaml:12:7: auth.keys[0]", for messages about the key
};

// One JWT verification key: a key file (an HS256 secret, or a PEM public
// key or certificate for RS256 / ES256) or a JWKS file.
struct JwtKeyConfig {
  std::filesystem::path file;       // with alg
  std::string alg;                  // "HS256", "RS256" or "ES256" (file only)
  std::string kid;                  // optional: tokens naming a kid use only keys with it
  std::filesystem::path jwks_file;  // a JSON Web Key Set: each key says its type
  std::string where;
};

struct JwtConfig {
  std::vector<JwtKeyConfig> keys;  // none = JWTs are not accepted
  std::string issuer;              // "" = iss not checked
  std::string audience;            // "" = aud not checked
  uint32_t clock_skew_s = 30;      // leeway for exp and nbf
  std::string roles_claim = "roles";
  bool require_exp = true;  // tokens without exp are refused
};

// One token-bucket rule (docs/security.md, "Rate limits").
struct RateLimitConfig {
  enum class By { kAddress, kPrincipal, kClaim, kAll };
  By by = By::kAddress;
  std::string claim;      // kClaim: the claim whose value names the bucket
  double per_second = 1;  // tokens added per second
  uint64_t burst = 1;     // bucket size
  std::string endpoint;   // "" = every request; else requests to this endpoint
  std::string where;
};

struct AuthConfig {
  std::vector<ApiKeyConfig> keys;
  JwtConfig jwt;
  // Roles of a caller that presents no credential while credentials are
  // configured (none: such callers are refused everything but health).
  std::vector<std::string> anonymous_roles;
  // Lets callers without a credential use admin routes. Default false.
  bool anonymous_admin = false;
  std::vector<RateLimitConfig> rate_limits;

  // True once any credential is configured: from then on every API needs
  // one (docs/security.md).
  bool CredentialsConfigured() const { return !keys.empty() || !jwt.keys.empty(); }
};

// One rule of an endpoint's `access:` list: the first rule whose roles the
// principal has decides what it may read of the endpoint.
struct AccessRuleConfig {
  std::vector<std::string> roles;  // empty = every authenticated principal
  // A $filter object (docs/query.md) as JSON text in which a string
  // "$claims.NAME" stands for the principal's claim NAME; "" = every row.
  std::string row_filter_json;
  std::vector<std::string> fields;  // empty = every field; else these (the key is always in)
  std::string where;
};

}  // namespace sluice::host

#endif  // SLUICE_HOST_CONFIG_AUTH_CONFIG_H_
