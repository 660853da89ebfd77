// ParseQuery: the query language's syntax, typing and every error message
// (docs/query.md, "Errors").
#include <gtest/gtest.h>

#include "query/query_engine.h"

namespace sluice::host {
namespace {

TableSchema Trips() {
  TableSchema t;
  t.schema.fields = {{"trip_id", Type::kInt64, false},       {"fare_amount", Type::kFloat64, true},
                     {"pickup_zone_id", Type::kInt64, true}, {"payment_type", Type::kString, true},
                     {"pickup_at", Type::kTimestamp, true},  {"pickup_date", Type::kDate, true},
                     {"shared", Type::kBool, true}};
  t.schema.primary_key = {0};
  t.indexes = {{2}, {3, 1}};
  return t;
}

const char* kFields =
    "trip_id, fare_amount, pickup_zone_id, payment_type, pickup_at, pickup_date, shared";

Status Parse(const std::string& json, Query* q = nullptr, QueryLimits limits = QueryLimits()) {
  Query local;
  return ParseQuery(json, Trips(), limits, q ? q : &local);
}

// The message of a query that must fail with INVALID_ARGUMENT.
std::string Error(const std::string& json, QueryLimits limits = QueryLimits()) {
  Status s = Parse(json, nullptr, limits);
  EXPECT_EQ(s.code(), Code::kInvalidArgument) << json;
  return s.message();
}

TEST(QueryParseTest, EmptyTextAndEmptyObjectMeanDefaults) {
  for (const char* text : {"", "  \n", "{}"}) {
    Query q;
    ASSERT_TRUE(Parse(text, &q).ok()) << text;
    EXPECT_EQ(q.filter.kind, FilterNode::kAnd);
    EXPECT_TRUE(q.filter.children.empty());
    EXPECT_EQ(q.limit, 50u);
    EXPECT_EQ(q.skip, 0u);
    EXPECT_FALSE(q.has_after);
    ASSERT_EQ(q.order.size(), 1u);  // primary key ascending
    EXPECT_EQ(q.order[0].field, 0u);
    EXPECT_FALSE(q.order[0].descending);
    EXPECT_EQ(q.order_by_terms, 0u);
  }
  QueryLimits limits;
  limits.default_limit = 7;
  limits.scan_budget = 99;
  Query q;
  ASSERT_TRUE(Parse("{}", &q, limits).ok());
  EXPECT_EQ(q.limit, 7u);
  EXPECT_EQ(q.scan_budget, 99u);
}

TEST(QueryParseTest, FilterShapes) {
  Query q;
  ASSERT_TRUE(Parse(R"({"$filter": {"pickup_zone_id": 7, "fare_amount": {"$gte": 2, "$lt": 9.5},
                        "$or": [{"shared": true}, {"$not": {"payment_type": {"$in": ["cash", null]}}}]}})",
                    &q)
                  .ok());
  const auto& c = q.filter.children;
  ASSERT_EQ(c.size(), 4u);  // eq, two operators of one field, one $or
  EXPECT_EQ(c[0].predicate.op, CompareOp::kEq);
  EXPECT_EQ(c[0].predicate.values[0].i, 7);
  EXPECT_EQ(c[1].predicate.op, CompareOp::kGte);
  EXPECT_EQ(c[1].predicate.values[0].f, 2.0);  // an integer literal is fine for float64
  EXPECT_EQ(c[2].predicate.op, CompareOp::kLt);
  ASSERT_EQ(c[3].kind, FilterNode::kOr);
  ASSERT_EQ(c[3].children.size(), 2u);
  const FilterNode& neg = c[3].children[1].children[0];
  ASSERT_EQ(neg.kind, FilterNode::kNot);
  const Predicate& in = neg.children[0].children[0].predicate;
  EXPECT_EQ(in.op, CompareOp::kIn);
  ASSERT_EQ(in.values.size(), 2u);
  EXPECT_EQ(in.values[0].s, "cash");
  EXPECT_TRUE(in.values[1].null);
}

TEST(QueryParseTest, TypedLiterals) {
  Query q;
  ASSERT_TRUE(Parse(R"({"$filter": {"pickup_at": "2024-01-31T14:28:15.5+01:00",
                        "pickup_date": "2024-02-29", "shared": false, "trip_id": -9223372036854775808,
                        "fare_amount": 18446744073709551615, "payment_type": {"$contains": "ca"}}})",
                    &q)
                  .ok());
  const auto& c = q.filter.children;
  EXPECT_EQ(c[0].predicate.values[0].i, (1706711295LL - 3600) * 1000000 + 500000);  // 13:28:15.5Z
  EXPECT_EQ(c[1].predicate.values[0].i, 19782);
  EXPECT_EQ(c[2].predicate.values[0].i, 0);
  EXPECT_EQ(c[3].predicate.values[0].i, INT64_MIN);
  EXPECT_EQ(c[4].predicate.values[0].f, 18446744073709551615.0);
  EXPECT_EQ(c[5].predicate.op, CompareOp::kContains);
}

TEST(QueryParseTest, OrderByFormsAndPrimaryKeyTieBreaker) {
  Query a, b;
  ASSERT_TRUE(Parse(R"({"$order_by": {"payment_type": "desc", "fare_amount": "asc"}})", &a).ok());
  ASSERT_TRUE(
      Parse(R"({"$order_by": [{"payment_type": "desc"}, {"fare_amount": "asc"}]})", &b).ok());
  for (const Query* q : {&a, &b}) {
    ASSERT_EQ(q->order.size(), 3u);
    EXPECT_EQ(q->order[0].field, 3u);
    EXPECT_TRUE(q->order[0].descending);
    EXPECT_EQ(q->order[1].field, 1u);
    EXPECT_FALSE(q->order[1].descending);
    EXPECT_EQ(q->order[2].field, 0u);  // trip_id appended, like the last term
    EXPECT_FALSE(q->order[2].descending);
    EXPECT_EQ(q->order_by_terms, 2u);
  }
  Query d;
  ASSERT_TRUE(Parse(R"({"$order_by": {"fare_amount": "desc"}})", &d).ok());
  ASSERT_EQ(d.order.size(), 2u);
  EXPECT_TRUE(d.order[1].descending);
  Query c;
  ASSERT_TRUE(Parse(R"({"$order_by": {"trip_id": "desc", "fare_amount": "asc"}})", &c).ok());
  ASSERT_EQ(c.order.size(), 1u);  // terms after the complete key are dropped
  EXPECT_TRUE(c.order[0].descending);
  EXPECT_EQ(c.order_by_terms, 1u);
}

TEST(QueryParseTest, PageKeys) {
  Query q;
  ASSERT_TRUE(Parse(R"({"$limit": 10000, "$skip": 20, "$order_by": {"fare_amount": "desc"},
                        "$after": {"fare_amount": null, "trip_id": 5, "payment_type": 3}})",
                    &q)
                  .ok());
  EXPECT_EQ(q.limit, 10000u);
  EXPECT_EQ(q.skip, 20u);
  ASSERT_TRUE(q.has_after);
  ASSERT_EQ(q.after.size(), 2u);
  EXPECT_TRUE(q.after[0].null);
  EXPECT_EQ(q.after[1].i, 5);  // other fields of the record are ignored, even ill-typed ones
  ASSERT_TRUE(Parse(R"({"$limit": 0})", &q).ok());
  EXPECT_EQ(q.limit, 0u);
}

TEST(QueryParseTest, DocumentErrors) {
  EXPECT_EQ(Error("{\"$limit\": }").rfind("query is not valid JSON: ", 0), 0u);
  EXPECT_EQ(Error("[1]"), "query must be a JSON object, got array");
  EXPECT_EQ(Error(R"({"limit": 5})"),
            "unknown query key \"limit\" (did you mean \"$limit\"?); valid keys: $filter, "
            "$order_by, $limit, $skip, $after, $select, $rank");
  EXPECT_EQ(Error(R"({"$limit": 5, "$limit": 6})"), "query key $limit given twice");
  EXPECT_EQ(Error(R"({"$filter": [1]})"), "$filter must be an object, got array");
}

TEST(QueryParseTest, Select) {
  Query q;
  ASSERT_TRUE(Parse(R"({"$select": ["fare_amount", "trip_id"]})", &q).ok());
  ASSERT_EQ(q.select.size(), 2u);
  EXPECT_EQ(q.select[0], 1u);
  EXPECT_EQ(q.select[1], 0u);
  EXPECT_EQ(Error(R"({"$select": "trip_id"})"),
            "$select must be a non-empty array of field names like [\"trip_id\", \"fare\"], got "
            "string \"trip_id\"");
  EXPECT_EQ(Error(R"({"$select": []})").find("$select must be a non-empty array"), 0u);
  EXPECT_EQ(Error(R"({"$select": [1]})"), "$select[0] must be a field name, got number 1");
  EXPECT_EQ(Error(R"({"$select": ["trip_id", "trip_id"]})"), "$select names field trip_id twice");
  EXPECT_EQ(Error(R"({"$select": ["fare_amout"]})"),
            std::string("unknown field \"fare_amout\" in $select (did you mean \"fare_amount\"?); "
                        "fields: ") +
                kFields);
}

TEST(QueryParseTest, FilterErrors) {
  EXPECT_EQ(Error(R"({"$filter": {"$nor": []}})"),
            "unknown filter key \"$nor\"; valid: $and, $or, $not or a field name");
  EXPECT_EQ(Error(R"({"$filter": {"fare": 1}})"),
            std::string("unknown field \"fare\" in $filter; fields: ") + kFields);
  EXPECT_EQ(Error(R"({"$filter": {"$and": {"shared": true}}})"),
            "$and must be an array of filter objects, got object");
  EXPECT_EQ(Error(R"({"$filter": {"$or": [{"shared": true}, 3]}})"),
            "$or[1] must be a filter object, got number 3");
  EXPECT_EQ(Error(R"({"$filter": {"$not": [{"shared": true}]}})"),
            "$not must be a filter object, got array");
  EXPECT_EQ(Error(R"({"$filter": {"pickup_zone_id": [1, 2]}})"),
            "field pickup_zone_id: got array; to match any of several values use "
            "{\"pickup_zone_id\": {\"$in\": [...]}}");
  EXPECT_EQ(Error(R"({"$filter": {"pickup_zone_id": {}}})"),
            "field pickup_zone_id: empty operator object; use one of $eq, $ne, $lt, $lte, $gt, "
            "$gte, $in, $contains, $matches_all, $matches_any, $prefix");
  EXPECT_EQ(Error(R"({"$filter": {"pickup_zone_id": {"$gt": 1, "$between": [1, 2]}}})"),
            "unknown operator \"$between\" for field pickup_zone_id; valid: $eq, $ne, $lt, $lte, "
            "$gt, $gte, $in, $contains, $matches_all, $matches_any, $prefix");
  EXPECT_EQ(Error(R"({"$filter": {"fare_amount": {"$contains": "1"}}})"),
            "operator $contains needs a string field; field fare_amount is float64");
  EXPECT_EQ(Error(R"({"$filter": {"fare_amount": {"$in": 3}}})"),
            "operator $in on field fare_amount needs an array, got number 3");
  EXPECT_EQ(Error(R"({"$filter": {"fare_amount": {"$lt": null}}})"),
            "operator $lt on field fare_amount needs a non-null value (null never matches $lt, "
            "$lte, $gt, $gte, $contains; test nulls with {\"fare_amount\": null} or "
            "{\"fare_amount\": {\"$ne\": null}})");
  EXPECT_EQ(Error(R"({"$filter": {"payment_type": {"$contains": null}}})")
                .rfind("operator $contains on field payment_type needs a non-null value", 0),
            0u);
  std::string deep = "{\"shared\": true}";
  for (int i = 0; i < 40; ++i) deep = "{\"$not\": " + deep + "}";
  EXPECT_EQ(Error("{\"$filter\": " + deep + "}"), "$filter nests deeper than 32 levels");
}

TEST(QueryParseTest, TypeErrors) {
  EXPECT_EQ(Error(R"({"$filter": {"fare_amount": "abc"}})"),
            "field fare_amount is float64, got string \"abc\"");
  EXPECT_EQ(
      Error(R"({"$filter": {"trip_id": 1.5}})"),
      "field trip_id is int64, got number 1.5 (write integers without a fraction or exponent)");
  EXPECT_EQ(Error(R"({"$filter": {"trip_id": 18446744073709551615}})"),
            "field trip_id is int64, got number 18446744073709551615 (out of int64 range)");
  EXPECT_EQ(Error(R"({"$filter": {"trip_id": true}})"), "field trip_id is int64, got bool true");
  EXPECT_EQ(Error(R"({"$filter": {"shared": 1}})"), "field shared is bool, got number 1");
  EXPECT_EQ(Error(R"({"$filter": {"payment_type": 5}})"),
            "field payment_type is string, got number 5");
  EXPECT_EQ(Error(R"({"$filter": {"payment_type": {"$eq": {"a": 1}}}})"),
            "field payment_type is string, got object");
  EXPECT_EQ(Error(R"({"$filter": {"pickup_at": "yesterday"}})"),
            "field pickup_at is timestamp, got string \"yesterday\" (expected ISO-8601 like "
            "\"2024-01-31T14:28:15Z\")");
  EXPECT_EQ(Error(R"({"$filter": {"pickup_at": 1706707695}})"),
            "field pickup_at is timestamp, got number 1706707695 (expected ISO-8601 like "
            "\"2024-01-31T14:28:15Z\")");
  EXPECT_EQ(Error(R"({"$filter": {"pickup_date": "2023-02-29"}})"),
            "field pickup_date is date, got string \"2023-02-29\" (expected \"YYYY-MM-DD\")");
  EXPECT_EQ(Error(R"({"$filter": {"pickup_zone_id": {"$in": [1, "2"]}}})"),
            "field pickup_zone_id is int64, got string \"2\" ($in[1])");
  std::string long_text(100, 'x');
  EXPECT_EQ(Error("{\"$filter\": {\"trip_id\": \"" + long_text + "\"}}"),
            "field trip_id is int64, got string \"" + std::string(64, 'x') + "...\"");
}

TEST(QueryParseTest, OrderErrors) {
  EXPECT_EQ(Error(R"({"$order_by": "fare_amount"})"),
            "$order_by must be an object like {\"fare\": \"desc\"} or an array like "
            "[{\"fare\": \"desc\"}], got string \"fare_amount\"");
  EXPECT_EQ(
      Error(R"({"$order_by": [{"fare_amount": "asc"}, {"trip_id": "asc", "shared": "asc"}]})"),
      "$order_by[1] must be an object with one field, like {\"fare\": \"desc\"}, got object");
  EXPECT_EQ(Error(R"({"$order_by": {"fare": "asc"}})"),
            std::string("unknown field \"fare\" in $order_by; fields: ") + kFields);
  EXPECT_EQ(
      Error(R"({"$order_by": {"fare_amount": "up"}})"),
      "$order_by field fare_amount: direction must be \"asc\" or \"desc\", got string \"up\"");
  EXPECT_EQ(Error(R"({"$order_by": {"fare_amount": -1}})"),
            "$order_by field fare_amount: direction must be \"asc\" or \"desc\", got number -1");
  EXPECT_EQ(Error(R"({"$order_by": [{"fare_amount": "asc"}, {"fare_amount": "desc"}]})"),
            "$order_by names field fare_amount twice");
}

TEST(QueryParseTest, PageErrors) {
  EXPECT_EQ(Error(R"({"$limit": -1})"), "$limit must be a non-negative integer, got number -1");
  EXPECT_EQ(Error(R"({"$limit": "5"})"), "$limit must be a non-negative integer, got string \"5\"");
  EXPECT_EQ(Error(R"({"$limit": 10001})"),
            "$limit 10001 exceeds the maximum 10000; fetch further pages with $after");
  QueryLimits small;
  small.max_limit = 20;
  EXPECT_EQ(Error(R"({"$limit": 21})", small),
            "$limit 21 exceeds the maximum 20; fetch further pages with $after");
  EXPECT_EQ(Error(R"({"$skip": 1.5})"), "$skip must be a non-negative integer, got number 1.5");
  EXPECT_EQ(Error(R"({"$after": [1]})"),
            "$after must be an object (the last record of the previous page), got array");
  EXPECT_EQ(Error(R"({"$after": {"trip_id": 1, "fare": 2}})"),
            std::string("unknown field \"fare\" in $after; fields: ") + kFields);
  EXPECT_EQ(Error(R"({"$order_by": {"fare_amount": "desc"}, "$after": {"trip_id": 1}})"),
            "$after lacks field fare_amount; it needs the $order_by fields and the primary key: "
            "fare_amount, trip_id");
  EXPECT_EQ(Error(R"({"$after": {"trip_id": "one"}})"),
            "$after: field trip_id is int64, got string \"one\"");
}

}  // namespace
}  // namespace sluice::host
