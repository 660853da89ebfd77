// The leveldb plugin's options: its defaults and codecs, and their
// messages (the shared options: sdk/tests/kv_storage_options_test.cc).
#include <gtest/gtest.h>

#include "leveldb_engine.h"
#include "sluice/testing/status_macros.h"

namespace sluice::storage_leveldb {
namespace {

Status Parse(std::vector<std::pair<std::string, std::string>> items, Settings* out) {
  return ParseSettings(Options(std::move(items)), out);
}

TEST(SettingsTest, UncompressedWithParanoidChecksByDefault) {
  Settings s;
  SLUICE_ASSERT_OK(Parse({}, &s));
  EXPECT_TRUE(static_cast<const KvStorageOptions&>(s) ==
              (KvStorageOptions{64, 16, "none", "none", true}));
  EXPECT_EQ(s.mmap_mb, 1024);
  SLUICE_ASSERT_OK(Parse({{"compression", "snappy"}, {"log_compression", "snappy"}}, &s));
  EXPECT_EQ(s.compression + " " + s.log_compression, "snappy snappy");
  EXPECT_EQ(Parse({{"compression", "zstd"}}, &s).message(),
            "option 'compression': expected snappy or none, found 'zstd'");
  EXPECT_EQ(Parse({{"cache_size", "1"}}, &s).message(),
            "option 'cache_size': unknown option; known options: block_cache_mb, "
            "write_buffer_mb, compression, log_compression, paranoid_checks, mmap_mb");
}

TEST(SettingsTest, MmapMbBoundsTheMappedTableBytes) {
  Settings s;
  SLUICE_ASSERT_OK(Parse({{"mmap_mb", "0"}}, &s));
  EXPECT_EQ(s.mmap_mb, 0);
  SLUICE_ASSERT_OK(Parse({{"mmap_mb", "4096"}}, &s));
  EXPECT_EQ(s.mmap_mb, 4096);
  EXPECT_NE(Parse({{"mmap_mb", "-1"}}, &s).message().find("mmap_mb"), std::string::npos);
}

}  // namespace
}  // namespace sluice::storage_leveldb
