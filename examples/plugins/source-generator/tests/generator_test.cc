// The generator's implementation, linked directly: values, offsets, resume,
// rate limiting (with a fake clock) and option errors.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "generator_config.h"
#include "generator_reader.h"
#include "generator_rows.h"
#include "generator_source.h"
#include "sluice/row.h"

namespace generator {
namespace {

// Options from key/value pairs ({{"k", "v"}} alone would be ambiguous).
sluice::Options Opts(std::vector<std::pair<std::string, std::string>> items) {
  return sluice::Options(std::move(items));
}

using sluice::Options;

// A clock the test moves by hand.
struct FakeClock {
  int64_t now = 1000000;
  MicrosClock fn() {
    return [this] { return now; };
  }
};

struct Read {
  std::vector<std::string> rows, offsets;
  bool at_end = false;
};

Read NextBatch(sluice::SourceReader* r, uint32_t max_rows) {
  sluice::RowBatchBuilder b;
  sluice::BatchInfo info;
  EXPECT_TRUE(r->Next(max_rows, &b, &info).ok());
  const sluice_row_batch* batch = b.batch();
  Read out;
  for (uint32_t i = 0; i < batch->row_count; ++i) {
    out.rows.emplace_back(sluice::BatchRow(*batch, i));
    out.offsets.emplace_back(sluice::BatchOffset(*batch, i));
  }
  out.at_end = info.at_end;
  return out;
}

std::string Encoded(uint64_t seed, uint64_t n) {
  std::string s;
  EncodeRow(RowAt(seed, n), &s);
  return s;
}

GeneratorConfig Config(uint64_t rows, double rate, uint64_t seed) {
  GeneratorConfig c;
  c.rows = rows, c.rate = rate, c.seed = seed;
  return c;
}

TEST(RowsTest, MixIsSplitMix64) {
  EXPECT_EQ(Mix(0), 0xe220a8397b1dcdafull);  // SplitMix64's first output from state 0
  EXPECT_EQ(Mix(1), 0x910a2dec89025cc1ull);
}

TEST(RowsTest, ValuesFollowTheDocumentedFormula) {
  // Computed independently from the formula in generator_rows.h.
  GeneratedRow r = RowAt(0, 0);
  EXPECT_EQ(r.id, 0);
  EXPECT_EQ(r.ts, 1704067200055000);
  EXPECT_EQ(r.value, 250.71);
  EXPECT_EQ(r.label, "heath");
  r = RowAt(7, 42);
  EXPECT_EQ(r.ts, 1704067242696000);
  EXPECT_EQ(r.value, 160.92);
  EXPECT_EQ(r.label, "ember");
  EXPECT_TRUE(RowAt(7, 2).label_null);
  EXPECT_FALSE(RowAt(7, 3).label_null);
}

TEST(RowsTest, EncodedRowsDecodeAgainstTheSchemaAndLabelsAreSometimesNull) {
  const sluice::Schema schema = GeneratorSchema();
  std::vector<sluice::Value> v;
  int nulls = 0;
  for (uint64_t n = 0; n < 1000; ++n) {
    ASSERT_EQ(sluice::DecodeRow(schema, Encoded(7, n), &v), "") << "row " << n;
    EXPECT_EQ(v[0].i, static_cast<int64_t>(n));
    nulls += v[3].null;
  }
  EXPECT_GT(nulls, 50);
  EXPECT_LT(nulls, 250);
}

TEST(OffsetTest, RoundTripsAndRejectsForeignOffsets) {
  uint64_t n = 99;
  ASSERT_TRUE(ParseOffset("", &n).ok());
  EXPECT_EQ(n, 0u);
  ASSERT_TRUE(ParseOffset(EncodeOffset(1234567), &n).ok());
  EXPECT_EQ(n, 1234567u);
  for (const char* bad : {"-1", "12a", " 3", "99999999999999999999999", "\x01\x02"}) {
    sluice::Status s = ParseOffset(bad, &n);
    EXPECT_EQ(s.code(), sluice::Code::kInvalidArgument) << bad;
    EXPECT_NE(s.message().find("decimal row numbers"), std::string::npos) << s.message();
  }
}

TEST(ReaderTest, BoundedTableEndsExactlyAtRows) {
  FakeClock clock;
  GeneratorReader r(Config(10, 0, 3), 0, clock.fn());
  Read a = NextBatch(&r, 4);
  EXPECT_EQ(a.rows.size(), 4u);
  EXPECT_FALSE(a.at_end);
  EXPECT_EQ(a.rows[0], Encoded(3, 0));
  EXPECT_EQ(a.offsets, (std::vector<std::string>{"1", "2", "3", "4"}));
  EXPECT_FALSE(NextBatch(&r, 4).at_end);
  Read c = NextBatch(&r, 4);
  EXPECT_EQ(c.rows.size(), 2u);
  EXPECT_TRUE(c.at_end);
  EXPECT_EQ(c.rows[1], Encoded(3, 9));
  Read d = NextBatch(&r, 4);
  EXPECT_TRUE(d.rows.empty());
  EXPECT_TRUE(d.at_end);
}

TEST(ReaderTest, ResumingAtEveryOffsetContinuesWithTheNextRow) {
  FakeClock clock;
  const GeneratorConfig config = Config(25, 0, 11);
  GeneratorReader full(config, 0, clock.fn());
  Read all;
  while (!all.at_end) {
    Read b = NextBatch(&full, 7);
    all.rows.insert(all.rows.end(), b.rows.begin(), b.rows.end());
    all.offsets.insert(all.offsets.end(), b.offsets.begin(), b.offsets.end());
    all.at_end = b.at_end;
  }
  ASSERT_EQ(all.rows.size(), 25u);
  for (size_t k = 0; k < all.offsets.size(); ++k) {
    uint64_t next = 0;
    ASSERT_TRUE(ParseOffset(all.offsets[k], &next).ok());
    GeneratorReader resumed(config, next, clock.fn());
    Read rest = NextBatch(&resumed, 100);
    EXPECT_TRUE(rest.at_end);
    EXPECT_EQ(rest.rows, std::vector<std::string>(all.rows.begin() + k + 1, all.rows.end()))
        << "resuming after row " << k;
  }
}

TEST(ReaderTest, RateLimitsRowsAndReportsAtEndWhileWaiting) {
  FakeClock clock;
  GeneratorReader r(Config(0, 10, 1), 0, clock.fn());
  Read a = NextBatch(&r, 100);
  EXPECT_TRUE(a.rows.empty());
  EXPECT_TRUE(a.at_end);  // nothing due yet: "nothing new now"
  clock.now += 500000;    // 0.5 s at 10 rows/s
  Read b = NextBatch(&r, 100);
  EXPECT_EQ(b.rows.size(), 5u);
  EXPECT_TRUE(b.at_end);
  clock.now += 50000;
  EXPECT_TRUE(NextBatch(&r, 100).rows.empty());
  clock.now += 1450000;  // 2 s in total: 20 rows due
  Read c = NextBatch(&r, 3);
  EXPECT_EQ(c.rows.size(), 3u);
  EXPECT_FALSE(c.at_end);  // more are due; only max_rows stopped it
  Read d = NextBatch(&r, 100);
  EXPECT_EQ(d.rows.size(), 12u);
  EXPECT_TRUE(d.at_end);
  EXPECT_EQ(d.rows.back(), Encoded(1, 19));
  EXPECT_EQ(r.next_row(), 20u);
}

TEST(ReaderTest, RateAndRowsTogether) {
  FakeClock clock;
  GeneratorReader r(Config(4, 100, 1), 2, clock.fn());
  clock.now += 10000000;
  Read a = NextBatch(&r, 100);
  EXPECT_EQ(a.rows, (std::vector<std::string>{Encoded(1, 2), Encoded(1, 3)}));
  EXPECT_TRUE(a.at_end);
}

TEST(ReaderTest, UnboundedAndUnlimitedNeverReportsTheEnd) {
  FakeClock clock;
  GeneratorReader r(Config(0, 0, 1), 0, clock.fn());
  for (int i = 0; i < 3; ++i) {
    Read a = NextBatch(&r, 1000);
    EXPECT_EQ(a.rows.size(), 1000u);
    EXPECT_FALSE(a.at_end);
  }
}

TEST(SourceTest, TableOptionsOverrideConnectionOptions) {
  FakeClock clock;
  std::unique_ptr<GeneratorSource> src;
  ASSERT_TRUE(
      GeneratorSource::CreateWithClock({}, Opts({{"seed", "5"}, {"rows", "100"}}), clock.fn(), &src)
          .ok());
  sluice::Schema schema;
  ASSERT_TRUE(src->Describe("t", Options(), &schema).ok());
  EXPECT_EQ(schema, GeneratorSchema());
  std::unique_ptr<sluice::SourceReader> r;
  ASSERT_TRUE(src->OpenReader("t", Opts({{"rows", "3"}}), schema, "1", &r).ok());
  Read a = NextBatch(r.get(), 10);
  EXPECT_EQ(a.rows, (std::vector<std::string>{Encoded(5, 1), Encoded(5, 2)}));
  EXPECT_TRUE(a.at_end);
}

TEST(SourceTest, BadOptionsSayWhichKeyAndWhatIsExpected) {
  std::unique_ptr<GeneratorSource> src;
  sluice::Status s = GeneratorSource::Create({}, Opts({{"speed", "3"}}), &src);
  EXPECT_EQ(s.code(), sluice::Code::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "unknown connection option 'speed'; the generator source knows: rows, "
            "rate, seed");
  s = GeneratorSource::Create({}, Opts({{"rows", "-3"}}), &src);
  EXPECT_EQ(s.message(), "connection option 'rows': expected a whole number >= 0, found '-3'");
  ASSERT_TRUE(GeneratorSource::Create({}, Options(), &src).ok());
  sluice::Schema schema;
  s = src->Describe("t", Opts({{"rate", "fast"}}), &schema);
  EXPECT_EQ(s.message(),
            "table \"t\": table option 'rate': expected rows per second, a number "
            ">= 0 (0 = as fast as possible), found 'fast'");
}

TEST(SourceTest, RefusesASchemaItCannotProduce) {
  std::unique_ptr<GeneratorSource> src;
  ASSERT_TRUE(GeneratorSource::Create({}, Options(), &src).ok());
  sluice::Schema schema = GeneratorSchema();
  schema.fields[3].nullable = false;  // label made part of the key
  std::unique_ptr<sluice::SourceReader> r;
  sluice::Status s = src->OpenReader("t", Options(), schema, "", &r);
  EXPECT_EQ(s.code(), sluice::Code::kFailedPrecondition);
  EXPECT_NE(s.message().find("label is declared not null"), std::string::npos) << s.message();
  schema = GeneratorSchema();
  schema.fields[2].type = sluice::Type::kInt64;
  s = src->OpenReader("t", Options(), schema, "", &r);
  EXPECT_EQ(s.message(),
            "table \"t\": cannot produce rows of this schema: field 2: expected "
            "value float64, found value int64");
  s = src->OpenReader("t", Options(), GeneratorSchema(), "row-7", &r);
  EXPECT_EQ(s.code(), sluice::Code::kInvalidArgument);
}

}  // namespace
}  // namespace generator
