// The JWT verifier (host/access/jwt.h) and its keys: good tokens of each
// algorithm, expiry and nbf with the clock skew, issuer and audience, alg
// none and alg confusion, bad signatures, kid selection, malformed tokens,
// key files and JWKS files including a rotation.
#include "access/jwt.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "access/base64url.h"
#include "tests/jwt_mint.h"

namespace sluice::host {
namespace {

using namespace jwt_test;

const std::string kSecret = "0123456789abcdef0123456789abcdef";  // 32 bytes
constexpr int64_t kNow = 1700000000;

std::string Payload(const std::string& extra = "") {
  return "{\"sub\":\"alice\",\"exp\":" + std::to_string(kNow + 600) + extra + "}";
}

JwtKey HsKey(const std::string& secret = kSecret, const std::string& kid = "") {
  JwtKey k;
  k.alg = "HS256", k.secret = secret, k.kid = kid;
  return k;
}

JwtKey PemKey(const PKey& pair, const std::string& alg, const std::string& kid = "") {
  JwtKey k;
  Status s = ParsePemKey(PublicPem(pair), alg, "test", &k);
  EXPECT_TRUE(s.ok()) << s.ToString();
  k.kid = kid;
  return k;
}

JwtVerifier Verifier(std::vector<JwtKey> keys, JwtConfig c = JwtConfig()) {
  return JwtVerifier(std::move(c), std::move(keys));
}

// The message of a refusal ("" when the token verifies).
std::string Refusal(const JwtVerifier& v, const std::string& token, int64_t now = kNow) {
  VerifiedToken t;
  Status s = v.Verify(token, now, &t);
  if (!s.ok()) { EXPECT_EQ(s.code(), Code::kUnauthenticated) << s.ToString(); }
  return s.message();
}

TEST(Base64Url, RoundTripsAndRefusesOtherAlphabets) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (size_t n = 0; n < 8; ++n) {
    std::string enc, dec;
    Base64UrlEncode(all.substr(0, n), &enc);
    EXPECT_EQ(enc.find('='), std::string::npos);
    ASSERT_TRUE(Base64UrlDecode(enc, &dec));
    EXPECT_EQ(dec, all.substr(0, n));
  }
  std::string enc, dec;
  Base64UrlEncode(all, &enc);
  ASSERT_TRUE(Base64UrlDecode(enc, &dec));
  EXPECT_EQ(dec, all);
  EXPECT_FALSE(Base64UrlDecode("ab+/", &dec));   // standard alphabet
  EXPECT_FALSE(Base64UrlDecode("YQ==", &dec));   // padding
  EXPECT_FALSE(Base64UrlDecode("abcde", &dec));  // impossible length
}

TEST(Jwt, Hs256TokenVerifiesWithSubjectAndRoles) {
  JwtVerifier v = Verifier({HsKey()});
  VerifiedToken t;
  std::string token = HsToken(kSecret, Payload(R"(,"roles":["reader","customer"])"));
  ASSERT_TRUE(v.Verify(token, kNow, &t).ok()) << Refusal(v, token);
  EXPECT_EQ(t.subject, "alice");
  EXPECT_EQ(t.roles, (std::vector<std::string>{"reader", "customer"}));
  EXPECT_NE(t.claims_json.find("\"sub\":\"alice\""), std::string::npos);
  JwtConfig scope;
  scope.roles_claim = "scope";
  JwtVerifier s = Verifier({HsKey()}, scope);
  ASSERT_TRUE(s.Verify(HsToken(kSecret, Payload(R"(,"scope":"a  b c")")), kNow, &t).ok());
  EXPECT_EQ(t.roles, (std::vector<std::string>{"a", "b", "c"}));
}

TEST(Jwt, Rs256AndEs256TokensVerify) {
  PKey rsa = NewRsa(), ec = NewEc();
  JwtVerifier v = Verifier({PemKey(rsa, "RS256"), PemKey(ec, "ES256")});
  EXPECT_EQ(Refusal(v, KeyToken(rsa, "RS256", Payload())), "");
  EXPECT_EQ(Refusal(v, KeyToken(ec, "ES256", Payload())), "");
  // A key of another pair does not verify.
  EXPECT_EQ(Refusal(v, KeyToken(NewEc(), "ES256", Payload())),
            "token refused: the signature does not verify");
}

TEST(Jwt, ExpiryAndNotBeforeWithClockSkew) {
  JwtConfig c;
  c.clock_skew_s = 30;
  JwtVerifier v = Verifier({HsKey()}, c);
  std::string expired = HsToken(kSecret, "{\"exp\":" + std::to_string(kNow - 31) + "}");
  EXPECT_EQ(Refusal(v, expired),
            "token refused: it expired at 1699999969 (now 1700000000, clock skew 30 s)");
  EXPECT_EQ(Refusal(v, HsToken(kSecret, "{\"exp\":" + std::to_string(kNow - 29) + "}")), "");
  std::string early = Payload(",\"nbf\":" + std::to_string(kNow + 31));
  EXPECT_EQ(Refusal(v, HsToken(kSecret, early)),
            "token refused: it is not valid before 1700000031 (now 1700000000, clock skew 30 s)");
  EXPECT_EQ(Refusal(v, HsToken(kSecret, Payload(",\"nbf\":" + std::to_string(kNow + 29)))), "");
  EXPECT_EQ(Refusal(v, HsToken(kSecret, R"({"sub":"x"})")),
            "token refused: it has no exp (expiry)");
  EXPECT_EQ(Refusal(v, HsToken(kSecret, R"({"exp":"soon"})")),
            "token refused: exp and nbf must be numbers (seconds since 1970)");
  c.require_exp = false;
  EXPECT_EQ(Refusal(Verifier({HsKey()}, c), HsToken(kSecret, R"({"sub":"x"})")), "");
}

TEST(Jwt, IssuerAndAudience) {
  JwtConfig c;
  c.issuer = "https://auth.example/";
  c.audience = "sluice";
  JwtVerifier v = Verifier({HsKey()}, c);
  std::string good = R"(,"iss":"https://auth.example/","aud":"sluice")";
  EXPECT_EQ(Refusal(v, HsToken(kSecret, Payload(good))), "");
  EXPECT_EQ(Refusal(v, HsToken(kSecret,
                               Payload(R"(,"iss":"https://auth.example/","aud":["x","sluice"])"))),
            "");
  EXPECT_EQ(
      Refusal(v, HsToken(kSecret, Payload(R"(,"iss":"https://evil.example/","aud":"sluice")"))),
      "token refused: its issuer (iss) is not the configured one");
  EXPECT_EQ(Refusal(v, HsToken(kSecret, Payload(R"(,"aud":"sluice")"))),
            "token refused: its issuer (iss) is not the configured one");
  EXPECT_EQ(
      Refusal(v, HsToken(kSecret, Payload(R"(,"iss":"https://auth.example/","aud":["other"])"))),
      "token refused: its audience (aud) does not name this server");
  EXPECT_EQ(Refusal(v, HsToken(kSecret, Payload(R"(,"iss":"https://auth.example/")"))),
            "token refused: its audience (aud) does not name this server");
}

TEST(Jwt, AlgNoneAndUnsupportedAlgsAreRefused) {
  PKey rsa = NewRsa();
  JwtVerifier v = Verifier({HsKey(), PemKey(rsa, "RS256")});
  std::string unsigned_token = B64(R"({"alg":"none"})") + "." + B64(Payload()) + ".";
  EXPECT_EQ(Refusal(v, unsigned_token),
            "token refused: alg none (an unsigned token) is never accepted");
  std::string with_sig = B64(R"({"alg":"none"})") + "." + B64(Payload()) + "." + B64("x");
  EXPECT_EQ(Refusal(v, with_sig), "token refused: alg none (an unsigned token) is never accepted");
  EXPECT_EQ(Refusal(v, HsToken(kSecret, Payload(), R"({"alg":"HS512"})")),
            "token refused: alg HS512 is not supported (HS256, RS256 and ES256 are)");
  EXPECT_EQ(Refusal(v, HsToken(kSecret, Payload(), R"({"typ":"JWT"})")),
            "token refused: its header has no \"alg\"");
}

TEST(Jwt, AlgConfusionCannotTurnAPublicKeyIntoAnHmacSecret) {
  PKey rsa = NewRsa();
  std::string pem = PublicPem(rsa);
  // Only an RSA key: an HS256 token signed with its public PEM finds no key.
  JwtVerifier rsa_only = Verifier({PemKey(rsa, "RS256")});
  EXPECT_EQ(Refusal(rsa_only, HsToken(pem, Payload())),
            "token refused: no configured key verifies HS256 tokens");
  // With an HMAC key too, the RSA key is still never used as a secret.
  JwtVerifier both = Verifier({HsKey(), PemKey(rsa, "RS256")});
  EXPECT_EQ(Refusal(both, HsToken(pem, Payload())), "token refused: the signature does not verify");
  // An RS256 header over an HMAC signature fails too.
  std::string forged = Token(R"({"alg":"RS256"})", Payload(),
                             [&](const std::string& in) { return Hs256(kSecret, in); });
  EXPECT_EQ(Refusal(both, forged), "token refused: the signature does not verify");
}

TEST(Jwt, BadSignaturesAreRefused) {
  PKey rsa = NewRsa(), ec = NewEc();
  JwtVerifier v = Verifier({HsKey(), PemKey(rsa, "RS256"), PemKey(ec, "ES256")});
  for (std::string token : {HsToken(kSecret, Payload()), KeyToken(rsa, "RS256", Payload()),
                            KeyToken(ec, "ES256", Payload())}) {
    ASSERT_EQ(Refusal(v, token), "");
    // Another payload under the same signature.
    size_t a = token.find('.'), b = token.rfind('.');
    std::string swapped =
        token.substr(0, a + 1) + B64(Payload(R"(,"roles":["admin"])")) + token.substr(b);
    EXPECT_EQ(Refusal(v, swapped), "token refused: the signature does not verify");
    // A flipped bit in the signature.
    std::string sig;
    ASSERT_TRUE(Base64UrlDecode(token.substr(b + 1), &sig));
    sig[sig.size() / 2] ^= 1;
    EXPECT_EQ(Refusal(v, token.substr(0, b + 1) + B64(sig)),
              "token refused: the signature does not verify");
  }
  EXPECT_EQ(Refusal(v, HsToken("another secret of 32 bytes, or so", Payload())),
            "token refused: the signature does not verify");
}

TEST(Jwt, KidSelectsTheKey) {
  PKey a = NewEc(), b = NewEc();
  JwtVerifier v = Verifier({PemKey(a, "ES256", "a"), PemKey(b, "ES256", "b")});
  EXPECT_EQ(Refusal(v, KeyToken(b, "ES256", Payload(), "b")), "");
  EXPECT_EQ(Refusal(v, KeyToken(b, "ES256", Payload(), "a")),
            "token refused: the signature does not verify");
  EXPECT_EQ(Refusal(v, KeyToken(b, "ES256", Payload(), "c")),
            "token refused: no configured key verifies ES256 tokens with kid \"c\"");
  EXPECT_EQ(Refusal(v, KeyToken(b, "ES256", Payload())), "");  // no kid: every ES256 key is tried
}

TEST(Jwt, MalformedTokensAreRefused) {
  JwtVerifier v = Verifier({HsKey()});
  std::string good = HsToken(kSecret, Payload());
  EXPECT_EQ(Refusal(v, "a.b"),
            "token refused: it is not a JWS in compact form (header.payload.signature)");
  EXPECT_EQ(Refusal(v, good + ".x"),
            "token refused: it is not a JWS in compact form (header.payload.signature)");
  EXPECT_EQ(Refusal(v, "a+b.c.d"), "token refused: a segment is not base64url");
  EXPECT_EQ(Refusal(v, B64("[1]") + "." + B64(Payload()) + ".xx"),
            "token refused: its header is not a JSON object");
  EXPECT_EQ(Refusal(v, HsToken(kSecret, "{\"exp\":1,\"exp\":" + std::to_string(kNow + 60) + "}")),
            "token refused: its payload names \"exp\" twice");
  EXPECT_EQ(Refusal(v, HsToken(kSecret, Payload(), R"({"alg":"HS256","crit":["b64"]})")),
            "token refused: its header lists critical extensions (crit), which are not supported");
  EXPECT_TRUE(JwtVerifier::LooksLikeJwt(good));
  EXPECT_FALSE(JwtVerifier::LooksLikeJwt("3f1c9a7e"));
}

class KeyFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("sluice-jwt-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return dir_ / name;
  }
  std::filesystem::path dir_;
};

TEST_F(KeyFiles, KeyFilesOfEachAlgorithm) {
  PKey rsa = NewRsa(), ec = NewEc();
  JwtConfig c;
  c.keys = {{Write("hs", kSecret + "\n"), "HS256", "", {}, "hs"},
            {Write("rs.pem", PublicPem(rsa)), "RS256", "", {}, "rs"},
            {Write("es.pem", PublicPem(ec)), "ES256", "e1", {}, "es"}};
  std::vector<JwtKey> keys;
  std::vector<std::string> warnings;
  Status s = LoadJwtKeys(c, &keys, &warnings);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(keys.size(), 3u);
  EXPECT_EQ(keys[0].secret, kSecret);  // the trailing newline is not part of it
  EXPECT_EQ(keys[2].kid, "e1");
  JwtVerifier v(c, keys);
  EXPECT_EQ(Refusal(v, HsToken(kSecret, Payload())), "");
  EXPECT_EQ(Refusal(v, KeyToken(rsa, "RS256", Payload())), "");
  EXPECT_EQ(Refusal(v, KeyToken(ec, "ES256", Payload(), "e1")), "");
}

TEST_F(KeyFiles, UnusableKeyFilesAreRefusedNamingTheEntry) {
  std::vector<JwtKey> keys;
  std::vector<std::string> w;
  auto load = [&](JwtKeyConfig k) {
    JwtConfig c;
    c.keys = {std::move(k)};
    return LoadJwtKeys(c, &keys, &w).message();
  };
  EXPECT_NE(load({Write("short", "too short"), "HS256", "", {}, "auth.jwt.keys[0]"})
                .find("auth.jwt.keys[0] (" + (dir_ / "short").string() +
                      "): an HS256 secret needs at least 32 bytes, found 9"),
            std::string::npos);
  EXPECT_NE(load({Write("ec.pem", PublicPem(NewEc())), "RS256", "", {}, "k"})
                .find("RS256 needs an RSA key"),
            std::string::npos);
  EXPECT_NE(load({Write("p384.pem", PublicPem(NewEc("P-384"))), "ES256", "", {}, "k"})
                .find("ES256 needs an EC key on curve P-256, found curve secp384r1"),
            std::string::npos);
  EXPECT_NE(load({Write("small.pem", PublicPem(NewRsa(1024))), "RS256", "", {}, "k"})
                .find("the RSA key has 1024 bits; RS256 keys need at least 2048"),
            std::string::npos);
  EXPECT_NE(
      load({Write("junk.pem", "junk"), "RS256", "", {}, "k"}).find("expected a PEM public key"),
      std::string::npos);
  EXPECT_NE(load({dir_ / "missing", "HS256", "", {}, "k"}).find("missing"), std::string::npos);
}

TEST_F(KeyFiles, JwksKeysAndSkippedEntries) {
  PKey rsa = NewRsa(), ec = NewEc();
  std::string jwks = "{\"keys\":[" + Jwk(rsa, "\"kid\":\"r\",\"use\":\"sig\",") + "," +
                     Jwk(ec, "\"kid\":\"e\",\"alg\":\"ES256\",") + "," +
                     "{\"kty\":\"oct\",\"kid\":\"h\",\"k\":\"" + B64(kSecret) + "\"}," +
                     Jwk(NewRsa(), "\"alg\":\"RS384\",") + "," + Jwk(NewRsa(), "\"use\":\"enc\",") +
                     ",{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"AA\"}]}";
  std::vector<JwtKey> keys;
  std::vector<std::string> warnings;
  Status s = ParseJwks(jwks, "jwks", &keys, &warnings);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(keys.size(), 3u);
  ASSERT_EQ(warnings.size(), 3u);
  EXPECT_EQ(
      warnings[0],
      "jwks keys[3] skipped: alg RS384 is not supported (this RSA key could only serve RS256)");
  EXPECT_EQ(warnings[1], "jwks keys[4] skipped: use \"enc\" (only \"sig\" keys verify tokens)");
  EXPECT_EQ(warnings[2], "jwks keys[5] skipped: key type \"OKP\" is not supported");
  JwtVerifier v(JwtConfig(), keys);
  EXPECT_EQ(Refusal(v, KeyToken(rsa, "RS256", Payload(), "r")), "");
  EXPECT_EQ(Refusal(v, KeyToken(ec, "ES256", Payload(), "e")), "");
  EXPECT_EQ(Refusal(v, HsToken(kSecret, Payload(), R"({"alg":"HS256","kid":"h"})")), "");
  EXPECT_EQ(ParseJwks("{\"keys\":[]}", "jwks", &keys, &warnings).message(),
            "jwks: no usable key (HS256, RS256 or ES256) among 0");
  EXPECT_EQ(ParseJwks("[]", "jwks", &keys, &warnings).message(),
            "jwks: expected a JSON Web Key Set {\"keys\": [...]}");
  std::string off_curve = "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" +
                          B64(std::string(32, '\1')) + "\",\"y\":\"" + B64(std::string(32, '\2')) +
                          "\"}]}";
  EXPECT_FALSE(ParseJwks(off_curve, "jwks", &keys, &warnings).ok());
}

// Some JWK writers drop a coordinate's leading zero bytes (Debian's PyJWT
// does): the same point, so it is accepted.
TEST(JwksTest, EcCoordinatesWithoutLeadingZerosAreTheSamePoint) {
  for (int attempt = 0; attempt < 5000; ++attempt) {
    PKey ec = NewEc();
    unsigned char point[65];
    size_t len = 0;
    ASSERT_EQ(EVP_PKEY_get_octet_string_param(ec.get(), OSSL_PKEY_PARAM_PUB_KEY, point,
                                              sizeof point, &len),
              1);
    if (point[1] != 0) continue;  // x starts with a zero byte about once in 256 keys
    std::string p(reinterpret_cast<char*>(point), len);
    std::string jwks = "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"e\",\"x\":\"" +
                       B64(p.substr(2, 31)) + "\",\"y\":\"" + B64(p.substr(33, 32)) + "\"}]}";
    std::vector<JwtKey> keys;
    std::vector<std::string> warnings;
    Status s = ParseJwks(jwks, "jwks", &keys, &warnings);
    ASSERT_TRUE(s.ok()) << s.ToString();
    JwtVerifier v(JwtConfig(), keys);
    EXPECT_EQ(Refusal(v, KeyToken(ec, "ES256", Payload(), "e")), "");
    return;
  }
  FAIL() << "no key with a leading zero byte in x among 5000";
}

TEST_F(KeyFiles, JwksRotationTakesEffectWhenReloaded) {
  PKey old_key = NewRsa(), new_key = NewRsa();
  JwtConfig c;
  c.keys = {{{},
             "",
             "",
             Write("jwks.json", "{\"keys\":[" + Jwk(old_key, "\"kid\":\"1\",") + "]}"),
             "auth.jwt.keys[0]"}};
  auto load = [&] {
    std::vector<JwtKey> keys;
    std::vector<std::string> w;
    EXPECT_TRUE(LoadJwtKeys(c, &keys, &w).ok());
    return JwtVerifier(c, keys);
  };
  JwtVerifier before = load();
  std::string old_token = KeyToken(old_key, "RS256", Payload(), "1");
  std::string new_token = KeyToken(new_key, "RS256", Payload(), "2");
  EXPECT_EQ(Refusal(before, old_token), "");
  EXPECT_NE(Refusal(before, new_token), "");
  Write("jwks.json", "{\"keys\":[" + Jwk(new_key, "\"kid\":\"2\",") + "]}");
  JwtVerifier after = load();
  EXPECT_EQ(Refusal(after, new_token), "");
  EXPECT_EQ(Refusal(after, old_token),
            "token refused: no configured key verifies RS256 tokens with kid \"1\"");
}

}  // namespace
}  // namespace sluice::host
