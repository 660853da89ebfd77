#include "chunk_index.h"

#include <gtest/gtest.h>

namespace sluice::log_nats {
namespace {

MessageHeaders H(uint64_t start, uint64_t first, uint32_t count, bool commit, uint32_t frag = 1,
                 uint32_t frags = 1) {
  return MessageHeaders{start, first, count, frag, frags, commit};
}

// Records of offsets [first, first+count) in messages starting at seq.
void ExpectChunk(const ChunkRef& c, uint64_t first, uint32_t count, uint64_t seq, uint32_t msgs) {
  EXPECT_EQ(c.first, first);
  EXPECT_EQ(c.count, count);
  EXPECT_EQ(c.seq, seq);
  EXPECT_EQ(c.msgs, msgs);
}

TEST(ChunkIndexTest, SingleMessageAppends) {
  ChunkIndex ix;
  ASSERT_TRUE(ix.Apply(1, H(1, 0, 3, true)).ok());
  ASSERT_TRUE(ix.Apply(2, H(2, 3, 0, true)).ok());  // checkpoint only
  ASSERT_TRUE(ix.Apply(3, H(3, 3, 2, true)).ok());
  EXPECT_EQ(ix.end(), 5u);
  ASSERT_EQ(ix.chunks().size(), 2u);
  ExpectChunk(ix.chunks()[1], 3, 2, 3, 1);
  EXPECT_EQ(ix.commit().seq, 3u);
  EXPECT_EQ(ix.Find(0), 0u);
  EXPECT_EQ(ix.Find(2), 0u);
  EXPECT_EQ(ix.Find(3), 1u);
  EXPECT_EQ(ix.Find(5), ChunkIndex::kNone);
}

TEST(ChunkIndexTest, MultiChunkAndFragmentedAppendCommitsAtTheEnd) {
  ChunkIndex ix;
  ASSERT_TRUE(ix.Apply(1, H(1, 0, 2, false)).ok());
  ASSERT_TRUE(ix.Apply(2, H(1, 2, 1, false, 1, 3)).ok());
  ASSERT_TRUE(ix.Apply(3, H(1, 2, 1, false, 2, 3)).ok());
  EXPECT_EQ(ix.end(), 0u) << "nothing is visible before the commit";
  ASSERT_TRUE(ix.Apply(4, H(1, 2, 1, false, 3, 3)).ok());
  ASSERT_TRUE(ix.Apply(5, H(1, 3, 4, true)).ok());
  EXPECT_EQ(ix.end(), 7u);
  ASSERT_EQ(ix.chunks().size(), 3u);
  ExpectChunk(ix.chunks()[1], 2, 1, 2, 3);
  ExpectChunk(ix.commit(), 3, 4, 5, 1);
}

TEST(ChunkIndexTest, TornAppendIsAbandonedByTheNextOne) {
  ChunkIndex ix;
  ASSERT_TRUE(ix.Apply(1, H(1, 0, 2, true)).ok());
  ASSERT_TRUE(ix.Apply(2, H(2, 2, 5, false)).ok());  // writer died here
  ASSERT_TRUE(ix.Apply(3, H(3, 2, 1, true)).ok());   // the next writer
  EXPECT_EQ(ix.end(), 3u);
  ASSERT_EQ(ix.chunks().size(), 2u);
  ExpectChunk(ix.chunks()[1], 2, 1, 3, 1);
  // A late piece of the abandoned append changes nothing.
  ASSERT_TRUE(ix.Apply(4, H(2, 7, 1, true)).ok());
  EXPECT_EQ(ix.end(), 3u);
}

TEST(ChunkIndexTest, FragmentsOutOfOrderAbandonTheAppend) {
  ChunkIndex ix;
  ASSERT_TRUE(ix.Apply(1, H(1, 0, 1, false, 1, 2)).ok());
  ASSERT_TRUE(ix.Apply(2, H(1, 0, 1, true, 1, 2)).ok());  // fragment 1 again
  EXPECT_EQ(ix.end(), 0u);
  EXPECT_EQ(ix.commit().msgs, 0u);
}

TEST(ChunkIndexTest, TruncationDropsLaterChunksAndRemembersThem) {
  ChunkIndex ix;
  ASSERT_TRUE(ix.Apply(1, H(1, 0, 5, true)).ok());
  ASSERT_TRUE(ix.Apply(2, H(2, 5, 5, true)).ok());
  ASSERT_TRUE(ix.Apply(3, H(3, 10, 5, true)).ok());
  ASSERT_TRUE(ix.Apply(4, H(4, 5, 2, true)).ok());  // truncate to 7: rewrite [5, 7)
  EXPECT_EQ(ix.end(), 7u);
  ASSERT_EQ(ix.chunks().size(), 2u);
  ExpectChunk(ix.chunks()[1], 5, 2, 4, 1);
  std::vector<ChunkRef> gone = ix.TakeSuperseded();
  ASSERT_EQ(gone.size(), 2u);
  EXPECT_EQ(gone[0].seq, 3u);
  EXPECT_EQ(gone[1].seq, 2u);
  EXPECT_TRUE(ix.TakeSuperseded().empty());
  ASSERT_TRUE(ix.Apply(5, H(5, 0, 0, true)).ok());  // truncate to 0
  EXPECT_EQ(ix.end(), 0u);
  EXPECT_TRUE(ix.chunks().empty());
  EXPECT_EQ(ix.commit().seq, 5u);
}

TEST(ChunkIndexTest, ReplayedMessagesAreIgnored) {
  ChunkIndex ix;
  ASSERT_TRUE(ix.Apply(1, H(1, 0, 1, true)).ok());
  ASSERT_TRUE(ix.Apply(2, H(2, 1, 1, true)).ok());
  ASSERT_TRUE(ix.Apply(2, H(2, 1, 1, true)).ok());
  ASSERT_TRUE(ix.Apply(1, H(1, 0, 1, true)).ok());
  EXPECT_EQ(ix.end(), 2u);
  EXPECT_EQ(ix.chunks().size(), 2u);
}

TEST(ChunkIndexTest, ImpossibleCommitsAreDataLoss) {
  ChunkIndex ix;
  ASSERT_TRUE(ix.Apply(1, H(1, 0, 4, true)).ok());
  Status s = ix.Apply(2, H(2, 9, 1, true));
  EXPECT_EQ(s.code(), Code::kDataLoss);
  EXPECT_NE(s.message().find("beyond the end 4"), std::string::npos) << s.message();
  s = ix.Apply(3, H(3, 2, 1, true));
  EXPECT_EQ(s.code(), Code::kDataLoss);
  EXPECT_NE(s.message().find("inside the chunk at 0"), std::string::npos) << s.message();
  EXPECT_EQ(ix.end(), 4u);
}

}  // namespace
}  // namespace sluice::log_nats
