// VersionLog on the real LevelDB storage plugin: commits, reopen, and
// recovery from torn and corrupt tails.
#include "storage/version_log.h"

#include <gtest/gtest.h>

#include "tests/test_util.h"

namespace sluice::host {
namespace {

class VersionLogTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(testing::OpenLevelDbPlugin(&storage_).ok()); }
  std::string dir() const { return (tmp_.path() / "log").string(); }
  std::unique_ptr<VersionLog> Open(TailPolicy tail = TailPolicy::kRepair, Status* st = nullptr) {
    std::unique_ptr<VersionLog> log;
    Status s = VersionLog::Open(*storage_, "t/v0001", dir(), true, &log, tail);
    if (st) *st = s;
    else EXPECT_TRUE(s.ok()) << s.ToString();
    return log;
  }
  void CommitRows(VersionLog& log, int n, const std::string& offset, uint64_t flags = 0) {
    CommitBuilder b;
    for (int i = 0; i < n; ++i) b.AddRow(SLUICE_OP_INSERT, "row" + std::to_string(i));
    ASSERT_TRUE(log.Commit(b, offset, flags).ok());
  }
  // Appends raw records straight to the backend, as a crash mid-way might leave them.
  void AppendRaw(const std::vector<std::string>& recs, const std::string& checkpoint) {
    std::unique_ptr<Log> raw;
    ASSERT_TRUE(storage_->OpenLog("t/v0001", dir(), false, &raw).ok());
    std::vector<std::string_view> v(recs.begin(), recs.end());
    uint64_t first;
    ASSERT_TRUE(raw->Append(v.data(), v.size(), checkpoint, true, &first).ok());
  }
  int CountRecords(VersionLog& log) {
    int n = 0;
    EXPECT_TRUE(log.Read(0, 1 << 20,
                         [&](uint64_t, const LogRecord&) {
                           ++n;
                           return true;
                         })
                    .ok());
    return n;
  }

  testing::TempDir tmp_;
  std::unique_ptr<StoragePlugin> storage_;
};

TEST_F(VersionLogTest, CommitsAreDurableAndCarryTheSourceOffset) {
  {
    auto log = Open();
    EXPECT_EQ(log->end(), 0u);
    CommitRows(*log, 3, "off-3");
    CommitRows(*log, 2, "off-5", kCommitSourceAtEnd);
    EXPECT_EQ(log->end(), 7u);
  }
  auto log = Open();
  EXPECT_EQ(log->end(), 7u);
  EXPECT_EQ(log->checkpoint().source_offset, "off-5");
  EXPECT_EQ(log->checkpoint().flags, kCommitSourceAtEnd);
  std::vector<RecordKind> kinds;
  ASSERT_TRUE(log->Read(0, 100,
                        [&](uint64_t, const LogRecord& r) {
                          kinds.push_back(r.kind);
                          return true;
                        })
                  .ok());
  ASSERT_EQ(kinds.size(), 7u);
  EXPECT_EQ(kinds[3], RecordKind::kCommit);
  EXPECT_EQ(kinds[6], RecordKind::kCommit);
}

TEST_F(VersionLogTest, TornTailWithoutCommitIsCut) {
  {
    auto log = Open();
    CommitRows(*log, 2, "off-2");
  }
  // Row records after the last commit, the checkpoint still at the old commit.
  std::string r1, r2;
  EncodeRowRecord(SLUICE_OP_INSERT, "lost-1", &r1);
  EncodeRowRecord(SLUICE_OP_INSERT, "lost-2", &r2);
  Checkpoint cp{3, 0, "off-2"};
  AppendRaw({r1, r2}, EncodeCheckpoint(cp));
  Status st;
  auto inspect = Open(TailPolicy::kReport, &st);
  EXPECT_EQ(st.code(), Code::kFailedPrecondition);
  EXPECT_NE(st.message().find("2 records after the last complete commit at offset 3"),
            std::string::npos)
      << st.message();
  auto log = Open();
  EXPECT_EQ(log->end(), 3u);
  EXPECT_EQ(CountRecords(*log), 3);
  CommitRows(*log, 1, "off-3");  // appends continue right after the cut
  EXPECT_EQ(log->end(), 5u);
}

TEST_F(VersionLogTest, ReaderLeavesATornTailForTheWriter) {
  {
    auto log = Open();
    CommitRows(*log, 2, "off-2");
  }
  std::string r1;
  EncodeRowRecord(SLUICE_OP_INSERT, "lost-1", &r1);
  AppendRaw({r1}, EncodeCheckpoint(Checkpoint{3, 0, "off-2"}));
  {
    auto reader = Open(TailPolicy::kIgnore);
    EXPECT_EQ(reader->end(), 3u);
    EXPECT_EQ(CountRecords(*reader), 3);
    EXPECT_EQ(reader->checkpoint().source_offset, "off-2");
  }
  Status st;
  auto inspect = Open(TailPolicy::kReport, &st);  // the record is still there
  EXPECT_EQ(st.code(), Code::kFailedPrecondition);
  EXPECT_NE(st.message().find("1 records after the last complete commit at offset 3"),
            std::string::npos)
      << st.message();
}

TEST_F(VersionLogTest, CorruptLastCommitFallsBackToThePreviousOne) {
  {
    auto log = Open();
    CommitRows(*log, 2, "off-2");
  }
  std::string row, commit;
  EncodeRowRecord(SLUICE_OP_INSERT, "row", &row);
  EncodeCommitRecord(CommitInfo{0, 1, 0, "off-3"}, &commit);
  commit[commit.size() - 1] ^= 0x40;  // flip a bit in the commit record
  AppendRaw({row, commit}, EncodeCheckpoint(Checkpoint{5, 0, "off-3"}));
  auto log = Open();
  EXPECT_EQ(log->end(), 3u);
  EXPECT_EQ(log->checkpoint().source_offset, "off-2");
}

TEST_F(VersionLogTest, CorruptRowInLastCommitFallsBack) {
  {
    auto log = Open();
    CommitRows(*log, 1, "off-1");
  }
  std::string row, commit;
  EncodeRowRecord(SLUICE_OP_INSERT, "row", &row);
  row[6] ^= 1;
  EncodeCommitRecord(CommitInfo{0, 1, 0, "off-2"}, &commit);
  AppendRaw({row, commit}, EncodeCheckpoint(Checkpoint{4, 0, "off-2"}));
  auto log = Open();
  EXPECT_EQ(log->end(), 2u);
  EXPECT_EQ(log->checkpoint().source_offset, "off-1");
}

TEST_F(VersionLogTest, UnreadableCheckpointIsRecoveredByScanning) {
  {
    auto log = Open();
    CommitRows(*log, 2, "off-2");
    CommitRows(*log, 2, "off-4");
  }
  std::string row;
  EncodeRowRecord(SLUICE_OP_INSERT, "row", &row);
  AppendRaw({row}, "\x07not-a-checkpoint");
  auto log = Open();
  EXPECT_EQ(log->end(), 6u);
  EXPECT_EQ(log->checkpoint().source_offset, "off-4");
}

}  // namespace
}  // namespace sluice::host
