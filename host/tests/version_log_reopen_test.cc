// VersionLog after a failed write (a full disk): the log is broken() until
// Reopen(), which recovers what is durable; reads go on meanwhile, and a
// reopen that fails leaves reads UNAVAILABLE until one succeeds. On the real
// LevelDB plugin behind a wrapper that fails appends and opens on demand.
#include <gtest/gtest.h>

#include <atomic>

#include "storage/version_log.h"
#include "tests/test_util.h"

namespace sluice::host {
namespace {

std::atomic<bool> g_full{false};

class FullDiskLog final : public Log {
 public:
  explicit FullDiskLog(std::unique_ptr<Log> inner) : inner_(std::move(inner)) {}
  Status Append(const std::string_view* records, size_t count, std::string_view checkpoint,
                bool sync, uint64_t* first_offset) override {
    if (g_full) return ResourceExhausted("write /h/log/000005.log: No space left on device");
    return inner_->Append(records, count, checkpoint, sync, first_offset);
  }
  Status Read(uint64_t from, size_t max, RecordFn fn) override {
    return inner_->Read(from, max, fn);
  }
  Status End(uint64_t* end) override { return inner_->End(end); }
  Status Checkpoint(std::string* out) override { return inner_->Checkpoint(out); }
  Status Truncate(uint64_t new_end, std::string_view checkpoint) override {
    return inner_->Truncate(new_end, checkpoint);
  }

 private:
  std::unique_ptr<Log> inner_;
};

class FullDiskStorage final : public StoragePlugin {
 public:
  explicit FullDiskStorage(std::unique_ptr<StoragePlugin> inner) : inner_(std::move(inner)) {}
  Status OpenLog(const std::string& name, const std::string& dir, bool create,
                 std::unique_ptr<Log>* out) override {
    ++opens;
    if (g_full) return ResourceExhausted("open " + dir + ": No space left on device");
    std::unique_ptr<Log> log;
    SLUICE_RETURN_IF_ERROR(inner_->OpenLog(name, dir, create, &log));
    *out = std::make_unique<FullDiskLog>(std::move(log));
    return Status();
  }
  Status RemoveLog(const std::string& name, const std::string& dir) override {
    return inner_->RemoveLog(name, dir);
  }
  Status OpenKv(const std::string& dir, bool create, std::unique_ptr<KvStore>* out) override {
    return inner_->OpenKv(dir, create, out);
  }
  Status RemoveKv(const std::string& dir) override { return inner_->RemoveKv(dir); }
  int opens = 0;

 private:
  std::unique_ptr<StoragePlugin> inner_;
};

class VersionLogReopenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    g_full = false;
    std::unique_ptr<StoragePlugin> leveldb;
    ASSERT_TRUE(testing::OpenLevelDbPlugin(&leveldb).ok());
    storage_ = std::make_unique<FullDiskStorage>(std::move(leveldb));
    ASSERT_TRUE(
        VersionLog::Open(*storage_, "t/v0001", (tmp_.path() / "log").string(), true, &log_).ok());
  }
  void TearDown() override { g_full = false; }
  Status CommitRows(int first, int n, const std::string& offset) {
    CommitBuilder b;
    for (int i = first; i < first + n; ++i) b.AddRow(SLUICE_OP_INSERT, "row" + std::to_string(i));
    return log_->Commit(b, offset, 0);
  }
  std::vector<std::string> Rows() {
    std::vector<std::string> rows;
    Status s = log_->Read(0, 1 << 20, [&](uint64_t, const LogRecord& r) {
      if (r.kind != RecordKind::kCommit) rows.emplace_back(r.payload);
      return true;
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return rows;
  }

  testing::TempDir tmp_;
  std::unique_ptr<FullDiskStorage> storage_;
  std::unique_ptr<VersionLog> log_;
};

TEST_F(VersionLogReopenTest, AFailedCommitBreaksTheLogUntilReopened) {
  ASSERT_TRUE(CommitRows(0, 3, "off-3").ok());
  EXPECT_FALSE(log_->broken());
  g_full = true;
  Status s = CommitRows(3, 2, "off-5");
  EXPECT_EQ(s.code(), Code::kResourceExhausted);
  EXPECT_NE(s.message().find("log t/v0001"), std::string::npos) << s.message();
  EXPECT_TRUE(log_->broken());
  EXPECT_EQ(log_->end(), 4u);  // the failed commit is not there
  EXPECT_EQ(Rows().size(), 3u);

  // Still full: the reopen fails, reads say why, the log stays broken.
  Status r = log_->Reopen();
  EXPECT_EQ(r.code(), Code::kResourceExhausted);
  EXPECT_TRUE(log_->broken());
  Status read = log_->Read(0, 10, [](uint64_t, const LogRecord&) { return true; });
  EXPECT_EQ(read.code(), Code::kUnavailable);
  EXPECT_NE(read.message().find("No space left on device"), std::string::npos) << read.message();
  EXPECT_TRUE(log_->Refresh().ok());  // nothing to pick up meanwhile

  g_full = false;
  ASSERT_TRUE(log_->Reopen().ok());
  EXPECT_FALSE(log_->broken());
  EXPECT_EQ(log_->end(), 4u);
  EXPECT_EQ(log_->checkpoint().source_offset, "off-3");
  // The writer resumes from the checkpoint: the rows come again, once.
  ASSERT_TRUE(CommitRows(3, 2, "off-5").ok());
  EXPECT_EQ(log_->end(), 7u);
  EXPECT_EQ(Rows(), (std::vector<std::string>{"row0", "row1", "row2", "row3", "row4"}));
}

TEST_F(VersionLogReopenTest, ReopenOfAHealthyLogChangesNothing) {
  ASSERT_TRUE(CommitRows(0, 2, "off-2").ok());
  int opens = storage_->opens;
  ASSERT_TRUE(log_->Reopen().ok());
  EXPECT_EQ(storage_->opens, opens + 1);
  EXPECT_EQ(log_->end(), 3u);
  ASSERT_TRUE(CommitRows(2, 1, "off-3").ok());
  EXPECT_EQ(Rows().size(), 3u);
}

}  // namespace
}  // namespace sluice::host
