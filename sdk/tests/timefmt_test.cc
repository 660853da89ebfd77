#include "sluice/timefmt.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(TimefmtTest, ParsesAndFormatsTimestamps) {
  int64_t us = 0;
  ASSERT_TRUE(ParseTimestamp("2024-01-01T00:00:00Z", &us));
  EXPECT_EQ(us, 1704067200LL * 1000000);
  ASSERT_TRUE(ParseTimestamp("2024-01-01 01:00:00+01:00", &us));
  EXPECT_EQ(us, 1704067200LL * 1000000);
  ASSERT_TRUE(ParseTimestamp("1969-12-31T23:59:59.5Z", &us));
  EXPECT_EQ(us, -500000);
  std::string s;
  AppendTimestamp(&s, -500000);
  EXPECT_EQ(s, "1969-12-31T23:59:59.500000Z");
  s.clear();
  AppendTimestamp(&s, 1704067200LL * 1000000);
  EXPECT_EQ(s, "2024-01-01T00:00:00Z");
}

TEST(TimefmtTest, RejectsMalformed) {
  int64_t us;
  int32_t d;
  for (const char* bad : {"", "2024-01-01", "2024-13-01T00:00:00Z", "2024-02-30T00:00:00Z",
                          "2024-01-01T24:00:00Z", "2024-01-01T00:00:00Q", "2024-01-01T00:00:00.Z",
                          "2024-01-01T00:00:00+1", "x2024-01-01T00:00:00Z"})
    EXPECT_FALSE(ParseTimestamp(bad, &us)) << bad;
  for (const char* bad : {"2023-02-29", "2024-1-01", "20240101", "2024-01-01T"})
    EXPECT_FALSE(ParseDate(bad, &d)) << bad;
  EXPECT_TRUE(ParseDate("2024-02-29", &d));
}

TEST(TimefmtTest, DatesRoundTripOverCenturies) {
  // 0000-01-01 .. 9999-12-31
  for (int32_t days = -719528; days < 2932896; days += 997) {
    std::string s;
    AppendDate(&s, days);
    int32_t back = 0;
    ASSERT_TRUE(ParseDate(s, &back)) << s;
    EXPECT_EQ(back, days) << s;
  }
}

}  // namespace
}  // namespace sluice
