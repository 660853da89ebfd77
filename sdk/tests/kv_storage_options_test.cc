// The options every embedded engine plugin shares (sluice::KvStorageOptions
// and their declarations, kKvStorageOptions, in sluice/kv_storage.h).
#include <gtest/gtest.h>

#include "sluice/kv_storage.h"
#include "sluice/testing/status_macros.h"

namespace sluice {
namespace {

Options Opts(std::vector<std::pair<std::string, std::string>> items) {
  return Options(std::move(items));
}

// The shared options, as one line to compare: "cache 64 MiB, buffer 16
// MiB, <compression>/<log_compression>, paranoid".
std::string Summary(const KvStorageOptions& s) {
  return "cache " + std::to_string(s.block_cache_mb) + " MiB, buffer " +
         std::to_string(s.write_buffer_mb) + " MiB, " + s.compression + "/" + s.log_compression +
         (s.paranoid_checks ? ", paranoid" : ", not paranoid");
}

constexpr OptionSpec kWithJobs[] = {
    kv_option::kBlockCacheMb,   kv_option::kWriteBufferMb,
    kv_option::kCompression,    kv_option::kLogCompression,
    kv_option::kParanoidChecks, opt::Int("jobs", "background jobs").Range(1, 64).Default("2"),
};

TEST(KvStorageOptionsTest, DefaultsValuesAndCodecs) {
  KvCodecs codecs{{"none", "snappy", "lz4"}, {"zstd"}, "SomeDB"};
  KvStorageOptions s;
  Options empty;
  SLUICE_EXPECT_OK(s.Read(empty, kKvStorageOptions, codecs));
  EXPECT_EQ(Summary(s), "cache 64 MiB, buffer 16 MiB, none/none, paranoid");
  Options all = Opts({{"block_cache_mb", "8"},
                      {"write_buffer_mb", "1024"},
                      {"compression", "lz4"},
                      {"log_compression", "snappy"},
                      {"paranoid_checks", "off"},
                      {"jobs", "2"}});
  SLUICE_EXPECT_OK(s.Read(all, kWithJobs, codecs));
  EXPECT_EQ(Summary(s), "cache 8 MiB, buffer 1024 MiB, lz4/snappy, not paranoid");
  EXPECT_EQ(s.Read(all, kKvStorageOptions, codecs).code(), Code::kInvalidArgument)
      << "jobs is not one of the shared options";
  Options missing = Opts({{"compression", "zstd"}});
  EXPECT_EQ(s.Read(missing, kKvStorageOptions, codecs).message(),
            "option 'compression': 'zstd' is not built into this SomeDB library; available: "
            "none, snappy, lz4");
  Options unknown = Opts({{"log_compression", "gzip"}});
  EXPECT_EQ(s.Read(unknown, kKvStorageOptions, codecs).message(),
            "option 'log_compression': expected none, snappy or lz4, found 'gzip'");
  Options big = Opts({{"write_buffer_mb", "1025"}});
  EXPECT_EQ(s.Read(big, kKvStorageOptions, codecs).message(),
            "option 'write_buffer_mb': expected an integer from 1 to 1024 (MiB), found '1025'");
}

TEST(KvStorageOptionsTest, BooleansTakeTheSameWordsAsEveryOption) {
  for (const char* word : {"on", "yes", "true", "1", "ON", "True"}) {
    KvStorageOptions s;
    s.paranoid_checks = false;
    SLUICE_EXPECT_OK(
        s.Read(Opts({{"paranoid_checks", word}}), kKvStorageOptions, {{"none"}, {}, "X"}));
    EXPECT_TRUE(s.paranoid_checks) << word;
  }
  KvStorageOptions s;
  EXPECT_EQ(s.Read(Opts({{"paranoid_checks", "maybe"}}), kKvStorageOptions, {{"none"}, {}, "X"})
                .message(),
            "option 'paranoid_checks': expected true or false, found 'maybe'");
}

TEST(KvStorageOptionsTest, CodecProblemsNameTheKey) {
  KvCodecs codecs{{"none", "lz4"}, {"zstd"}, "SomeDB"};
  std::vector<OptionProblem> got;
  KvStorageOptions::CodecProblems(Opts({{"compression", "zstd"}, {"log_compression", "lzma"}}),
                                  codecs, &got);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].key, "compression");
  EXPECT_EQ(got[0].kind, OptionProblemKind::kValue);
  EXPECT_EQ(got[0].message, "'zstd' is not built into this SomeDB library; available: none, lz4");
  EXPECT_EQ(got[1].key, "log_compression");
  EXPECT_EQ(got[1].message, "expected none or lz4, found 'lzma'");
}

}  // namespace
}  // namespace sluice
