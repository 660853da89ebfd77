// The clean-stop watermark (storage/log_watermark.h) on the real LevelDB
// storage plugin: a clean stop leaves one, the next writer's open trusts it
// after checking the last commit only (so damage before it is found by the
// first read, not at open), and any mismatch or its absence (a crash)
// means the whole log is read at open as before.
#include "storage/log_watermark.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>
#include <vector>

#include "storage/version_log.h"
#include "tests/test_util.h"

namespace sluice::host {
namespace {

class LogWatermarkTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(testing::OpenLevelDbPlugin(&storage_).ok()); }
  std::string dir() const { return (tmp_.path() / "log").string(); }
  std::string mark() const { return WatermarkPath(dir()); }
  std::unique_ptr<VersionLog> Open(TailPolicy tail = TailPolicy::kRepair) {
    std::unique_ptr<VersionLog> log;
    Status s = VersionLog::Open(*storage_, "t/v0001", dir(), true, &log, tail);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return log;
  }
  void CommitRows(VersionLog& log, int n, const std::string& offset) {
    CommitBuilder b;
    for (int i = 0; i < n; ++i) b.AddRow(SLUICE_OP_INSERT, "row" + std::to_string(i));
    ASSERT_TRUE(log.Commit(b, offset, 0).ok());
  }
  // A log of 7 records whose record 3 is damaged and whose last commit
  // (records 5..6) is whole, written straight to the backend; returns the
  // watermark a clean stop at that state would leave.
  LogWatermark DamagedInTheMiddle() {
    {
      auto log = Open();
      CommitRows(*log, 2, "off-2");  // records 0..2
    }
    std::unique_ptr<Log> raw;
    EXPECT_TRUE(storage_->OpenLog("t/v0001", dir(), false, &raw).ok());
    std::vector<testing::RawAppend> appends = testing::AppendsDamagedAtRecord3();
    for (const testing::RawAppend& a : appends) {
      std::vector<std::string_view> records(a.records.begin(), a.records.end());
      uint64_t at = 0;
      EXPECT_TRUE(raw->Append(records.data(), records.size(), a.checkpoint, true, &at).ok());
    }
    LogWatermark w{7, RecordCrc(appends.back().records.back()), appends.back().checkpoint};
    std::filesystem::remove(mark());  // the first close left one for end 3
    return w;
  }
  testing::TempDir tmp_;
  std::unique_ptr<StoragePlugin> storage_;
};

TEST_F(LogWatermarkTest, ACleanStopLeavesOneAndTheNextOpenTakesIt) {
  {
    auto log = Open();
    CommitRows(*log, 3, "off-3");
    CommitRows(*log, 2, "off-6");
    EXPECT_FALSE(std::filesystem::exists(mark()));
  }
  ASSERT_TRUE(std::filesystem::exists(mark()));
  {
    auto log = Open();
    EXPECT_FALSE(std::filesystem::exists(mark()));  // a crash from here on leaves none
    EXPECT_TRUE(log->damage().ok());
    EXPECT_EQ(log->end(), 7u);
    EXPECT_EQ(log->checkpoint().source_offset, "off-6");
    CommitRows(*log, 1, "off-7");
  }
  auto log = Open();
  EXPECT_EQ(log->end(), 9u);
  EXPECT_EQ(log->checkpoint().source_offset, "off-7");
}

TEST_F(LogWatermarkTest, AReaderNeitherTakesNorLeavesOne) {
  {
    auto log = Open();
    CommitRows(*log, 1, "off-1");
  }
  ASSERT_TRUE(std::filesystem::exists(mark()));
  std::filesystem::remove(mark());
  { auto reader = Open(TailPolicy::kIgnore); }
  EXPECT_FALSE(std::filesystem::exists(mark()));
}

// With a matching watermark the open reads the last commit only, and the
// rest in the background: damage before it marks the log damaged (no
// commits, no watermark at close) once the background check reaches it.
TEST_F(LogWatermarkTest, AMatchingWatermarkLeavesTheRestToTheBackgroundCheck) {
  LogWatermark w = DamagedInTheMiddle();
  ASSERT_TRUE(WriteWatermark(mark(), w).ok());
  {
    auto log = Open();
    EXPECT_EQ(log->end(), 7u);
    for (int i = 0; i < 1000 && log->damage().ok(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_EQ(log->damage().code(), Code::kDataLoss);
    EXPECT_FALSE(log->checked());
    EXPECT_EQ(log->Commit(CommitBuilder(), "more", 0).code(), Code::kDataLoss);
  }
  EXPECT_FALSE(std::filesystem::exists(mark()));
}

TEST_F(LogWatermarkTest, TheBackgroundCheckOfAWholeLogEndsChecked) {
  {
    auto log = Open();
    for (int i = 1; i <= 20; ++i) CommitRows(*log, 50, "off-" + std::to_string(i));
  }
  auto log = Open();
  for (int i = 0; i < 1000 && !log->checked(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_TRUE(log->checked());
  EXPECT_TRUE(log->damage().ok());
  EXPECT_EQ(log->end(), 20u * 51);
}

// No watermark (the stop was a crash), or one that does not match the log
// in any of its fields: the open reads every record and finds the damage.
TEST_F(LogWatermarkTest, WithoutAMatchingWatermarkTheOpenReadsEveryRecord) {
  LogWatermark w = DamagedInTheMiddle();
  LogWatermark wrong_crc = w, wrong_end = w, wrong_checkpoint = w;
  wrong_crc.last_record_crc ^= 1;
  wrong_end.log_end = 5;
  wrong_checkpoint.checkpoint = EncodeCheckpoint(Checkpoint{7, 0, "off-5"});
  std::vector<const LogWatermark*> marks{nullptr, &wrong_crc, &wrong_end, &wrong_checkpoint};
  for (const LogWatermark* m : marks) {
    if (m != nullptr) { ASSERT_TRUE(WriteWatermark(mark(), *m).ok()); }
    auto log = Open();
    EXPECT_EQ(log->damage().code(), Code::kDataLoss);
    EXPECT_FALSE(std::filesystem::exists(mark()));
  }
}

TEST_F(LogWatermarkTest, ATornWatermarkIsNone) {
  {
    auto log = Open();
    CommitRows(*log, 2, "off-2");
  }
  std::filesystem::resize_file(mark(), std::filesystem::file_size(mark()) - 1);
  LogWatermark w;
  bool found = true;
  ASSERT_TRUE(TakeWatermark(mark(), &w, &found).ok());
  EXPECT_FALSE(found);
  EXPECT_FALSE(std::filesystem::exists(mark()));
  auto log = Open();
  EXPECT_EQ(log->end(), 3u);
}

}  // namespace
}  // namespace sluice::host
