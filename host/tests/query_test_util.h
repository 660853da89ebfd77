// Helpers for the query engine tests: rows written as plain test values,
// and a VersionCache on the in-memory store (mem_kv.h) in a temp directory.
#ifndef SLUICE_HOST_TESTS_QUERY_TEST_UTIL_H_
#define SLUICE_HOST_TESTS_QUERY_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cache/version_cache.h"
#include "query/query_engine.h"
#include "sluice/row.h"
#include "tests/mem_kv.h"

namespace sluice::host::query_test {

// One field value as tests write it; which member counts depends on the
// field's type (int64, timestamp, date, bool: i; float64: f; string: s).
struct TV {
  bool null = true;
  int64_t i = 0;
  double f = 0;
  std::string s;
  bool operator==(const TV& o) const { return null == o.null && i == o.i && f == o.f && s == o.s; }
};
inline TV N() { return TV(); }
inline TV I(int64_t v) {
  TV t;
  t.null = false, t.i = v;
  return t;
}
inline TV F(double v) {
  TV t;
  t.null = false, t.f = v;
  return t;
}
inline TV B(bool v) { return I(v ? 1 : 0); }
inline TV S(std::string v) {
  TV t;
  t.null = false, t.s = std::move(v);
  return t;
}
using TRow = std::vector<TV>;

inline std::string Encode(const Schema& schema, const TRow& row) {
  std::string out;
  RowWriter w(&out, static_cast<uint32_t>(schema.fields.size()));
  for (size_t k = 0; k < row.size(); ++k) {
    const TV& v = row[k];
    if (v.null) {
      w.Null();
      continue;
    }
    switch (schema.fields[k].type) {
      case Type::kInt64: w.Int64(v.i); break;
      case Type::kTimestamp: w.Timestamp(v.i); break;
      case Type::kDate: w.Date(static_cast<int32_t>(v.i)); break;
      case Type::kBool: w.Bool(v.i != 0); break;
      case Type::kFloat64: w.Float64(v.f); break;
      case Type::kString: w.String(v.s); break;
    }
  }
  EXPECT_TRUE(w.Finish());
  return out;
}

inline TRow Decode(const Schema& schema, std::string_view bytes) {
  std::vector<Value> vals;
  std::string err = DecodeRow(schema, bytes, &vals);
  EXPECT_EQ(err, "");
  TRow out;
  for (const Value& v : vals) {
    TV t;
    t.null = v.null;
    if (!v.null) {
      if (v.type == Type::kFloat64) t.f = v.f;
      else if (v.type == Type::kString) t.s = std::string(v.str);
      else t.i = v.i;
    }
    out.push_back(std::move(t));
  }
  return out;
}

// A VersionCache in a fresh temp directory, over MemStorage or over
// `storage` when given (which must outlive the fixture).
class CacheFixture {
 public:
  explicit CacheFixture(TableSchema t, StoragePlugin* storage = nullptr) : table_(std::move(t)) {
    static std::atomic<int> seq{0};
    dir_ = std::filesystem::temp_directory_path() /
           ("sluice-query-test-" + std::to_string(getpid()) + "-" + std::to_string(seq++));
    std::filesystem::create_directories(dir_);
    bool rebuilt = false;
    Status s = VersionCache::Open(storage ? *storage : storage_, dir_ / "cache", table_, &cache_,
                                  &rebuilt);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  ~CacheFixture() {
    cache_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  CacheFixture(const CacheFixture&) = delete;
  CacheFixture& operator=(const CacheFixture&) = delete;

  const TableSchema& table() const { return table_; }
  const Schema& schema() const { return table_.schema; }
  VersionCache& cache() { return *cache_; }

  // Applies inserts (or replacements) and deletes as one commit.
  void Apply(const std::vector<TRow>& puts, const std::vector<TRow>& deletes = {}) {
    std::vector<std::string> bytes;
    for (const TRow& r : puts) bytes.push_back(Encode(schema(), r));
    for (const TRow& r : deletes) bytes.push_back(Encode(schema(), r));
    std::vector<CacheOp> ops;
    for (size_t i = 0; i < bytes.size(); ++i)
      ops.push_back({i < puts.size() ? SLUICE_OP_INSERT : SLUICE_OP_DELETE, bytes[i]});
    Status s = cache_->Apply(ops, ++applied_, 0);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  Status Parse(const std::string& json, Query* q, const QueryLimits& limits = QueryLimits()) {
    return ParseQuery(json, table_, limits, q);
  }

  // Parses and runs `json`, collecting every row.
  Status Run(const std::string& json, std::vector<TRow>* rows, QueryPlanInfo* info = nullptr,
             const QueryLimits& limits = QueryLimits()) {
    Query q;
    SLUICE_RETURN_IF_ERROR(Parse(json, &q, limits));
    return RunParsed(q, rows, info);
  }
  Status RunParsed(const Query& q, std::vector<TRow>* rows, QueryPlanInfo* info = nullptr) {
    rows->clear();
    int at_end = 0;
    Status s = RunQuery(
        *cache_, q,
        [&](const sluice_row_batch& b) {
          for (uint32_t i = 0; i < b.row_count; ++i)
            rows->push_back(Decode(schema(), BatchRow(b, i)));
          at_end += b.at_end;
          return true;
        },
        info);
    if (s.ok()) { EXPECT_EQ(at_end, 1) << "exactly one batch ends the result"; }
    return s;
  }

  Status Count(const std::string& json, uint64_t* n, QueryPlanInfo* info = nullptr,
               const QueryLimits& limits = QueryLimits()) {
    Query q;
    SLUICE_RETURN_IF_ERROR(Parse(json, &q, limits));
    return CountQuery(*cache_, q, n, info);
  }

 private:
  TableSchema table_;
  std::filesystem::path dir_;
  memkv::MemStorage storage_;
  std::unique_ptr<VersionCache> cache_;
  uint64_t applied_ = 0;
};

// A table keyed by id with one secondary index, on zone: id (int64), zone
// (int64 or null), note (string or null), at these field numbers.
enum ZoneTableField { kZoneTableId, kZoneTableZone, kZoneTableNote };
inline TableSchema ZoneTable() {
  TableSchema t;
  t.schema.fields = {
      {"id", Type::kInt64, false}, {"zone", Type::kInt64, true}, {"note", Type::kString, true}};
  t.schema.primary_key = {kZoneTableId};
  t.indexes = {{kZoneTableZone}};
  return t;
}

}  // namespace sluice::host::query_test

#endif  // SLUICE_HOST_TESTS_QUERY_TEST_UTIL_H_
