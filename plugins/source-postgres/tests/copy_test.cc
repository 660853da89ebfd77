// Binary COPY rows, and each wire format a column travels in becoming the
// value the stream's text form gives.
#include <gtest/gtest.h>

#include "pg_copy.h"
#include "pg_types.h"

namespace pgsrc {
namespace {

std::string Be(uint64_t v, int bytes) {
  std::string out;
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>(v >> (8 * i)));
  return out;
}
const std::string kHeader = std::string("PGCOPY\n\377\r\n\0", 11) + Be(0, 4) + Be(0, 4);

TEST(CopyTest, SplitsBinaryRowsHeaderAndTrailer) {
  std::string first = kHeader + Be(3, 2) + Be(2, 4) + "ab" + Be(0xFFFFFFFF, 4) + Be(0, 4);
  std::vector<CopyField> f;
  bool end = true;
  ASSERT_TRUE(SplitBinaryRow(first, &f, &end));
  EXPECT_FALSE(end);
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[0].text, "ab");
  EXPECT_TRUE(f[1].null);
  EXPECT_FALSE(f[2].null);
  EXPECT_EQ(f[2].text, "");
  ASSERT_TRUE(SplitBinaryRow(Be(0xFFFF, 2), &f, &end));  // the trailer
  EXPECT_TRUE(end);
  ASSERT_TRUE(SplitBinaryRow(kHeader + Be(0xFFFF, 2), &f, &end));  // an empty table
  EXPECT_TRUE(end);
}

TEST(CopyTest, RefusesMalformedRows) {
  std::vector<CopyField> f;
  bool end;
  std::string row = Be(1, 2) + Be(5, 4) + "abcde";
  for (size_t n = 0; n < row.size(); ++n) EXPECT_FALSE(SplitBinaryRow(row.substr(0, n), &f, &end));
  EXPECT_FALSE(SplitBinaryRow(row + "x", &f, &end));
  EXPECT_FALSE(SplitBinaryRow(kHeader.substr(0, 15), &f, &end));
}

// A decoded value, owning its string.
struct Decoded {
  int64_t i = 0;
  double f = 0;
  std::string str;
};

// The value of `bytes` on `wire` for a column of `c`, as decoded from a row.
Decoded Decode(ColumnType c, Wire wire, const std::string& bytes, sluice::Status* st) {
  std::string row;
  sluice::RowWriter w(&row, 1);
  *st = PutCopyValue(c, wire, bytes, &w);
  if (!st->ok()) return Decoded();
  sluice::Schema s;
  s.fields = {{"x", c.type, true}};
  std::vector<sluice::Value> v;
  EXPECT_EQ(sluice::DecodeRow(s, row, &v), "");
  return Decoded{v[0].i, v[0].f, std::string(v[0].str)};
}

TEST(CopyTest, BinaryValuesAreTheStreamsValues) {
  sluice::Status st;
  const ColumnType kInt{sluice::Type::kInt64, Conv::kInt};
  EXPECT_EQ(Decode(kInt, Wire::kInt2, Be(0xFFFE, 2), &st).i, -2);
  EXPECT_EQ(Decode(kInt, Wire::kInt4, Be(0x80000000u, 4), &st).i, INT32_MIN);
  EXPECT_EQ(Decode(kInt, Wire::kInt8, Be(0x8000000000000000ull, 8), &st).i, INT64_MIN);
  EXPECT_EQ(Decode(kInt, Wire::kOid, Be(0xFFFFFFFFu, 4), &st).i, 4294967295);
  double tenth = 0.1;
  uint64_t bits;
  std::memcpy(&bits, &tenth, 8);
  EXPECT_EQ(Decode({sluice::Type::kFloat64, Conv::kFloat}, Wire::kFloat8, Be(bits, 8), &st).f, 0.1);
  EXPECT_EQ(Decode({sluice::Type::kBool, Conv::kBool}, Wire::kBool, "\x01", &st).i, 1);
  // Dates and timestamps count from 2000-01-01 on the wire, from 1970 in sluice.
  const ColumnType kDate{sluice::Type::kDate, Conv::kDate};
  EXPECT_EQ(Decode(kDate, Wire::kDate, Be(0, 4), &st).i, 10957);
  EXPECT_EQ(Decode(kDate, Wire::kDate, Be(static_cast<uint32_t>(-10958), 4), &st).i, -1);
  Decode(kDate, Wire::kDate, Be(0x7FFFFFFF, 4), &st);
  EXPECT_NE(st.message().find("'infinity' is not a date"), std::string::npos) << st.message();
  const ColumnType kTs{sluice::Type::kTimestamp, Conv::kTimestamp};
  EXPECT_EQ(Decode(kTs, Wire::kTimestamp, Be(1500000, 8), &st).i, 946684801500000);
  Decode(kTs, Wire::kTimestamp, Be(0x8000000000000000ull, 8), &st);
  EXPECT_NE(st.message().find("'-infinity'"), std::string::npos) << st.message();
  Decode(kTs, Wire::kTimestamp, Be(0x7FFFFF0000000000ull, 8), &st);  // past 1970-based int64
  EXPECT_FALSE(st.ok());
  const ColumnType kStr{sluice::Type::kString, Conv::kText};
  EXPECT_EQ(
      Decode(kStr, Wire::kUuid,
             std::string("\xa0\xee\xbc\x99\x9c\x0b\x4e\xf8\xbb\x6d\x6b\xb9\xbd\x38\x0a\x11", 16),
             &st)
          .str,
      "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
  EXPECT_EQ(Decode(kStr, Wire::kBytea, std::string("\x00\xff", 2), &st).str, "\\x00ff");
  EXPECT_EQ(Decode(kStr, Wire::kJsonb, "\x01{\"a\": 1}", &st).str, "{\"a\": 1}");
  EXPECT_EQ(Decode(kStr, Wire::kRaw, "x  ", &st).str, "x  ");
  EXPECT_EQ(Decode(kInt, Wire::kText, "42", &st).i, 42);  // numeric: number, as text
}

TEST(CopyTest, WiresAndExpressionsKeepTheOutputFunctionsText) {
  PgType bpchar;
  bpchar.oid = oid::kBpchar;
  EXPECT_EQ(CopyWire(bpchar, {}), Wire::kRaw);  // not ::text, which trims the padding
  PgType inet;
  inet.oid = oid::kInet;
  EXPECT_EQ(CopyWire(inet, {}), Wire::kText);
  EXPECT_EQ(CopyExpression("\"a\"", inet, Wire::kText),
            "CASE WHEN \"a\" IS NULL THEN NULL ELSE format('%s', \"a\") END");  // not /32
  PgType numeric;
  numeric.oid = oid::kNumeric;
  EXPECT_EQ(CopyExpression("n", numeric, CopyWire(numeric, {})), "n::text");
  PgType i8;
  i8.oid = oid::kInt8;
  EXPECT_EQ(CopyExpression("id", i8, CopyWire(i8, {})), "id");
}

}  // namespace
}  // namespace pgsrc
