// Option validation of the rocksdb storage plugin (its defaults, codecs and
// own option; the shared options' messages: sdk/tests/kv_storage_options_test.cc),
// the mapping of RocksDB's statuses, and the logger that routes RocksDB's
// diagnostics to the host.
#include <gtest/gtest.h>
#include <rocksdb/convenience.h>

#include <mutex>
#include <vector>

#include "host_logger.h"
#include "rocksdb_engine.h"
#include "sluice/testing/status_macros.h"

namespace sluice::storage_rocksdb {
namespace {

Status Parse(std::vector<std::pair<std::string, std::string>> items, Settings* out) {
  return ParseSettings(Options(std::move(items)), out);
}

bool Built(rocksdb::CompressionType t) {
  auto have = rocksdb::GetSupportedCompressions();
  return std::find(have.begin(), have.end(), t) != have.end();
}

TEST(SettingsTest, Lz4AndParanoidChecksByDefault) {
  Settings s;
  SLUICE_ASSERT_OK(Parse({}, &s));
  std::string lz4 = Built(rocksdb::kLZ4Compression) ? "lz4" : "none";
  EXPECT_TRUE(static_cast<const KvStorageOptions&>(s) ==
              (KvStorageOptions{64, 16, lz4, "none", true}));
  EXPECT_EQ(s.max_background_jobs, 2);
  SLUICE_ASSERT_OK(Parse({{"max_background_jobs", "4"}, {"paranoid_checks", "off"}}, &s));
  EXPECT_EQ(s.max_background_jobs, 4);
  EXPECT_FALSE(s.paranoid_checks);
}

TEST(SettingsTest, CompressionsOfThisBuild) {
  const std::pair<const char*, rocksdb::CompressionType> all[] = {
      {"snappy", rocksdb::kSnappyCompression},
      {"lz4", rocksdb::kLZ4Compression},
      {"zstd", rocksdb::kZSTD}};
  for (const auto& [name, type] : all) {
    Settings s;
    Status st = Parse({{"compression", name}, {"log_compression", name}}, &s);
    if (Built(type)) {
      EXPECT_TRUE(st.ok()) << st.ToString();
      EXPECT_EQ(s.compression, name);
      EXPECT_EQ(s.log_compression, name);
    } else {
      EXPECT_EQ(st.code(), Code::kInvalidArgument);
      EXPECT_NE(st.message().find("is not built into this RocksDB library; available: none"),
                std::string::npos)
          << st.message();
    }
  }
}

TEST(SettingsTest, MessagesNameTheOptionsAndCodecs) {
  Settings s;
  EXPECT_EQ(Parse({{"cache_size", "1"}}, &s).message(),
            "option 'cache_size': unknown option; known options: block_cache_mb, "
            "write_buffer_mb, compression, log_compression, paranoid_checks, max_background_jobs");
  EXPECT_EQ(Parse({{"max_background_jobs", "65"}}, &s).message(),
            "option 'max_background_jobs': expected an integer from 1 to 64, found '65'");
  Status st = Parse({{"log_compression", "gzip"}}, &s);
  EXPECT_NE(st.message().find("'log_compression': expected none"), std::string::npos)
      << st.message();
  EXPECT_NE(st.message().find("found 'gzip'"), std::string::npos) << st.message();
}

TEST(SettingsTest, RocksDbStatusesMapToCodesNamingOpAndPath) {
  Status s = FromRocksDb(rocksdb::Status::Corruption("bad block"), "get", "/x/kv");
  EXPECT_EQ(s.code(), Code::kDataLoss);
  EXPECT_EQ(s.message(), "rocksdb get /x/kv: Corruption: bad block");
  EXPECT_EQ(FromRocksDb(rocksdb::Status::NotFound(), "get", "/x").code(), Code::kNotFound);
  EXPECT_EQ(FromRocksDb(rocksdb::Status::InvalidArgument(), "open", "/x").code(),
            Code::kInvalidArgument);
  EXPECT_EQ(FromRocksDb(rocksdb::Status::Busy(), "write", "/x").code(), Code::kUnavailable);
  EXPECT_EQ(FromRocksDb(rocksdb::Status::NoSpace(), "write", "/x").code(),
            Code::kResourceExhausted);
  EXPECT_EQ(FromRocksDb(rocksdb::Status::IOError("disk"), "write", "/x").code(), Code::kInternal);
  EXPECT_TRUE(FromRocksDb(rocksdb::Status::OK(), "write", "/x").ok());
}

// A host that records what plugins log, at or above `min`.
struct RecordingHost {
  explicit RecordingHost(int32_t min_level) : min(min_level) {
    c = {sizeof(sluice_host_services), SLUICE_ABI_MAJOR, SLUICE_ABI_MINOR, this, &Log, &Enabled};
  }
  static void Log(void* ctx, int32_t level, const char*, const char* message) {
    auto* self = static_cast<RecordingHost*>(ctx);
    std::lock_guard<std::mutex> lock(self->mu);
    self->lines.emplace_back(level, message);
  }
  static int32_t Enabled(void* ctx, int32_t level) {
    return level >= static_cast<RecordingHost*>(ctx)->min ? 1 : 0;
  }
  int32_t min;
  sluice_host_services c;
  std::mutex mu;
  std::vector<std::pair<int32_t, std::string>> lines;
};

void Emit(rocksdb::Logger* logger, rocksdb::InfoLogLevel level, const char* format, ...) {
  va_list ap;
  va_start(ap, format);
  logger->Logv(level, format, ap);
  va_end(ap);
}

TEST(HostLoggerTest, WarningsReachTheHostInfoOnlyAtDebug) {
  RecordingHost info_host(SLUICE_LOG_INFO);
  HostLogger quiet(HostServices(&info_host.c, "rocksdb"), "/h/kv");
  EXPECT_EQ(HostLogger::LevelFor(HostServices(&info_host.c, "rocksdb")),
            rocksdb::InfoLogLevel::WARN_LEVEL);
  Emit(&quiet, rocksdb::InfoLogLevel::INFO_LEVEL, "flushed %d files", 3);
  Emit(&quiet, rocksdb::InfoLogLevel::WARN_LEVEL, "stall:\nwrites %s", "slow");
  Emit(&quiet, rocksdb::InfoLogLevel::ERROR_LEVEL, "background error");
  ASSERT_EQ(info_host.lines.size(), 2u);
  EXPECT_EQ(info_host.lines[0].first, SLUICE_LOG_WARN);
  EXPECT_EQ(info_host.lines[0].second, "rocksdb /h/kv: stall: writes slow");
  EXPECT_EQ(info_host.lines[1].first, SLUICE_LOG_ERROR);

  RecordingHost debug_host(SLUICE_LOG_DEBUG);
  HostLogger chatty(HostServices(&debug_host.c, "rocksdb"), "/h/log");
  Emit(&chatty, rocksdb::InfoLogLevel::INFO_LEVEL, "flushed %d files", 3);
  ASSERT_EQ(debug_host.lines.size(), 1u);
  EXPECT_EQ(debug_host.lines[0].first, SLUICE_LOG_DEBUG);
  EXPECT_EQ(debug_host.lines[0].second, "rocksdb /h/log: flushed 3 files");
}

}  // namespace
}  // namespace sluice::storage_rocksdb
