// The key and cache helpers the query executor walks with: SkipKeyValue
// (core/keycodec.h) and VersionCache::ReadMeta at a snapshot.
#include <gtest/gtest.h>

#include <limits>

#include "core/keycodec.h"
#include "tests/query_test_util.h"

namespace sluice::host {
namespace {

using query_test::CacheFixture;
using query_test::I;
using query_test::S;

Value Of(Type t, int64_t i, double f = 0, std::string_view s = {}) {
  Value v;
  v.type = t;
  v.null = false;
  v.i = i, v.f = f, v.str = s;
  return v;
}

Value NullOf(Type t) {
  Value v;
  v.type = t;
  return v;
}

// One value of every type, with the awkward cases of each encoding.
std::vector<Value> Samples() {
  static const std::string zeros("a\0\0b\0", 5);
  static const std::string ff("\xff\x01\x00\x01", 4);
  std::vector<Value> out = {
      Of(Type::kInt64, std::numeric_limits<int64_t>::min()),
      Of(Type::kInt64, 0),
      Of(Type::kTimestamp, -1),
      Of(Type::kDate, -719162),
      Of(Type::kFloat64, 0, -0.0),
      Of(Type::kFloat64, 0, 1e300),
      Of(Type::kBool, 1),
      Of(Type::kBool, 0),
      Of(Type::kString, 0, 0, ""),
      Of(Type::kString, 0, 0, zeros),
      Of(Type::kString, 0, 0, ff),
      Of(Type::kString, 0, 0, "plain"),
  };
  for (Type t :
       {Type::kInt64, Type::kFloat64, Type::kBool, Type::kString, Type::kTimestamp, Type::kDate})
    out.push_back(NullOf(t));
  return out;
}

TEST(SkipKeyValueTest, SkipsExactlyOneEncodedValueOfEachType) {
  for (const Value& v : Samples()) {
    std::string key = "pre";
    AppendKeyValue(&key, v);
    size_t end = key.size();
    key += "tail";
    size_t pos = 3;
    ASSERT_TRUE(SkipKeyValue(v.type, key, &pos)) << static_cast<int>(v.type);
    EXPECT_EQ(pos, end) << static_cast<int>(v.type);
  }
}

TEST(SkipKeyValueTest, WalksACompositeKeyComponentByComponent) {
  std::vector<Value> row = Samples();
  std::string key;
  std::vector<size_t> ends;
  for (const Value& v : row) {
    AppendKeyValue(&key, v);
    ends.push_back(key.size());
  }
  size_t pos = 0;
  for (size_t i = 0; i < row.size(); ++i) {
    ASSERT_TRUE(SkipKeyValue(row[i].type, key, &pos)) << i;
    EXPECT_EQ(pos, ends[i]) << i;
  }
  EXPECT_FALSE(SkipKeyValue(Type::kInt64, key, &pos)) << "nothing left to skip";
}

TEST(SkipKeyValueTest, TruncatedValuesAreRefused) {
  for (const Value& v : Samples()) {
    std::string key;
    AppendKeyValue(&key, v);
    for (size_t cut = 0; cut < key.size(); ++cut) {
      size_t pos = 0;
      EXPECT_FALSE(SkipKeyValue(v.type, std::string_view(key).substr(0, cut), &pos))
          << "type " << static_cast<int>(v.type) << " cut at " << cut << " of " << key.size();
    }
  }
}

TEST(SkipKeyValueTest, StringEndsAtTheFirstTerminatorNotAtAnEscapedZero) {
  std::string key;
  AppendKeyValue(&key, Of(Type::kString, 0, 0, std::string("\0\x01", 2)));
  // 0x01 | 0x00 0xFF | 0x01 | 0x00 0x01: the escaped zero is not an end.
  ASSERT_EQ(key, std::string("\x01\x00\xff\x01\x00\x01", 6));
  size_t pos = 0;
  ASSERT_TRUE(SkipKeyValue(Type::kString, key, &pos));
  EXPECT_EQ(pos, key.size());
}

TableSchema OneKey() {
  TableSchema t;
  t.schema.fields = {{"id", Type::kInt64, false}, {"name", Type::kString, true}};
  t.schema.primary_key = {0};
  return t;
}

TEST(ReadMetaTest, EmptyCacheHasZeroMeta) {
  CacheFixture fx(OneKey());
  CacheMeta meta;
  meta.rows = 99;
  ASSERT_TRUE(fx.cache().ReadMeta(nullptr, &meta).ok());
  EXPECT_EQ(meta.applied, 0u);
  EXPECT_EQ(meta.rows, 0u);
  EXPECT_EQ(meta.flags, 0u);
}

TEST(ReadMetaTest, ASnapshotKeepsItsRowCountWhileTheCacheMoves) {
  CacheFixture fx(OneKey());
  fx.Apply({{I(1), S("a")}, {I(2), S("b")}});
  std::unique_ptr<KvSnapshot> snap;
  ASSERT_TRUE(fx.cache().kv().NewSnapshot(&snap).ok());
  fx.Apply({{I(3), S("c")}});
  CacheMeta then, now;
  ASSERT_TRUE(fx.cache().ReadMeta(snap.get(), &then).ok());
  ASSERT_TRUE(fx.cache().ReadMeta(nullptr, &now).ok());
  EXPECT_EQ(then.rows, 2u);
  EXPECT_EQ(then.applied, 1u);
  EXPECT_EQ(now.rows, 3u);
  EXPECT_EQ(now.applied, 2u);
  EXPECT_EQ(now.rows, fx.cache().rows());
  // The whole-table count answers from the meta of its own snapshot.
  uint64_t n = 0;
  ASSERT_TRUE(fx.Count("{}", &n).ok());
  EXPECT_EQ(n, 3u);
}

TEST(ReadMetaTest, MalformedMetaIsDataLoss) {
  CacheFixture fx(OneKey());
  const std::string meta_key("\x00m", 2);  // outlives the op, which only views it
  KvOp bad{KvOp::kPut, meta_key, "\x80"};  // a varint that never ends
  ASSERT_TRUE(fx.cache().kv().Write(&bad, 1, false).ok());
  CacheMeta meta;
  Status s = fx.cache().ReadMeta(nullptr, &meta);
  EXPECT_EQ(s.code(), Code::kDataLoss) << s.ToString();
  uint64_t n = 0;
  EXPECT_EQ(fx.Count("{}", &n).code(), Code::kDataLoss);
}

}  // namespace
}  // namespace sluice::host
