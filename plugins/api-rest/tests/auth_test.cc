// API keys: where a request's key is read from, and which keys open which
// route classes.
#include "auth.h"

#include <gtest/gtest.h>

#include "rest_options.h"

namespace sluice::rest {
namespace {

using Key = std::optional<std::string_view>;

TEST(RequestKey, ReadsXApiKeyThenBearerToken) {
  EXPECT_EQ(RequestKey(Key("k1"), Key("Bearer k2")), Key("k1"));
  EXPECT_EQ(RequestKey(std::nullopt, Key("Bearer k2")), Key("k2"));
  EXPECT_EQ(RequestKey(std::nullopt, Key("bearer   k2 ")), Key("k2"));
  EXPECT_EQ(RequestKey(std::nullopt, Key("BEARER k2")), Key("k2"));
  EXPECT_EQ(RequestKey(Key(" k1 "), std::nullopt), Key("k1"));
}

TEST(RequestKey, OtherSchemesAndNothingAreNoKey) {
  EXPECT_EQ(RequestKey(std::nullopt, std::nullopt), std::nullopt);
  EXPECT_EQ(RequestKey(std::nullopt, Key("Basic dXNlcjpwYXNz")), std::nullopt);
  EXPECT_EQ(RequestKey(std::nullopt, Key("Bearer")), std::nullopt);
  EXPECT_EQ(RequestKey(std::nullopt, Key("Bearerx k")), std::nullopt);
}

RestOptions WithKeys(std::vector<std::string> data, std::vector<std::string> admin) {
  RestOptions o;
  o.api_keys = std::move(data);
  o.admin_keys = std::move(admin);
  return o;
}

Code CodeOf(const RestOptions& o, RouteAccess a, Key key) { return Authorize(o, a, key).code(); }

TEST(Authorize, NoKeysConfiguredOpensEverything) {
  RestOptions o;
  for (RouteAccess a :
       {RouteAccess::kOpen, RouteAccess::kData, RouteAccess::kAdmin, RouteAccess::kMetrics}) {
    EXPECT_EQ(CodeOf(o, a, std::nullopt), Code::kOk);
    EXPECT_EQ(CodeOf(o, a, Key("anything")), Code::kOk);
  }
}

TEST(Authorize, DataKeysGuardDataRoutesOnly) {
  RestOptions o = WithKeys({"data-1", "data-2"}, {});
  EXPECT_EQ(CodeOf(o, RouteAccess::kData, Key("data-2")), Code::kOk);
  EXPECT_EQ(CodeOf(o, RouteAccess::kData, std::nullopt), Code::kUnauthenticated);
  EXPECT_EQ(CodeOf(o, RouteAccess::kData, Key("data-3")), Code::kUnauthenticated);
  EXPECT_EQ(CodeOf(o, RouteAccess::kData, Key("data-")), Code::kUnauthenticated);
  EXPECT_EQ(CodeOf(o, RouteAccess::kData, Key("")), Code::kUnauthenticated);
  EXPECT_EQ(CodeOf(o, RouteAccess::kOpen, std::nullopt), Code::kOk);
  // Without admin_keys, admin routes take the data keys; /metrics is open.
  EXPECT_EQ(CodeOf(o, RouteAccess::kAdmin, Key("data-1")), Code::kOk);
  EXPECT_EQ(CodeOf(o, RouteAccess::kAdmin, std::nullopt), Code::kUnauthenticated);
  EXPECT_EQ(CodeOf(o, RouteAccess::kMetrics, std::nullopt), Code::kOk);
}

TEST(Authorize, AdminKeysAreSeparate) {
  RestOptions o = WithKeys({"data-1"}, {"admin-1"});
  EXPECT_EQ(CodeOf(o, RouteAccess::kAdmin, Key("admin-1")), Code::kOk);
  EXPECT_EQ(CodeOf(o, RouteAccess::kMetrics, Key("admin-1")), Code::kOk);
  EXPECT_EQ(CodeOf(o, RouteAccess::kData, Key("admin-1")), Code::kOk);  // admins may read
  Status s = Authorize(o, RouteAccess::kAdmin, Key("data-1"));
  EXPECT_EQ(s.code(), Code::kPermissionDenied);
  EXPECT_NE(s.message().find("admin_keys"), std::string::npos) << s.message();
  EXPECT_EQ(CodeOf(o, RouteAccess::kMetrics, Key("data-1")), Code::kPermissionDenied);
  EXPECT_EQ(CodeOf(o, RouteAccess::kAdmin, Key("wrong")), Code::kUnauthenticated);
  EXPECT_EQ(CodeOf(o, RouteAccess::kAdmin, std::nullopt), Code::kUnauthenticated);
  EXPECT_EQ(CodeOf(o, RouteAccess::kMetrics, std::nullopt), Code::kUnauthenticated);
}

TEST(Authorize, AdminKeysAloneLeaveDataRoutesOpen) {
  RestOptions o = WithKeys({}, {"admin-1"});
  EXPECT_EQ(CodeOf(o, RouteAccess::kData, std::nullopt), Code::kOk);
  EXPECT_EQ(CodeOf(o, RouteAccess::kAdmin, std::nullopt), Code::kUnauthenticated);
  EXPECT_EQ(CodeOf(o, RouteAccess::kAdmin, Key("admin-1")), Code::kOk);
}

TEST(Authorize, MessagesSayHowToSendAKeyAndNeverEchoIt) {
  RestOptions o = WithKeys({"data-1"}, {});
  Status missing = Authorize(o, RouteAccess::kData, std::nullopt);
  EXPECT_NE(missing.message().find("X-API-Key"), std::string::npos) << missing.message();
  EXPECT_NE(missing.message().find("Authorization: Bearer"), std::string::npos);
  Status wrong = Authorize(o, RouteAccess::kData, Key("secret-guess"));
  EXPECT_EQ(wrong.message().find("secret-guess"), std::string::npos) << wrong.message();
  EXPECT_EQ(wrong.message().find("data-1"), std::string::npos) << wrong.message();
  EXPECT_EQ(Challenge(std::nullopt), "Bearer realm=\"sluice\"");
  EXPECT_EQ(Challenge(Key("x")), "Bearer realm=\"sluice\", error=\"invalid_token\"");
}

Status Parse(std::vector<std::pair<std::string, std::string>> items, RestOptions* out) {
  return ParseRestOptions(Options(std::move(items)), out);
}

TEST(AuthOptions, ListsAndScalars) {
  RestOptions o;
  Status s = Parse({{"api_keys.0", "a1"}, {"api_keys.1", "a2"}, {"admin_keys", "z9"}}, &o);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(o.api_keys, (std::vector<std::string>{"a1", "a2"}));
  EXPECT_EQ(o.admin_keys, (std::vector<std::string>{"z9"}));
}

TEST(AuthOptions, RefusesBadKeysWithoutEchoingThem) {
  RestOptions o;
  Status s = Parse({{"api_keys.0", "has space"}}, &o);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("'api_keys.0'"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("printable ASCII"), std::string::npos);
  EXPECT_EQ(s.message().find("has space"), std::string::npos) << s.message();
  EXPECT_EQ(Parse({{"admin_keys.0", ""}}, &o).code(), Code::kInvalidArgument);
  s = Parse({{"api_keys.0", "same"}, {"admin_keys.0", "same"}}, &o);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("admin_keys.0 is also api_keys.0"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find("same"), std::string::npos) << s.message();
  EXPECT_EQ(Parse({{"api_keys.x", "k"}}, &o).code(), Code::kInvalidArgument);  // not a list index
  EXPECT_EQ(Parse({{"api_keysx", "k"}}, &o).code(), Code::kInvalidArgument);
}

TEST(AuthOptions, ReadyMaxLag) {
  RestOptions o;
  ASSERT_TRUE(Parse({{"ready_max_lag", "25"}}, &o).ok());
  EXPECT_EQ(o.ready_max_lag, 25u);
  EXPECT_EQ(Parse({{"ready_max_lag", "-1"}}, &o).code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace sluice::rest
