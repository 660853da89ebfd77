// Property test: random rows with inserts, updates and deletes applied to
// a cache with declared aggregates and to SQLite; random aggregate
// requests (group_by, measures, filters) answered by the engine from
// maintained state, ad hoc, and by SQLite's GROUP BY must agree, and a
// cache rebuilt from the same history must answer the same. Float values
// are multiples of 1/4, so SQLite's floating-point sums are exact too and
// every sum is compared exactly (SQLite's sum()); averages to 1e-12
// relative (SQLite divides a rounded sum).
#include <gtest/gtest.h>
#include <simdjson.h>
#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "query/aggregate_engine.h"
#include "tests/query_test_util.h"

namespace sluice::host::query_test {
namespace {

Schema TripsSchema() {
  Schema s;
  s.fields = {{"id", Type::kInt64, false},
              {"zone", Type::kInt64, true},
              {"kind", Type::kString, true},
              {"fare", Type::kFloat64, true},
              {"n", Type::kInt64, true}};
  s.primary_key = {0};
  return s;
}

AggregateSpec Spec(const Schema& s, std::vector<uint32_t> group_by,
                   const std::vector<std::string>& measures) {
  AggregateSpec a;
  a.group_by = std::move(group_by);
  for (const std::string& m : measures) {
    Measure x;
    EXPECT_EQ(ParseMeasure(m, s, &x), "");
    a.measures.push_back(x);
  }
  return a;
}

TableSchema Table() {
  TableSchema t;
  t.schema = TripsSchema();
  t.aggregates.push_back(
      Spec(t.schema, {1}, {"count", "sum(fare)", "sum(n)", "min(fare)", "max(n)", "max(kind)"}));
  t.aggregates.push_back(Spec(t.schema, {1, 2}, {"count", "sum(n)", "min(n)"}));
  t.aggregates.push_back(Spec(t.schema, {}, {"count", "sum(fare)"}));
  return t;
}

struct Sqlite {
  sqlite3* db = nullptr;
  Sqlite() {
    EXPECT_EQ(sqlite3_open(":memory:", &db), SQLITE_OK);
    Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, zone INTEGER, kind TEXT, fare REAL, n INTEGER)");
  }
  ~Sqlite() { sqlite3_close(db); }
  void Exec(const std::string& sql) {
    char* err = nullptr;
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK)
        << sql << ": " << (err ? err : "");
  }
  // Rows of `sql`, each value as text ("null" for NULL; integers as
  // written; reals through %.17g).
  std::vector<std::vector<std::string>> Rows(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    std::vector<std::vector<std::string>> out;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK)
        << sql << ": " << sqlite3_errmsg(db);
    while (sqlite3_step(st) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int i = 0; i < sqlite3_column_count(st); ++i) {
        switch (sqlite3_column_type(st, i)) {
          case SQLITE_NULL: row.push_back("null"); break;
          case SQLITE_INTEGER: row.push_back(std::to_string(sqlite3_column_int64(st, i))); break;
          case SQLITE_FLOAT: {
            char buf[40];
            snprintf(buf, sizeof buf, "%.17g", sqlite3_column_double(st, i));
            row.push_back(std::string("f") + buf);
            break;
          }
          default:
            row.push_back(std::string("\"") +
                          reinterpret_cast<const char*>(sqlite3_column_text(st, i)) + "\"");
        }
      }
      out.push_back(std::move(row));
    }
    sqlite3_finalize(st);
    return out;
  }
};

std::string SqlValue(const TV& v, Type t) {
  if (v.null) return "NULL";
  if (t == Type::kString) return "'" + v.s + "'";
  if (t == Type::kFloat64) {
    char buf[40];
    snprintf(buf, sizeof buf, "%.17g", v.f);
    return buf;
  }
  return std::to_string(v.i);
}

// The engine's answer in the same text form as Sqlite::Rows.
std::vector<std::vector<std::string>> EngineRows(const std::string& json,
                                                 const std::vector<std::string>& columns) {
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  EXPECT_EQ(p.parse(json).get(doc), simdjson::SUCCESS) << json;
  std::vector<std::vector<std::string>> out;
  for (simdjson::dom::element g : doc.get_array()) {
    std::vector<std::string> row;
    for (const std::string& c : columns) {
      simdjson::dom::element v = g[c];
      switch (v.type()) {
        case simdjson::dom::element_type::NULL_VALUE: row.push_back("null"); break;
        case simdjson::dom::element_type::INT64:
          row.push_back(std::to_string(int64_t(v.get_int64())));
          break;
        case simdjson::dom::element_type::DOUBLE: {
          char buf[40];
          snprintf(buf, sizeof buf, "%.17g", double(v.get_double()));
          row.push_back(std::string("f") + buf);
          break;
        }
        case simdjson::dom::element_type::STRING:
          row.push_back("\"" + std::string(std::string_view(v.get_string())) + "\"");
          break;
        default: row.push_back("?");
      }
    }
    out.push_back(std::move(row));
  }
  return out;
}

// Equal, with averages ("avg(" columns) to 1e-12 relative and an integer
// of SQLite equal to a float of ours when it is a whole avg.
void ExpectSame(const std::vector<std::vector<std::string>>& want,
                const std::vector<std::vector<std::string>>& got,
                const std::vector<std::string>& columns, const std::string& what) {
  ASSERT_EQ(want.size(), got.size()) << what;
  for (size_t r = 0; r < want.size(); ++r)
    for (size_t c = 0; c < columns.size(); ++c) {
      const std::string &a = want[r][c], &b = got[r][c];
      if (a == b) continue;
      bool avg = columns[c].rfind("avg(", 0) == 0;
      if (avg && a[0] == 'f' && b[0] == 'f') {
        double x = std::stod(a.substr(1)), y = std::stod(b.substr(1));
        if (std::fabs(x - y) <= 1e-12 * std::max(1.0, std::fabs(x))) continue;
      }
      ADD_FAILURE() << what << ": row " << r << " column " << columns[c] << ": sqlite " << a
                    << ", sluice " << b;
      return;
    }
}

class AggregateProperty : public ::testing::TestWithParam<int> {};

TEST_P(AggregateProperty, MaintainedAdHocAndSqliteAgree) {
  std::mt19937_64 rng(static_cast<uint64_t>(GetParam()) * 7919 + 1);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); };
  TableSchema t = Table();
  const Schema& s = t.schema;
  CacheFixture cache(t);
  Sqlite lite;
  std::vector<std::pair<std::vector<TRow>, std::vector<TRow>>> history;
  const char* kinds[] = {"a", "b", "cash", "card"};
  auto random_row = [&](int64_t id) {
    TRow r{I(id), pick(6) == 0 ? N() : I(pick(5)), pick(5) == 0 ? N() : S(kinds[pick(4)]),
           pick(5) == 0 ? N() : F((pick(4001) - 2000) / 4.0),
           pick(5) == 0 ? N() : I(static_cast<int64_t>(rng() % 2000000000001ull) - 1000000000000)};
    return r;
  };
  for (int round = 0; round < 12; ++round) {
    std::vector<TRow> puts, deletes;
    int n = 1 + pick(60);
    for (int i = 0; i < n; ++i) {
      int64_t id = pick(120);
      if (pick(4) == 0) {
        deletes.push_back(TRow{I(id), N(), N(), N(), N()});
      } else {
        puts.push_back(random_row(id));
      }
    }
    cache.Apply(puts, deletes);
    history.emplace_back(puts, deletes);
    for (const TRow& r : puts) {
      std::string vals;
      for (size_t f = 0; f < r.size(); ++f)
        vals += (f ? "," : "") + SqlValue(r[f], s.fields[f].type);
      lite.Exec("INSERT OR REPLACE INTO t VALUES (" + vals + ")");
    }
    for (const TRow& r : deletes) lite.Exec("DELETE FROM t WHERE id = " + std::to_string(r[0].i));

    for (int q = 0; q < 25; ++q) {
      std::vector<std::vector<uint32_t>> groupings = {{1}, {1, 2}, {}, {2}, {4}};
      std::vector<uint32_t> g = groupings[static_cast<size_t>(pick(5))];
      std::vector<std::string> all = {"count",     "sum(fare)", "sum(n)", "min(fare)", "max(n)",
                                      "max(kind)", "avg(fare)", "avg(n)", "min(n)",    "min(kind)"};
      std::vector<std::string> measures;
      for (const std::string& m : all)
        if (pick(3) == 0) measures.push_back(m);
      if (measures.empty()) measures.push_back("count");
      std::string filter, where;
      switch (pick(4)) {
        case 0: break;
        case 1: {
          int z = pick(5);
          filter = "{\"zone\": {\"$gte\": " + std::to_string(z) + "}}";
          where = " WHERE zone >= " + std::to_string(z);
          break;
        }
        case 2:
          filter = "{\"fare\": {\"$gt\": 0}}";
          where = " WHERE fare > 0";
          break;
        default:
          filter = "{\"$or\": [{\"zone\": null}, {\"zone\": 2}]}";
          where = " WHERE zone IS NULL OR zone = 2";
      }
      std::string names, cols, req = "{\"$group_by\": [";
      std::vector<std::string> columns;
      for (size_t i = 0; i < g.size(); ++i) {
        req += (i ? ",\"" : "\"") + s.fields[g[i]].name + "\"";
        names += (i ? ", " : "") + s.fields[g[i]].name;
        columns.push_back(s.fields[g[i]].name);
      }
      req += "], \"$measures\": [";
      for (size_t i = 0; i < measures.size(); ++i) {
        req += (i ? ",\"" : "\"") + measures[i] + "\"";
        columns.push_back(measures[i]);
        std::string sql = measures[i] == "count" ? "count(*)" : measures[i];
        cols += (cols.empty() ? "" : ", ") + sql;
      }
      req += "], \"$limit\": 10000";
      if (!filter.empty()) req += ", \"$filter\": " + filter;
      req += "}";
      std::string sql = "SELECT " + (names.empty() ? "" : names + ", ") + cols + " FROM t" + where;
      if (!names.empty()) sql += " GROUP BY " + names + " ORDER BY " + names;
      auto want = lite.Rows(sql);
      if (g.empty() && lite.Rows("SELECT count(*) FROM t" + where)[0][0] == "0")
        want.clear();  // no row: no group (SQLite answers one row of nulls)
      AggregateRequest r;
      Status st = ParseAggregate(req, t, QueryLimits(), &r);
      ASSERT_TRUE(st.ok()) << req << ": " << st.ToString();
      std::string fast, slow;
      QueryPlanInfo fi, si;
      ASSERT_TRUE(RunAggregate(cache.cache(), r, &fast, &fi).ok());
      ASSERT_TRUE(RunAggregate(cache.cache(), r, &slow, &si, false).ok());
      EXPECT_EQ(fast, slow) << req << "\nplan " << fi.plan;
      auto got = EngineRows(fast, columns);
      ExpectSame(want, got, columns, req + "\n" + sql + "\nplan " + fi.plan);
    }
  }
  // A cache built again from the same history answers the same.
  CacheFixture rebuilt(t);
  for (auto& [puts, deletes] : history) rebuilt.Apply(puts, deletes);
  for (const char* req :
       {R"j({"$group_by": ["zone"], "$measures": ["count", "sum(fare)", "sum(n)", "min(fare)",
             "max(n)", "max(kind)", "avg(fare)"]})j",
        R"j({"$group_by": ["zone", "kind"], "$measures": ["count", "min(n)"]})j",
        R"j({"$measures": ["count", "sum(fare)"]})j"}) {
    AggregateRequest r;
    ASSERT_TRUE(ParseAggregate(req, t, QueryLimits(), &r).ok());
    std::string a, b;
    QueryPlanInfo ia, ib;
    ASSERT_TRUE(RunAggregate(cache.cache(), r, &a, &ia).ok());
    ASSERT_TRUE(RunAggregate(rebuilt.cache(), r, &b, &ib).ok());
    EXPECT_EQ(a, b);
    EXPECT_NE(ia.plan.find("maintained"), std::string::npos) << req << ": " << ia.plan;
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, AggregateProperty, ::testing::Range(0, 8));

TEST(Aggregate, AdHocIsBoundedLikeAQueryMaintainedIsNot) {
  TableSchema t = Table();
  CacheFixture c(t);
  std::vector<TRow> rows;
  for (int64_t i = 0; i < 50; ++i) rows.push_back({I(i), I(i % 3), S("a"), F(1.5), I(i)});
  c.Apply(rows);
  QueryLimits small;
  small.scan_budget = 10;
  AggregateRequest r;
  std::string json;
  QueryPlanInfo info;
  // Maintained: three groups read, whatever the budget.
  ASSERT_TRUE(
      ParseAggregate(R"j({"$group_by": ["zone"], "$measures": ["count"]})j", t, small, &r).ok());
  Status s = RunAggregate(c.cache(), r, &json, &info);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(json, R"j([{"zone":0,"count":17},{"zone":1,"count":17},{"zone":2,"count":16}])j");
  EXPECT_EQ(info.plan, "aggregate [zone] maintained");
  // Ad hoc (a filter on another field): refused past the scan budget.
  ASSERT_TRUE(
      ParseAggregate(
          R"j({"$group_by": ["zone"], "$measures": ["count"], "$filter": {"n": {"$gte": 0}}})j", t,
          small, &r)
          .ok());
  s = RunAggregate(c.cache(), r, &json, &info);
  EXPECT_EQ(s.code(), Code::kResourceExhausted) << s.ToString();
  EXPECT_NE(s.message().find("query would examine more than 10 rows"), std::string::npos);
}

TEST(Aggregate, Errors) {
  TableSchema t = Table();
  AggregateRequest r;
  auto error = [&](const std::string& json) {
    return ParseAggregate(json, t, QueryLimits(), &r).message();
  };
  EXPECT_EQ(
      error(R"({"group_by": []})"),
      "unknown aggregate key \"group_by\"; valid keys: $group_by, $measures, $filter, $limit, "
      "$after");
  EXPECT_EQ(error(R"({"$group_by": ["zoen"]})"),
            "unknown field \"zoen\" in $group_by; fields: id, zone, kind, fare, n");
  EXPECT_EQ(error(R"j({"$measures": ["median(fare)"]})j"),
            "$measures: unknown measure \"median\" in \"median(fare)\"; valid: count, sum, min, "
            "max, avg");
  EXPECT_EQ(error(R"j({"$measures": ["sum(kind)"]})j"),
            "$measures: sum needs an int64 or float64 field; field kind is string");
  EXPECT_EQ(error(R"({"$group_by": ["zone"], "$after": {"kind": "a"}})"),
            "$after names \"kind\", which is neither a $group_by field nor a measure");
  EXPECT_EQ(error(R"({"$group_by": ["zone", "kind"], "$after": {"zone": 1}})"),
            "$after lacks field kind; it needs every $group_by field");
  EXPECT_EQ(error(R"({"$filter": {"fare": "x"}})"), "field fare is float64, got string \"x\"");
}

double Sum(const std::vector<double>& xs) {
  ExactSum e;
  for (double x : xs) e.Add(x, 1);
  return e.ToDouble();
}

TEST(ExactSum, RoundsTheExactSumOnce) {
  EXPECT_EQ(Sum({0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1}),
            1.0);                                            // naive: 0.9999999999999999
  EXPECT_EQ(Sum({1e16, 1.0, -1e16}), 1.0);                   // naive: 0
  EXPECT_EQ(Sum({1e308, 1e308, -1e308, -1e308, 3.5}), 3.5);  // naive: inf
  EXPECT_EQ(Sum({5e-324, 5e-324, 5e-324}), 1.5e-323);        // subnormals
  EXPECT_EQ(Sum({1.0, 1e-300}), 1.0);
  EXPECT_EQ(Sum({-2.5, 0.5}), -2.0);
  EXPECT_EQ(Sum({1e308, 1e308}), HUGE_VAL);  // beyond the double range
  // 2^53 + 1 + 1: the exact 2^53 + 2 is a double; adding one at a time rounds twice.
  EXPECT_EQ(Sum({9007199254740992.0, 1.0, 1.0}), 9007199254740994.0);
  // Ties to even with a sticky bit far below: 1 + 2^-53 + 2^-1000 rounds up.
  EXPECT_EQ(Sum({1.0, std::ldexp(1.0, -53), std::ldexp(1.0, -1000)}), std::nextafter(1.0, 2.0));
  EXPECT_EQ(Sum({1.0, std::ldexp(1.0, -53)}), 1.0);  // an exact tie: to even
}

TEST(ExactSum, RemovingRestoresTheStateExactly) {
  std::mt19937_64 rng(5);
  std::vector<double> xs;
  for (int i = 0; i < 2000; ++i) {
    double m = static_cast<double>(static_cast<int64_t>(rng() >> 11)) * (rng() % 2 ? 1 : -1);
    xs.push_back(std::ldexp(m, static_cast<int>(rng() % 600) - 300));
  }
  ExactSum e, empty;
  for (double x : xs) e.Add(x, 1);
  ExactSum copy;
  std::string bytes;
  e.Encode(&bytes);
  const uint8_t* p = reinterpret_cast<const uint8_t*>(bytes.data());
  ASSERT_TRUE(copy.Decode(&p, p + bytes.size()));
  EXPECT_TRUE(copy == e);
  std::shuffle(xs.begin(), xs.end(), rng);
  for (double x : xs) e.Add(x, -1);
  EXPECT_TRUE(e == empty);
  EXPECT_TRUE(e.zero());
  ExactSum neg;
  neg.Add(-3.0, 1);
  bytes.clear();
  neg.Encode(&bytes);
  p = reinterpret_cast<const uint8_t*>(bytes.data());
  ASSERT_TRUE(copy.Decode(&p, p + bytes.size()));
  EXPECT_EQ(copy.ToDouble(), -3.0);
}

}  // namespace
}  // namespace sluice::host::query_test
