// RunQuery, CountQuery and GetByKey on a VersionCache over the in-memory
// store: operators, nulls, ordering, pagination, plans and the scan budget.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

#include "sluice/json.h"
#include "sluice/timefmt.h"
#include "tests/query_test_util.h"

namespace sluice::host::query_test {
namespace {

enum { kId, kFare, kZone, kPay, kAt, kDay, kShared };
const int64_t kBaseMicros = 1704067200LL * 1000000;  // 2024-01-01T00:00:00Z
const int64_t kBaseDay = 19723;                      // 2024-01-01
const char* kPays[] = {"cash", "card", "dispute", "no charge"};

TableSchema Trips(bool indexed) {
  TableSchema t;
  t.schema.fields = {{"trip_id", Type::kInt64, false},       {"fare_amount", Type::kFloat64, true},
                     {"pickup_zone_id", Type::kInt64, true}, {"payment_type", Type::kString, true},
                     {"pickup_at", Type::kTimestamp, true},  {"pickup_date", Type::kDate, true},
                     {"shared", Type::kBool, true}};
  t.schema.primary_key = {kId};
  if (indexed) t.indexes = {{kZone}, {kPay, kFare}};
  return t;
}

TRow Trip(int64_t i) {
  return {I(i),
          i % 11 == 0 ? N() : F((i % 37) * 1.25 - 5),
          i % 13 == 0 ? N() : I(i % 7),
          i % 17 == 0 ? N() : S(kPays[i % 4]),
          I(kBaseMicros + i * 60 * 1000000),
          I(kBaseDay + i % 5),
          i % 19 == 0 ? N() : B(i % 3 == 0)};
}

std::vector<TRow> AllTrips(int n) {
  std::vector<TRow> rows;
  for (int i = 1; i <= n; ++i) rows.push_back(Trip(i));
  return rows;
}

std::vector<int64_t> Ids(const std::vector<TRow>& rows) {
  std::vector<int64_t> ids;
  for (const TRow& r : rows) ids.push_back(r[kId].i);
  return ids;
}

// Ids of AllTrips(n) rows that satisfy `keep`, ascending.
std::vector<int64_t> Expect(int n, const std::function<bool(const TRow&)>& keep) {
  std::vector<int64_t> ids;
  for (const TRow& r : AllTrips(n))
    if (keep(r)) ids.push_back(r[kId].i);
  return ids;
}

// The JSON object of a row, as an API would print it (for $after).
std::string RowJson(const Schema& schema, const TRow& row) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  for (size_t k = 0; k < row.size(); ++k) {
    w.Key(schema.fields[k].name);
    const TV& v = row[k];
    std::string s;
    if (v.null) {
      w.Null();
      continue;
    }
    switch (schema.fields[k].type) {
      case Type::kInt64: w.Int(v.i); break;
      case Type::kFloat64: w.Double(v.f); break;
      case Type::kBool: w.Bool(v.i != 0); break;
      case Type::kString: w.String(v.s); break;
      case Type::kTimestamp: AppendTimestamp(&s, v.i), w.String(s); break;
      case Type::kDate: AppendDate(&s, static_cast<int32_t>(v.i)), w.String(s); break;
    }
  }
  w.EndObject();
  return out;
}

class QueryExecTest : public ::testing::Test {
 protected:
  static constexpr int kRows = 600;
  QueryExecTest() : db_(Trips(true)), plain_(Trips(false)) {
    db_.Apply(AllTrips(kRows));
    plain_.Apply(AllTrips(kRows));
  }
  // Ids a query returns; also checks the unindexed cache returns the same.
  std::vector<int64_t> Run(const std::string& json, QueryPlanInfo* info = nullptr) {
    std::vector<TRow> a, b;
    Status s = db_.Run(json, &a, info);
    EXPECT_TRUE(s.ok()) << json << ": " << s.ToString();
    s = plain_.Run(json, &b);
    EXPECT_TRUE(s.ok()) << json << ": " << s.ToString();
    EXPECT_EQ(Ids(a), Ids(b)) << json;
    return Ids(a);
  }
  std::string All(const std::string& filter) {
    return "{\"$limit\": 10000, \"$filter\": " + filter + "}";
  }
  CacheFixture db_;
  CacheFixture plain_;
};

TEST_F(QueryExecTest, EachOperator) {
  auto fare = [](const TRow& r) { return r[kFare]; };
  EXPECT_EQ(Run(All(R"({"pickup_zone_id": 3})")),
            Expect(kRows, [](const TRow& r) { return !r[kZone].null && r[kZone].i == 3; }));
  EXPECT_EQ(Run(All(R"({"fare_amount": {"$eq": 10}})")),
            Expect(kRows, [&](const TRow& r) { return !fare(r).null && fare(r).f == 10; }));
  EXPECT_EQ(Run(All(R"({"payment_type": {"$ne": "cash"}})")),
            Expect(kRows, [](const TRow& r) { return r[kPay].null || r[kPay].s != "cash"; }));
  EXPECT_EQ(Run(All(R"({"fare_amount": {"$lt": 0}})")),
            Expect(kRows, [&](const TRow& r) { return !fare(r).null && fare(r).f < 0; }));
  EXPECT_EQ(Run(All(R"({"fare_amount": {"$lte": -1.25}})")),
            Expect(kRows, [&](const TRow& r) { return !fare(r).null && fare(r).f <= -1.25; }));
  EXPECT_EQ(Run(All(R"({"fare_amount": {"$gt": 38.75}})")),
            Expect(kRows, [&](const TRow& r) { return !fare(r).null && fare(r).f > 38.75; }));
  EXPECT_EQ(Run(All(R"({"pickup_at": {"$gte": "2024-01-01T09:50:00Z"}})")),
            Expect(kRows, [](const TRow& r) { return r[kId].i >= 590; }));
  EXPECT_EQ(Run(All(R"({"pickup_date": {"$in": ["2024-01-02", "2024-01-04"]}})")),
            Expect(kRows, [](const TRow& r) { return r[kId].i % 5 == 1 || r[kId].i % 5 == 3; }));
  EXPECT_EQ(Run(All(R"({"payment_type": {"$contains": "a"}})")), Expect(kRows, [](const TRow& r) {
              return !r[kPay].null && r[kPay].s.find('a') != std::string::npos;
            }));
  EXPECT_EQ(Run(All(R"({"payment_type": {"$contains": ""}})")),
            Expect(kRows, [](const TRow& r) { return !r[kPay].null; }));
  EXPECT_EQ(Run(All(R"({"shared": false})")),
            Expect(kRows, [](const TRow& r) { return !r[kShared].null && r[kShared].i == 0; }));
  EXPECT_EQ(Run(All(R"({"trip_id": {"$gt": 100, "$lte": 103}})")),
            (std::vector<int64_t>{101, 102, 103}));
  EXPECT_EQ(Run(All(R"({"trip_id": {"$gt": 100, "$lt": 50}})")), std::vector<int64_t>{});
}

TEST_F(QueryExecTest, BooleanCombinators) {
  EXPECT_EQ(
      Run(All(R"({"$or": [{"pickup_zone_id": 1}, {"shared": true}], "trip_id": {"$lt": 300}})")),
      Expect(kRows, [](const TRow& r) {
        return r[kId].i < 300 &&
               ((!r[kZone].null && r[kZone].i == 1) || (!r[kShared].null && r[kShared].i == 1));
      }));
  EXPECT_EQ(
      Run(All(R"({"$and": [{"pickup_zone_id": {"$gte": 2}}, {"pickup_zone_id": {"$lte": 3}}]})")),
      Expect(kRows,
             [](const TRow& r) { return !r[kZone].null && r[kZone].i >= 2 && r[kZone].i <= 3; }));
  EXPECT_EQ(Run(All(R"({"$not": {"fare_amount": {"$gte": 0}}})")),
            Expect(kRows, [](const TRow& r) { return r[kFare].null || r[kFare].f < 0; }));
  EXPECT_EQ(Run(All(R"({"$or": []})")), std::vector<int64_t>{});
  EXPECT_EQ(Run(All(R"({"$and": []})")), Expect(kRows, [](const TRow&) { return true; }));
  EXPECT_EQ(Run(All(R"({"pickup_zone_id": 1, "$and": [{"pickup_zone_id": 2}]})")),
            std::vector<int64_t>{});
}

TEST_F(QueryExecTest, NullSemantics) {
  auto zone_null = [](const TRow& r) { return r[kZone].null; };
  EXPECT_EQ(Run(All(R"({"pickup_zone_id": null})")), Expect(kRows, zone_null));
  EXPECT_EQ(Run(All(R"({"pickup_zone_id": {"$eq": null}})")), Expect(kRows, zone_null));
  EXPECT_EQ(Run(All(R"({"pickup_zone_id": {"$ne": null}})")),
            Expect(kRows, [&](const TRow& r) { return !zone_null(r); }));
  EXPECT_EQ(Run(All(R"({"pickup_zone_id": {"$ne": 2}})")),  // nulls differ from 2
            Expect(kRows, [](const TRow& r) { return r[kZone].null || r[kZone].i != 2; }));
  EXPECT_EQ(Run(All(R"({"pickup_zone_id": {"$lt": 100}})")),  // comparisons skip nulls
            Expect(kRows, [](const TRow& r) { return !r[kZone].null; }));
  EXPECT_EQ(Run(All(R"({"pickup_zone_id": {"$in": [null, 4]}})")),
            Expect(kRows, [](const TRow& r) { return r[kZone].null || r[kZone].i == 4; }));
  EXPECT_EQ(Run(All(R"({"trip_id": null})")), std::vector<int64_t>{});
  // Nulls first ascending, last descending.
  std::vector<int64_t> asc = Run(R"({"$order_by": {"pickup_zone_id": "asc"}, "$limit": 3})");
  EXPECT_EQ(asc, (std::vector<int64_t>{13, 26, 39}));
  std::vector<int64_t> desc = Run(R"({"$order_by": {"pickup_zone_id": "desc"}, "$limit": 10000})");
  ASSERT_EQ(desc.size(), static_cast<size_t>(kRows));
  // Nulls last; the key breaks ties in the direction of the last term.
  EXPECT_EQ(std::vector<int64_t>(desc.end() - 3, desc.end()), (std::vector<int64_t>{39, 26, 13}));
  EXPECT_TRUE(db_.table().schema.fields[kZone].nullable);
}

TEST_F(QueryExecTest, OrderByMultipleFields) {
  std::vector<TRow> rows;
  QueryPlanInfo info;
  ASSERT_TRUE(
      db_.Run(R"({"$order_by": [{"shared": "desc"}, {"fare_amount": "asc"}], "$limit": 10000})",
              &rows, &info)
          .ok());
  ASSERT_EQ(rows.size(), static_cast<size_t>(kRows));
  EXPECT_EQ(info.plan, "scan + sort");
  auto rank = [](const TV& v) { return v.null ? -1 : v.i; };
  for (size_t i = 1; i < rows.size(); ++i) {
    const TRow &a = rows[i - 1], &b = rows[i];
    ASSERT_GE(rank(a[kShared]), rank(b[kShared]));
    if (rank(a[kShared]) != rank(b[kShared])) continue;
    double fa = a[kFare].null ? -1e300 : a[kFare].f, fb = b[kFare].null ? -1e300 : b[kFare].f;
    ASSERT_LE(fa, fb);
    if (fa == fb) {
      ASSERT_LT(a[kId].i, b[kId].i);  // primary key breaks ties
    }
  }
  EXPECT_EQ(Run(R"({"$order_by": {"trip_id": "desc"}, "$limit": 3})"),
            (std::vector<int64_t>{600, 599, 598}));
}

// Pages through `base` with $limit and $after and checks the concatenation
// equals the single big query; also checks $skip pages.
void CheckPaging(CacheFixture& db, const std::string& order, const std::string& filter) {
  std::string base = "{\"$order_by\": " + order + ", \"$filter\": " + filter;
  std::vector<TRow> all, page, paged, skipped;
  ASSERT_TRUE(db.Run(base + ", \"$limit\": 10000}", &all).ok());
  std::string after;
  for (int guard = 0; guard < 1000; ++guard) {
    std::string q =
        base + ", \"$limit\": 37" + (after.empty() ? "" : ", \"$after\": " + after) + "}";
    Status s = db.Run(q, &page);
    ASSERT_TRUE(s.ok()) << q << ": " << s.ToString();
    paged.insert(paged.end(), page.begin(), page.end());
    if (page.size() < 37) break;
    after = RowJson(db.schema(), page.back());
  }
  EXPECT_EQ(Ids(paged), Ids(all)) << base;
  for (size_t skip = 0; skip < all.size() + 37; skip += 37) {
    ASSERT_TRUE(
        db.Run(base + ", \"$limit\": 37, \"$skip\": " + std::to_string(skip) + "}", &page).ok());
    skipped.insert(skipped.end(), page.begin(), page.end());
  }
  EXPECT_EQ(Ids(skipped), Ids(all)) << base;
}

TEST_F(QueryExecTest, PaginationEqualsOneBigQuery) {
  for (CacheFixture* db : {&db_, &plain_}) {
    CheckPaging(*db, "{}", "{}");
    CheckPaging(*db, R"({"trip_id": "desc"})", R"({"trip_id": {"$gt": 17}})");
    CheckPaging(*db, R"({"pickup_zone_id": "asc"})", "{}");
    CheckPaging(*db, R"({"pickup_zone_id": "desc"})", R"({"shared": true})");
    CheckPaging(*db, R"({"fare_amount": "desc"})", R"({"payment_type": "card"})");
    CheckPaging(*db, R"({"fare_amount": "asc", "pickup_zone_id": "desc"})",
                R"({"pickup_zone_id": {"$ne": 1}})");
    CheckPaging(*db, R"({"payment_type": "asc", "fare_amount": "asc"})", "{}");
    CheckPaging(*db, R"({"pickup_date": "asc"})", R"({"pickup_zone_id": 4})");
  }
}

TEST_F(QueryExecTest, AfterIsStableUnderInserts) {
  std::vector<TRow> page1, page2;
  const std::string q =
      R"({"$filter": {"pickup_zone_id": 2}, "$order_by": {"fare_amount": "desc"})";
  ASSERT_TRUE(db_.Run(q + ", \"$limit\": 20}", &page1).ok());
  ASSERT_EQ(page1.size(), 20u);
  const TRow& last = page1.back();
  // One new row sorts before the cursor, one after it.
  TRow before = Trip(1000), behind = Trip(1001);
  before[kZone] = I(2), before[kFare] = F(last[kFare].f + 100);
  behind[kZone] = I(2), behind[kFare] = F(last[kFare].f - 0.5);
  db_.Apply({before, behind});
  ASSERT_TRUE(
      db_.Run(q + ", \"$limit\": 10000, \"$after\": " + RowJson(db_.schema(), last) + "}", &page2)
          .ok());
  std::vector<int64_t> ids = Ids(page2);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), 1001), 1);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), 1000), 0);
  for (int64_t id : Ids(page1)) EXPECT_EQ(std::count(ids.begin(), ids.end(), id), 0) << id;
}

TEST_F(QueryExecTest, PlansUseIndexesAndMatchScans) {
  QueryPlanInfo info;
  Run(All(R"({"pickup_zone_id": 3})"), &info);
  EXPECT_EQ(info.plan, "index [pickup_zone_id] eq");
  EXPECT_FALSE(info.scan);
  EXPECT_EQ(info.examined,
            Expect(kRows, [](const TRow& r) { return !r[kZone].null && r[kZone].i == 3; }).size());
  Run(All(R"({"payment_type": "card", "fare_amount": {"$gt": 10, "$lte": 20}, "shared": true})"),
      &info);
  EXPECT_EQ(info.plan, "index [payment_type, fare_amount] eq+range + filter + sort");
  Run(R"({"$filter": {"payment_type": "cash"}, "$order_by": {"fare_amount": "desc"}})", &info);
  EXPECT_EQ(info.plan, "index [payment_type, fare_amount] eq reverse");
  EXPECT_EQ(info.examined, 50u);  // served in order: stops at the limit
  Run(R"({"$order_by": {"pickup_zone_id": "asc"}, "$limit": 5})", &info);
  EXPECT_EQ(info.plan, "index [pickup_zone_id] order");
  EXPECT_TRUE(info.scan);
  EXPECT_EQ(info.examined, 5u);
  Run(R"({"$filter": {"trip_id": {"$gte": 500}}, "$limit": 10000})", &info);
  EXPECT_EQ(info.plan, "primary key range");
  EXPECT_EQ(info.examined, 101u);
  Run(R"({"$filter": {"trip_id": 7}})", &info);
  EXPECT_EQ(info.plan, "primary key range");
  EXPECT_EQ(info.examined, 1u);
  Run(R"({"$filter": {"shared": true}, "$order_by": {"fare_amount": "asc"}})", &info);
  EXPECT_EQ(info.plan, "scan + filter + sort");
  EXPECT_TRUE(info.scan);
  EXPECT_EQ(info.examined, static_cast<uint64_t>(kRows));
  std::vector<TRow> rows;
  ASSERT_TRUE(plain_.Run(All(R"({"pickup_zone_id": 3})"), &rows, &info).ok());
  EXPECT_EQ(info.plan, "scan + filter");
  // A cursor on a served order seeks instead of re-reading earlier pages.
  Run(R"({"$filter": {"payment_type": "cash"}, "$order_by": {"fare_amount": "desc"}, "$limit": 5,
            "$after": {"fare_amount": 10, "trip_id": 300}})",
      &info);
  EXPECT_EQ(info.plan, "index [payment_type, fare_amount] eq reverse");
  EXPECT_EQ(info.examined, 5u);
}

TEST_F(QueryExecTest, ScanBudget) {
  QueryLimits limits;
  limits.scan_budget = 100;
  std::vector<TRow> rows;
  Status s = db_.Run(R"({"$filter": {"shared": true}})", &rows, nullptr, limits);
  EXPECT_EQ(s.code(), Code::kResourceExhausted);
  EXPECT_EQ(s.message(),
            "query would examine more than 100 rows (plan: scan + filter); add index "
            "[shared] to the endpoint config (index.secondary), or narrow the $filter");
  QueryPlanInfo failed;
  EXPECT_FALSE(db_.Run(R"({"$filter": {"shared": true}})", &rows, &failed, limits).ok());
  EXPECT_EQ(failed.plan, "scan + filter");
  EXPECT_EQ(failed.examined, 101u);
  s = plain_.Run(R"({"$filter": {"pickup_zone_id": 3, "fare_amount": {"$gt": 2}}})", &rows, nullptr,
                 limits);
  EXPECT_EQ(s.message(),
            "query would examine more than 100 rows (plan: scan + filter); add index "
            "[pickup_zone_id, fare_amount] to the endpoint config (index.secondary), or "
            "narrow the $filter");
  s = plain_.Run(R"({"$order_by": {"fare_amount": "asc"}})", &rows, nullptr, limits);
  EXPECT_EQ(s.message(),
            "query would examine more than 100 rows (plan: scan + sort); add index "
            "[fare_amount] to the endpoint config (index.secondary), or narrow the $filter");
  s = db_.Run(R"({"$skip": 200})", &rows, nullptr, limits);
  EXPECT_EQ(s.message(),
            "query would examine more than 100 rows (plan: scan); narrow the $filter, "
            "lower $skip, or page with $after");
  uint64_t n = 0;
  EXPECT_EQ(db_.Count(R"({"$filter": {"shared": true}})", &n, nullptr, limits).code(),
            Code::kResourceExhausted);
  // The same filter through an index stays under the budget.
  QueryPlanInfo info;
  ASSERT_TRUE(db_.Run(R"({"$filter": {"pickup_zone_id": 3}})", &rows, &info, limits).ok());
  EXPECT_LE(info.examined, 100u);
  ASSERT_TRUE(db_.Count("{}", &n, &info, limits).ok());  // the table size needs no scan
  EXPECT_EQ(n, static_cast<uint64_t>(kRows));
  EXPECT_EQ(info.examined, 0u);
}

TEST_F(QueryExecTest, Count) {
  uint64_t n = 0;
  QueryPlanInfo info;
  ASSERT_TRUE(db_.Count(R"({"$limit": 1, "$skip": 5})", &n, &info).ok());
  EXPECT_EQ(n, static_cast<uint64_t>(kRows));
  EXPECT_EQ(info.plan, "scan");
  size_t zone3 =
      Expect(kRows, [](const TRow& r) { return !r[kZone].null && r[kZone].i == 3; }).size();
  ASSERT_TRUE(db_.Count(R"({"$filter": {"pickup_zone_id": 3}})", &n, &info).ok());
  EXPECT_EQ(n, zone3);
  EXPECT_EQ(info.plan, "index [pickup_zone_id] eq");
  ASSERT_TRUE(plain_.Count(R"({"$filter": {"pickup_zone_id": 3}})", &n, &info).ok());
  EXPECT_EQ(n, zone3);
  EXPECT_EQ(info.plan, "scan + filter");
  ASSERT_TRUE(
      db_.Count(R"({"$filter": {"trip_id": {"$gt": 590}}, "$after": {"trip_id": 595}})", &n).ok());
  EXPECT_EQ(n, 5u);
  db_.Apply({}, {Trip(1), Trip(2)});
  ASSERT_TRUE(db_.Count("", &n).ok());
  EXPECT_EQ(n, static_cast<uint64_t>(kRows - 2));
}

TEST_F(QueryExecTest, BatchesStopAndSnapshot) {
  sluice::host::Query q;
  ASSERT_TRUE(db_.Parse(R"({"$limit": 10000})", &q).ok());
  int calls = 0;
  ASSERT_TRUE(RunQuery(
                  db_.cache(), q,
                  [&](const sluice_row_batch& b) {
                    EXPECT_GT(b.row_count, 0u);
                    ++calls;
                    return false;
                  },
                  nullptr)
                  .ok());
  EXPECT_EQ(calls, 1);
  // Rows deleted while the query runs are still delivered: one snapshot.
  std::vector<int64_t> ids;
  bool deleted = false;
  ASSERT_TRUE(RunQuery(
                  db_.cache(), q,
                  [&](const sluice_row_batch& b) {
                    for (uint32_t i = 0; i < b.row_count; ++i)
                      ids.push_back(Decode(db_.schema(), BatchRow(b, i))[kId].i);
                    if (!deleted) db_.Apply({}, AllTrips(kRows)), deleted = true;
                    return true;
                  },
                  nullptr)
                  .ok());
  EXPECT_EQ(ids, Expect(kRows, [](const TRow&) { return true; }));
  std::vector<TRow> rows;
  ASSERT_TRUE(db_.Run("{}", &rows).ok());
  EXPECT_TRUE(rows.empty());
  ASSERT_TRUE(db_.Run(R"({"$limit": 0})", &rows).ok());
}

TEST(QueryGetTest, SingleFieldKeyTextIsNotSplit) {
  TableSchema t;
  t.schema.fields = {{"name", Type::kString, false}, {"n", Type::kInt64, true}};
  t.schema.primary_key = {0};
  CacheFixture db(t);
  db.Apply({{S("a,b"), I(1)}, {S("c\\d"), I(2)}});
  std::string row;
  ASSERT_TRUE(GetByKey(db.cache(), "a,b", &row).ok());
  EXPECT_EQ(Decode(db.schema(), row)[1].i, 1);
  ASSERT_TRUE(GetByKey(db.cache(), "a\\,b", &row).ok());  // the escape is still read
  // Stored c\d: found as c\\d (escaped) and as c\d (a '\' before other
  // characters is kept).
  ASSERT_TRUE(GetByKey(db.cache(), "c\\\\d", &row).ok());
  EXPECT_EQ(Decode(db.schema(), row)[1].i, 2);
  ASSERT_TRUE(GetByKey(db.cache(), "c\\d", &row).ok());
  EXPECT_EQ(GetByKey(db.cache(), "c\\\\\\\\d", &row).code(), Code::kNotFound);  // c\\d
}

TEST(QueryGetTest, CompositeKeyText) {
  TableSchema t;
  t.schema.fields = {
      {"city", Type::kString, false}, {"day", Type::kDate, false}, {"n", Type::kInt64, true}};
  t.schema.primary_key = {0, 1};
  CacheFixture db(t);
  db.Apply(
      {{S("new york, ny"), I(19723), I(1)}, {S("a\\b"), I(19724), I(2)}, {S("x"), I(19723), N()}});
  std::string row;
  ASSERT_TRUE(GetByKey(db.cache(), "new york\\, ny,2024-01-01", &row).ok());
  EXPECT_EQ(Decode(db.schema(), row)[2].i, 1);
  ASSERT_TRUE(GetByKey(db.cache(), "a\\\\b,2024-01-02", &row).ok());
  EXPECT_EQ(Decode(db.schema(), row)[2].i, 2);
  Status s = GetByKey(db.cache(), "x,2024-01-02", &row);
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_EQ(s.message(), "no record with key \"x,2024-01-02\"");
  s = GetByKey(db.cache(), "x", &row);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(), "key \"x\": expected 2 comma-separated values, found 1");
  s = GetByKey(db.cache(), "x,2024-13-01", &row);
  EXPECT_EQ(s.message(), "key field day: expected a date YYYY-MM-DD, found \"2024-13-01\"");
}

}  // namespace
}  // namespace sluice::host::query_test
