#include "sluice/json.h"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <vector>

#include "sluice/row.h"
#include "sluice/testing/typed_schema.h"

namespace sluice {
namespace {

using testing::TypedSchema;

// RFC 8259's escaping written out byte by byte: the reference for
// AppendJsonString.
std::string ReferenceJsonString(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  return out + "\"";
}

std::string Str(std::string_view s) {
  std::string out;
  AppendJsonString(&out, s);
  return out;
}

std::string Num(double v) {
  std::string out;
  AppendJsonDouble(&out, v);
  return out;
}

TEST(JsonString, EscapesQuotesBackslashAndControlCharacters) {
  EXPECT_EQ(Str("plain"), "\"plain\"");
  EXPECT_EQ(Str("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(Str("\n\r\t\b\f"), "\"\\n\\r\\t\\b\\f\"");
  EXPECT_EQ(Str(std::string("\x01\x1f\0", 3)), "\"\\u0001\\u001f\\u0000\"");
  EXPECT_EQ(Str(""), "\"\"");
}

TEST(JsonString, PassesUtf8AndDelThrough) {
  EXPECT_EQ(Str("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x9a\x95"),
            "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x9a\x95\"");
  EXPECT_EQ(Str("\x7f"), "\"\x7f\"");
  EXPECT_EQ(Str("/"), "\"/\"");
}

TEST(JsonString, SameTextAsTheReference) {
  uint64_t x = 2463534242ull;  // xorshift: arbitrary bytes, many of them special
  for (int i = 0; i < 20000; ++i) {
    std::string s(i % 40, '\0');
    for (char& c : s) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      static const char kSpecial[] = {'"', '\\', '\n', '\x01', '\x1f', '\x7f', 'a', ' '};
      c = x % 3 == 0 ? kSpecial[(x >> 8) % 8] : static_cast<char>(x >> 16);
    }
    ASSERT_EQ(Str(s), ReferenceJsonString(s)) << i;
  }
}

TEST(JsonDouble, ShortestRoundTrip) {
  EXPECT_EQ(Num(0.1), "0.1");
  EXPECT_EQ(Num(2.5), "2.5");
  EXPECT_EQ(Num(3), "3.0");  // a float64 reads back as a float in Python and JavaScript
  EXPECT_EQ(Num(0), "0.0");
  EXPECT_EQ(Num(76), "76.0");
  EXPECT_EQ(Num(-0.0), "-0.0");
  EXPECT_EQ(Num(1e300), "1e+300");
  EXPECT_EQ(Num(1.0 / 3), "0.3333333333333333");
  double back = std::strtod(Num(0.1 + 0.2).c_str(), nullptr);
  EXPECT_EQ(back, 0.1 + 0.2);
}

// Whatever path a double takes, its text is std::to_chars's shortest form,
// with ".0" after a whole number.
TEST(JsonDouble, SameTextAsToChars) {
  auto expect_same = [](double v) {
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    std::string want(buf, r.ptr);
    if (want.find_first_of(".e") == std::string::npos) want += ".0";
    ASSERT_EQ(Num(v), want) << v;
  };
  for (int64_t n = -100000; n <= 100000; ++n) expect_same(static_cast<double>(n) / 100);
  for (int64_t n = 9999000; n <= 10001000; ++n) expect_same(static_cast<double>(n) / 100);
  for (double v : {0.0, -0.0, 0.001, 0.015, 1e5, 99999.99, 100000.01, 1e-7, 123456789.12, 0.1 + 0.2,
                   1.0 / 3, 5e-324, 1.7976931348623157e308, 4503599627370496.5}) {
    expect_same(v);
    expect_same(-v);
  }
  uint64_t x = 88172645463325252ull;  // xorshift: arbitrary bit patterns
  for (int i = 0; i < 100000; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    double v;
    std::memcpy(&v, &x, sizeof v);
    if (std::isfinite(v)) expect_same(v);
    expect_same(static_cast<double>(x % 10000000) / 1000);
  }
}

TEST(JsonDouble, NonFiniteBecomesNull) {
  EXPECT_EQ(Num(std::numeric_limits<double>::quiet_NaN()), "null");
  EXPECT_EQ(Num(std::numeric_limits<double>::infinity()), "null");
  EXPECT_EQ(Num(-std::numeric_limits<double>::infinity()), "null");
}

TEST(JsonRecord, EveryTypeInSchemaOrder) {
  Schema schema = TypedSchema();
  std::string row;
  RowWriter w(&row, 6);
  w.Int64(-9007199254740993);  // beyond double precision: must stay exact
  w.Float64(12.75);
  w.Bool(true);
  w.String("tab\there \"q\"");
  w.Timestamp(1706711295123456);
  w.Date(19753);
  ASSERT_TRUE(w.Finish());
  std::string out;
  ASSERT_TRUE(AppendRecordJson(&out, schema, row).ok());
  EXPECT_EQ(out,
            "{\"id\":-9007199254740993,\"fare\":12.75,\"paid\":true,"
            "\"note\":\"tab\\there \\\"q\\\"\",\"at\":\"2024-01-31T14:28:15.123456Z\","
            "\"day\":\"2024-01-31\"}");
}

TEST(JsonRecord, NullsAndFalse) {
  Schema schema = TypedSchema();
  std::string row;
  RowWriter w(&row, 6);
  w.Int64(0);
  w.Null();
  w.Bool(false);
  w.Null();
  w.Timestamp(0);
  w.Null();
  std::string out;
  ASSERT_TRUE(AppendRecordJson(&out, schema, row).ok());
  EXPECT_EQ(out,
            "{\"id\":0,\"fare\":null,\"paid\":false,\"note\":null,"
            "\"at\":\"1970-01-01T00:00:00Z\",\"day\":null}");
}

TEST(JsonRecord, PreparedNamesGiveTheSameText) {
  Schema schema = TypedSchema();
  schema.fields[3].name = "n\"q";  // a name that needs escaping
  RecordJson record(schema);
  std::string row;
  RowWriter w(&row, 6);
  w.Int64(7);
  w.Float64(-0.5);
  w.Bool(false);
  w.String("x");
  w.Timestamp(-1);
  w.Date(-1);
  ASSERT_TRUE(w.Finish());
  std::string prepared, plain;
  ASSERT_TRUE(record.Append(&prepared, row).ok());
  ASSERT_TRUE(AppendRecordJson(&plain, schema, row).ok());
  EXPECT_EQ(prepared, plain);
  EXPECT_EQ(prepared,
            "{\"id\":7,\"fare\":-0.5,\"paid\":false,\"n\\\"q\":\"x\","
            "\"at\":\"1969-12-31T23:59:59.999999Z\",\"day\":\"1969-12-31\"}");
  std::string bad;
  EXPECT_EQ(record.Append(&bad, row.substr(0, row.size() - 1)).code(), Code::kInternal);
  EXPECT_EQ(record.Append(&bad, row + "x").code(), Code::kInternal);
}

TEST(JsonRecord, MalformedRowIsInternalError) {
  Schema schema = TypedSchema();
  std::string row;
  RowWriter w(&row, 6);
  w.Int64(1);  // then nothing: truncated
  std::string out;
  Status s = AppendRecordJson(&out, schema, row);
  EXPECT_EQ(s.code(), Code::kInternal);
  EXPECT_NE(s.message().find("truncated"), std::string::npos) << s.message();

  row.clear();
  RowWriter w2(&row, 2);  // wrong field count
  w2.Int64(1);
  w2.Int64(2);
  EXPECT_EQ(AppendRecordJson(&out, schema, row).code(), Code::kInternal);
}

TEST(JsonWriter, CommasAndNesting) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("a");
  w.BeginArray();
  w.Int(1);
  w.Uint(2);
  w.BeginObject();
  w.EndObject();
  w.BeginArray();
  w.EndArray();
  w.Null();
  w.EndArray();
  w.Key("b\"");
  w.Bool(false);
  w.Key("c");
  w.Raw("{\"x\":1}");
  w.Key("d");
  w.Double(0.5);
  w.EndObject();
  EXPECT_EQ(out, "{\"a\":[1,2,{},[],null],\"b\\\"\":false,\"c\":{\"x\":1},\"d\":0.5}");
}

// The one-call members write what Key() and the value call write, in
// both layouts.
TEST(JsonWriter, OneCallMembers) {
  for (JsonWriter::Layout layout : {JsonWriter::kCompact, JsonWriter::kIndented}) {
    std::string two, one;
    JsonWriter a(&two, layout), b(&one, layout);
    a.BeginObject();
    a.Key("s");
    a.String("x\"");
    a.Key("i");
    a.Int(-3);
    a.Key("u");
    a.Uint(18446744073709551615ull);
    a.Key("d");
    a.Double(1.25);
    a.Key("b");
    a.Bool(true);
    a.EndObject();
    b.BeginObject();
    b.KeyString("s", "x\"");
    b.KeyInt("i", -3);
    b.KeyUint("u", 18446744073709551615ull);
    b.KeyDouble("d", 1.25);
    b.KeyBool("b", true);
    b.EndObject();
    EXPECT_EQ(one, two);
  }
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.KeyString("s", "x");
  w.KeyUint("u", 7);
  w.EndObject();
  EXPECT_EQ(out, "{\"s\":\"x\",\"u\":7}");
}

// The layout of the files the host writes (schema.json, pins.json, ...):
// one member or element a line, two spaces a level, empty containers on
// one line, nothing between a key and its value but ": ".
TEST(JsonWriter, Indented) {
  std::string out;
  JsonWriter w(&out, JsonWriter::kIndented);
  w.BeginObject();
  w.Key("a");
  w.Int(1);
  w.Key("list");
  w.BeginArray();
  w.String("x");
  w.BeginObject();
  w.Key("k");
  w.Null();
  w.EndObject();
  w.BeginArray();
  w.EndArray();
  w.EndArray();
  w.Key("empty");
  w.BeginObject();
  w.EndObject();
  w.EndObject();
  EXPECT_EQ(out,
            "{\n"
            "  \"a\": 1,\n"
            "  \"list\": [\n"
            "    \"x\",\n"
            "    {\n"
            "      \"k\": null\n"
            "    },\n"
            "    []\n"
            "  ],\n"
            "  \"empty\": {}\n"
            "}");
  std::string top;
  JsonWriter scalar(&top, JsonWriter::kIndented);
  scalar.Double(2);
  EXPECT_EQ(top, "2.0");
}

TEST(JsonWriter, RecordsAsValues) {
  Schema schema = TypedSchema();
  RecordJson record(schema);
  std::string row;
  RowWriter rw(&row, 6);
  rw.Int64(1);
  rw.Null();
  rw.Bool(true);
  rw.Null();
  rw.Timestamp(0);
  rw.Null();
  ASSERT_TRUE(rw.Finish());
  std::string out;
  JsonWriter w(&out);
  w.BeginArray();
  ASSERT_TRUE(w.Record(schema, row).ok());
  ASSERT_TRUE(w.Record(record, row).ok());
  w.EndArray();
  const std::string one =
      "{\"id\":1,\"fare\":null,\"paid\":true,\"note\":null,\"at\":\"1970-01-01T00:00:00Z\","
      "\"day\":null}";
  EXPECT_EQ(out, "[" + one + "," + one + "]");
}

}  // namespace
}  // namespace sluice
