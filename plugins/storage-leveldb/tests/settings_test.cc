// Option validation of the leveldb storage plugin.
#include "settings.h"

#include <gtest/gtest.h>

namespace sluice::storage_leveldb {
namespace {

Status Parse(std::vector<std::pair<std::string, std::string>> items, Settings* out) {
  return ParseSettings(Options(std::move(items)), out);
}

TEST(SettingsTest, DefaultsAndValidValues) {
  Settings s;
  ASSERT_TRUE(Parse({}, &s).ok());
  EXPECT_EQ(s.block_cache_mb, 64);
  EXPECT_EQ(s.write_buffer_mb, 16);
  EXPECT_FALSE(s.compression);
  EXPECT_FALSE(s.log_compression);
  EXPECT_FALSE(s.paranoid_checks);
  Status st = Parse({{"block_cache_mb", "128"},
                     {"write_buffer_mb", "1"},
                     {"compression", "snappy"},
                     {"log_compression", "snappy"},
                     {"paranoid_checks", "true"}},
                    &s);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(s.block_cache_mb, 128);
  EXPECT_EQ(s.write_buffer_mb, 1);
  EXPECT_TRUE(s.compression);
  EXPECT_TRUE(s.log_compression);
  EXPECT_TRUE(s.paranoid_checks);
}

TEST(SettingsTest, UnknownKeyIsNamedWithTheKnownOnes) {
  Settings s;
  Status st = Parse({{"compression", "snappy"}, {"cache_size", "1"}}, &s);
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_EQ(st.message(),
            "leveldb storage option 'cache_size' is unknown; known options: block_cache_mb, "
            "write_buffer_mb, compression, log_compression, paranoid_checks");
  st = Parse({{"compression.level", "3"}}, &s);
  EXPECT_EQ(st.code(), Code::kInvalidArgument) << "nested keys are not accepted either";
}

TEST(SettingsTest, BadValuesSayWhatIsExpected) {
  Settings s;
  Status st = Parse({{"block_cache_mb", "lots"}}, &s);
  EXPECT_EQ(st.message(),
            "leveldb storage option 'block_cache_mb': expected an integer from 1 to 1048576 (MiB), "
            "found 'lots'");
  st = Parse({{"write_buffer_mb", "0"}}, &s);
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_NE(st.message().find("found '0'"), std::string::npos) << st.message();
  st = Parse({{"write_buffer_mb", "2048"}}, &s);
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  st = Parse({{"compression", "zstd"}}, &s);
  EXPECT_EQ(st.message(),
            "leveldb storage option 'compression': expected snappy or none, found 'zstd'");
  st = Parse({{"paranoid_checks", "maybe"}}, &s);
  EXPECT_EQ(st.message(),
            "leveldb storage option 'paranoid_checks': expected true or false, found 'maybe'");
}

}  // namespace
}  // namespace sluice::storage_leveldb
