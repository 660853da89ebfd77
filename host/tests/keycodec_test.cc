#include "core/keycodec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <random>

namespace sluice::host {
namespace {

std::string Key(const Value& v) {
  std::string k;
  AppendKeyValue(&k, v);
  return k;
}

// Values of each kind (Value's members: type, null, i, f, str).
Value Int(int64_t i) { return Value{Type::kInt64, false, i, 0, {}}; }
Value Flt(double f) { return Value{Type::kFloat64, false, 0, f, {}}; }
Value Str(std::string_view s) { return Value{Type::kString, false, 0, 0, s}; }
Value Null(Type t) { return Value{t, true, 0, 0, {}}; }

TEST(KeycodecTest, IntegersAndFloatsSortLikeTheirValues) {
  std::mt19937_64 rng(7);
  std::vector<int64_t> ints = {std::numeric_limits<int64_t>::min(), -1, 0, 1,
                               std::numeric_limits<int64_t>::max()};
  for (int i = 0; i < 500; ++i) ints.push_back(static_cast<int64_t>(rng()));
  for (int64_t a : ints)
    for (int64_t b : {ints[0], ints[2], ints[7], ints[100]})
      EXPECT_EQ(a < b, Key(Int(a)) < Key(Int(b))) << a << " vs " << b;
  std::vector<double> fl = {-1e300, -2.5, -0.0, 0.0, 1e-300, 3.25, 1e300};
  for (size_t i = 0; i < fl.size(); ++i)
    for (size_t j = 0; j < fl.size(); ++j)
      EXPECT_EQ(fl[i] < fl[j], Key(Flt(fl[i])) < Key(Flt(fl[j]))) << fl[i] << " vs " << fl[j];
}

TEST(KeycodecTest, StringsWithZeroBytesAndPrefixesSortBytewise) {
  std::vector<std::string> s = {"",
                                std::string("\0", 1),
                                std::string("a\0", 2),
                                "a",
                                "ab",
                                std::string("a\0b", 3),
                                "b",
                                "\xff",
                                "zażółć"};
  for (const auto& a : s)
    for (const auto& b : s) EXPECT_EQ(a < b, Key(Str(a)) < Key(Str(b)));
}

TEST(KeycodecTest, NullSortsFirstAndCompositeKeysStayOrdered) {
  EXPECT_LT(Key(Null(Type::kInt64)), Key(Int(std::numeric_limits<int64_t>::min())));
  std::string ab, b;
  AppendKeyFields(&ab, {Str("a"), Int(9)}, {0, 1});
  AppendKeyFields(&b, {Str("ab"), Int(1)}, {0, 1});
  EXPECT_LT(ab, b);
}

TEST(KeycodecTest, ParsesKeyTextPerSchema) {
  Schema s;
  s.fields = {
      {"zone", Type::kString, false}, {"id", Type::kInt64, false}, {"x", Type::kBool, true}};
  s.primary_key = {0, 1};
  std::string key;
  ASSERT_TRUE(ParseKeyText(s, "a\\,b,42", &key).ok());
  std::string want;
  AppendKeyFields(&want, {Str("a,b"), Int(42)}, {0, 1});
  EXPECT_EQ(key, want);
  Status bad = ParseKeyText(s, "a,notanumber", &key);
  EXPECT_EQ(bad.code(), Code::kInvalidArgument);
  EXPECT_EQ(bad.message(), "key field id: expected an int64, found \"notanumber\"");
  EXPECT_EQ(ParseKeyText(s, "only-one", &key).message(),
            "key \"only-one\": expected 2 comma-separated values, found 1");
  s.primary_key = {0};
  ASSERT_TRUE(ParseKeyText(s, "with,comma", &key).ok());  // single-field keys take the text whole
}

}  // namespace
}  // namespace sluice::host
