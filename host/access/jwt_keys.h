// JWT verification keys (docs/security.md, "JWT"): HS256 secrets, RS256 and
// ES256 public keys from PEM files or certificates, and JSON Web Key Sets.
// Each key is bound to exactly one algorithm, so a token can never make
// one kind of key serve as another (no "alg confusion").
//
//   std::vector<JwtKey> keys;
//   std::vector<std::string> warnings;   // JWKS entries skipped, and why
//   Status s = LoadJwtKeys(config.auth.jwt, &keys, &warnings);
#ifndef SLUICE_HOST_ACCESS_JWT_KEYS_H_
#define SLUICE_HOST_ACCESS_JWT_KEYS_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/auth_config.h"
#include "sluice/status.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace sluice::host {

struct JwtKey {
  std::string alg;                 // "HS256", "RS256" or "ES256"
  std::string kid;                 // "" = none
  std::string secret;              // HS256: the shared secret (at least 32 bytes)
  std::shared_ptr<EVP_PKEY> pkey;  // RS256 (RSA, at least 2048 bits), ES256 (P-256)
  std::string origin;              // where it was configured, for messages
};

// Reads every key `config` names, now. INVALID_ARGUMENT naming the config
// entry and the file when a file cannot be read or holds no usable key of
// its alg, or a JWKS holds no usable key at all; JWKS entries that are
// skipped (other algorithms, use other than "sig") are described in
// *warnings.
Status LoadJwtKeys(const JwtConfig& config, std::vector<JwtKey>* out,
                   std::vector<std::string>* warnings);

// Parses a JSON Web Key Set (RFC 7517): RSA keys (n, e) as RS256, EC P-256
// keys (x, y) as ES256, symmetric keys (k) as HS256; a key's "alg", when
// given, must be one of those. `where` prefixes messages.
Status ParseJwks(std::string_view json, const std::string& where, std::vector<JwtKey>* out,
                 std::vector<std::string>* warnings);

// The key of a PEM public key or certificate for `alg` (RS256 or ES256).
Status ParsePemKey(std::string_view pem, const std::string& alg, const std::string& where,
                   JwtKey* out);

}  // namespace sluice::host

#endif  // SLUICE_HOST_ACCESS_JWT_KEYS_H_
