// The list route's URL grammar (url_query.h, docs/query.md "Queries in
// URLs"): what each form translates to, and the errors naming the parameter.
#include "url_query.h"

#include <gtest/gtest.h>

namespace sluice::rest {
namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

Schema TestSchema() {
  Schema s;
  s.fields = {{"id", Type::kInt64, false},          {"fare", Type::kFloat64, true},
              {"name", Type::kString, true},        {"paid", Type::kBool, true},
              {"at", Type::kTimestamp, true},       {"day", Type::kDate, true},
              {"Fare Amount", Type::kFloat64, true}};
  s.primary_key = {0};
  return s;
}

std::string Json(const Params& p) {
  std::string json;
  Status s = ListQueryJson(p, TestSchema(), &json);
  EXPECT_TRUE(s.ok()) << s.message();
  return json;
}

std::string Error(const Params& p) {
  std::string json;
  Status s = ListQueryJson(p, TestSchema(), &json);
  EXPECT_EQ(s.code(), Code::kInvalidArgument) << json;
  return s.message();
}

TEST(ListQueryJson, NoParametersIsEmptyQuery) { EXPECT_EQ(Json({}), "{}"); }

TEST(ListQueryJson, Operators) {
  EXPECT_EQ(Json({{"id", "eq.132"}, {"fare", "gte.20"}}),
            R"({"$filter":{"$and":[{"id":{"$eq":132}},{"fare":{"$gte":20.0}}]}})");
  EXPECT_EQ(Json({{"name", "neq.a,b"}}), R"({"$filter":{"$and":[{"name":{"$ne":"a,b"}}]}})");
  EXPECT_EQ(
      Json({{"fare", "lt.1.5"}, {"fare", "lte.2"}, {"id", "gt.-3"}, {"day", "gte.2024-02-29"}}),
      R"({"$filter":{"$and":[{"fare":{"$lt":1.5}},{"fare":{"$lte":2.0}},)"
      R"({"id":{"$gt":-3}},{"day":{"$gte":"2024-02-29"}}]}})");
  EXPECT_EQ(Json({{"id", "in.(1,2,3)"}}), R"({"$filter":{"$and":[{"id":{"$in":[1,2,3]}}]}})");
  EXPECT_EQ(Json({{"name", R"(in.("a,b","c\"d",null,"null",))"}}),
            R"({"$filter":{"$and":[{"name":{"$in":["a,b","c\"d",null,"null",""]}}]}})");
  EXPECT_EQ(Json({{"id", "in.()"}}), R"({"$filter":{"$and":[{"id":{"$in":[]}}]}})");
  EXPECT_EQ(Json({{"name", "is.null"}}), R"({"$filter":{"$and":[{"name":{"$eq":null}}]}})");
  EXPECT_EQ(Json({{"paid", "is.true"}}), R"({"$filter":{"$and":[{"paid":{"$eq":true}}]}})");
  EXPECT_EQ(Json({{"name", "not.is.null"}}),
            R"({"$filter":{"$and":[{"$not":{"name":{"$eq":null}}}]}})");
  EXPECT_EQ(Json({{"id", "not.in.(1,2)"}}),
            R"({"$filter":{"$and":[{"$not":{"id":{"$in":[1,2]}}}]}})");
  EXPECT_EQ(Json({{"name", "eq."}}), R"({"$filter":{"$and":[{"name":{"$eq":""}}]}})");
}

TEST(ListQueryJson, PercentEncodingAndPlus) {
  EXPECT_EQ(Json({{"Fare%20Amount", "gt.1"}, {"name", "eq.a+b%2Bc%26"}}),
            R"({"$filter":{"$and":[{"Fare Amount":{"$gt":1.0}},{"name":{"$eq":"a b+c&"}}]}})");
}

TEST(ListQueryJson, OrAndGroups) {
  EXPECT_EQ(Json({{"or", "(id.lt.3,fare.gt.5)"}}),
            R"({"$filter":{"$and":[{"$or":[{"id":{"$lt":3}},{"fare":{"$gt":5.0}}]}]}})");
  EXPECT_EQ(
      Json({{"and", R"((name.eq."x,)y",or(id.eq.1,not.and(id.gt.5,paid.is.false)),id.not.eq.2))"}}),
      R"({"$filter":{"$and":[{"$and":[{"name":{"$eq":"x,)y"}},{"$or":[{"id":{"$eq":1}},)"
      R"({"$not":{"$and":[{"id":{"$gt":5}},{"paid":{"$eq":false}}]}}]},)"
      R"({"$not":{"id":{"$eq":2}}}]}]}})");
  EXPECT_EQ(
      Json({{"not.or", "(id.eq.1,\"Fare Amount\".in.(1,2))"}}),
      R"({"$filter":{"$and":[{"$not":{"$or":[{"id":{"$eq":1}},{"Fare Amount":{"$in":[1.0,2.0]}}]}}]}})");
  EXPECT_EQ(Json({{"or", "()"}}), R"({"$filter":{"$and":[{"$or":[]}]}})");
}

TEST(ListQueryJson, SelectOrderPaging) {
  EXPECT_EQ(Json({{"select", "fare,id"},
                  {"order", "fare.desc,name"},
                  {"limit", "20"},
                  {"skip", "5"},
                  {"after", "%7B%22id%22%3A3%7D"}}),
            R"({"$order_by":[{"fare":"desc"},{"name":"asc"}],"$select":["fare","id"],)"
            R"("$limit":20,"$skip":5,"$after":{"id":3}})");
  EXPECT_EQ(Json({{"order_by", "name,-fare"}}),
            R"({"$order_by":[{"name":"asc"},{"fare":"desc"}]})");
  EXPECT_EQ(Json({{"select", "\"Fare Amount\",id"}}), R"({"$select":["Fare Amount","id"]})");
}

TEST(ListQueryJson, ErrorsNameTheParameter) {
  EXPECT_EQ(Error({{"fare", "gte.abc"}}),
            "query parameter 'fare': field fare is float64: expected a number, found 'abc'");
  EXPECT_EQ(Error({{"id", "eq.1.5"}}),
            "query parameter 'id': field id is int64: expected an integer, found '1.5'");
  EXPECT_NE(Error({{"at", "gt.yesterday"}}).find("query parameter 'at': field at is timestamp"),
            std::string::npos);
  EXPECT_NE(Error({{"day", "eq.2023-02-29"}}).find("expected a date YYYY-MM-DD"),
            std::string::npos);
  EXPECT_NE(Error({{"paid", "eq.yes"}}).find("expected true or false"), std::string::npos);
  EXPECT_NE(Error({{"fare", "between.1"}}).find("unknown operator 'between'"), std::string::npos);
  EXPECT_NE(Error({{"fare", "gtee.1"}}).find("(did you mean \"gte\"?)"), std::string::npos);
  EXPECT_NE(Error({{"fare", "5"}}).find("query parameter 'fare': expected an operator"),
            std::string::npos);
  std::string unknown = Error({{"fair", "eq.1"}});
  EXPECT_NE(unknown.find("unknown query parameter 'fair' (did you mean \"fare\"?)"),
            std::string::npos)
      << unknown;
  EXPECT_NE(Error({{"select", "id,nmae"}}).find("unknown field 'nmae' (did you mean \"name\"?)"),
            std::string::npos);
  EXPECT_NE(Error({{"select", "id,id"}}).find("appears twice"), std::string::npos);
  EXPECT_NE(Error({{"order", "fare.up"}}).find("direction must be asc or desc"), std::string::npos);
  EXPECT_NE(Error({{"or", "(id.eq.1"}}).find("query parameter 'or': expected ',' or ')'"),
            std::string::npos);
  EXPECT_NE(Error({{"or", "id.eq.1"}}).find("expected '('"), std::string::npos);
  EXPECT_NE(Error({{"name", "in.(\"abc"}}).find("unterminated quoted value"), std::string::npos);
  EXPECT_NE(Error({{"id", "in.(1)x"}}).find("unexpected text"), std::string::npos);
  EXPECT_NE(Error({{"name", "is.nil"}}).find("expected is.null"), std::string::npos);
  EXPECT_NE(Error({{"limit", "-1"}}).find("non-negative integer"), std::string::npos);
  EXPECT_NE(Error({{"limit", "1"}, {"limit", "2"}}).find("given twice"), std::string::npos);
  EXPECT_NE(Error({{"after", "[1]"}}).find("expected a JSON object"), std::string::npos);
  EXPECT_NE(Error({{"name", "eq.%zz"}}).find("malformed percent-encoding"), std::string::npos);
  EXPECT_NE(Error({{"name", "eq.%C3%28"}}).find("expected UTF-8 text"), std::string::npos);
  std::string deep;
  for (int i = 0; i < 40; ++i) deep += "or(";
  EXPECT_NE(Error({{"or", "(" + deep}}).find("deeper than 32"), std::string::npos);
}

TEST(SelectParam, FieldsInOrder) {
  std::vector<uint32_t> f;
  ASSERT_TRUE(SelectParam("name,id", TestSchema(), &f).ok());
  EXPECT_EQ(f, (std::vector<uint32_t>{2, 0}));
  EXPECT_FALSE(SelectParam("nope", TestSchema(), &f).ok());
}

}  // namespace
}  // namespace sluice::rest
