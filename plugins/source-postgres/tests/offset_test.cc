// Offsets of the postgres source: round trips, and refusal of foreign bytes.
#include <gtest/gtest.h>

#include "pg_offset.h"

namespace pgsrc {
namespace {

TEST(OffsetTest, RoundTripsBothPhases) {
  PgOffset snap;
  snap.slot = "sluice_orders_v1";
  snap.start_lsn = 0x16B3748;
  snap.snapshot = true;
  snap.last_key = {"42", "b\tc"};
  snap.segments = {{{"10", "a"}, 0x1700000}, {{"30", ""}, 0x1800000}};
  PgOffset got;
  ASSERT_TRUE(DecodeOffset(EncodeOffset(snap), &got).ok());
  EXPECT_EQ(got, snap);

  PgOffset stream;
  stream.slot = "s";
  stream.start_lsn = 1;
  stream.lsn = 0xFFFFFFFF00000001ull;
  ASSERT_TRUE(DecodeOffset(EncodeOffset(stream), &got).ok());
  EXPECT_EQ(got, stream);
  EXPECT_EQ(DescribeOffset(stream), "LSN FFFFFFFF/1 of slot s");
  EXPECT_EQ(DescribeOffset(snap), "snapshot of slot sluice_orders_v1 after key (42, b\tc)");
}

TEST(OffsetTest, RefusesOffsetsOfOtherPlugins) {
  PgOffset o;
  for (std::string bad : {std::string("12345"), std::string(""), std::string("P\x02\x00", 3)}) {
    sluice::Status s = DecodeOffset(bad, &o);
    EXPECT_EQ(s.code(), sluice::Code::kInvalidArgument) << bad;
    EXPECT_NE(s.message().find("another source plugin"), std::string::npos) << s.message();
  }
  PgOffset evil;
  evil.slot = "x LOGICAL 0/0; DROP";  // slot names go into replication commands
  EXPECT_EQ(DecodeOffset(EncodeOffset(evil), &o).code(), sluice::Code::kInvalidArgument);
  PgOffset good;
  good.slot = "s";
  std::string bytes = EncodeOffset(good);
  EXPECT_FALSE(DecodeOffset(bytes.substr(0, bytes.size() - 1), &o).ok());
  EXPECT_FALSE(DecodeOffset(bytes + "x", &o).ok());
}

}  // namespace
}  // namespace pgsrc
