// The bounds on one query's work (docs/query.md, "Bounds"): the size of its
// text, of its $filter and of $skip, the filter evaluations it may make and
// its deadline.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "tests/query_test_util.h"

namespace sluice::host::query_test {
namespace {

TableSchema Items() {
  TableSchema t;
  t.schema.fields = {{"id", Type::kInt64, false}, {"zone", Type::kInt64, true}};
  t.schema.primary_key = {0};
  return t;
}

class QueryBoundsTest : public ::testing::Test {
 protected:
  QueryBoundsTest() : db_(Items()) {
    std::vector<TRow> rows;
    for (int i = 1; i <= 2000; ++i) rows.push_back({I(i), I(i % 10)});
    db_.Apply(rows);
  }
  // An $or of `n` branches on zone (each matching nothing).
  static std::string WideOr(int n) {
    std::string f = "{\"$filter\": {\"$or\": [";
    for (int i = 0; i < n; ++i)
      f += (i ? "," : "") + std::string("{\"zone\": ") + std::to_string(100 + i) + "}";
    return f + "]}}";
  }
  static std::string WideIn(int n) {
    std::string f = "{\"$filter\": {\"zone\": {\"$in\": [";
    for (int i = 0; i < n; ++i) f += (i ? "," : "") + std::to_string(100 + i);
    return f + "]}}}";
  }
  CacheFixture db_;
};

TEST_F(QueryBoundsTest, FilterTermsAreCountedAcrossOrBranchesAndInValues) {
  QueryLimits limits;
  limits.max_filter_terms = 100;
  Query q;
  EXPECT_TRUE(db_.Parse(WideOr(50), &q, limits).ok());  // 50 branches + 50 predicates
  Status s = db_.Parse(WideOr(51), &q, limits);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "$filter has more than 100 terms (predicates, $and/$or branches and $in values; "
            "query.max_filter_terms); split the query or filter on an indexed range instead");
  EXPECT_TRUE(db_.Parse(WideIn(100), &q, limits).ok());
  EXPECT_EQ(db_.Parse(WideIn(101), &q, limits).code(), Code::kInvalidArgument);
  // The default admits a 30,000-branch $or by no means.
  EXPECT_EQ(db_.Parse(WideOr(30000), &q).code(), Code::kInvalidArgument);
}

TEST_F(QueryBoundsTest, QueryTextAndSkipHaveMaximums) {
  QueryLimits limits;
  limits.max_query_bytes = 64;
  limits.max_skip = 1000;
  Query q;
  Status s = db_.Parse(WideIn(20), &q, limits);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("exceeds the maximum 64 (query.max_query_bytes)"), std::string::npos)
      << s.message();
  EXPECT_TRUE(db_.Parse(R"({"$skip": 1000})", &q, limits).ok());
  s = db_.Parse(R"({"$skip": 1001, "$order_by": {"zone": "asc"}})", &q, limits);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "$skip 1001 exceeds the maximum 1000 (query.max_skip); page with $after instead");
}

TEST_F(QueryBoundsTest, FilterEvaluationsAreBudgeted) {
  QueryLimits limits;
  limits.filter_budget = 5000;  // 2000 rows x 50 predicates would be 100,000
  std::vector<TRow> rows;
  Status s = db_.Run(WideOr(50), &rows, nullptr, limits);
  EXPECT_EQ(s.code(), Code::kResourceExhausted);
  EXPECT_NE(s.message().find("filter evaluations (query.filter_budget is 5000)"), std::string::npos)
      << s.message();
  uint64_t n = 0;
  EXPECT_EQ(db_.Count(WideIn(50), &n, nullptr, limits).code(), Code::kResourceExhausted);
  // A cheap filter over the same rows stays well inside.
  EXPECT_TRUE(db_.Run(R"({"$filter": {"zone": 3}, "$limit": 1000})", &rows, nullptr, limits).ok());
  EXPECT_EQ(rows.size(), 200u);
}

TEST_F(QueryBoundsTest, AQueryPastItsDeadlineStops) {
  Query q;
  ASSERT_TRUE(db_.Parse(R"({"$filter": {"zone": 3}, "$limit": 1000})", &q).ok());
  EXPECT_EQ(q.timeout_ms, 30000u);  // the default
  q.deadline = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  std::vector<TRow> rows;
  Status s = db_.RunParsed(q, &rows);
  EXPECT_EQ(s.code(), Code::kDeadlineExceeded);
  EXPECT_NE(s.message().find("query ran past its deadline of 30000 ms (query.timeout_ms"),
            std::string::npos)
      << s.message();
  uint64_t n = 0;
  QueryLimits none;
  none.timeout_ms = 0;
  ASSERT_TRUE(db_.Parse(R"({"$filter": {"zone": 3}})", &q, none).ok());
  EXPECT_EQ(q.deadline, std::chrono::steady_clock::time_point::max());
  EXPECT_TRUE(CountQuery(db_.cache(), q, &n, nullptr).ok());
  EXPECT_EQ(n, 200u);
}

TEST(QueryInProbesTest, InOverAKeyFieldReadsOnlyItsValues) {
  TableSchema t = Items();
  t.indexes = {{1}};
  CacheFixture db(t);
  std::vector<TRow> all;
  for (int i = 1; i <= 2000; ++i) all.push_back({I(i), I(i % 10)});
  db.Apply(all);
  std::vector<TRow> rows;
  QueryPlanInfo info;
  ASSERT_TRUE(
      db.Run(R"({"$filter": {"zone": {"$in": [5, 3, 5, 42]}}, "$limit": 1000})", &rows, &info)
          .ok());
  EXPECT_EQ(info.plan, "index [zone] in (3 probes) + sort");  // the order is by id
  EXPECT_EQ(info.examined, 400u);                             // zones 3 and 5; 42 has none
  ASSERT_EQ(rows.size(), 400u);
  EXPECT_EQ(rows.front()[0].i, 3);
  EXPECT_EQ(rows.back()[0].i, 1995);
  // Descending by zone: the probes are read backwards.
  ASSERT_TRUE(db.Run(R"({"$filter": {"zone": {"$in": [3, 5]}}, "$order_by": {"zone": "desc"},
                        "$limit": 2})",
                     &rows, &info)
                  .ok());
  EXPECT_EQ(info.plan, "index [zone] in reverse (2 probes)");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0][0].i, 1995);
  EXPECT_EQ(rows[1][0].i, 1985);
  // Paging with $after continues inside the probes.
  Status s = db.Run(R"({"$filter": {"zone": {"$in": [3, 5]}}, "$order_by": {"zone": "asc"},
                        "$after": {"zone": 3, "id": 1993}, "$limit": 3})",
                    &rows, &info);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(info.plan, "index [zone] in (2 probes)");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0][0].i, 5);
  EXPECT_EQ(rows[0][1].i, 5);
  uint64_t n = 0;
  ASSERT_TRUE(db.Count(R"({"$filter": {"zone": {"$in": [3, 5]}}})", &n, &info).ok());
  EXPECT_EQ(n, 400u);
  EXPECT_EQ(info.examined, 400u);
  // On the primary key too.
  ASSERT_TRUE(db.Run(R"({"$filter": {"id": {"$in": [7, 1, 7, 5000]}}})", &rows, &info).ok());
  EXPECT_EQ(info.plan, "primary key in (3 probes)");  // 5000 has no row
  EXPECT_EQ(info.examined, 2u);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0][0].i, 1);
  EXPECT_EQ(rows[1][0].i, 7);
}

}  // namespace
}  // namespace sluice::host::query_test
