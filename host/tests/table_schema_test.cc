#include "core/table_schema.h"

#include <gtest/gtest.h>

namespace sluice::host {
namespace {

Schema Source() {
  Schema s;
  s.fields = {
      {"id", Type::kInt64, true}, {"name", Type::kString, true}, {"fare", Type::kFloat64, true}};
  return s;
}

TEST(TableSchemaTest, ApplyKeysMakesKeyFieldsNotNullAndNamesUnknownFields) {
  TableSchema t;
  ASSERT_TRUE(ApplyKeys(Source(), {"id"}, {{"name"}, {"fare", "id"}}, "trips", &t).ok());
  EXPECT_FALSE(t.schema.fields[0].nullable);
  EXPECT_EQ(t.schema.primary_key, std::vector<uint32_t>{0});
  EXPECT_EQ(t.indexes.size(), 2u);
  Status s = ApplyKeys(Source(), {"trip"}, {}, "trips", &t);
  EXPECT_EQ(
      s.message(),
      "endpoint trips: index.primary_key names field \"trip\", which the source does not have; "
      "fields are: id, name, fare");
  // No primary key: rows are keyed by their log position, an int64 "_row"
  // appended as the key field; the source's rows lack it.
  ASSERT_TRUE(ApplyKeys(Source(), {}, {{"name"}}, "trips", &t).ok());
  EXPECT_TRUE(t.row_key);
  ASSERT_EQ(t.schema.fields.size(), 4u);
  EXPECT_EQ(t.schema.fields[3], (Field{"_row", Type::kInt64, false}));
  EXPECT_EQ(t.schema.primary_key, std::vector<uint32_t>{3});
  EXPECT_EQ(t.SourceSchema().fields.size(), 3u);
  EXPECT_TRUE(t.SourceSchema().primary_key.empty());
  VersionMeta meta;
  meta.endpoint = "trips";
  meta.version = 1;
  meta.table_schema = t;
  VersionMeta back;
  ASSERT_TRUE(ParseVersionMeta(VersionMetaToJson(meta), &back).ok());
  EXPECT_EQ(back.table_schema, t);
  Schema clash = Source();
  clash.fields.push_back({"_row", Type::kString, true});
  EXPECT_NE(ApplyKeys(clash, {}, {}, "trips", &t).message().find("has a field named \"_row\""),
            std::string::npos);
  EXPECT_EQ(ApplyKeys(Source(), {"id", "id"}, {}, "trips", &t).message(),
            "endpoint trips: index.primary_key lists field \"id\" twice");
}

TEST(TableSchemaTest, SchemaJsonRoundTrips) {
  VersionMeta m;
  m.endpoint = "trips";
  m.version = 3;
  m.created_at = "2026-11-25T17:00:00Z";
  m.connection = "files";
  m.plugin = "csv";
  m.table = "trips";
  ASSERT_TRUE(ApplyKeys(Source(), {"id"}, {{"name", "fare"}}, "trips", &m.table_schema).ok());
  std::string json = VersionMetaToJson(m);
  VersionMeta back;
  ASSERT_TRUE(ParseVersionMeta(json, &back).ok()) << json;
  EXPECT_EQ(back.table_schema, m.table_schema);
  EXPECT_EQ(back.version, 3u);
  EXPECT_EQ(back.created_at, m.created_at);
  EXPECT_EQ(back.plugin, "csv");
  EXPECT_EQ(VersionMetaToJson(back), json);  // stable text
  EXPECT_EQ(ParseVersionMeta("{", &back).code(), Code::kInvalidArgument);
  EXPECT_NE(
      ParseVersionMeta(R"({"format":2})", &back).message().find("unsupported schema.json format"),
      std::string::npos);
}

TEST(TableSchemaTest, DiffNamesEveryKindOfChange) {
  TableSchema a, b;
  ASSERT_TRUE(ApplyKeys(Source(), {"id"}, {{"name"}}, "t", &a).ok());
  Schema s2 = Source();
  s2.fields[2].type = Type::kString;                   // type changed
  s2.fields.push_back({"tip", Type::kFloat64, true});  // column added
  ASSERT_TRUE(ApplyKeys(s2, {"id", "name"}, {}, "t", &b).ok());
  std::vector<std::string> d = DiffTableSchemas(a, b);
  std::vector<std::string> want = {
      "nullability changed: name now not null", "type changed: fare float64 -> string",
      "column added: tip (float64, nullable)", "primary key changed: [id] -> [id, name]",
      "index removed: [name]"};
  EXPECT_EQ(d, want);
  Schema renamed = Source();
  renamed.fields[1].name = "full_name";
  TableSchema c;
  ASSERT_TRUE(ApplyKeys(renamed, {"id"}, {}, "t", &c).ok());
  TableSchema a2;
  ASSERT_TRUE(ApplyKeys(Source(), {"id"}, {}, "t", &a2).ok());
  EXPECT_EQ(DiffTableSchemas(a2, c),
            std::vector<std::string>{"column renamed (looks like): name -> full_name"});
  EXPECT_TRUE(DiffTableSchemas(a, a).empty());
}

}  // namespace
}  // namespace sluice::host
