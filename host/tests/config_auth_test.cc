// The config's access rules (endpoints[].access) and auth section (keys,
// JWT): every setting read, and the problems naming the entry.
#include <gtest/gtest.h>

#include <string>

#include "config/config.h"
#include "tests/config_test_util.h"

namespace sluice::host::config_test {
namespace {

TEST(ConfigAuthTest, EverySettingIsRead) {
  Config c;
  ASSERT_TRUE(Parse(std::string(kBase) + R"(    access:
      - { roles: [admin] }
      - roles: customer
        row_filter: { customer_id: "$claims.sub", total: { $gte: 10 }, tags: [a, "1"] }
        fields: [trip_id, total]
api:
  rest: { port: 0, api_keys: [data-1], admin_keys: admin-1 }
auth:
  keys:
    - { name: ops, key_file: keys/ops.key, roles: [admin, "sluice:metrics"] }
    - { name: c7, key: key-of-c7, claims: { sub: "7", n: 7 } }
  jwt:
    keys: [{ file: jwt/hs.key, alg: HS256, kid: a }, { jwks_file: /etc/jwks.json }]
    issuer: https://auth.example/
    audience: sluice
    clock_skew_s: 5
    roles_claim: scope
    require_exp: false
  anonymous_roles: [public]
  anonymous_admin: true
  rate_limits:
    - { by: address, per_second: 0.5, burst: 3 }
    - { by: claim.tenant, per_second: 100, burst: 100, endpoint: trips }
)",
                    &c)
                  .ok());
  const AuthConfig& a = c.auth;
  ASSERT_EQ(a.keys.size(), 4u);  // the api instance's keys first (read before auth)
  EXPECT_EQ(a.keys[0].name, "api.rest.api_keys.0");
  EXPECT_EQ(a.keys[0].key, "data-1");
  EXPECT_TRUE(a.keys[0].roles.empty());
  EXPECT_EQ(a.keys[1].name, "api.rest.admin_keys.0");
  EXPECT_EQ(a.keys[1].roles, std::vector<std::string>{"admin"});
  EXPECT_EQ(a.keys[2].key_file, "/srv/taxi/keys/ops.key");
  EXPECT_EQ(a.keys[2].roles, (std::vector<std::string>{"admin", "sluice:metrics"}));
  EXPECT_EQ(a.keys[3].claims_json, R"({"sub":"7","n":7})");
  EXPECT_EQ(a.keys[3].where, "/srv/taxi/sluice.yaml:18:7: auth.keys[1]");
  EXPECT_FALSE(c.apis[0].options.Has("api_keys.0"));  // credentials of the host, not options
  EXPECT_FALSE(c.apis[0].options.Has("admin_keys"));
  ASSERT_EQ(a.jwt.keys.size(), 2u);
  EXPECT_EQ(a.jwt.keys[0].file, "/srv/taxi/jwt/hs.key");
  EXPECT_EQ(a.jwt.keys[0].kid, "a");
  EXPECT_EQ(a.jwt.keys[1].jwks_file, "/etc/jwks.json");
  EXPECT_EQ(a.jwt.issuer, "https://auth.example/");
  EXPECT_EQ(a.jwt.audience, "sluice");
  EXPECT_EQ(a.jwt.clock_skew_s, 5u);
  EXPECT_EQ(a.jwt.roles_claim, "scope");
  EXPECT_FALSE(a.jwt.require_exp);
  EXPECT_EQ(a.anonymous_roles, std::vector<std::string>{"public"});
  EXPECT_TRUE(a.anonymous_admin);
  ASSERT_EQ(a.rate_limits.size(), 2u);
  EXPECT_EQ(a.rate_limits[0].per_second, 0.5);
  EXPECT_EQ(a.rate_limits[1].by, RateLimitConfig::By::kClaim);
  EXPECT_EQ(a.rate_limits[1].claim, "tenant");
  EXPECT_EQ(a.rate_limits[1].endpoint, "trips");
  const auto& rules = c.endpoints[0].access;
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(rules[1].roles, std::vector<std::string>{"customer"});
  EXPECT_EQ(rules[1].row_filter_json,
            R"({"customer_id":"$claims.sub","total":{"$gte":10},"tags":["a","1"]})");
  EXPECT_EQ(rules[1].fields, (std::vector<std::string>{"trip_id", "total"}));
}

TEST(ConfigAuthTest, ProblemsNameTheEntry) {
  EXPECT_EQ(Problem("auth:\n  keys:\n    - { name: a, key: k1, key_file: f }\n"),
            "sluice.yaml:3:7: auth.keys[0]: give either key or key_file, not both");
  EXPECT_EQ(Problem("auth:\n  keys:\n    - { name: a, key: 'has space' }\n"),
            "sluice.yaml:3:23: auth.keys[0].key: expected a key of 1 to 256 printable ASCII "
            "characters without spaces, found 9 characters that do not qualify; generate one "
            "with e.g. `openssl rand -hex 32`");
  EXPECT_EQ(Problem("api:\n  rest: { api_keys: [ok-key, 'bad key'] }\n"),
            "sluice.yaml:2:30: api.rest.api_keys.1: expected a key of 1 to 256 printable ASCII "
            "characters without spaces, found 7 characters that do not qualify; generate one with "
            "e.g. `openssl rand -hex 32`");
  EXPECT_EQ(Problem("api:\n  rest: { api_keys: [same], admin_keys: [same] }\n"),
            "sluice.yaml:2:42: api.rest.admin_keys.0: the same key as api.rest.api_keys.0; every "
            "key must differ");
  EXPECT_EQ(Problem("auth:\n  keys: [{ name: a, key: k, roles: [\"no spaces\"] }]\n"),
            "sluice.yaml:2:36: auth.keys[0].roles[0]: expected a role name of letters, digits "
            "and _ . : / -, found \"no spaces\"");
  EXPECT_EQ(Problem("auth:\n  jwt: { keys: [{ file: k, alg: RS265 }] }\n"),
            "sluice.yaml:2:33: auth.jwt.keys[0].alg: expected HS256, RS256 or ES256, found "
            "\"RS265\" (did you mean \"RS256\"?)");
  EXPECT_EQ(Problem("auth:\n  jwt: { keys: [{ file: k }] }\n"),
            "sluice.yaml:2:17: auth.jwt.keys[0]: missing alg: the algorithm of this key (HS256, "
            "RS256 or ES256)");
  EXPECT_EQ(
      Problem(std::string(kBase) +
              "auth:\n  rate_limits: [{ by: ip, per_second: 0, burst: 1, endpoint: trip }]\n"),
      "sluice.yaml:9:23: auth.rate_limits[0].by: expected address, principal, all or "
      "claim.NAME (e.g. claim.sub), found \"ip\"\n"
      "sluice.yaml:9:39: auth.rate_limits[0].per_second: expected a number of requests per "
      "second from 0.001 to 1000000000, found \"0\"\n"
      "sluice.yaml:9:62: auth.rate_limits[0].endpoint: unknown endpoint \"trip\" (did you "
      "mean \"trips\"?); endpoints: trips");
  EXPECT_EQ(Problem(std::string(kBase) + "    access: [{ roles: [reader] }]\n"),
            "sluice.yaml:8:13: endpoints[0].access: access rules need credentials: configure "
            "auth.keys or auth.jwt (without any, every caller reads everything)");
  EXPECT_EQ(Problem(std::string(kBase) +
                    "    access: { row_filter: [1] }\nauth: { keys: [{ name: a, key: k }] }\n"),
            "sluice.yaml:8:27: endpoints[0].access.row_filter: expected a $filter object like { "
            "customer_id: \"$claims.sub\" }, found a list");
}

}  // namespace
}  // namespace sluice::host::config_test
