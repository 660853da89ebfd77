// Test helpers for host/access: RSA and EC key pairs made with OpenSSL, and
// JWTs signed with them (or with an HMAC secret), written independently of
// the verifier under test (only Base64UrlEncode is shared).
#ifndef SLUICE_HOST_TESTS_JWT_MINT_H_
#define SLUICE_HOST_TESTS_JWT_MINT_H_

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <memory>
#include <string>

#include "access/base64url.h"

namespace sluice::host::jwt_test {

using PKey = std::shared_ptr<EVP_PKEY>;

inline PKey NewRsa(unsigned bits = 2048) { return PKey(EVP_RSA_gen(bits), EVP_PKEY_free); }
inline PKey NewEc(const char* curve = "P-256") { return PKey(EVP_EC_gen(curve), EVP_PKEY_free); }

inline std::string B64(std::string_view s) {
  std::string out;
  Base64UrlEncode(s, &out);
  return out;
}

inline std::string PublicPem(const PKey& k) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, k.get());
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(n));
  BIO_free(bio);
  return out;
}

inline std::string BnParam(const PKey& k, const char* name) {
  BIGNUM* bn = nullptr;
  EVP_PKEY_get_bn_param(k.get(), name, &bn);
  std::string out(static_cast<size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  BN_free(bn);
  return out;
}

// The JWK (public part) of an RSA or P-256 key, with `extra` members
// (e.g. "\"kid\":\"a\",") inserted first.
inline std::string Jwk(const PKey& k, const std::string& extra = "") {
  if (EVP_PKEY_is_a(k.get(), "RSA"))
    return "{" + extra + "\"kty\":\"RSA\",\"n\":\"" + B64(BnParam(k, OSSL_PKEY_PARAM_RSA_N)) +
           "\",\"e\":\"" + B64(BnParam(k, OSSL_PKEY_PARAM_RSA_E)) + "\"}";
  unsigned char point[65];
  size_t len = 0;
  EVP_PKEY_get_octet_string_param(k.get(), OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point, &len);
  std::string p(reinterpret_cast<char*>(point), len);
  return "{" + extra + "\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" + B64(p.substr(1, 32)) +
         "\",\"y\":\"" + B64(p.substr(33, 32)) + "\"}";
}

// "header.payload" signed with HS256 under `secret`.
inline std::string Hs256(const std::string& secret, const std::string& input) {
  unsigned char mac[32];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len);
  return std::string(reinterpret_cast<char*>(mac), len);
}

// A signature of `input` by key `k` (RSA PKCS#1 v1.5 or ECDSA as R || S).
inline std::string Sign(const PKey& k, const std::string& input) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t n = 0;
  EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, k.get());
  EVP_DigestSign(ctx, nullptr, &n, reinterpret_cast<const unsigned char*>(input.data()),
                 input.size());
  std::string sig(n, '\0');
  EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &n,
                 reinterpret_cast<const unsigned char*>(input.data()), input.size());
  sig.resize(n);
  EVP_MD_CTX_free(ctx);
  if (EVP_PKEY_is_a(k.get(), "RSA")) return sig;
  const auto* p = reinterpret_cast<const unsigned char*>(sig.data());
  ECDSA_SIG* es = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
  std::string raw(64, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(es), reinterpret_cast<unsigned char*>(raw.data()), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(es), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
  ECDSA_SIG_free(es);
  return raw;
}

// A compact JWS of `payload` (JSON) with `header` (JSON), signed by
// `sign(input)`.
template <class SignFn>
std::string Token(const std::string& header, const std::string& payload, SignFn sign) {
  std::string input = B64(header) + "." + B64(payload);
  return input + "." + B64(sign(input));
}

inline std::string HsToken(const std::string& secret, const std::string& payload,
                           const std::string& header = R"({"alg":"HS256","typ":"JWT"})") {
  return Token(header, payload, [&](const std::string& in) { return Hs256(secret, in); });
}

inline std::string KeyToken(const PKey& k, const std::string& alg, const std::string& payload,
                            const std::string& kid = "") {
  std::string header =
      "{\"alg\":\"" + alg + "\"" + (kid.empty() ? "" : ",\"kid\":\"" + kid + "\"") + "}";
  return Token(header, payload, [&](const std::string& in) { return Sign(k, in); });
}

}  // namespace sluice::host::jwt_test

#endif  // SLUICE_HOST_TESTS_JWT_MINT_H_
