#include "rest_options.h"

#include <gtest/gtest.h>

namespace sluice::rest {
namespace {

Status Parse(std::vector<std::pair<std::string, std::string>> items, RestOptions* out) {
  return ParseRestOptions(Options(std::move(items)), out);
}

TEST(RestOptions, Defaults) {
  RestOptions o;
  ASSERT_TRUE(Parse({}, &o).ok());
  EXPECT_EQ(o.host, "127.0.0.1");
  EXPECT_EQ(o.port, 8080);
  EXPECT_EQ(o.threads, 2);
  EXPECT_EQ(o.max_body_bytes, 1048576u);
  EXPECT_FALSE(o.admin_remote);
}

TEST(RestOptions, ParsesEveryKey) {
  RestOptions o;
  Status s = Parse({{"host", "0.0.0.0"},
                    {"port", "0"},
                    {"threads", "4"},
                    {"max_body_bytes", "100"},
                    {"admin_remote", "true"}},
                   &o);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(o.host, "0.0.0.0");
  EXPECT_EQ(o.port, 0);
  EXPECT_EQ(o.threads, 4);
  EXPECT_EQ(o.max_body_bytes, 100u);
  EXPECT_TRUE(o.admin_remote);
}

TEST(RestOptions, UnknownKeyListsKnownOnes) {
  RestOptions o;
  for (const char* key : {"prot", "port.x"}) {
    Status s = Parse({{key, "1"}}, &o);
    EXPECT_EQ(s.code(), Code::kInvalidArgument);
    EXPECT_NE(s.message().find(std::string("unknown option '") + key + "'"), std::string::npos)
        << s.message();
    EXPECT_NE(s.message().find("host, port, threads, max_body_bytes, admin_remote"),
              std::string::npos);
  }
}

TEST(RestOptions, BadValuesNameKeyAndExpectation) {
  RestOptions o;
  struct Case {
    const char* key;
    const char* value;
    const char* expect;
  } cases[] = {{"port", "http", "expected an integer"},
               {"port", "65536", "[0, 65535], found 65536"},
               {"threads", "0", "[1, 256]"},
               {"max_body_bytes", "0", "max_body_bytes"},
               {"admin_remote", "maybe", "expected true or false, found 'maybe'"},
               {"host", "", "'host'"}};
  for (const Case& c : cases) {
    Status s = Parse({{c.key, c.value}}, &o);
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << c.key;
    EXPECT_NE(s.message().find(c.expect), std::string::npos) << s.message();
  }
}

}  // namespace
}  // namespace sluice::rest
