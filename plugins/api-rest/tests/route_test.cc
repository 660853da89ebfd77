#include "route.h"

#include <gtest/gtest.h>

namespace sluice::rest {
namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

TEST(SplitVersion, AcceptsVersionSegments) {
  uint32_t v = 0;
  std::string_view rest;
  ASSERT_TRUE(SplitVersion("/v2/trips/42", &v, &rest));
  EXPECT_EQ(v, 2u);
  EXPECT_EQ(rest, "/trips/42");
  ASSERT_TRUE(SplitVersion("/v4294967295/x", &v, &rest));
  EXPECT_EQ(v, 4294967295u);
}

TEST(SplitVersion, RejectsOtherSegments) {
  uint32_t v = 7;
  std::string_view rest;
  for (const char* p : {"/trips", "/v", "/v/x", "/v0/x", "/v01/x", "/v2", "/v2/", "/vx/y",
                        "/v4294967296/x", "/v-1/x", "v2/x"})
    EXPECT_FALSE(SplitVersion(p, &v, &rest)) << p;
  EXPECT_EQ(v, 7u);
}

TEST(PathPrefixes, LongestFirst) {
  auto p = PathPrefixes("/a/b/c");
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0], "/a/b/c");
  EXPECT_EQ(p[1], "/a/b");
  EXPECT_EQ(p[2], "/a");
  EXPECT_EQ(PathPrefixes("/").size(), 1u);
}

TEST(ParseAction, Kinds) {
  EXPECT_EQ(ParseAction("").kind, EndpointAction::kCollection);
  EXPECT_EQ(ParseAction("/count").kind, EndpointAction::kCount);
  EXPECT_EQ(ParseAction("/query").kind, EndpointAction::kQuery);
  EXPECT_EQ(ParseAction("/oapi").kind, EndpointAction::kOapi);
  EndpointAction a = ParseAction("/a%2Fb");
  EXPECT_EQ(a.kind, EndpointAction::kRecord);
  EXPECT_EQ(a.key, "a%2Fb");
  EXPECT_STREQ(a.allow(), "GET, HEAD");
  EXPECT_STREQ(a.method(), "GET");
  EXPECT_STREQ(ParseAction("/count").allow(), "POST");
  for (const char* s : {"/", "/a/b", "x", "/a/"})
    EXPECT_EQ(ParseAction(s).kind, EndpointAction::kUnknown) << s;
}

TEST(PercentDecode, DecodesAndRejectsMalformed) {
  std::string out;
  ASSERT_TRUE(PercentDecode("a%20b%2Fc%c3%A9+", false, &out));
  EXPECT_EQ(out, "a b/c\xc3\xa9+");
  ASSERT_TRUE(PercentDecode("a+b", true, &out));
  EXPECT_EQ(out, "a b");
  for (const char* bad : {"%", "%4", "%zz", "a%2", "%00"})
    EXPECT_FALSE(PercentDecode(bad, false, &out)) << bad;
}

}  // namespace
}  // namespace sluice::rest
