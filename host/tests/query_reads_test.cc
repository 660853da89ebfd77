// What RunQuery reads from the store: a page over an exact index path takes
// only the index entries and records it returns, not a whole read chunk.
#include <gtest/gtest.h>

#include <memory>

#include "tests/query_test_util.h"

namespace sluice::host::query_test {
namespace {

// Store reads, counted by the wrappers below.
struct Reads {
  uint64_t entries = 0;  // delivered by iterators
  uint64_t gets = 0;
};

class CountingIterator : public KvIterator {
 public:
  CountingIterator(std::unique_ptr<KvIterator> it, Reads* reads)
      : it_(std::move(it)), reads_(reads) {}
  Status Seek(std::string_view key) override { return it_->Seek(key); }
  Status Read(size_t max_entries, EntryFn fn, bool* exhausted) override {
    return it_->Read(
        max_entries,
        [&](std::string_view k, std::string_view v) {
          ++reads_->entries;
          return fn(k, v);
        },
        exhausted);
  }

 private:
  std::unique_ptr<KvIterator> it_;
  Reads* reads_;
};

class CountingKv : public KvStore {
 public:
  CountingKv(std::unique_ptr<KvStore> kv, Reads* reads) : kv_(std::move(kv)), reads_(reads) {}
  Status Write(const KvOp* ops, size_t count, bool sync) override {
    return kv_->Write(ops, count, sync);
  }
  Status Get(const KvSnapshot* snapshot, std::string_view key, std::string* value) override {
    ++reads_->gets;
    return kv_->Get(snapshot, key, value);
  }
  Status NewSnapshot(std::unique_ptr<KvSnapshot>* out) override { return kv_->NewSnapshot(out); }
  Status NewIterator(const KvSnapshot* snapshot, std::string_view lower, std::string_view upper,
                     bool reverse, std::unique_ptr<KvIterator>* out) override {
    std::unique_ptr<KvIterator> it;
    SLUICE_RETURN_IF_ERROR(kv_->NewIterator(snapshot, lower, upper, reverse, &it));
    *out = std::make_unique<CountingIterator>(std::move(it), reads_);
    return Status();
  }

 private:
  std::unique_ptr<KvStore> kv_;
  Reads* reads_;
};

class CountingStorage : public memkv::MemStorage {
 public:
  Status OpenKv(const std::string& dir, bool create, std::unique_ptr<KvStore>* out) override {
    std::unique_ptr<KvStore> kv;
    SLUICE_RETURN_IF_ERROR(MemStorage::OpenKv(dir, create, &kv));
    *out = std::make_unique<CountingKv>(std::move(kv), &reads);
    return Status();
  }
  Reads reads;
};

class QueryReadsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<TRow> rows;
    for (int64_t i = 1; i <= 2000; ++i) rows.push_back({I(i), I(i % 4), S(i % 3 == 0 ? "x" : "y")});
    f_.Apply(rows);
  }
  // Runs `json`; returns the ids and sets what the store delivered.
  std::vector<int64_t> Run(const std::string& json, Reads* reads) {
    storage_.reads = Reads();
    std::vector<TRow> rows;
    Status s = f_.Run(json, &rows);
    EXPECT_TRUE(s.ok()) << s.ToString();
    *reads = storage_.reads;
    std::vector<int64_t> ids;
    for (const TRow& r : rows) ids.push_back(r[kZoneTableId].i);
    return ids;
  }

  CountingStorage storage_;
  CacheFixture f_{ZoneTable(), &storage_};
};

TEST_F(QueryReadsTest, ExactIndexPageReadsOnlyItsRows) {
  Reads r;
  std::vector<int64_t> ids =
      Run(R"({"$filter":{"zone":2},"$order_by":{"id":"asc"},"$limit":50})", &r);
  ASSERT_EQ(ids.size(), 50u);
  EXPECT_EQ(ids.front(), 2);
  EXPECT_EQ(ids.back(), 2 + 49 * 4);
  EXPECT_EQ(r.entries, 50u);
  EXPECT_EQ(r.gets, 50u);

  ids = Run(R"({"$filter":{"zone":1},"$limit":3,"$skip":4})", &r);
  EXPECT_EQ(ids, (std::vector<int64_t>{17, 21, 25}));
  EXPECT_EQ(r.entries, 7u);
  EXPECT_EQ(r.gets, 7u);
}

TEST_F(QueryReadsTest, LargePagesReadInChunks) {
  Reads r;
  std::vector<int64_t> ids = Run(R"({"$filter":{"zone":3},"$limit":400})", &r);
  ASSERT_EQ(ids.size(), 400u);
  EXPECT_EQ(ids.back(), 3 + 399 * 4);
  EXPECT_EQ(r.entries, 400u);  // 256, then the 144 still needed
}

TEST_F(QueryReadsTest, ResidualFilterReadsAheadButFindsEveryRow) {
  Reads r;
  std::vector<int64_t> ids = Run(R"({"$filter":{"zone":0,"note":"x"},"$limit":5})", &r);
  // zone 0 and a multiple of 3: multiples of 12
  EXPECT_EQ(ids, (std::vector<int64_t>{12, 24, 36, 48, 60}));
  EXPECT_GE(r.entries, 15u);  // ids 4, 8, ..., 60 at least
  EXPECT_LE(r.entries, 32u);  // one read-ahead chunk suffices
}

// The same store and rows, with covering index entries written from some
// point on: entries written before still work (a read by key each).
class CoveringReadsTest : public QueryReadsTest {};

TEST_F(CoveringReadsTest, CoveringEntriesNeedNoPointReadsAndOldOnesStillWork) {
  // Rows 1..2000 came in without covering. Rewrite ids 1..100 with covering
  // on: their zone-2 entries now carry the rows; later ones do not.
  f_.cache().SetCoveringIndexes(true);
  std::vector<TRow> rows;
  for (int64_t i = 1; i <= 100; ++i) rows.push_back({I(i), I(i % 4), S("new")});
  f_.Apply(rows);
  Reads r;
  std::vector<int64_t> ids =
      Run(R"({"$filter":{"zone":2},"$order_by":{"id":"asc"},"$limit":25})", &r);
  ASSERT_EQ(ids.size(), 25u);
  EXPECT_EQ(ids.back(), 2 + 24 * 4);  // 98: every one rewritten
  EXPECT_EQ(r.entries, 25u);
  EXPECT_EQ(r.gets, 0u);
  ids = Run(R"({"$filter":{"zone":2},"$order_by":{"id":"asc"},"$limit":50})", &r);
  ASSERT_EQ(ids.size(), 50u);
  EXPECT_EQ(ids.back(), 2 + 49 * 4);
  EXPECT_EQ(r.gets, 25u);  // ids 102..198 were written before covering
  // What covering entries answer is the current row, after updates and
  // deletes that move or drop the entry.
  std::vector<TRow> out;
  ASSERT_TRUE(f_.Run(R"({"$filter":{"zone":2,"note":"new"},"$limit":1000})", &out).ok());
  EXPECT_EQ(out.size(), 25u);
  f_.Apply({{I(2), I(3), S("moved")}}, {{I(6), I(2), S("new")}});
  ASSERT_TRUE(f_.Run(R"({"$filter":{"zone":2,"note":"new"},"$limit":1000})", &out).ok());
  EXPECT_EQ(out.size(), 23u);
  ASSERT_TRUE(f_.Run(R"({"$filter":{"zone":3,"note":"moved"}})", &out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0][kZoneTableId].i, 2);
}

}  // namespace
}  // namespace sluice::host::query_test
