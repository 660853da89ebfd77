#include "settings.h"

#include <gtest/gtest.h>

#include "nats_storage.h"

namespace sluice::log_nats {
namespace {

Status Parse(std::vector<std::pair<std::string, std::string>> items, Settings* s) {
  return ParseSettings(Options(std::move(items)), s);
}

TEST(SettingsTest, Defaults) {
  Settings s;
  ASSERT_TRUE(Parse({}, &s).ok());
  EXPECT_EQ(s.servers, std::vector<std::string>{"nats://127.0.0.1:4222"});
  EXPECT_EQ(s.replicas, 1);
  EXPECT_EQ(s.stream_prefix, "sluice");
  EXPECT_EQ(s.message_kb, 0);
}

TEST(SettingsTest, ServersListIsSplitAndChecked) {
  Settings s;
  ASSERT_TRUE(Parse({{"servers", "nats://a:4222, tls://b:4222,c:4222"}}, &s).ok());
  EXPECT_EQ(s.servers, (std::vector<std::string>{"nats://a:4222", "tls://b:4222", "c:4222"}));
  Status st = Parse({{"servers", "nats://a:4222,,nats://b"}}, &s);
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_NE(st.message().find("option 'servers': expected a comma-separated list"),
            std::string::npos)
      << st.message();
  EXPECT_EQ(Parse({{"servers", "http://a:4222"}}, &s).code(), Code::kInvalidArgument);
}

TEST(SettingsTest, BadValuesNameKeyAndRange) {
  Settings s;
  Status st = Parse({{"replicas", "7"}}, &s);
  EXPECT_EQ(st.message(), "option 'replicas': expected an integer from 1 to 5, found '7'");
  st = Parse({{"stream_prefix", "a.b"}}, &s);
  EXPECT_NE(st.message().find("found 'a.b'"), std::string::npos) << st.message();
  st = Parse({{"message_kb", "2"}}, &s);
  EXPECT_NE(st.message().find("at least 4"), std::string::npos) << st.message();
  st = Parse({{"request_timeout_ms", "soon"}}, &s);
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  st = Parse({{"replica", "3"}}, &s);
  EXPECT_NE(st.message().find("option 'replica': unknown option (did you mean \"replicas\"?); "
                              "known options: servers, replicas"),
            std::string::npos)
      << st.message();
}

TEST(SettingsTest, TheHostsCheckNamesWhatDeclarationsCannotSay) {
  std::vector<OptionProblem> got;
  NatsStorage::CheckOptions(
      Options({{"servers", "http://a"}, {"stream_prefix", "a.b"}, {"message_kb", "3"}}),
      OptionScope::kInstance, 0, &got);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].key, "servers");
  EXPECT_EQ(got[1].key, "stream_prefix");
  EXPECT_EQ(got[1].message,
            "expected letters, digits, '_' and '-' (it starts every stream name and subject), "
            "found 'a.b'");
  EXPECT_EQ(got[2].key, "message_kb");
  got.clear();
  NatsStorage::CheckOptions(Options({{"servers", "nats://a:1,b:2"}, {"message_kb", "4"}}),
                            OptionScope::kInstance, 0, &got);
  EXPECT_TRUE(got.empty());
}

TEST(SettingsTest, StreamNamesAndSubjects) {
  StreamId id;
  ASSERT_TRUE(StreamIdFor("sluice", "trips/v0001", &id).ok());
  EXPECT_EQ(id.stream, "sluice_trips_v0001");
  EXPECT_EQ(id.subject, "sluice.trips.v0001");
  EXPECT_EQ(id.name, "trips/v0001");
  for (const char* bad : {"", "a//b", "/a", "a/", "a.b/v1", "a b", "a*/v1", "a>/v1"})
    EXPECT_EQ(StreamIdFor("sluice", bad, &id).code(), Code::kInvalidArgument) << bad;
}

}  // namespace
}  // namespace sluice::log_nats
