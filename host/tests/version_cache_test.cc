// VersionCache and CacheBuilder on the real LevelDB storage plugin.
#include "cache/version_cache.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include "cache/cache_builder.h"
#include "core/keycodec.h"
#include "tests/test_util.h"

namespace sluice::host {
namespace {

TableSchema TwoColumns() {
  TableSchema t;
  t.schema.fields = {{"id", Type::kInt64, false}, {"zone", Type::kString, true}};
  t.schema.primary_key = {0};
  t.indexes = {{1}};
  return t;
}

std::string Row(int64_t id, const char* zone) {
  std::string r;
  RowWriter w(&r, 2);
  w.Int64(id);
  zone ? w.String(zone) : w.Null();
  return r;
}

class VersionCacheTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(testing::OpenLevelDbPlugin(&storage_).ok()); }
  std::unique_ptr<VersionCache> Open(bool* rebuilt = nullptr) {
    std::unique_ptr<VersionCache> c;
    bool r = false;
    Status s = VersionCache::Open(*storage_, tmp_.path() / "cache", TwoColumns(), &c, &r);
    EXPECT_TRUE(s.ok()) << s.ToString();
    if (rebuilt) *rebuilt = r;
    return c;
  }
  std::vector<std::string> Keys(VersionCache& c, const std::string& prefix) {
    std::unique_ptr<KvIterator> it;
    EXPECT_TRUE(
        c.kv().NewIterator(nullptr, prefix, VersionCache::PrefixEnd(prefix), false, &it).ok());
    std::vector<std::string> out;
    bool ex = false;
    while (!ex)
      EXPECT_TRUE(it->Read(
                        1000,
                        [&](std::string_view k, std::string_view) {
                          out.emplace_back(k);
                          return true;
                        },
                        &ex)
                      .ok());
    return out;
  }
  std::string Pk(int64_t id) {
    Value v{Type::kInt64, false, id, 0, {}};
    std::string k;
    AppendKeyValue(&k, v);
    return k;
  }

  testing::TempDir tmp_;
  std::unique_ptr<StoragePlugin> storage_;
};

TEST_F(VersionCacheTest, AppliesInsertsUpdatesDeletesWithIndexesAtomically) {
  auto c = Open();
  std::string r1 = Row(1, "a"), r2 = Row(2, "b"), r1b = Row(1, "c"), r2d = Row(2, nullptr);
  ASSERT_TRUE(c->Apply({{SLUICE_OP_INSERT, r1}, {SLUICE_OP_INSERT, r2}}, 3, 0).ok());
  EXPECT_EQ(c->rows(), 2u);
  ASSERT_TRUE(
      c->Apply({{SLUICE_OP_UPDATE, r1b}, {SLUICE_OP_DELETE, r2d}}, 6, kCommitSourceAtEnd).ok());
  EXPECT_EQ(c->rows(), 1u);
  EXPECT_EQ(c->applied(), 6u);
  std::string got;
  ASSERT_TRUE(c->kv().Get(nullptr, VersionCache::PrimaryPrefix() + Pk(1), &got).ok());
  EXPECT_EQ(got, r1b);
  EXPECT_EQ(c->kv().Get(nullptr, VersionCache::PrimaryPrefix() + Pk(2), &got).code(),
            Code::kNotFound);
  // Exactly one index entry, for zone "c": the old "a" and deleted "b" are gone.
  auto idx = Keys(*c, VersionCache::IndexPrefix(0));
  ASSERT_EQ(idx.size(), 1u);
  EXPECT_NE(idx[0].find("c"), std::string::npos);
  c.reset();
  auto again = Open();
  EXPECT_EQ(again->applied(), 6u);
  EXPECT_EQ(again->rows(), 1u);
  EXPECT_EQ(again->flags(), kCommitSourceAtEnd);
}

TEST_F(VersionCacheTest, RepeatedKeysInOneBatchAndReinsertAfterDelete) {
  auto c = Open();
  std::string a = Row(5, "x"), b = Row(5, "y");
  ASSERT_TRUE(c->Apply({{SLUICE_OP_INSERT, a},
                        {SLUICE_OP_INSERT, b},
                        {SLUICE_OP_DELETE, b},
                        {SLUICE_OP_INSERT, a}},
                       5, 0)
                  .ok());
  EXPECT_EQ(c->rows(), 1u);
  EXPECT_EQ(Keys(*c, VersionCache::IndexPrefix(0)).size(), 1u);
}

TEST_F(VersionCacheTest, RowNotMatchingSchemaIsDataLossAndNothingIsApplied) {
  auto c = Open();
  std::string ok = Row(1, "a"), bad = "\x05garbage";
  EXPECT_EQ(c->Apply({{SLUICE_OP_INSERT, ok}, {SLUICE_OP_INSERT, bad}}, 3, 0).code(),
            Code::kDataLoss);
  EXPECT_EQ(c->applied(), 0u);
  EXPECT_EQ(c->rows(), 0u);
}

TEST_F(VersionCacheTest, UnreadableMetaMeansRebuild) {
  {
    auto c = Open();
    std::string r = Row(1, "a");
    ASSERT_TRUE(c->Apply({{SLUICE_OP_INSERT, r}}, 2, 0).ok());
    const std::string meta_key("\x00m", 2);  // outlives the op, which only views it
    KvOp op{KvOp::kPut, meta_key, "\xff\xff"};
    ASSERT_TRUE(c->kv().Write(&op, 1, true).ok());
  }
  bool rebuilt = false;
  auto c = Open(&rebuilt);
  EXPECT_TRUE(rebuilt);
  EXPECT_EQ(c->applied(), 0u);
  EXPECT_EQ(c->rows(), 0u);
}

TEST_F(VersionCacheTest, UnreadableCacheIsMovedAsideAndDeleted) {
  {
    auto c = Open();
    std::string r = Row(1, "a");
    ASSERT_TRUE(c->Apply({{SLUICE_OP_INSERT, r}}, 2, 0).ok());
  }
  {
    std::ofstream current(tmp_.path() / "cache" / "CURRENT", std::ios::trunc);
    current << "garbage without a newline";
  }
  bool rebuilt = false;
  auto c = Open(&rebuilt);
  EXPECT_TRUE(rebuilt);
  EXPECT_EQ(c->applied(), 0u);
  EXPECT_TRUE(Keys(*c, VersionCache::PrimaryPrefix()).empty());
  EXPECT_FALSE(std::filesystem::exists(tmp_.path() / "cache.unreadable"));
}

TEST_F(VersionCacheTest, LeftoverOfAnInterruptedRemovalIsDiscarded) {
  {
    auto c = Open();
    std::string r = Row(7, "kept");
    ASSERT_TRUE(c->Apply({{SLUICE_OP_INSERT, r}}, 2, 0).ok());
  }
  // A crash after the move aside, before the delete, leaves this behind.
  std::filesystem::copy(tmp_.path() / "cache", tmp_.path() / "cache.unreadable");
  bool rebuilt = true;
  auto c = Open(&rebuilt);
  EXPECT_FALSE(rebuilt);
  EXPECT_EQ(c->applied(), 2u);
  EXPECT_EQ(Keys(*c, VersionCache::PrimaryPrefix()).size(), 1u);
  EXPECT_FALSE(std::filesystem::exists(tmp_.path() / "cache.unreadable"));
}

TEST_F(VersionCacheTest, BuilderAppliesWholeCommitsAndRebuildsWhenAheadOfLog) {
  std::unique_ptr<VersionLog> raw;
  ASSERT_TRUE(
      VersionLog::Open(*storage_, "t/v0001", (tmp_.path() / "log").string(), true, &raw).ok());
  std::shared_ptr<VersionLog> log(std::move(raw));
  CommitBuilder b;
  for (int i = 0; i < 50; ++i) b.AddRow(SLUICE_OP_INSERT, Row(i, i % 2 ? "odd" : "even"));
  ASSERT_TRUE(log->Commit(b, "o1", 0).ok());
  b.Clear();
  for (int i = 50; i < 60; ++i) b.AddRow(SLUICE_OP_INSERT, Row(i, "late"));
  ASSERT_TRUE(log->Commit(b, "o2", kCommitSourceAtEnd).ok());
  auto c = Open();
  CacheBuilder builder(log, c.get(), nullptr, nullptr);
  ASSERT_TRUE(builder.CatchUp().ok());
  EXPECT_EQ(c->applied(), log->end());
  EXPECT_EQ(c->rows(), 60u);
  EXPECT_EQ(c->flags(), kCommitSourceAtEnd);
  // Pretend the cache saw more than the log now holds: it must start over.
  std::string r = Row(1000, "ghost");
  ASSERT_TRUE(c->Apply({{SLUICE_OP_INSERT, r}}, log->end() + 5, 0).ok());
  ASSERT_TRUE(builder.CatchUp().ok());
  EXPECT_EQ(c->rows(), 60u);
  std::string got;
  EXPECT_EQ(c->kv().Get(nullptr, VersionCache::PrimaryPrefix() + Pk(1000), &got).code(),
            Code::kNotFound);
}

// Keys in every order (appends past the largest key, rewrites of rows put
// earlier in the same batch, rows already stored, deletes of absent keys)
// against a plain map of what the cache must hold afterwards.
TEST_F(VersionCacheTest, MixedOrderBatchesMatchAModel) {
  auto c = Open();
  const char* zones[] = {"a", "b", nullptr, "d"};
  std::map<int64_t, const char*> model;
  std::vector<std::string> rows;  // owns the row bytes of one batch
  uint64_t applied = 0;
  uint32_t seed = 7;
  for (int batch = 0; batch < 6; ++batch) {
    rows.clear();
    rows.reserve(400);
    std::vector<CacheOp> ops;
    for (int i = 0; i < 400; ++i) {
      seed = seed * 1103515245u + 12345u;
      // Mostly increasing ids (the append path), some below the maximum.
      int64_t id = (seed >> 8) % 4 == 0 ? static_cast<int64_t>((seed >> 12) % (batch * 400 + 1))
                                        : batch * 400 + i;
      const char* zone = zones[(seed >> 16) % 4];
      bool del = (seed >> 20) % 5 == 0;
      rows.push_back(Row(id, zone));
      sluice_op op = del                ? SLUICE_OP_DELETE
                     : (seed >> 24) % 2 ? SLUICE_OP_INSERT
                                        : SLUICE_OP_UPDATE;
      ops.push_back({op, rows.back()});
      if (del) {
        model.erase(id);
      } else {
        model[id] = zone;
      }
    }
    applied += ops.size() + 1;
    ASSERT_TRUE(c->Apply(ops, applied, 0).ok());
    ASSERT_EQ(c->rows(), model.size()) << "after batch " << batch;
  }
  std::vector<std::string> want_idx;
  for (const auto& [id, zone] : model) {
    std::string got;
    ASSERT_TRUE(c->kv().Get(nullptr, VersionCache::PrimaryPrefix() + Pk(id), &got).ok()) << id;
    EXPECT_EQ(got, Row(id, zone)) << id;
    Value z{Type::kString, zone == nullptr, 0, 0, zone ? zone : ""};
    std::string k = VersionCache::IndexPrefix(0);
    AppendKeyValue(&k, z);
    want_idx.push_back(k + Pk(id));
  }
  std::sort(want_idx.begin(), want_idx.end());
  EXPECT_EQ(Keys(*c, VersionCache::PrimaryPrefix()).size(), model.size());
  auto idx = Keys(*c, VersionCache::IndexPrefix(0));
  EXPECT_EQ(idx, want_idx);
}

// Commits across several read windows, one larger than a window, applied
// with the next window read ahead.
TEST_F(VersionCacheTest, BuilderAppliesCommitsSpanningManyWindows) {
  std::unique_ptr<VersionLog> raw;
  ASSERT_TRUE(
      VersionLog::Open(*storage_, "t/v0001", (tmp_.path() / "log").string(), true, &raw).ok());
  std::shared_ptr<VersionLog> log(std::move(raw));
  CommitBuilder b;
  int64_t id = 0;
  for (int size : {40000, 30000, 90000, 5000}) {
    b.Clear();
    for (int i = 0; i < size; ++i, ++id) b.AddRow(SLUICE_OP_INSERT, Row(id, id % 3 ? "x" : "y"));
    ASSERT_TRUE(log->Commit(b, "o" + std::to_string(id), 0).ok());
  }
  auto c = Open();
  size_t applies = 0, ops = 0;
  CacheBuilder builder(log, c.get(), nullptr, nullptr);
  builder.SetOnApplied(
      [&](const std::vector<CacheOp>& applied) { ++applies, ops += applied.size(); });
  ASSERT_TRUE(builder.CatchUp().ok());
  EXPECT_EQ(c->applied(), log->end());
  EXPECT_EQ(c->rows(), static_cast<uint64_t>(id));
  EXPECT_EQ(ops, static_cast<size_t>(id));
  EXPECT_GE(applies, 2u);
  std::string got;
  ASSERT_TRUE(c->kv().Get(nullptr, VersionCache::PrimaryPrefix() + Pk(id - 1), &got).ok());
  EXPECT_EQ(got, Row(id - 1, (id - 1) % 3 ? "x" : "y"));
}

}  // namespace
}  // namespace sluice::host

namespace sluice::host {
namespace {

// Commits of rows (id, zone); a zone of nullptr is a null.
std::shared_ptr<VersionLog> LogOf(
    StoragePlugin& storage, const std::filesystem::path& dir,
    const std::vector<std::vector<std::pair<int64_t, const char*>>>& commits) {
  std::unique_ptr<VersionLog> raw;
  EXPECT_TRUE(VersionLog::Open(storage, "t/v0001", dir.string(), true, &raw).ok());
  std::shared_ptr<VersionLog> log(std::move(raw));
  int n = 0;
  for (const auto& commit : commits) {
    CommitBuilder b;
    for (const auto& [id, zone] : commit) b.AddRow(SLUICE_OP_INSERT, Row(id, zone));
    EXPECT_TRUE(log->Commit(b, "offset" + std::to_string(++n), 0).ok());
  }
  return log;
}

class DuplicateKeyTest : public VersionCacheTest {
 protected:
  // Builds the cache of three commits in which id 2 comes twice (the
  // second time as the 2nd row of the 2nd commit); returns the reports.
  std::vector<DuplicateReport> Build(OnDuplicate policy, Status* result) {
    auto log = LogOf(*storage_, tmp_.path() / "log",
                     {{{1, "a"}, {2, "first"}}, {{3, "c"}, {2, "second"}, {4, "d"}}, {{5, "e"}}});
    cache_ = Open();
    cache_->SetOnDuplicate(policy);
    CacheBuilder builder(log, cache_.get(), nullptr, nullptr);
    std::vector<DuplicateReport> reports;
    builder.SetOnDuplicates([&](const DuplicateReport& r) { reports.push_back(r); });
    *result = builder.CatchUp();
    return reports;
  }
  std::string Zone(int64_t id) {
    std::string row;
    if (!cache_->kv().Get(nullptr, VersionCache::PrimaryPrefix() + Pk(id), &row).ok()) return "-";
    std::vector<Value> v;
    EXPECT_EQ(DecodeRow(TwoColumns().schema, row, &v), "");
    return std::string(v[1].str);
  }
  std::unique_ptr<VersionCache> cache_;
};

TEST_F(DuplicateKeyTest, LastReplacesAndIsReportedWithWhereToFindIt) {
  Status s;
  auto reports = Build(OnDuplicate::kLast, &s);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].count, 1u);
  EXPECT_EQ(reports[0].key, "id=2");
  // Records: 0,1 rows, 2 commit, 3,4,5 rows: the duplicate is record 4,
  // row 1 of the commit that resumed from the first commit's offset.
  EXPECT_EQ(reports[0].log_offset, 4u);
  EXPECT_EQ(reports[0].commit_source_offset, "offset1");
  EXPECT_EQ(reports[0].index_in_commit, 1u);
  EXPECT_FALSE(reports[0].halted);
  EXPECT_EQ(Zone(2), "second");
  EXPECT_EQ(cache_->rows(), 5u);
}

TEST_F(DuplicateKeyTest, FirstKeepsTheStoredRow) {
  Status s;
  auto reports = Build(OnDuplicate::kFirst, &s);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(Zone(2), "first");
  EXPECT_EQ(Zone(4), "d");
  EXPECT_EQ(cache_->rows(), 5u);
}

TEST_F(DuplicateKeyTest, ErrorStopsBeforeTheCommitHoldingIt) {
  Status s;
  auto reports = Build(OnDuplicate::kError, &s);
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_NE(s.message().find("duplicate primary key (id=2)"), std::string::npos) << s.message();
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_TRUE(reports[0].halted);
  // The first commit is served; nothing of the second or third.
  EXPECT_EQ(cache_->applied(), 3u);
  EXPECT_EQ(Zone(2), "first");
  EXPECT_EQ(Zone(3), "-");
  EXPECT_EQ(cache_->rows(), 2u);
}

TEST_F(VersionCacheTest, RowKeyedEndpointsAreKeyedByLogOffset) {
  TableSchema t;
  ASSERT_TRUE(ApplyKeys(TwoColumns().SourceSchema(), {}, {}, "t", &t).ok());
  // The log holds rows without _row (as the source sent them), twice the same.
  auto log = LogOf(*storage_, tmp_.path() / "log", {{{7, "x"}, {7, "x"}}, {{8, nullptr}}});
  std::unique_ptr<VersionCache> c;
  bool rebuilt = false;
  ASSERT_TRUE(VersionCache::Open(*storage_, tmp_.path() / "rk", t, &c, &rebuilt).ok());
  CacheBuilder builder(log, c.get(), nullptr, nullptr);
  ASSERT_TRUE(builder.CatchUp().ok());
  EXPECT_EQ(c->rows(), 3u);  // equal rows are distinct rows
  for (int64_t offset : {0, 1, 3}) {
    Value v{Type::kInt64, false, offset, 0, {}};
    std::string key, row;
    AppendKeyValue(&key, v);
    ASSERT_TRUE(c->kv().Get(nullptr, VersionCache::PrimaryPrefix() + key, &row).ok()) << offset;
    std::vector<Value> vals;
    ASSERT_EQ(DecodeRow(t.schema, row, &vals), "");
    EXPECT_EQ(vals[2].i, offset);
  }
}

}  // namespace
}  // namespace sluice::host
