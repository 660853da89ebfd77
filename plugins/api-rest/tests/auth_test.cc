// Credentials: where a request's API key or token is read from, and the
// challenge of 401 answers. (What a credential may do is the host's
// decision: host/access, and ops_routes_test for how the plugin answers it.)
#include "auth.h"

#include <gtest/gtest.h>

namespace sluice::rest {
namespace {

using Header = std::optional<std::string_view>;

std::string Of(Header x_api_key, Header authorization) {
  Credential c = RequestCredential(x_api_key, authorization);
  return std::to_string(static_cast<int>(c.kind)) + ":" + std::string(c.token);
}

TEST(RequestCredential, XApiKeyWinsOverBearer) {
  EXPECT_EQ(Of(Header("k1"), Header("Bearer k2")), "1:k1");
  EXPECT_EQ(Of(std::nullopt, Header("Bearer k2")), "2:k2");
  EXPECT_EQ(Of(std::nullopt, Header("bearer   k2 ")), "2:k2");
  EXPECT_EQ(Of(std::nullopt, Header("BEARER eyJ.eyJ.sig")), "2:eyJ.eyJ.sig");
  EXPECT_EQ(Of(Header(" k1 "), std::nullopt), "1:k1");
}

TEST(RequestCredential, OtherSchemesAndNothingAreNoCredential) {
  EXPECT_EQ(Of(std::nullopt, std::nullopt), "0:");
  EXPECT_EQ(Of(std::nullopt, Header("Basic dXNlcjpwYXNz")), "0:");
  EXPECT_EQ(Of(std::nullopt, Header("Bearer")), "0:");
  EXPECT_EQ(Of(std::nullopt, Header("Bearer   ")), "0:");
  EXPECT_EQ(Of(std::nullopt, Header("Bearerx k")), "0:");
  EXPECT_EQ(Of(Header(""), Header("Bearer k2")), "0:");
}

TEST(Challenge, SaysWhenTheTokenWasRefused) {
  EXPECT_EQ(Challenge(false), "Bearer realm=\"sluice\"");
  EXPECT_EQ(Challenge(true), "Bearer realm=\"sluice\", error=\"invalid_token\"");
}

}  // namespace
}  // namespace sluice::rest
