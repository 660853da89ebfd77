// VersionLog on the real LevelDB storage plugin: commits, reopen, an append
// cut short (cut at open) and damage (kept, found, repaired when asked).
#include "storage/version_log.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

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
  // A damaged log: kept `end` records long, refusing commits, reading up to
  // the damage at `bad` and not past it.
  void ExpectDamaged(VersionLog& log, uint64_t end, uint64_t bad) {
    EXPECT_EQ(log.damage().code(), Code::kDataLoss);
    EXPECT_EQ(log.end(), end);
    EXPECT_EQ(log.Commit(CommitBuilder(), "more", 0).code(), Code::kDataLoss);
    EXPECT_EQ(log.end(), end);
    uint64_t read = 0;
    Status s = log.Read(0, 100, [&](uint64_t, const LogRecord&) {
      ++read;
      return true;
    });
    EXPECT_EQ(s.code(), Code::kDataLoss) << s.ToString();
    EXPECT_EQ(read, bad);
  }
  // Verify() of a damaged log: what it found, after checking that it calls
  // the log damaged and that the last whole commit before the damage ends
  // at `good_end` with source offset `good_offset`.
  static LogCheck VerifyDamaged(VersionLog& log, uint64_t good_end,
                                const std::string& good_offset) {
    LogCheck c;
    Status s = log.Verify(&c);
    EXPECT_TRUE(s.ok()) << s.ToString();
    EXPECT_TRUE(c.damaged);
    EXPECT_EQ(c.last_good.log_end, good_end);
    EXPECT_EQ(c.last_good.source_offset, good_offset);
    return c;
  }
  static void FlipByte(const std::filesystem::path& file, uintmax_t at) {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(at));
    char c = 0;
    f.read(&c, 1);
    c = static_cast<char>(c ^ 0x5a);
    f.seekp(static_cast<std::streamoff>(at));
    f.write(&c, 1);
  }
  static Status CountRecordsStatus(VersionLog& log) {
    return log.Read(0, 1 << 20, [](uint64_t, const LogRecord&) { return true; });
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

// The checkpoint is written with the records it follows (one atomic
// append): a checkpoint naming a commit that does not read back is damage,
// not an append cut short. The log is kept whole and refuses commits.
TEST_F(VersionLogTest, ADamagedLastCommitIsKeptNotCut) {
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
  ExpectDamaged(*log, 5, 4);
  LogCheck c = VerifyDamaged(*log, 3, "off-2");
  EXPECT_EQ(c.bad_offset, 4u) << c.why;
}

TEST_F(VersionLogTest, ADamagedRowOfTheLastCommitIsKeptNotCut) {
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
  ExpectDamaged(*log, 4, 2);
}

// Damage before the last commit: the tail reads back, but the writer reads
// every record at open and finds it. Nothing is cut; repair (Verify, CutAt)
// cuts after the last whole commit before the damage, and appends go on.
TEST_F(VersionLogTest, DamageBeforeTheLastCommitIsFoundKeptAndRepairedOnlyWhenAsked) {
  {
    auto log = Open();
    CommitRows(*log, 2, "off-2");  // records 0..2
  }
  for (const testing::RawAppend& a : testing::AppendsDamagedAtRecord3())
    AppendRaw(a.records, a.checkpoint);  // records 3..4 (3 damaged), 5..6

  {
    // A host that only reads checks the last commit alone; a read that
    // reaches the damage finds it.
    auto reader = Open(TailPolicy::kIgnore);
    EXPECT_EQ(reader->end(), 7u);
    EXPECT_TRUE(reader->damage().ok());
    Status r = reader->Read(0, 100, [](uint64_t, const LogRecord&) { return true; });
    EXPECT_EQ(r.code(), Code::kDataLoss);
    EXPECT_EQ(reader->damage().code(), Code::kDataLoss);
  }
  {
    auto log = Open();
    ExpectDamaged(*log, 7, 3);
    LogCheck c = VerifyDamaged(*log, 3, "off-2");
    EXPECT_EQ(c.bad_offset, 3u) << c.why;
    EXPECT_EQ(c.end, 7u);
    EXPECT_EQ(c.good_rows, 2u);
    ASSERT_TRUE(log->CutAt(c.last_good).ok());
    EXPECT_TRUE(log->damage().ok());
    EXPECT_EQ(log->end(), 3u);
  }
  auto log = Open();
  EXPECT_TRUE(log->damage().ok());
  EXPECT_EQ(log->end(), 3u);
  EXPECT_EQ(log->checkpoint().source_offset, "off-2");
  CommitRows(*log, 1, "off-3");
  EXPECT_EQ(log->end(), 5u);
  EXPECT_EQ(CountRecords(*log), 5);
}

TEST_F(VersionLogTest, AnUnreadableCheckpointIsDamage) {
  {
    auto log = Open();
    CommitRows(*log, 2, "off-2");
    CommitRows(*log, 2, "off-4");
  }
  std::string row;
  EncodeRowRecord(SLUICE_OP_INSERT, "row", &row);
  AppendRaw({row}, "\x07not-a-checkpoint");
  auto log = Open();
  EXPECT_EQ(log->damage().code(), Code::kDataLoss);
  EXPECT_EQ(log->Commit(CommitBuilder(), "x", 0).code(), Code::kDataLoss);
  LogCheck c = VerifyDamaged(*log, 6, "off-4");
  EXPECT_FALSE(c.checkpoint_ok);
}

// A byte flipped in the store's own files: the log is damaged (found at
// open, or after a clean stop by the first read), nothing of it is cut,
// and once the byte is back every record reads again.
TEST_F(VersionLogTest, AFlippedByteInTheStoreIsDamageAndNothingIsCut) {
  {
    auto log = Open();
    for (int i = 1; i <= 50; ++i) CommitRows(*log, 20, "off-" + std::to_string(i));
    EXPECT_EQ(log->end(), 50u * 21);
  }
  // The first store file is the write-ahead log; once the byte is back, the
  // store moves it into a table, whose head, middle and tail come next.
  for (double where : {0.5, 0.02, 0.5, 1.0}) {
    std::filesystem::path biggest;
    uintmax_t size = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir()))
      if (e.is_regular_file() && e.file_size() > size) size = e.file_size(), biggest = e.path();
    ASSERT_GT(size, 256u);
    uintmax_t at = std::min<uintmax_t>(static_cast<uintmax_t>(where * size), size - 1);
    SCOPED_TRACE("byte " + std::to_string(at) + " of " + biggest.string());
    FlipByte(biggest, at);
    {
      auto log = Open();
      // After a clean stop the open checks the last commit only (its
      // watermark, log_watermark_test.cc): then the first read finds it.
      if (log->damage().ok()) EXPECT_EQ(CountRecordsStatus(*log).code(), Code::kDataLoss);
      EXPECT_EQ(log->damage().code(), Code::kDataLoss);
      EXPECT_EQ(log->Commit(CommitBuilder(), "x", 0).code(), Code::kDataLoss);
    }
    FlipByte(biggest, at);
    auto log = Open();
    EXPECT_TRUE(log->damage().ok()) << log->damage().ToString();
    EXPECT_EQ(log->end(), 50u * 21);
    EXPECT_EQ(CountRecords(*log), 50 * 21);
  }
}

}  // namespace
}  // namespace sluice::host
