#include "storage/log_format.h"

#include <gtest/gtest.h>

namespace sluice::host {
namespace {

TEST(LogFormatTest, RecordsRoundTripAndDetectCorruption) {
  std::string rec;
  EncodeRowRecord(SLUICE_OP_UPDATE, "row-bytes", &rec);
  LogRecord out;
  ASSERT_TRUE(DecodeRecord(rec, &out).ok());
  EXPECT_EQ(out.kind, RecordKind::kUpdate);
  EXPECT_EQ(out.payload, "row-bytes");
  for (size_t i = 0; i < rec.size(); ++i) {
    std::string bad = rec;
    bad[i] ^= 0x20;
    EXPECT_EQ(DecodeRecord(bad, &out).code(), Code::kDataLoss) << "flipped byte " << i;
  }
  EXPECT_EQ(DecodeRecord(rec.substr(0, 4), &out).code(), Code::kDataLoss);
}

TEST(LogFormatTest, CommitAndCheckpointRoundTrip) {
  CommitInfo c{kCommitSourceAtEnd, 123, 456789, std::string("off\0set", 7)};
  std::string rec;
  EncodeCommitRecord(c, &rec);
  LogRecord r;
  ASSERT_TRUE(DecodeRecord(rec, &r).ok());
  ASSERT_EQ(r.kind, RecordKind::kCommit);
  CommitInfo back;
  ASSERT_TRUE(DecodeCommit(r.payload, &back).ok());
  EXPECT_EQ(back.flags, c.flags);
  EXPECT_EQ(back.rows, 123u);
  EXPECT_EQ(back.unix_micros, 456789u);
  EXPECT_EQ(back.source_offset, c.source_offset);

  Checkpoint cp{99, 1, "xyz"}, cp2;
  ASSERT_TRUE(DecodeCheckpoint(EncodeCheckpoint(cp), &cp2).ok());
  EXPECT_EQ(cp2.log_end, 99u);
  EXPECT_EQ(cp2.source_offset, "xyz");
  ASSERT_TRUE(DecodeCheckpoint("", &cp2).ok());
  EXPECT_EQ(cp2.log_end, 0u);
  EXPECT_EQ(DecodeCheckpoint("\x02garbage", &cp2).code(), Code::kDataLoss);
}

}  // namespace
}  // namespace sluice::host
