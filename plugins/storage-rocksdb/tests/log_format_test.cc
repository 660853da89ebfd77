// The rocksdb log's chunk and meta encodings: round trips, key order, and
// the DATA_LOSS each kind of damage gives.
#include "log_format.h"

#include <gtest/gtest.h>

#include <vector>

#include "sluice/crc32c.h"

namespace sluice::storage_rocksdb {
namespace {

std::vector<std::string> ReadAll(const std::string& chunk, Status* s) {
  ChunkReader r;
  std::vector<std::string> out;
  *s = r.Open(chunk);
  for (bool more = s->ok(); more;) {
    std::string_view rec;
    *s = r.Next(&rec, &more);
    if (!s->ok()) break;
    if (more) out.emplace_back(rec);
  }
  return out;
}

TEST(LogFormatTest, ChunkKeysSortByOffsetAndBeforeTheMetaKey) {
  std::vector<uint64_t> offsets = {0, 1, 255, 256, 65535, 1ull << 40, ~0ull};
  for (size_t i = 1; i < offsets.size(); ++i)
    EXPECT_LT(ChunkKey(offsets[i - 1]), ChunkKey(offsets[i])) << offsets[i];
  EXPECT_LT(ChunkKey(~0ull), std::string(kChunksEnd));
  EXPECT_LT(std::string(kChunksEnd), std::string(kMetaKey));
  uint64_t first = 0;
  EXPECT_TRUE(ParseChunkKey(ChunkKey(1ull << 40), &first));
  EXPECT_EQ(first, 1ull << 40);
  EXPECT_FALSE(ParseChunkKey(kMetaKey, &first));
  EXPECT_FALSE(ParseChunkKey(ChunkKey(1).substr(0, 8), &first));
}

TEST(LogFormatTest, ChunkRoundTripsBinaryAndEmptyRecords) {
  std::vector<std::string> recs = {"", std::string("\0\xff", 2), std::string(300, 'x'), "z"};
  std::vector<std::string_view> views(recs.begin(), recs.end());
  std::string chunk;
  EncodeChunk(views.data(), views.size(), &chunk);
  Status s;
  EXPECT_EQ(ReadAll(chunk, &s), recs);
  EXPECT_TRUE(s.ok()) << s.ToString();
  // The trailer is the masked CRC-32C of everything before it.
  uint32_t stored = 0;
  for (int i = 3; i >= 0; --i)
    stored = (stored << 8) | static_cast<uint8_t>(chunk[chunk.size() - 4 + i]);
  EXPECT_EQ(crc32c::Unmask(stored), crc32c::Value(chunk.data(), chunk.size() - 4));
}

TEST(LogFormatTest, DamagedChunksAreDataLoss) {
  std::string_view rec = "record";
  std::string chunk;
  EncodeChunk(&rec, 1, &chunk);
  Status s;
  std::string flipped = chunk;
  flipped[2] ^= 1;
  ReadAll(flipped, &s);
  EXPECT_EQ(s.code(), Code::kDataLoss);
  EXPECT_NE(s.message().find("checksum mismatch"), std::string::npos) << s.message();
  ReadAll(chunk.substr(0, 3), &s);
  EXPECT_EQ(s.code(), Code::kDataLoss);
  EXPECT_NE(s.message().find("too short"), std::string::npos) << s.message();
}

TEST(LogFormatTest, MetaRoundTripsAndRejectsDamageAndNewerFormats) {
  std::string cp("file=a.csv\0off=9", 16);
  LogMeta meta;
  ASSERT_TRUE(DecodeMeta(EncodeMeta(12345, cp), &meta).ok());
  EXPECT_EQ(meta.end, 12345u);
  EXPECT_EQ(meta.checkpoint, cp);
  std::string v = EncodeMeta(7, "");
  ASSERT_TRUE(DecodeMeta(v, &meta).ok());
  EXPECT_EQ(meta.end, 7u);
  EXPECT_EQ(meta.checkpoint, "");
  std::string bad = v;
  bad[6] ^= 1;
  EXPECT_EQ(DecodeMeta(bad, &meta).message(), "meta checksum mismatch");
  std::string newer = v;
  newer[4] = 2;  // a newer format with a valid CRC
  uint32_t crc = crc32c::Mask(crc32c::Value(newer.data() + 4, newer.size() - 4));
  for (int i = 0; i < 4; ++i) newer[i] = static_cast<char>(crc >> (8 * i));
  Status s = DecodeMeta(newer, &meta);
  EXPECT_EQ(s.code(), Code::kDataLoss);
  EXPECT_NE(s.message().find("newer version"), std::string::npos) << s.message();
  EXPECT_EQ(DecodeMeta("short", &meta).code(), Code::kDataLoss);
}

}  // namespace
}  // namespace sluice::storage_rocksdb
