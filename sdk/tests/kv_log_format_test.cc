// The chunk log's encodings (sluice/kv_log_format.h): key order, round
// trips, masked CRCs, the legacy variants DecodeMeta tells apart, and the
// DATA_LOSS each kind of damage gives.
#include "sluice/kv_log_format.h"

#include <gtest/gtest.h>

#include <vector>

#include "sluice/testing/status_macros.h"

namespace sluice::kvlog {
namespace {

std::vector<std::string> ReadAll(const std::string& chunk, bool masked, Status* s) {
  ChunkReader r;
  std::vector<std::string> out;
  *s = r.Open(chunk, masked);
  for (bool more = s->ok(); more;) {
    std::string_view rec;
    *s = r.Next(&rec, &more);
    if (!s->ok()) break;
    if (more) out.emplace_back(rec);
  }
  return out;
}

uint32_t Trailer(const std::string& chunk) {
  return GetFixed32(reinterpret_cast<const uint8_t*>(chunk.data() + chunk.size() - 4));
}

TEST(KvLogFormatTest, KeysSortByOffsetWithEachMetaRightAfterItsChunk) {
  std::vector<uint64_t> offsets = {0, 1, 255, 256, 65535, 1ull << 40, ~0ull - 1};
  for (size_t i = 1; i < offsets.size(); ++i) {
    EXPECT_LT(ChunkKey(offsets[i - 1]), TailMetaKey(offsets[i - 1]));
    EXPECT_LT(TailMetaKey(offsets[i - 1]), ChunkKey(offsets[i])) << offsets[i];
  }
  EXPECT_LT(TailMetaKey(~0ull), std::string(kChunksEnd));
  EXPECT_LT(std::string(kChunksEnd), std::string(kSingleMetaKey));
  uint64_t first = 0;
  EXPECT_TRUE(ParseChunkKey(ChunkKey(1ull << 40), &first));
  EXPECT_EQ(first, 1ull << 40);
  EXPECT_TRUE(ParseTailMetaKey(TailMetaKey(77), &first));
  EXPECT_EQ(first, 77u);
  EXPECT_FALSE(ParseChunkKey(TailMetaKey(1), &first));
  EXPECT_FALSE(ParseTailMetaKey(ChunkKey(1), &first));
  EXPECT_FALSE(ParseChunkKey(kSingleMetaKey, &first));
  EXPECT_FALSE(ParseChunkKey(ChunkKey(1).substr(0, 8), &first));
  EXPECT_EQ(MetaKey(Layout{}, 5), TailMetaKey(5));
  EXPECT_EQ(MetaKey(Layout{kLegacyFormat, true, true}, 5), kSingleMetaKey);
}

TEST(KvLogFormatTest, ChunksRoundTripWithMaskedOrPlainCrcs) {
  std::vector<std::string> recs = {"", std::string("\0\xff", 2), std::string(300, 'x'), "z"};
  std::vector<std::string_view> views(recs.begin(), recs.end());
  for (bool masked : {true, false}) {
    std::string chunk;
    EncodeChunk(views.data(), views.size(), masked, &chunk);
    EXPECT_LE(chunk.size(), ChunkSize(views.data(), views.size()));
    Status s;
    EXPECT_EQ(ReadAll(chunk, masked, &s), recs);
    SLUICE_EXPECT_OK(s);
    uint32_t crc = crc32c::Value(chunk.data(), chunk.size() - 4);
    EXPECT_EQ(Trailer(chunk), masked ? crc32c::Mask(crc) : crc);
    ReadAll(chunk, !masked, &s);
    EXPECT_EQ(s.code(), Code::kDataLoss) << "read with the other CRC convention";
  }
}

TEST(KvLogFormatTest, DamagedChunksAreDataLoss) {
  std::string_view rec = "record";
  std::string chunk;
  EncodeChunk(&rec, 1, true, &chunk);
  Status s;
  std::string flipped = chunk;
  flipped[2] ^= 1;
  ReadAll(flipped, true, &s);
  EXPECT_EQ(s.code(), Code::kDataLoss);
  EXPECT_NE(s.message().find("checksum mismatch"), std::string::npos) << s.message();
  ReadAll(chunk.substr(0, 3), true, &s);
  EXPECT_EQ(s.code(), Code::kDataLoss);
  EXPECT_NE(s.message().find("too short"), std::string::npos) << s.message();
  // A count larger than the records present, with a valid CRC.
  std::string lying = chunk.substr(0, chunk.size() - 4);
  lying[0] = 2;
  PutFixed32(&lying, StoredCrc(lying.data(), lying.size(), true));
  ReadAll(lying, true, &s);
  EXPECT_EQ(s.code(), Code::kDataLoss);
  EXPECT_NE(s.message().find("runs past its end"), std::string::npos) << s.message();
}

TEST(KvLogFormatTest, MetaRoundTripsAndTellsTheLegacyVariantsApart) {
  std::string cp("file=a.csv\0off=9", 16);
  Meta meta;
  SLUICE_EXPECT_OK(DecodeMeta(EncodeMeta(kFormat, true, 12345, cp), &meta));
  EXPECT_EQ(meta.format, kFormat);
  EXPECT_TRUE(meta.masked);
  EXPECT_EQ(meta.end, 12345u);
  EXPECT_EQ(meta.checkpoint, cp);
  for (bool masked : {true, false}) {
    SLUICE_EXPECT_OK(DecodeMeta(EncodeMeta(kLegacyFormat, masked, 7, ""), &meta));
    EXPECT_EQ(meta.format, kLegacyFormat);
    EXPECT_EQ(meta.masked, masked);
    EXPECT_EQ(meta.end, 7u);
    EXPECT_EQ(meta.checkpoint, "");
  }
}

TEST(KvLogFormatTest, MetaRejectsDamagePlainFormat2AndNewerFormats) {
  Meta meta;
  std::string v = EncodeMeta(kFormat, true, 7, "cp");
  std::string bad = v;
  bad[6] ^= 1;
  EXPECT_EQ(DecodeMeta(bad, &meta).message(), "meta checksum mismatch");
  EXPECT_EQ(DecodeMeta(EncodeMeta(kFormat, false, 7, "cp"), &meta).message(),
            "meta checksum mismatch");
  Status s = DecodeMeta(EncodeMeta(3, true, 7, "cp"), &meta);
  EXPECT_EQ(s.code(), Code::kDataLoss);
  EXPECT_NE(s.message().find("newer version"), std::string::npos) << s.message();
  EXPECT_EQ(DecodeMeta("short", &meta).code(), Code::kDataLoss);
}

}  // namespace
}  // namespace sluice::kvlog
