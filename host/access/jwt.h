// JwtVerifier: checks a JSON Web Token (RFC 7519, JWS compact form) the
// way docs/security.md ("JWT") says: the signature with a configured key
// of the token's alg (HS256, RS256 or ES256; "none" never), then exp and
// nbf with a clock skew, iss and aud when configured.
//
//   JwtVerifier v(config.auth.jwt, std::move(keys));
//   VerifiedToken t;
//   Status s = v.Verify(token, time(nullptr), &t);   // UNAUTHENTICATED says why
#ifndef SLUICE_HOST_ACCESS_JWT_H_
#define SLUICE_HOST_ACCESS_JWT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "access/jwt_keys.h"
#include "config/auth_config.h"
#include "sluice/status.h"

namespace sluice::host {

struct VerifiedToken {
  std::string claims_json;         // the payload: a JSON object
  std::string subject;             // "sub", "" when absent
  std::vector<std::string> roles;  // from the roles claim (array, or space-separated string)
};

class JwtVerifier {
 public:
  JwtVerifier(JwtConfig config, std::vector<JwtKey> keys);

  // Verifies `token` at `now_s` (seconds since the epoch). UNAUTHENTICATED
  // with a message saying why (never quoting the token): malformed,
  // unsupported or mismatched alg, no key for its kid, bad signature,
  // expired, not yet valid, wrong issuer or audience, no exp.
  Status Verify(std::string_view token, int64_t now_s, VerifiedToken* out) const;

  // True when `token` has the shape of a JWS: three base64url segments
  // separated by '.'. Says nothing about validity.
  static bool LooksLikeJwt(std::string_view token);

  size_t key_count() const { return keys_.size(); }

 private:
  Status CheckSignature(std::string_view alg, std::string_view kid, std::string_view input,
                        std::string_view signature) const;
  Status CheckClaims(std::string_view payload, int64_t now_s, VerifiedToken* out) const;

  JwtConfig config_;
  std::vector<JwtKey> keys_;
};

}  // namespace sluice::host

#endif  // SLUICE_HOST_ACCESS_JWT_H_
