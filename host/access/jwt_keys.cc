#include "access/jwt_keys.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <simdjson.h>

#include "access/base64url.h"
#include "core/home.h"

namespace sluice::host {
namespace {

constexpr size_t kMinSecretBytes = 32;  // RFC 7518 3.2: at least the hash size
constexpr int kMinRsaBits = 2048;

std::shared_ptr<EVP_PKEY> Own(EVP_PKEY* k) { return std::shared_ptr<EVP_PKEY>(k, EVP_PKEY_free); }

// The curve name of an EC key ("" when not an EC key).
std::string CurveOf(EVP_PKEY* k) {
  char name[64] = {0};
  size_t len = 0;
  if (!EVP_PKEY_is_a(k, "EC") ||
      EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof name, &len) != 1)
    return "";
  return std::string(name, len);
}

// Checks that `k` suits `alg`; the problem otherwise ("" when it does).
std::string KeyProblem(EVP_PKEY* k, const std::string& alg) {
  if (alg == "RS256") {
    if (!EVP_PKEY_is_a(k, "RSA")) return "RS256 needs an RSA key";
    if (EVP_PKEY_get_bits(k) < kMinRsaBits)
      return "the RSA key has " + std::to_string(EVP_PKEY_get_bits(k)) +
             " bits; RS256 keys need at least 2048";
    return "";
  }
  std::string curve = CurveOf(k);
  if (curve != "prime256v1" && curve != "P-256")
    return "ES256 needs an EC key on curve P-256" +
           (curve.empty() ? std::string() : ", found curve " + curve);
  return "";
}

Status Secret(std::string secret, const std::string& where, JwtKey* out) {
  if (secret.size() < kMinSecretBytes)
    return InvalidArgument(where + ": an HS256 secret needs at least 32 bytes, found " +
                           std::to_string(secret.size()) +
                           "; generate one with `openssl rand -hex 32`");
  out->alg = "HS256";
  out->secret = std::move(secret);
  out->origin = where;
  return Status();
}

// Builds an EVP_PKEY of `type` ("RSA" or "EC") from OSSL parameters.
Status FromParams(const char* type, OSSL_PARAM_BLD* bld, const std::string& where,
                  std::shared_ptr<EVP_PKEY>* out) {
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
  EVP_PKEY* key = nullptr;
  bool ok = params != nullptr && ctx != nullptr && EVP_PKEY_fromdata_init(ctx) == 1 &&
            EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) == 1;
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  if (!ok) return InvalidArgument(where + ": the key's parameters do not make a valid key");
  *out = Own(key);
  EVP_PKEY_CTX* check = EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr);
  ok = check != nullptr && EVP_PKEY_public_check(check) == 1;
  EVP_PKEY_CTX_free(check);
  if (!ok) return InvalidArgument(where + ": the public key does not pass OpenSSL's check");
  return Status();
}

// A base64url member of a JWK, decoded.
Status Member(simdjson::dom::object jwk, const char* name, const std::string& where,
              std::string* out) {
  std::string_view text;
  if (jwk[name].get_string().get(text) != simdjson::SUCCESS)
    return InvalidArgument(where + ": missing the string member \"" + name + "\"");
  if (!Base64UrlDecode(text, out))
    return InvalidArgument(where + ": member \"" + name + "\" is not base64url");
  return Status();
}

Status RsaJwk(simdjson::dom::object jwk, const std::string& where, JwtKey* out) {
  std::string n, e;
  SLUICE_RETURN_IF_ERROR(Member(jwk, "n", where, &n));
  SLUICE_RETURN_IF_ERROR(Member(jwk, "e", where, &e));
  BIGNUM* bn_n = BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()),
                           static_cast<int>(n.size()), nullptr);
  BIGNUM* bn_e = BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()),
                           static_cast<int>(e.size()), nullptr);
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  Status s;
  if (bn_n == nullptr || bn_e == nullptr || bld == nullptr ||
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) != 1)
    s = Internal(where + ": cannot build the RSA key");
  if (s.ok()) s = FromParams("RSA", bld, where, &out->pkey);
  OSSL_PARAM_BLD_free(bld);
  BN_free(bn_n);
  BN_free(bn_e);
  out->alg = "RS256";
  return s;
}

Status EcJwk(simdjson::dom::object jwk, const std::string& where, JwtKey* out) {
  std::string_view crv;
  if (jwk["crv"].get_string().get(crv) != simdjson::SUCCESS || crv != "P-256")
    return FailedPrecondition("curve " + std::string(crv.empty() ? "(none)" : crv) +
                              " is not supported (ES256 uses P-256)");
  std::string x, y;
  SLUICE_RETURN_IF_ERROR(Member(jwk, "x", where, &x));
  SLUICE_RETURN_IF_ERROR(Member(jwk, "y", where, &y));
  // RFC 7518 asks for exactly 32 bytes, but some JWK writers drop leading
  // zero bytes (the same integer): those are padded back, not refused.
  if (x.empty() || y.empty() || x.size() > 32 || y.size() > 32)
    return InvalidArgument(where + ": P-256 coordinates x and y must be 32 bytes each");
  x.insert(0, 32 - x.size(), '\0');
  y.insert(0, 32 - y.size(), '\0');
  std::string point = "\x04" + x + y;
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  Status s;
  if (bld == nullptr ||
      OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) !=
          1)
    s = Internal(where + ": cannot build the EC key");
  if (s.ok()) s = FromParams("EC", bld, where, &out->pkey);
  OSSL_PARAM_BLD_free(bld);
  out->alg = "ES256";
  return s;
}

// One JWKS entry; FAILED_PRECONDITION for entries skipped on purpose.
Status JwkEntry(simdjson::dom::element e, const std::string& where, JwtKey* out) {
  simdjson::dom::object jwk;
  if (e.get_object().get(jwk) != simdjson::SUCCESS)
    return InvalidArgument(where + ": expected a JSON object");
  std::string_view kty, alg, use, kid;
  if (jwk["kty"].get_string().get(kty) != simdjson::SUCCESS)
    return InvalidArgument(where + ": missing \"kty\"");
  if (jwk["alg"].get_string().get(alg) != simdjson::SUCCESS) alg = {};
  if (jwk["kid"].get_string().get(kid) != simdjson::SUCCESS) kid = {};
  if (jwk["use"].get_string().get(use) == simdjson::SUCCESS && use != "sig")
    return FailedPrecondition("use \"" + std::string(use) + "\" (only \"sig\" keys verify tokens)");
  out->kid = std::string(kid);
  out->origin = where;
  std::string want = kty == "RSA" ? "RS256" : kty == "EC" ? "ES256" : kty == "oct" ? "HS256" : "";
  if (want.empty())
    return FailedPrecondition("key type \"" + std::string(kty) + "\" is not supported");
  if (!alg.empty() && alg != want)
    return FailedPrecondition("alg " + std::string(alg) + " is not supported (this " +
                              std::string(kty) + " key could only serve " + want + ")");
  if (kty == "RSA") {
    SLUICE_RETURN_IF_ERROR(RsaJwk(jwk, where, out));
  } else if (kty == "EC") {
    SLUICE_RETURN_IF_ERROR(EcJwk(jwk, where, out));
  } else {
    std::string k;
    SLUICE_RETURN_IF_ERROR(Member(jwk, "k", where, &k));
    return Secret(std::move(k), where, out);
  }
  std::string problem = KeyProblem(out->pkey.get(), out->alg);
  if (!problem.empty()) return InvalidArgument(where + ": " + problem);
  return Status();
}

Status LoadFileKey(const JwtKeyConfig& c, std::vector<JwtKey>* out) {
  std::string where = c.where + " (" + c.file.string() + ")";
  std::string text;
  SLUICE_RETURN_IF_ERROR(ReadSmallFile(c.file, &text).WithContext(c.where));
  JwtKey key;
  key.kid = c.kid;
  if (c.alg == "HS256") {
    if (!text.empty() && text.back() == '\n') text.pop_back();
    if (!text.empty() && text.back() == '\r') text.pop_back();
    SLUICE_RETURN_IF_ERROR(Secret(std::move(text), where, &key));
  } else {
    SLUICE_RETURN_IF_ERROR(ParsePemKey(text, c.alg, where, &key));
  }
  key.kid = c.kid;
  out->push_back(std::move(key));
  return Status();
}

}  // namespace

Status ParsePemKey(std::string_view pem, const std::string& alg, const std::string& where,
                   JwtKey* out) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* key = bio ? PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr) : nullptr;
  if (key == nullptr && bio != nullptr && BIO_reset(bio) == 1) {
    X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    if (cert != nullptr) key = X509_get_pubkey(cert);
    X509_free(cert);
  }
  BIO_free(bio);
  if (key == nullptr)
    return InvalidArgument(where +
                           ": expected a PEM public key (BEGIN PUBLIC KEY) or certificate "
                           "(BEGIN CERTIFICATE) for " +
                           alg);
  out->pkey = Own(key);
  out->alg = alg;
  out->origin = where;
  std::string problem = KeyProblem(key, alg);
  if (!problem.empty()) return InvalidArgument(where + ": " + problem);
  return Status();
}

Status ParseJwks(std::string_view json, const std::string& where, std::vector<JwtKey>* out,
                 std::vector<std::string>* warnings) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::array keys;
  if (parser.parse(json.data(), json.size()).get(doc) != simdjson::SUCCESS)
    return InvalidArgument(where + ": not valid JSON");
  if (doc["keys"].get_array().get(keys) != simdjson::SUCCESS)
    return InvalidArgument(where + ": expected a JSON Web Key Set {\"keys\": [...]}");
  size_t i = 0, usable = 0;
  for (simdjson::dom::element e : keys) {
    JwtKey key;
    std::string at = where + " keys[" + std::to_string(i++) + "]";
    Status s = JwkEntry(e, at, &key);
    if (s.code() == Code::kFailedPrecondition) {
      warnings->push_back(at + " skipped: " + s.message());
      continue;
    }
    SLUICE_RETURN_IF_ERROR(s);
    out->push_back(std::move(key));
    ++usable;
  }
  if (usable == 0)
    return InvalidArgument(where + ": no usable key (HS256, RS256 or ES256) among " +
                           std::to_string(i));
  return Status();
}

Status LoadJwtKeys(const JwtConfig& config, std::vector<JwtKey>* out,
                   std::vector<std::string>* warnings) {
  out->clear();
  for (const JwtKeyConfig& c : config.keys) {
    if (!c.file.empty()) {
      SLUICE_RETURN_IF_ERROR(LoadFileKey(c, out));
      continue;
    }
    std::string text;
    SLUICE_RETURN_IF_ERROR(ReadSmallFile(c.jwks_file, &text).WithContext(c.where));
    SLUICE_RETURN_IF_ERROR(
        ParseJwks(text, c.where + " (" + c.jwks_file.string() + ")", out, warnings));
  }
  return Status();
}

}  // namespace sluice::host
