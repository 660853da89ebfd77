#include <gtest/gtest.h>

#include <vector>

#include "message_format.h"
#include "sluice/crc32c.h"
#include "sluice/row.h"

namespace sluice::log_nats {
namespace {

TEST(MessageFormatTest, ChunkRoundTripsWithCheckpoint) {
  std::vector<std::string_view> recs = {"", std::string_view("\0\xff", 2), "abc"};
  std::string bytes;
  EncodeChunk(42, recs.data(), recs.size(), true, std::string("c\0p", 3), &bytes);
  DecodedChunk c;
  ASSERT_TRUE(DecodeChunk(bytes, &c).ok());
  EXPECT_EQ(c.first, 42u);
  EXPECT_TRUE(c.commit);
  EXPECT_EQ(c.records, recs);
  EXPECT_EQ(c.checkpoint, std::string_view("c\0p", 3));
}

TEST(MessageFormatTest, NonCommitChunkHasNoCheckpoint) {
  std::string_view rec = "r";
  std::string bytes;
  EncodeChunk(0, &rec, 1, false, "ignored", &bytes);
  DecodedChunk c;
  ASSERT_TRUE(DecodeChunk(bytes, &c).ok());
  EXPECT_FALSE(c.commit);
  EXPECT_TRUE(c.checkpoint.empty());
}

TEST(MessageFormatTest, CorruptionIsDataLoss) {
  std::string_view rec = "record";
  std::string bytes;
  EncodeChunk(7, &rec, 1, true, "cp", &bytes);
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] ^= 0x01;
    DecodedChunk c;
    EXPECT_EQ(DecodeChunk(bad, &c).code(), Code::kDataLoss) << "byte " << i;
  }
  DecodedChunk c;
  Status s = DecodeChunk(bytes.substr(0, 10), &c);
  EXPECT_EQ(s.code(), Code::kDataLoss);
  EXPECT_NE(s.message().find("too short"), std::string::npos) << s.message();
}

// Format 1 chunks, written before CRCs were masked, store the CRC plain.
TEST(MessageFormatTest, ChunksStoreMaskedCrcsAndFormat1ChunksAreStillRead) {
  std::string_view recs[] = {"a", "bc"};
  std::string bytes;
  EncodeChunk(9, recs, 2, true, "cp", &bytes);
  EXPECT_EQ(static_cast<uint8_t>(bytes[0]), kChunkFormat);
  uint32_t crc = crc32c::Value(bytes.data(), bytes.size() - 4);
  EXPECT_EQ(GetFixed32(reinterpret_cast<const uint8_t*>(bytes.data() + bytes.size() - 4)),
            crc32c::Mask(crc));
  bytes[0] = static_cast<char>(kLegacyChunkFormat);  // as format 1 wrote it
  crc = crc32c::Value(bytes.data(), bytes.size() - 4);
  for (int i = 0; i < 4; ++i) bytes[bytes.size() - 4 + i] = static_cast<char>(crc >> (8 * i));
  DecodedChunk c;
  ASSERT_TRUE(DecodeChunk(bytes, &c).ok());
  EXPECT_EQ(c.first, 9u);
  EXPECT_EQ(c.records, (std::vector<std::string_view>{"a", "bc"}));
  EXPECT_EQ(c.checkpoint, "cp");
  bytes[0] = static_cast<char>(kChunkFormat);  // a plain CRC is not one of format 2's
  EXPECT_EQ(DecodeChunk(bytes, &c).code(), Code::kDataLoss);
}

TEST(MessageFormatTest, UnknownFormatSaysNewerVersion) {
  std::string_view rec = "r";
  std::string bytes;
  EncodeChunk(0, &rec, 1, true, "", &bytes);
  bytes[0] = 3;
  uint32_t crc = crc32c::Mask(crc32c::Value(bytes.data(), bytes.size() - 4));  // reseal
  for (int i = 0; i < 4; ++i) bytes[bytes.size() - 4 + i] = static_cast<char>(crc >> (8 * i));
  DecodedChunk c;
  Status s = DecodeChunk(bytes, &c);
  EXPECT_EQ(s.code(), Code::kDataLoss);
  EXPECT_NE(s.message().find("newer version"), std::string::npos) << s.message();
}

TEST(MessageFormatTest, HeadersParseAndRejectGarbage) {
  MessageHeaders h;
  ASSERT_TRUE(ParseHeaders("5", "10", "3", "2/4", "1", &h).ok());
  EXPECT_EQ(h.start, 5u);
  EXPECT_EQ(h.first, 10u);
  EXPECT_EQ(h.count, 3u);
  EXPECT_EQ(h.frag, 2u);
  EXPECT_EQ(h.frags, 4u);
  EXPECT_TRUE(h.commit);
  ASSERT_TRUE(ParseHeaders("5", "0", "0", nullptr, nullptr, &h).ok());
  EXPECT_EQ(h.frags, 1u);
  EXPECT_FALSE(h.commit);
  Status s = ParseHeaders(nullptr, "0", "0", nullptr, nullptr, &h);
  EXPECT_NE(s.message().find("header Sluice-Start is missing"), std::string::npos) << s.message();
  s = ParseHeaders("1", "-1", "0", nullptr, nullptr, &h);
  EXPECT_NE(s.message().find("Sluice-First is '-1'"), std::string::npos) << s.message();
  EXPECT_EQ(ParseHeaders("1", "0", "0", "3/2", nullptr, &h).code(), Code::kDataLoss);
  EXPECT_EQ(ParseHeaders("1", "0", "0", "0/2", nullptr, &h).code(), Code::kDataLoss);
  EXPECT_EQ(ParseHeaders("1", "0", "0", nullptr, "yes", &h).code(), Code::kDataLoss);
  EXPECT_EQ(ParseHeaders("0", "0", "0", nullptr, nullptr, &h).code(), Code::kDataLoss);
}

TEST(MessageFormatTest, PlanPacksRecordsAndIsolatesHugeOnes) {
  std::string big(1000, 'x');
  std::vector<std::string_view> recs = {"a", "b", big, "c"};
  auto plan = PlanChunks(recs.data(), recs.size(), 100);
  ASSERT_EQ(plan.size(), 3u);
  EXPECT_EQ(plan[0].begin, 0u);
  EXPECT_EQ(plan[0].end, 2u);
  EXPECT_EQ(plan[1].begin, 2u);
  EXPECT_EQ(plan[1].end, 3u);
  EXPECT_EQ(plan[2].end, 4u);
  EXPECT_EQ(PlanChunks(recs.data(), 0, 100).size(), 1u);  // checkpoint-only append
  EXPECT_EQ(PlanChunks(recs.data(), 4, 1 << 20).size(), 1u);
}

}  // namespace
}  // namespace sluice::log_nats
