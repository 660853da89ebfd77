// Type mapping and PostgreSQL's text output forms: every value parses to the
// exact sluice value, and what sluice cannot hold is refused with the fix.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "pg_rows.h"
#include "pg_types.h"

namespace pgsrc {
namespace {

PgType T(uint32_t oid, int32_t typmod = -1, const char* name = "t", char typtype = 'b',
         char category = 'U') {
  PgType t;
  t.oid = oid, t.typmod = typmod, t.name = name, t.typtype = typtype, t.category = category;
  return t;
}
// numeric(p, s)'s typmod.
int32_t Numeric(int p, int s) { return ((p << 16) | (s & 0x7ff)) + 4; }

TEST(TypesTest, MapsTheCommonTypes) {
  TypeOptions o;
  ColumnType c;
  auto map = [&](PgType t) {
    EXPECT_TRUE(MapType(t, o, "col", &c).ok()) << t.name;
    return c.type;
  };
  EXPECT_EQ(map(T(oid::kInt2)), sluice::Type::kInt64);
  EXPECT_EQ(map(T(oid::kInt8)), sluice::Type::kInt64);
  EXPECT_EQ(map(T(oid::kFloat4)), sluice::Type::kFloat64);
  EXPECT_EQ(map(T(oid::kBool)), sluice::Type::kBool);
  EXPECT_EQ(map(T(oid::kDate)), sluice::Type::kDate);
  EXPECT_EQ(map(T(oid::kTimestamptz)), sluice::Type::kTimestamp);
  EXPECT_EQ(map(T(oid::kTimestamp)), sluice::Type::kTimestamp);
  for (uint32_t s : {oid::kText, oid::kVarchar, oid::kBpchar, oid::kUuid, oid::kJson, oid::kJsonb,
                     oid::kBytea, oid::kInterval, oid::kNumeric})
    EXPECT_EQ(map(T(s)), sluice::Type::kString) << s;
  EXPECT_EQ(map(T(1007, -1, "integer[]", 'b', 'A')), sluice::Type::kString);  // arrays
  EXPECT_EQ(map(T(90000, -1, "mood", 'e', 'E')), sluice::Type::kString);      // enums
}

TEST(TypesTest, NumericIsExactTextOrANumberThatHoldsEveryValue) {
  TypeOptions o;
  ColumnType c;
  ASSERT_TRUE(MapType(T(oid::kNumeric, Numeric(30, 10)), o, "n", &c).ok());
  EXPECT_EQ(c.type, sluice::Type::kString);
  o.numeric = NumericMode::kNumber;
  ASSERT_TRUE(MapType(T(oid::kNumeric, Numeric(18, 0)), o, "n", &c).ok());
  EXPECT_EQ(c.type, sluice::Type::kInt64);
  ASSERT_TRUE(MapType(T(oid::kNumeric, Numeric(15, 2)), o, "n", &c).ok());
  EXPECT_EQ(c.type, sluice::Type::kFloat64);
  sluice::Status wide = MapType(T(oid::kNumeric, Numeric(19, 2), "numeric(19,2)"), o, "total", &c);
  EXPECT_EQ(wide.code(), sluice::Code::kInvalidArgument);
  EXPECT_NE(wide.message().find("column total is numeric(19,2)"), std::string::npos);
  EXPECT_NE(wide.message().find("numeric: string"), std::string::npos);
  EXPECT_FALSE(MapType(T(oid::kNumeric, -1, "numeric"), o, "n", &c).ok());  // unconstrained
}

TEST(TypesTest, OtherTypesAreRefusedUnlessAskedForAsText) {
  TypeOptions o;
  ColumnType c;
  sluice::Status s = MapType(T(3614, -1, "tsvector"), o, "doc", &c);
  EXPECT_EQ(s.code(), sluice::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("column doc has type tsvector"), std::string::npos);
  EXPECT_NE(s.message().find("other_types: string"), std::string::npos);
  o.other_types_as_string = true;
  ASSERT_TRUE(MapType(T(3614, -1, "tsvector"), o, "doc", &c).ok());
  EXPECT_EQ(c.type, sluice::Type::kString);
}

TEST(TypesTest, ParsesPostgresOutputExactly) {
  int64_t i;
  EXPECT_TRUE(ParsePgInt("-9223372036854775808", &i) && i == std::numeric_limits<int64_t>::min());
  EXPECT_TRUE(ParsePgInt("9223372036854775807", &i) && i == std::numeric_limits<int64_t>::max());
  EXPECT_FALSE(ParsePgInt("9223372036854775808", &i));
  EXPECT_FALSE(ParsePgInt("1.0", &i));
  EXPECT_FALSE(ParsePgInt("NaN", &i));
  double d;
  EXPECT_TRUE(ParsePgFloat("0.1", &d) && d == 0.1);
  EXPECT_TRUE(ParsePgFloat("1e-320", &d) && d > 0);  // subnormal
  EXPECT_TRUE(ParsePgFloat("1.7976931348623157e+308", &d) &&
              d == std::numeric_limits<double>::max());
  EXPECT_FALSE(ParsePgFloat("1e999", &d));
  EXPECT_FALSE(ParsePgFloat("+1", &d));
  EXPECT_TRUE(ParsePgFloat("-Infinity", &d) && std::isinf(d) && d < 0);
  EXPECT_TRUE(ParsePgFloat("NaN", &d) && std::isnan(d));
  int32_t days;
  EXPECT_TRUE(ParsePgDate("1970-01-02", &days) && days == 1);
  EXPECT_TRUE(ParsePgDate("2000-02-29", &days) && days == 11016);
  EXPECT_TRUE(ParsePgDate("0001-12-31 BC", &days) && days == -719163);  // year 0
  EXPECT_TRUE(ParsePgDate("10000-01-01", &days) && days == 2932897);
  EXPECT_FALSE(ParsePgDate("infinity", &days));
  EXPECT_FALSE(ParsePgDate("2001-02-29", &days));
  EXPECT_TRUE(ParsePgDate("0001-02-29 BC", &days));  // 1 BC is year 0, a leap year
  int64_t us;
  EXPECT_TRUE(ParsePgTimestamp("1970-01-01 00:00:01.5+00", &us) && us == 1500000);
  EXPECT_TRUE(ParsePgTimestamp("1970-01-01 00:00:00", &us) && us == 0);
  EXPECT_TRUE(ParsePgTimestamp("1970-01-01 05:30:00+05:30", &us) && us == 0);
  EXPECT_TRUE(ParsePgTimestamp("1969-12-31 23:59:59.999999-00:00:01", &us) && us == 999999);
  EXPECT_TRUE(ParsePgTimestamp("2024-02-29 12:00:00.000001+00", &us) && us == 1709208000000001);
  EXPECT_TRUE(ParsePgTimestamp("0044-03-15 12:00:00+00 BC", &us) && us < 0);
  EXPECT_FALSE(ParsePgTimestamp("infinity", &us));
  EXPECT_FALSE(ParsePgTimestamp("294276-12-31 23:59:59+00", &us));  // past int64 microseconds
  EXPECT_FALSE(ParsePgTimestamp("2024-01-01T00:00:00Z", &us));      // not PostgreSQL's form
}

TEST(TypesTest, PutValueSaysWhyAValueCannotBeHeld) {
  std::string row;
  sluice::RowWriter w(&row, 3);
  EXPECT_TRUE(PutValue({sluice::Type::kString, Conv::kText}, "12.30", &w).ok());
  sluice::Status s = PutValue({sluice::Type::kDate, Conv::kDate}, "infinity", &w);
  EXPECT_EQ(s.code(), sluice::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("'infinity'"), std::string::npos) << s.message();
  EXPECT_FALSE(PutValue({sluice::Type::kInt64, Conv::kInt}, "NaN", &w).ok());
}

TEST(TypesTest, KeysCompareAsPostgresOrdersThem) {
  sluice::Schema s;
  s.fields = {{"id", sluice::Type::kInt64, false}, {"code", sluice::Type::kString, false}};
  s.primary_key = {0, 1};
  RowPlan ordered(s, {{sluice::Type::kInt64, Conv::kInt}, {sluice::Type::kString, Conv::kText}},
                  {T(oid::kInt8), T(oid::kText)}, {false, true});
  ASSERT_TRUE(ordered.KeyOrdered());
  EXPECT_LT(ordered.CompareKeys({"9", "z"}, {"10", "a"}), 0);  // numbers, not text
  EXPECT_LT(ordered.CompareKeys({"-5", "z"}, {"3", "a"}), 0);
  EXPECT_LT(ordered.CompareKeys({"10", "B"}, {"10", "a"}), 0);  // C collation: bytes
  EXPECT_GT(ordered.CompareKeys({"10", "\xc3\xa9"}, {"10", "z"}), 0);
  EXPECT_EQ(ordered.CompareKeys({"10", "a"}, {"10", "a"}), 0);
  RowPlan linguistic(s, {{sluice::Type::kInt64, Conv::kInt}, {sluice::Type::kString, Conv::kText}},
                     {T(oid::kInt8), T(oid::kText)}, {false, false});
  EXPECT_FALSE(linguistic.KeyOrdered());
}

TEST(TypesTest, DeleteRowsDecodeWithTheirKey) {
  sluice::Schema s;
  s.fields = {{"n", sluice::Type::kFloat64, false},
              {"id", sluice::Type::kInt64, false},
              {"note", sluice::Type::kString, true}};
  s.primary_key = {1};
  RowPlan plan(s,
               {{sluice::Type::kFloat64, Conv::kFloat},
                {sluice::Type::kInt64, Conv::kInt},
                {sluice::Type::kString, Conv::kText}},
               {T(oid::kFloat8), T(oid::kInt4), T(oid::kText)}, {false, false, false});
  std::string row;
  ASSERT_TRUE(plan.EncodeDelete({{true, ""}, {false, "7"}, {true, ""}}, &row).ok());
  std::vector<sluice::Value> v;
  ASSERT_EQ(sluice::DecodeRow(s, row, &v), "");  // a not-null column gets a zero value
  EXPECT_EQ(v[1].i, 7);
  sluice::Status null_in_not_null;
  std::string r2;
  null_in_not_null = plan.Encode({{true, ""}, {false, "7"}, {true, ""}}, &r2);
  EXPECT_EQ(null_in_not_null.code(), sluice::Code::kAborted);
  EXPECT_NE(null_in_not_null.message().find("sluice migrate"), std::string::npos);
}

}  // namespace
}  // namespace pgsrc
