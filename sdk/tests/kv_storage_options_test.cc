// sluice::OptionReader's messages, and the options every embedded engine
// plugin shares (sluice::KvStorageOptions in sluice/kv_storage.h).
#include "sluice/option_reader.h"

#include <gtest/gtest.h>

#include "sluice/kv_storage.h"
#include "sluice/testing/status_macros.h"

namespace sluice {
namespace {

Options Opts(std::vector<std::pair<std::string, std::string>> items) {
  return Options(std::move(items));
}

TEST(OptionReaderTest, AbsentKeysKeepTheDefaults) {
  Options none;
  OptionReader r(none, "x option");
  int64_t n = 7;
  bool b = true;
  SLUICE_EXPECT_OK(r.Int("n", 1, 10, "", &n));
  SLUICE_EXPECT_OK(r.Bool("b", &b));
  EXPECT_EQ(n, 7);
  EXPECT_TRUE(b);
  SLUICE_EXPECT_OK(r.OnlyKnown({"n"}));
}

TEST(OptionReaderTest, IntegersInRange) {
  Options o = Opts({{"mb", "12"}, {"bad", "lots"}, {"low", "0"}, {"jobs", "65"}, {"e", ""}});
  OptionReader r(o, "mystore storage option");
  int64_t n = 0;
  SLUICE_EXPECT_OK(r.Int("mb", 1, 1 << 20, "MiB", &n));
  EXPECT_EQ(n, 12);
  EXPECT_EQ(r.Int("bad", 1, 1 << 20, "MiB", &n).message(),
            "mystore storage option 'bad': expected an integer from 1 to 1048576 (MiB), found "
            "'lots'");
  EXPECT_EQ(r.Int("low", 1, 10, "MiB", &n).code(), Code::kInvalidArgument);
  EXPECT_EQ(r.Int("jobs", 1, 64, "", &n).message(),
            "mystore storage option 'jobs': expected an integer from 1 to 64, found '65'");
  EXPECT_EQ(r.Int("e", 1, 64, "", &n).code(), Code::kInvalidArgument);
  EXPECT_EQ(n, 12) << "a refused value leaves the output alone";
}

TEST(OptionReaderTest, BooleansInEveryAcceptedSpelling) {
  for (const char* yes : {"true", "yes", "on", "1"}) {
    Options o = Opts({{"b", yes}});
    bool b = false;
    SLUICE_EXPECT_OK(OptionReader(o, "x option").Bool("b", &b));
    EXPECT_TRUE(b) << yes;
  }
  for (const char* no : {"false", "no", "off", "0"}) {
    Options o = Opts({{"b", no}});
    bool b = true;
    SLUICE_EXPECT_OK(OptionReader(o, "x option").Bool("b", &b));
    EXPECT_FALSE(b) << no;
  }
  Options o = Opts({{"paranoid_checks", "maybe"}});
  bool b = false;
  EXPECT_EQ(OptionReader(o, "leveldb storage option").Bool("paranoid_checks", &b).message(),
            "leveldb storage option 'paranoid_checks': expected true or false, found 'maybe'");
}

TEST(OptionReaderTest, UnknownKeysAreNamedWithTheKnownOnes) {
  Options o = Opts({{"a", "1"}, {"cache_size", "1"}});
  EXPECT_EQ(OptionReader(o, "x option").OnlyKnown({"a", "b"}).message(),
            "x option 'cache_size' is unknown; known options: a, b");
  Options nested = Opts({{"a.level", "3"}});
  EXPECT_EQ(OptionReader(nested, "x option").OnlyKnown({"a"}).code(), Code::kInvalidArgument)
      << "a nested key is unknown unless listed";
  EXPECT_EQ(OptionReader::Choices({"a", "b"}), "a or b");
  EXPECT_EQ(OptionReader::Choices({"a", "b", "c"}), "one of a, b, c");
}

TEST(KvStorageOptionsTest, DefaultsValuesAndCodecs) {
  KvCodecs codecs{{"none", "snappy", "lz4"}, {"zstd"}, "SomeDB"};
  KvStorageOptions s;
  Options empty;
  SLUICE_EXPECT_OK(s.Read(OptionReader(empty, "x option"), codecs));
  EXPECT_EQ(s.block_cache_mb, 64);
  EXPECT_EQ(s.write_buffer_mb, 16);
  EXPECT_EQ(s.compression, "none");
  EXPECT_EQ(s.log_compression, "none");
  EXPECT_TRUE(s.paranoid_checks);
  Options all = Opts({{"block_cache_mb", "8"},
                      {"write_buffer_mb", "1024"},
                      {"compression", "lz4"},
                      {"log_compression", "snappy"},
                      {"paranoid_checks", "off"},
                      {"jobs", "2"}});
  SLUICE_EXPECT_OK(s.Read(OptionReader(all, "x option"), codecs, {"jobs"}));
  EXPECT_EQ(s.block_cache_mb, 8);
  EXPECT_EQ(s.write_buffer_mb, 1024);
  EXPECT_EQ(s.compression, "lz4");
  EXPECT_EQ(s.log_compression, "snappy");
  EXPECT_FALSE(s.paranoid_checks);
  EXPECT_EQ(s.Read(OptionReader(all, "x option"), codecs).code(), Code::kInvalidArgument)
      << "jobs is not one of the shared options";
  Options missing = Opts({{"compression", "zstd"}});
  EXPECT_EQ(s.Read(OptionReader(missing, "x option"), codecs).message(),
            "x option 'compression': 'zstd' is not built into this SomeDB library; available: "
            "none, snappy, lz4");
  Options unknown = Opts({{"log_compression", "gzip"}});
  EXPECT_EQ(s.Read(OptionReader(unknown, "x option"), codecs).message(),
            "x option 'log_compression': expected one of none, snappy, lz4, found 'gzip'");
  Options big = Opts({{"write_buffer_mb", "1025"}});
  EXPECT_EQ(s.Read(OptionReader(big, "x option"), codecs).message(),
            "x option 'write_buffer_mb': expected an integer from 1 to 1024 (MiB), found '1025'");
}

}  // namespace
}  // namespace sluice
