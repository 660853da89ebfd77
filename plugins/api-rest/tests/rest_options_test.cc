#include "rest_options.h"

#include <gtest/gtest.h>

namespace sluice::rest {
namespace {

Status Parse(std::vector<std::pair<std::string, std::string>> items, RestOptions* out) {
  return ParseRestOptions(Options(std::move(items)), out);
}

// The options the tests below set, as one line to compare.
std::string Summary(const RestOptions& o) {
  return o.host + ":" + std::to_string(o.port) + " threads " + std::to_string(o.threads) +
         ", max_body_bytes " + std::to_string(o.max_body_bytes) + ", admin_remote " +
         (o.admin_remote ? "true" : "false");
}

TEST(RestOptions, Defaults) {
  RestOptions o;
  ASSERT_TRUE(Parse({}, &o).ok());
  EXPECT_EQ(Summary(o), "127.0.0.1:8080 threads 2, max_body_bytes 1048576, admin_remote false");
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
  EXPECT_EQ(Summary(o), "0.0.0.0:0 threads 4, max_body_bytes 100, admin_remote true");
}

TEST(RestOptions, UnknownKeyListsKnownOnes) {
  RestOptions o;
  EXPECT_EQ(Parse({{"port.x", "1"}}, &o).message(),
            "option 'port.x': 'port' is not a map or list of values");
  for (const char* key : {"prot", "tls.cert", "cors.origin"}) {
    Status s = Parse({{key, "1"}}, &o);
    EXPECT_EQ(s.code(), Code::kInvalidArgument);
    EXPECT_NE(s.message().find(std::string("option '") + key + "': unknown option"),
              std::string::npos)
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
  } cases[] = {
      {"port", "http", "expected an integer"},
      {"port", "65536", "option 'port': expected an integer from 0 to 65535, found '65536'"},
      {"threads", "0", "from 1 to 256, found '0'"},
      {"max_body_bytes", "0", "max_body_bytes"},
      {"admin_remote", "maybe", "expected true or false, found 'maybe'"},
      {"host", "", "'host'"}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.key);
    Status s = Parse({{c.key, c.value}}, &o);
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << c.key;
    EXPECT_NE(s.message().find(c.expect), std::string::npos) << s.message();
  }
}

// One set of words for booleans in every plugin (sluice/option_spec.h).
TEST(RestOptions, BooleansTakeOnAndOff) {
  for (const char* word : {"on", "yes", "true", "1", "On"}) {
    RestOptions o;
    ASSERT_TRUE(Parse({{"admin_remote", word}}, &o).ok()) << word;
    EXPECT_TRUE(o.admin_remote) << word;
  }
  for (const char* word : {"off", "no", "false", "0"}) {
    RestOptions o;
    o.admin_remote = true;
    ASSERT_TRUE(Parse({{"admin_remote", word}}, &o).ok()) << word;
    EXPECT_FALSE(o.admin_remote) << word;
  }
}

TEST(RestOptions, TransportRangesUseTheSharedMessages) {
  RestOptions o;
  EXPECT_EQ(Parse({{"max_headers", "0"}}, &o).message(),
            "option 'max_headers': expected an integer from 1 to 10000, found '0'");
  EXPECT_EQ(Parse({{"cors.max_age_s", "-1"}}, &o).message(),
            "option 'cors.max_age_s': expected an integer from 0 to 86400, found '-1'");
  EXPECT_EQ(Parse({{"cors.methods", "PATCH"}}, &o).message(),
            "option 'cors.methods': expected GET, HEAD, POST, PUT or OPTIONS, found 'PATCH'");
}

}  // namespace
}  // namespace sluice::rest
