// The host's access model (host/access/policy.h, restriction.h): who a
// credential makes a request act for, what each principal may do, and row
// filters and field lists applied by the query engine.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "access/policy.h"
#include "access/restriction.h"
#include "query/query_plan.h"
#include "tests/jwt_mint.h"
#include "tests/query_test_util.h"

namespace sluice::host {
namespace {

using namespace query_test;

const std::string kSecret = "0123456789abcdef0123456789abcdef";

Config ParseOrDie(const std::string& yaml) {
  Config c;
  Status s = ParseConfig(yaml, "/srv/sluice.yaml", &c);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return c;
}

std::shared_ptr<const AccessPolicy> Build(const Config& c) {
  std::shared_ptr<const AccessPolicy> p;
  std::vector<std::string> warnings;
  Status s = AccessPolicy::Build(c, &p, &warnings);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return p;
}

const char* const kEndpoints = R"(connections: [{ name: files, plugin: csv }]
endpoints:
  - name: orders
    connection: files
    index: { primary_key: [order_id], secondary: [[customer_id]] }
    access:
      - { roles: [admin, analyst] }
      - roles: [customer]
        row_filter: { customer_id: "$claims.sub" }
        fields: [order_id, customer_id, total]
  - name: zones
    connection: files
    index: { primary_key: [zone] }
  - name: public
    connection: files
    index: { primary_key: [id] }
    access: [{ roles: [public] }, { roles: [] }]
)";

class PolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("sluice-policy-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "hs.key") << kSecret << "\n";
    std::ofstream(dir_ / "ops.key") << "ops-key-from-file\n";
    config_ = ParseOrDie(std::string(kEndpoints) + R"(api:
  rest: { api_keys: [legacy-data], admin_keys: [legacy-admin] }
auth:
  keys:
    - { name: analyst, key: analyst-key, roles: [analyst] }
    - { name: ops, key_file: )" +
                         (dir_ / "ops.key").string() +
                         R"(, roles: [admin] }
    - { name: c7, key: customer-7-key, roles: [customer], claims: { sub: 7 } }
    - { name: scraper, key: scrape-key, roles: [metrics] }
  jwt: { keys: [{ file: )" +
                         (dir_ / "hs.key").string() +
                         R"(, alg: HS256 }], audience: sluice }
  anonymous_roles: [public]
)");
    policy_ = Build(config_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::shared_ptr<const Principal> As(Credential::Kind kind, std::string_view token,
                                      Status* status = nullptr) {
    std::shared_ptr<const Principal> p;
    Status s = policy_->Authenticate({kind, token, false}, now_, &p);
    if (status != nullptr) *status = s;
    else EXPECT_TRUE(s.ok()) << s.ToString();
    return p;
  }
  std::string Token(const std::string& claims) {
    return jwt_test::HsToken(
        kSecret, "{\"aud\":\"sluice\",\"exp\":" + std::to_string(now_ + 60) + claims + "}");
  }
  std::string GrantOf(const Principal& p, const char* endpoint) {
    const AccessRuleConfig* rule = nullptr;
    Status s = policy_->Grant(p, endpoint, &rule);
    if (!s.ok()) return CodeName(s.code());
    return rule == nullptr ? "all" : "rule " + rule->where.substr(rule->where.rfind(' ') + 1);
  }

  std::filesystem::path dir_;
  Config config_;
  std::shared_ptr<const AccessPolicy> policy_;
  int64_t now_ = 1700000000;
};

TEST_F(PolicyTest, CredentialsMakePrincipals) {
  auto anon = As(Credential::Kind::kNone, "");
  EXPECT_EQ(anon->cls, PrincipalClass::kAnonymous);
  EXPECT_EQ(anon->roles, std::vector<std::string>{"public"});
  auto ops = As(Credential::Kind::kApiKey, "ops-key-from-file");
  EXPECT_EQ(ops->name, "ops");
  EXPECT_TRUE(ops->HasRole("admin"));
  EXPECT_EQ(ops->claims_json, R"({"sub":"ops"})");
  EXPECT_EQ(As(Credential::Kind::kBearer, "customer-7-key")->claims_json, R"({"sub":7})");
  auto legacy = As(Credential::Kind::kBearer, "legacy-admin");
  EXPECT_EQ(legacy->name, "api.rest.admin_keys.0");
  EXPECT_TRUE(legacy->HasRole("admin"));
  auto token = As(Credential::Kind::kBearer, Token(R"(,"sub":"9","roles":["customer"])"));
  EXPECT_EQ(token->cls, PrincipalClass::kToken);
  EXPECT_EQ(token->name, "9");
  Status s;
  As(Credential::Kind::kApiKey, "nope", &s);
  EXPECT_EQ(s.message(), "the API key sent is not accepted");
  As(Credential::Kind::kBearer, "nope", &s);
  EXPECT_EQ(s.message(), "the bearer credential is neither an accepted API key nor a JWT");
  As(Credential::Kind::kApiKey, Token(""), &s);  // X-API-Key never takes a JWT
  EXPECT_EQ(s.code(), Code::kUnauthenticated);
  As(Credential::Kind::kBearer, Token(R"(,"aud":"other")"), &s);
  EXPECT_EQ(s.code(), Code::kUnauthenticated);
}

TEST_F(PolicyTest, WhatEachPrincipalMayDo) {
  auto anon = As(Credential::Kind::kNone, "");
  auto analyst = As(Credential::Kind::kApiKey, "analyst-key");
  auto ops = As(Credential::Kind::kApiKey, "ops-key-from-file");
  auto customer = As(Credential::Kind::kApiKey, "customer-7-key");
  auto scraper = As(Credential::Kind::kApiKey, "scrape-key");
  auto data = As(Credential::Kind::kApiKey, "legacy-data");
  EXPECT_EQ(GrantOf(*anon, "orders"), "permission_denied");
  EXPECT_EQ(GrantOf(*anon, "zones"), "permission_denied");  // no rule names an anonymous role
  EXPECT_EQ(GrantOf(*anon, "public"), "all");
  EXPECT_EQ(GrantOf(*analyst, "orders"), "all");
  EXPECT_EQ(GrantOf(*ops, "orders"), "all");
  EXPECT_EQ(GrantOf(*customer, "orders"), "rule endpoints[0].access[1]");
  EXPECT_EQ(GrantOf(*data, "orders"), "permission_denied");
  EXPECT_EQ(GrantOf(*data, "zones"), "all");   // no rules: any credential
  EXPECT_EQ(GrantOf(*data, "public"), "all");  // rule without roles: any credential
  const AccessRuleConfig* rule = nullptr;
  EXPECT_EQ(policy_->Grant(*data, "orders", &rule).message(),
            "key \"api.rest.api_keys.0\" may not read endpoint orders: it needs one of the roles "
            "admin, analyst, customer");
  EXPECT_TRUE(policy_->MayAdmin(*ops).ok());
  EXPECT_TRUE(policy_->MayAdmin(*As(Credential::Kind::kApiKey, "legacy-admin")).ok());
  EXPECT_EQ(policy_->MayAdmin(*analyst).code(), Code::kPermissionDenied);
  EXPECT_EQ(policy_->MayAdmin(*anon).code(), Code::kUnauthenticated);
  EXPECT_TRUE(policy_->MayMetrics(*scraper).ok());
  EXPECT_TRUE(policy_->MayMetrics(*ops).ok());
  EXPECT_EQ(policy_->MayMetrics(*analyst).message(),
            "key \"analyst\" lacks the admin or metrics role that metrics need");
  EXPECT_EQ(policy_->MayMetrics(*anon).code(), Code::kUnauthenticated);
  std::shared_ptr<const Principal> local;
  ASSERT_TRUE(policy_->Authenticate({Credential::Kind::kNone, "", true}, now_, &local).ok());
  EXPECT_TRUE(policy_->MayAdmin(*local).ok());
  EXPECT_TRUE(policy_->MayMetrics(*local).ok());
  EXPECT_EQ(GrantOf(*local, "orders"), "permission_denied");  // the channel grants no data
}

TEST(Policy, WithoutCredentialsEverythingButAdminIsOpen) {
  Config c = ParseOrDie(std::string(R"(connections: [{ name: files, plugin: csv }]
endpoints: [{ name: zones, connection: files, index: { primary_key: [zone] } }]
)"));
  auto policy = Build(c);
  EXPECT_FALSE(policy->credentials_configured());
  std::shared_ptr<const Principal> anon;
  ASSERT_TRUE(policy->Authenticate({}, 0, &anon).ok());
  const AccessRuleConfig* rule = nullptr;
  EXPECT_TRUE(policy->Grant(*anon, "zones", &rule).ok());
  EXPECT_TRUE(policy->MayRead(*anon).ok());
  EXPECT_TRUE(policy->MayMetrics(*anon).ok());
  EXPECT_EQ(policy->MayAdmin(*anon).message(),
            "admin routes need a credential with the admin role, and none is configured: add a "
            "key with roles: [admin] to auth.keys, or set auth.anonymous_admin: true");
  c.auth.anonymous_admin = true;
  EXPECT_TRUE(Build(c)->MayAdmin(*anon).ok());
  // A key sent to a server without keys is not accepted either.
  EXPECT_EQ(policy->Authenticate({Credential::Kind::kApiKey, "x"}, 0, &anon).code(),
            Code::kUnauthenticated);
}

// A table of orders: order_id (key), customer_id (indexed), total, note.
TableSchema Orders() {
  TableSchema t;
  t.schema.fields = {{"order_id", Type::kInt64, false},
                     {"customer_id", Type::kInt64, false},
                     {"total", Type::kFloat64, true},
                     {"note", Type::kString, true}};
  t.schema.primary_key = {0};
  t.indexes = {{1}};
  return t;
}

class RestrictionTest : public PolicyTest {
 protected:
  void SetUp() override {
    PolicyTest::SetUp();
    std::vector<TRow> rows;
    for (int64_t id = 1; id <= 60; ++id)
      rows.push_back({I(id), I(id % 6), F(id * 1.5), S("note " + std::to_string(id))});
    cache_.Apply(rows);
  }
  std::shared_ptr<const Restriction> For(const std::shared_ptr<const Principal>& p) {
    const AccessRuleConfig* rule = nullptr;
    EXPECT_TRUE(policy_->Grant(*p, "orders", &rule).ok());
    std::shared_ptr<const Restriction> r;
    Status s = CompileRestriction(*rule, "orders", *p, cache_.table(), &r);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return r;
  }
  // Runs `json` as `r`'s principal; returns the order ids.
  std::vector<int64_t> Ids(const Restriction& r, const std::string& json,
                           QueryPlanInfo* info = nullptr) {
    Query q;
    Status s = cache_.Parse(json, &q);
    if (s.ok()) s = Restrict(r, cache_.schema(), &q);
    std::vector<TRow> rows;
    if (s.ok()) s = cache_.RunParsed(q, &rows, info);
    EXPECT_TRUE(s.ok()) << s.ToString();
    std::vector<int64_t> ids;
    for (const TRow& row : rows) ids.push_back(row[0].i);
    return ids;
  }
  CacheFixture cache_{Orders()};
};

TEST_F(RestrictionTest, RowFilterUsesTheIndexAndCannotBeWidened) {
  auto r = For(As(Credential::Kind::kApiKey, "customer-7-key"));  // sub 7: customer 1 (7 % 6)
  ASSERT_TRUE(r->filters);
  auto seven = For(As(Credential::Kind::kBearer, Token(R"(,"sub":1,"roles":["customer"])")));
  std::vector<int64_t> mine = {1, 7, 13, 19, 25, 31, 37, 43, 49, 55};
  QueryPlanInfo info;
  EXPECT_EQ(Ids(*seven, "{\"$limit\": 100}", &info), mine);
  EXPECT_EQ(info.plan, "index [customer_id] eq");
  EXPECT_EQ(info.examined, 10u);
  EXPECT_EQ(Ids(*seven, R"({"$filter": {"$or": [{"customer_id": 2}, {"order_id": {"$gte": 0}}]},
                              "$limit": 100})"),
            mine);
  EXPECT_EQ(Ids(*seven, R"({"$filter": {"$not": {"customer_id": 1}}})"), std::vector<int64_t>{});
  EXPECT_EQ(Ids(*seven, R"({"$filter": {"customer_id": 2}})"), std::vector<int64_t>{});
  EXPECT_EQ(
      Ids(*seven, R"({"$filter": {"order_id": {"$gt": 40}}, "$order_by": {"total": "desc"}})"),
      (std::vector<int64_t>{55, 49, 43}));
  // The key's claim sub is the number 7: customer 7 has no orders.
  EXPECT_EQ(Ids(*r, "{}"), std::vector<int64_t>{});
  // A JWT's sub is a string: compared with an int64 field it reads as the number.
  auto text_one = For(As(Credential::Kind::kBearer, Token(R"(,"sub":"1","roles":["customer"])")));
  EXPECT_EQ(Ids(*text_one, "{\"$limit\": 100}"), mine);
  Query q;
  ASSERT_TRUE(cache_.Parse("{}", &q).ok());
  ASSERT_TRUE(Restrict(*seven, cache_.schema(), &q).ok());
  uint64_t n = 0;
  ASSERT_TRUE(CountQuery(cache_.cache(), q, &n, nullptr).ok());
  EXPECT_EQ(n, 10u);
}

TEST_F(RestrictionTest, HiddenFieldsAreNullAndCannotBeQueried) {
  auto r = For(As(Credential::Kind::kBearer, Token(R"(,"sub":1,"roles":["customer"])")));
  ASSERT_TRUE(r->masks);
  EXPECT_TRUE(r->schema.fields[3].nullable);
  Query q;
  ASSERT_TRUE(cache_.Parse(R"({"$filter": {"note": "note 7"}})", &q).ok());
  EXPECT_EQ(Restrict(*r, cache_.schema(), &q).message(),
            "unknown field \"note\" in $filter; fields: order_id, customer_id, total");
  ASSERT_TRUE(cache_.Parse(R"({"$order_by": {"note": "asc"}})", &q).ok());
  EXPECT_EQ(Restrict(*r, cache_.schema(), &q).message(),
            "unknown field \"note\" in $order_by; fields: order_id, customer_id, total");
  std::vector<Value> decoded;
  std::string row = Encode(cache_.schema(), {I(7), I(1), F(2.5), S("secret")}), masked;
  ASSERT_EQ(DecodeRow(cache_.schema(), row, &decoded), "");
  ASSERT_TRUE(MaskRow(*r, decoded, &masked));
  EXPECT_TRUE(Decode(r->schema, masked) == (TRow{I(7), I(1), F(2.5), N()}));
  EXPECT_TRUE(Admits(*r, decoded));
  ASSERT_EQ(DecodeRow(cache_.schema(), Encode(cache_.schema(), {I(8), I(2), N(), N()}), &decoded),
            "");
  EXPECT_FALSE(Admits(*r, decoded));
}

TEST_F(RestrictionTest, MissingClaimsAndBadFiltersAreRefused) {
  auto no_sub = As(Credential::Kind::kBearer, Token(R"(,"roles":["customer"])"));
  const AccessRuleConfig* rule = nullptr;
  ASSERT_TRUE(policy_->Grant(*no_sub, "orders", &rule).ok());
  std::shared_ptr<const Restriction> r;
  Status s = CompileRestriction(*rule, "orders", *no_sub, cache_.table(), &r);
  EXPECT_EQ(s.message(),
            "endpoint orders admits this caller only with the claim \"sub\" (its row filter uses "
            "$claims.sub), which a token without sub does not carry");
  auto text_sub = As(Credential::Kind::kBearer, Token(R"(,"sub":"x1","roles":["customer"])"));
  s = CompileRestriction(*rule, "orders", *text_sub, cache_.table(), &r);
  EXPECT_EQ(s.code(), Code::kInternal);
  EXPECT_NE(s.message().find("field customer_id is int64, got string \"x1\""), std::string::npos);
  AccessRuleConfig nested;
  nested.row_filter_json = R"({"customer_id": {"$in": "$claims.org.customers"}})";
  auto org = As(Credential::Kind::kBearer, Token(R"(,"org":{"customers":[2,3]})"));
  ASSERT_TRUE(CompileRestriction(nested, "orders", *org, cache_.table(), &r).ok());
  EXPECT_EQ(Ids(*r, R"({"$limit": 3})"), (std::vector<int64_t>{2, 3, 8}));
}

}  // namespace
}  // namespace sluice::host
