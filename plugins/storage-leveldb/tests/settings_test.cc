// Option validation of the leveldb storage plugin: its defaults and codecs
// (the shared options' messages: sdk/tests/option_reader_test.cc).
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
  EXPECT_EQ(s.compression, "none");
  EXPECT_EQ(s.log_compression, "none");
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
  EXPECT_EQ(s.compression, "snappy");
  EXPECT_EQ(s.log_compression, "snappy");
  EXPECT_TRUE(s.paranoid_checks);
}

TEST(SettingsTest, MessagesNameThePluginItsOptionsAndCodecs) {
  Settings s;
  EXPECT_EQ(Parse({{"cache_size", "1"}}, &s).message(),
            "leveldb storage option 'cache_size' is unknown; known options: block_cache_mb, "
            "write_buffer_mb, compression, log_compression, paranoid_checks");
  EXPECT_EQ(Parse({{"compression", "zstd"}}, &s).message(),
            "leveldb storage option 'compression': expected snappy or none, found 'zstd'");
  EXPECT_EQ(Parse({{"block_cache_mb", "0"}}, &s).code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace sluice::storage_leveldb
