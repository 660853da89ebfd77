#include "sluice/row.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace sluice {
namespace {

Schema AllTypes() {
  Schema s;
  s.fields = {{"i", Type::kInt64, false}, {"f", Type::kFloat64, true},   {"b", Type::kBool, true},
              {"s", Type::kString, true}, {"t", Type::kTimestamp, true}, {"d", Type::kDate, true},
              {"n", Type::kString, true}, {"x", Type::kInt64, true},     {"y", Type::kInt64, true}};
  s.primary_key = {0};
  return s;
}

TEST(RowTest, RoundTripsEveryTypeAndNull) {
  Schema s = AllTypes();
  std::string buf;
  RowWriter w(&buf, 9);
  w.Int64(std::numeric_limits<int64_t>::min());
  w.Float64(-0.5);
  w.Bool(true);
  w.String("zażółć, \"quoted\"\nline");
  w.Timestamp(1704067200123456);
  w.Date(-1);
  w.Null();
  w.Int64(42);
  w.Null();
  ASSERT_TRUE(w.Finish());

  std::vector<Value> v;
  ASSERT_EQ(DecodeRow(s, buf, &v), "");
  EXPECT_EQ(v[0].i, std::numeric_limits<int64_t>::min());
  EXPECT_EQ(v[1].f, -0.5);
  EXPECT_EQ(v[2].i, 1);
  EXPECT_EQ(v[3].str, "zażółć, \"quoted\"\nline");
  EXPECT_EQ(v[4].i, 1704067200123456);
  EXPECT_EQ(v[5].i, -1);
  EXPECT_TRUE(v[6].null);
  EXPECT_FALSE(v[7].null);
  EXPECT_EQ(v[7].i, 42);
  EXPECT_TRUE(v[8].null);
}

TEST(RowTest, RejectsMalformedRows) {
  Schema s = AllTypes();
  std::vector<Value> v;
  std::string buf;
  {
    RowWriter w(&buf, 9);
    for (int i = 0; i < 9; ++i) w.Null();
  }
  EXPECT_NE(DecodeRow(s, buf, &v).find("non-nullable"), std::string::npos);

  std::string good;
  {
    RowWriter w(&good, 9);
    w.Int64(1);
    w.Float64(1);
    w.Bool(false);
    w.String("abc");
    w.Null();
    w.Null();
    w.Null();
    w.Null();
    w.Null();
  }
  ASSERT_EQ(DecodeRow(s, good, &v), "");
  for (size_t cut = 0; cut < good.size(); ++cut)
    EXPECT_NE(DecodeRow(s, good.substr(0, cut), &v), "") << "cut at " << cut;
  EXPECT_NE(DecodeRow(s, good + "x", &v), "");

  std::string wrong_count;
  RowWriter(&wrong_count, 3);
  EXPECT_NE(DecodeRow(s, wrong_count, &v), "");
}

TEST(RowTest, BatchBuilderExposesRowsOpsAndOffsets) {
  RowBatchBuilder b;
  for (int i = 0; i < 3; ++i) {
    RowWriter w(b.row_buffer(), 1);
    w.Int64(i);
    b.EndRow(i == 2 ? SLUICE_OP_DELETE : SLUICE_OP_INSERT, "off" + std::to_string(i));
  }
  const sluice_row_batch* batch = b.batch(5, true, 10, 20);
  ASSERT_EQ(batch->row_count, 3u);
  Schema s;
  s.fields = {{"i", Type::kInt64, false}};
  for (uint32_t i = 0; i < 3; ++i) {
    std::vector<Value> v;
    ASSERT_EQ(DecodeRow(s, BatchRow(*batch, i), &v), "");
    EXPECT_EQ(v[0].i, i);
    EXPECT_EQ(BatchOffset(*batch, i), "off" + std::to_string(i));
  }
  EXPECT_EQ(BatchOp(*batch, 2), SLUICE_OP_DELETE);
  EXPECT_EQ(batch->rejected_rows, 5u);
  EXPECT_EQ(batch->at_end, 1u);
}

TEST(RowTest, VarintRoundTrip) {
  for (uint64_t v : {0ull, 1ull, 127ull, 128ull, 300ull, 1ull << 35, ~0ull}) {
    std::string s;
    PutVarint(&s, v);
    const uint8_t* p = reinterpret_cast<const uint8_t*>(s.data());
    uint64_t out = 0;
    ASSERT_TRUE(GetVarint(&p, p + s.size(), &out));
    EXPECT_EQ(out, v);
  }
}

}  // namespace
}  // namespace sluice
