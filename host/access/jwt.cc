#include "access/jwt.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <simdjson.h>

#include <cmath>
#include <memory>
#include <set>

#include "access/base64url.h"

namespace sluice::host {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

Status Refused(const std::string& why) { return Unauthenticated("token refused: " + why); }

// Parses a JSON object whose members all have distinct names (RFC 7515
// 5.2: a duplicate would let two readers see two different tokens).
Status ParseObject(simdjson::dom::parser& parser, std::string_view json, const char* what,
                   object* out) {
  if (parser.parse(json.data(), json.size()).get_object().get(*out) != simdjson::SUCCESS)
    return Refused(std::string("its ") + what + " is not a JSON object");
  std::set<std::string_view> names;
  for (auto field : *out)
    if (!names.insert(field.key).second)
      return Refused(std::string("its ") + what + " names \"" + std::string(field.key) +
                     "\" twice");
  return Status();
}

// A NumericDate claim (RFC 7519 2): seconds, possibly fractional.
bool NumericDate(object o, const char* name, bool* present, double* out) {
  element e;
  *present = o[name].get(e) == simdjson::SUCCESS;
  if (!*present) return true;
  return e.get_double().get(*out) == simdjson::SUCCESS && std::isfinite(*out);
}

// HMAC-SHA256 with the algorithm fetched once and a context per thread
// (the one-shot HMAC() looks it up on every call).
bool Hmac256(std::string_view key, std::string_view data, std::string* out) {
  static EVP_MAC* const kHmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  thread_local std::unique_ptr<EVP_MAC_CTX, void (*)(EVP_MAC_CTX*)> ctx(
      kHmac != nullptr ? EVP_MAC_CTX_new(kHmac) : nullptr, EVP_MAC_CTX_free);
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                         OSSL_PARAM_construct_end()};
  unsigned char mac[EVP_MAX_MD_SIZE];
  size_t len = 0;
  if (ctx == nullptr ||
      EVP_MAC_init(ctx.get(), reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                   params) != 1 ||
      EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(data.data()), data.size()) !=
          1 ||
      EVP_MAC_final(ctx.get(), mac, &len, sizeof mac) != 1)
    return false;
  out->assign(reinterpret_cast<char*>(mac), len);
  return true;
}

// The DER form OpenSSL verifies of a JWS ES256 signature (R || S, 32 bytes each).
bool EcdsaDer(std::string_view raw, std::string* der) {
  if (raw.size() != 64) return false;
  const auto* p = reinterpret_cast<const unsigned char*>(raw.data());
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(p, 32, nullptr);
  BIGNUM* s = BN_bin2bn(p + 32, 32, nullptr);
  if (sig == nullptr || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig, r, s) != 1) {
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    return false;
  }
  unsigned char* buf = nullptr;
  int n = i2d_ECDSA_SIG(sig, &buf);
  ECDSA_SIG_free(sig);
  if (n <= 0) return false;
  der->assign(reinterpret_cast<char*>(buf), static_cast<size_t>(n));
  OPENSSL_free(buf);
  return true;
}

bool VerifyWith(EVP_PKEY* key, std::string_view input, std::string_view sig) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok =
      ctx != nullptr && EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
      EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                       reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

std::string Time(double t) { return std::to_string(static_cast<int64_t>(t)); }

}  // namespace

JwtVerifier::JwtVerifier(JwtConfig config, std::vector<JwtKey> keys)
    : config_(std::move(config)), keys_(std::move(keys)) {}

bool JwtVerifier::LooksLikeJwt(std::string_view token) {
  size_t dots = 0;
  for (char c : token) {
    if (c == '.') {
      ++dots;
      continue;
    }
    bool b64 = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_';
    if (!b64) return false;
  }
  return dots == 2;
}

Status JwtVerifier::Verify(std::string_view token, int64_t now_s, VerifiedToken* out) const {
  size_t a = token.find('.');
  size_t b = a == std::string_view::npos ? a : token.find('.', a + 1);
  if (b == std::string_view::npos || token.find('.', b + 1) != std::string_view::npos)
    return Refused("it is not a JWS in compact form (header.payload.signature)");
  std::string header, payload, signature;
  if (!Base64UrlDecode(token.substr(0, a), &header) ||
      !Base64UrlDecode(token.substr(a + 1, b - a - 1), &payload) ||
      !Base64UrlDecode(token.substr(b + 1), &signature))
    return Refused("a segment is not base64url");
  thread_local simdjson::dom::parser parser;
  object h;
  SLUICE_RETURN_IF_ERROR(ParseObject(parser, header, "header", &h));
  std::string_view alg, kid;
  if (h["alg"].get_string().get(alg) != simdjson::SUCCESS)
    return Refused("its header has no \"alg\"");
  if (alg == "none" || alg == "None" || alg == "NONE")
    return Refused("alg none (an unsigned token) is never accepted");
  if (alg != "HS256" && alg != "RS256" && alg != "ES256")
    return Refused("alg " + std::string(alg).substr(0, 16) +
                   " is not supported (HS256, RS256 and ES256 are)");
  element crit;
  if (h["crit"].get(crit) == simdjson::SUCCESS)
    return Refused("its header lists critical extensions (crit), which are not supported");
  if (h["kid"].get(crit) == simdjson::SUCCESS && h["kid"].get_string().get(kid))
    return Refused("its header's kid is not a string");
  std::string alg_text(alg), kid_text(kid);  // the parser is reused below
  SLUICE_RETURN_IF_ERROR(CheckSignature(alg_text, kid_text, token.substr(0, b), signature));
  return CheckClaims(payload, now_s, out);
}

Status JwtVerifier::CheckSignature(std::string_view alg, std::string_view kid,
                                   std::string_view input, std::string_view signature) const {
  size_t candidates = 0;
  std::string mac, der;
  if (alg == "ES256" && !EcdsaDer(signature, &der))
    return Refused("an ES256 signature is 64 bytes (R || S)");
  for (const JwtKey& key : keys_) {
    if (key.alg != alg || (!kid.empty() && key.kid != kid)) continue;
    ++candidates;
    bool ok = false;
    if (alg == "HS256") {
      ok = Hmac256(key.secret, input, &mac) && mac.size() == signature.size() &&
           CRYPTO_memcmp(mac.data(), signature.data(), mac.size()) == 0;
    } else {
      ok = VerifyWith(key.pkey.get(), input, alg == "ES256" ? std::string_view(der) : signature);
    }
    if (ok) return Status();
  }
  if (candidates == 0)
    return Refused("no configured key verifies " + std::string(alg) + " tokens" +
                   (kid.empty() ? std::string() : " with kid \"" + std::string(kid) + "\""));
  return Refused("the signature does not verify");
}

Status JwtVerifier::CheckClaims(std::string_view payload, int64_t now_s, VerifiedToken* out) const {
  thread_local simdjson::dom::parser parser;
  object claims;
  SLUICE_RETURN_IF_ERROR(ParseObject(parser, payload, "payload", &claims));
  double skew = config_.clock_skew_s, now = static_cast<double>(now_s), exp = 0, nbf = 0;
  bool has_exp = false, has_nbf = false;
  if (!NumericDate(claims, "exp", &has_exp, &exp) || !NumericDate(claims, "nbf", &has_nbf, &nbf))
    return Refused("exp and nbf must be numbers (seconds since 1970)");
  if (!has_exp && config_.require_exp) return Refused("it has no exp (expiry)");
  if (has_exp && now > exp + skew)
    return Refused("it expired at " + Time(exp) + " (now " + Time(now) + ", clock skew " +
                   std::to_string(config_.clock_skew_s) + " s)");
  if (has_nbf && now + skew < nbf)
    return Refused("it is not valid before " + Time(nbf) + " (now " + Time(now) + ", clock skew " +
                   std::to_string(config_.clock_skew_s) + " s)");
  if (!config_.issuer.empty()) {
    std::string_view iss;
    if (claims["iss"].get_string().get(iss) != simdjson::SUCCESS || iss != config_.issuer)
      return Refused("its issuer (iss) is not the configured one");
  }
  if (!config_.audience.empty()) {
    bool match = false;
    element aud;
    std::string_view one;
    simdjson::dom::array many;
    if (claims["aud"].get(aud) == simdjson::SUCCESS) {
      if (aud.get_string().get(one) == simdjson::SUCCESS) match = one == config_.audience;
      if (aud.get_array().get(many) == simdjson::SUCCESS)
        for (element x : many)
          match =
              match || (x.get_string().get(one) == simdjson::SUCCESS && one == config_.audience);
    }
    if (!match) return Refused("its audience (aud) does not name this server");
  }
  out->claims_json.assign(payload);
  out->subject.clear();
  out->roles.clear();
  std::string_view sub;
  if (claims["sub"].get_string().get(sub) == simdjson::SUCCESS) out->subject.assign(sub);
  element roles;
  if (claims[config_.roles_claim].get(roles) == simdjson::SUCCESS) {
    std::string_view text;
    simdjson::dom::array list;
    if (roles.get_array().get(list) == simdjson::SUCCESS) {
      for (element r : list)
        if (r.get_string().get(text) == simdjson::SUCCESS) out->roles.emplace_back(text);
    } else if (roles.get_string().get(text) == simdjson::SUCCESS) {  // "a b c", like scope
      for (size_t i = 0; i < text.size();) {
        size_t j = text.find(' ', i);
        if (j == std::string_view::npos) j = text.size();
        if (j > i) out->roles.emplace_back(text.substr(i, j - i));
        i = j + 1;
      }
    }
  }
  return Status();
}

}  // namespace sluice::host
