// RowCache: its epoch rules (cache/row_cache.h), its bound, and the rows
// queries read through a secondary index: served from it while unchanged,
// never after the VersionCache applies a change to them.
#include "cache/row_cache.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/query_test_util.h"

namespace sluice::host::query_test {
namespace {

uint64_t Epoch(RowCache& c) {
  uint64_t e = 0;
  Status s;
  EXPECT_TRUE(c.ReadEpoch(
      &e, [] { return Status(); }, &s));
  return e;
}

TEST(RowCacheTest, DisabledCacheStoresNothing) {
  RowCache c(0);
  uint64_t e = 7;
  Status s;
  EXPECT_FALSE(c.ReadEpoch(
      &e, [] { return Status(); }, &s));
  EXPECT_TRUE(s.ok());
  c.Insert("k", "row", e);
  std::string row;
  EXPECT_FALSE(c.Lookup("k", e, &row));
  EXPECT_EQ(c.entries(), 0u);
}

TEST(RowCacheTest, SnapshotErrorIsReturned) {
  RowCache c(1 << 20);
  uint64_t e = 0;
  Status s;
  EXPECT_FALSE(c.ReadEpoch(
      &e, [] { return Internal("no snapshot"); }, &s));
  EXPECT_EQ(s.code(), Code::kInternal);
}

TEST(RowCacheTest, EntriesServeReadersAtTheirEpochOrLater) {
  RowCache c(1 << 20);
  uint64_t e0 = Epoch(c);
  c.Insert("a", "row a", e0);
  std::string row;
  ASSERT_TRUE(c.Lookup("a", e0, &row));
  EXPECT_EQ(row, "row a");
  // A change of another key: "a" stays, for old and new readers.
  c.BeginChange();
  c.Invalidate("b");
  c.EndChange();
  uint64_t e1 = Epoch(c);
  EXPECT_GT(e1, e0);
  EXPECT_TRUE(c.Lookup("a", e0, &row));
  EXPECT_TRUE(c.Lookup("a", e1, &row));
  // An entry read at e1 is newer than what a reader at e0 sees.
  c.Insert("b", "row b", e1);
  EXPECT_FALSE(c.Lookup("b", e0, &row));
  EXPECT_TRUE(c.Lookup("b", e1, &row));
  // A change of "a" removes it.
  c.BeginChange();
  c.Invalidate("a");
  c.EndChange();
  EXPECT_FALSE(c.Lookup("a", e0, &row));
  EXPECT_FALSE(c.Lookup("a", Epoch(c), &row));
}

TEST(RowCacheTest, ReadersOfAnOlderEpochOrDuringAChangeStoreNothing) {
  RowCache c(1 << 20);
  uint64_t old = Epoch(c);
  c.BeginChange();
  // Snapshots taken while a change runs are not exact states: no cache.
  uint64_t during = 0;
  Status s;
  EXPECT_FALSE(c.ReadEpoch(
      &during, [] { return Status(); }, &s));
  c.Insert("k", "read before the change ended", old);
  EXPECT_EQ(c.entries(), 0u);
  c.EndChange();
  c.Insert("k", "old row", old);  // a reader of the state before the change
  EXPECT_EQ(c.entries(), 0u);
  // A change that begins while a reader takes its snapshot: not usable.
  uint64_t e = 0;
  EXPECT_FALSE(c.ReadEpoch(
      &e,
      [&] {
        c.BeginChange();
        return Status();
      },
      &s));
  c.EndChange();
}

TEST(RowCacheTest, StaysWithinItsCapacity) {
  RowCache c(256 << 10);
  uint64_t e = Epoch(c);
  std::string row(200, 'r');
  for (int i = 0; i < 2000; ++i) c.Insert("key" + std::to_string(i), row, e);
  EXPECT_LE(c.bytes(), c.capacity());
  EXPECT_GT(c.entries(), 50u);
  std::string out;
  EXPECT_TRUE(c.Lookup("key1999", e, &out));  // the most recent stay
  EXPECT_FALSE(c.Lookup("key0", e, &out));
  c.Insert("huge", std::string(c.capacity(), 'x'), e);  // larger than a shard allows
  EXPECT_FALSE(c.Lookup("huge", e, &out));
  c.BeginChange();
  c.Clear();
  c.EndChange();
  EXPECT_EQ(c.entries(), 0u);
  EXPECT_EQ(c.bytes(), 0u);
}

std::vector<std::string> Notes(CacheFixture& f, const std::string& json) {
  std::vector<TRow> rows;
  Status s = f.Run(json, &rows);
  EXPECT_TRUE(s.ok()) << s.ToString();
  std::vector<std::string> notes;
  for (const TRow& r : rows)
    notes.push_back(std::to_string(r[kZoneTableId].i) + ":" + r[kZoneTableNote].s);
  return notes;
}

TEST(RowCacheQueryTest, IndexedPagesAreServedFromItAndChangesInvalidate) {
  CacheFixture f(ZoneTable());
  f.cache().SetRowCacheBytes(1 << 20);
  RowCache& cache = f.cache().row_cache();
  std::vector<TRow> rows;
  for (int64_t i = 1; i <= 40; ++i) rows.push_back({I(i), I(i % 2), S("v1")});
  f.Apply(rows);
  const std::string page = R"({"$filter":{"zone":1},"$limit":3})";
  EXPECT_EQ(Notes(f, page), (std::vector<std::string>{"1:v1", "3:v1", "5:v1"}));
  EXPECT_EQ(cache.entries(), 3u);  // the rows the index pointed to
  EXPECT_EQ(Notes(f, page), (std::vector<std::string>{"1:v1", "3:v1", "5:v1"}));
  EXPECT_EQ(cache.entries(), 3u);
  // Update 3, delete 5, leave 1: the cache keeps only 1.
  f.Apply({{I(3), I(1), S("v2")}}, {{I(5), I(1), S("v1")}});
  EXPECT_EQ(cache.entries(), 1u);
  EXPECT_EQ(Notes(f, page), (std::vector<std::string>{"1:v1", "3:v2", "7:v1"}));
  // A row moved to another zone leaves the page and the cache.
  f.Apply({{I(1), I(0), S("moved")}});
  EXPECT_EQ(Notes(f, page), (std::vector<std::string>{"3:v2", "7:v1", "9:v1"}));
  EXPECT_EQ(Notes(f, R"({"$filter":{"zone":0},"$limit":2})"),
            (std::vector<std::string>{"1:moved", "2:v1"}));
  // A rebuild clears it.
  ASSERT_TRUE(f.cache().Clear().ok());
  EXPECT_EQ(cache.entries(), 0u);
  EXPECT_TRUE(Notes(f, page).empty());
}

}  // namespace
}  // namespace sluice::host::query_test
