#include "sluice/timefmt.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>
#include <vector>

namespace sluice {
namespace {

// The references: printf's text of the civil date (the SDK's formatters
// wrote exactly this until they stopped using printf), and the C library's
// own calendar (gmtime_r) where time_t reaches.
std::string PrintfDate(int32_t days) {
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  return buf;
}

// Floor division and its remainder, for any sign of `a`.
int64_t FloorDiv(int64_t a, int64_t b) { return a / b - (a % b < 0 ? 1 : 0); }
int64_t FloorMod(int64_t a, int64_t b) { return (a % b + b) % b; }

std::string PrintfTimestamp(int64_t micros) {
  int64_t secs = FloorDiv(micros, 1000000), frac = FloorMod(micros, 1000000);
  int64_t days = FloorDiv(secs, 86400), rem = FloorMod(secs, 86400);
  char buf[32];
  if (frac != 0)
    std::snprintf(buf, sizeof buf, "T%02d:%02d:%02d.%06lldZ", int(rem / 3600), int(rem / 60 % 60),
                  int(rem % 60), static_cast<long long>(frac));
  else
    std::snprintf(buf, sizeof buf, "T%02d:%02d:%02dZ", int(rem / 3600), int(rem / 60 % 60),
                  int(rem % 60));
  return PrintfDate(static_cast<int32_t>(days)) + buf;
}

std::string GmtimeTimestamp(int64_t secs) {
  time_t t = static_cast<time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string Date(int32_t days) {
  std::string s;
  AppendDate(&s, days);
  return s;
}

std::string Timestamp(int64_t micros) {
  std::string s;
  AppendTimestamp(&s, micros);
  return s;
}

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

// Every day of every int32 day count's reach (in steps), including before
// year 0 and after 9999, is printf's text.
TEST(TimefmtTest, DatesAreThePrintfText) {
  EXPECT_EQ(Date(0), "1970-01-01");
  EXPECT_EQ(Date(-719529), "-001-12-31");
  EXPECT_EQ(Date(2932897), "10000-01-01");
  for (int32_t d = -800000; d < 3000000; d += 997) ASSERT_EQ(Date(d), PrintfDate(d)) << d;
  for (int32_t d = -3000; d < 3000; ++d) ASSERT_EQ(Date(d), PrintfDate(d)) << d;
  for (int32_t d : {INT32_MIN, INT32_MIN + 1, -1000000000, 1000000000, INT32_MAX - 1, INT32_MAX})
    EXPECT_EQ(Date(d), PrintfDate(d)) << d;
}

TEST(TimefmtTest, TimestampsAreThePrintfText) {
  std::vector<int64_t> micros = {0,
                                 -1,
                                 1,
                                 999999,
                                 -1000000,
                                 86399999999,
                                 -86400000000,
                                 1706711295123456,
                                 253402300799999999,
                                 253402300800000000,
                                 -62135596800000000,
                                 -62135596800000001,
                                 INT64_MAX,
                                 INT64_MIN,
                                 INT64_MAX / 2,
                                 INT64_MIN / 2};
  for (int64_t m = -3000000000000000; m < 3000000000000000; m += 7777777777777) micros.push_back(m);
  for (int64_t m = -5000000; m < 5000000; m += 999) micros.push_back(m);
  for (int64_t m : micros) ASSERT_EQ(Timestamp(m), PrintfTimestamp(m)) << m;
  EXPECT_EQ(Timestamp(1706711295123456), "2024-01-31T14:28:15.123456Z");
  EXPECT_EQ(Timestamp(-1), "1969-12-31T23:59:59.999999Z");
}

TEST(TimefmtTest, TimestampsAreTheCLibrarysCalendar) {
  // Years 1000 .. 9999 (glibc's %Y does not pad smaller years to 4 digits).
  for (int64_t s = DaysFromCivil(1000, 1, 1) * 86400; s < 253402300800; s += 86399 * 37 + 1234)
    ASSERT_EQ(Timestamp(s * 1000000), GmtimeTimestamp(s)) << s;
}

}  // namespace
}  // namespace sluice
