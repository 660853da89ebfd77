// Schema::FromC copies into the Schema it is given, reusing its storage:
// the result must be exactly the C schema whatever that Schema held before.
#include "sluice/schema.h"

#include <gtest/gtest.h>

#include "sluice/api_host.h"

namespace sluice {
namespace {

Schema Trips() {
  Schema s;
  s.fields = {{"trip_id", Type::kInt64, false},
              {"zone", Type::kInt64, true},
              {"note", Type::kString, true}};
  s.primary_key = {0};
  return s;
}

Schema Zones() {
  Schema s;
  s.fields = {{"zone_id", Type::kInt64, false}, {"name", Type::kString, false}};
  s.primary_key = {0, 1};
  return s;
}

TEST(SchemaTest, FromCReplacesWhateverTheTargetHeld) {
  Schema trips = Trips(), zones = Zones();
  SchemaView trips_c(trips), zones_c(zones);
  Schema out;
  ASSERT_TRUE(Schema::FromC(*trips_c.get(), &out));
  EXPECT_EQ(out, trips);
  ASSERT_TRUE(Schema::FromC(*zones_c.get(), &out));  // fewer fields, longer key
  EXPECT_EQ(out, zones);
  ASSERT_TRUE(Schema::FromC(*trips_c.get(), &out));  // more fields again
  EXPECT_EQ(out, trips);
}

TEST(SchemaTest, FromCRefusesUnknownTypesAndKeysOutOfRange) {
  Schema trips = Trips();
  SchemaView view(trips);
  sluice_schema c = *view.get();
  std::vector<sluice_field> fields(c.fields, c.fields + c.field_count);
  fields[1].type = 99;
  c.fields = fields.data();
  Schema out;
  EXPECT_FALSE(Schema::FromC(c, &out));
  fields[1].type = static_cast<uint32_t>(Type::kInt64);
  uint32_t bad_key[] = {3};
  c.primary_key = bad_key;
  EXPECT_FALSE(Schema::FromC(c, &out));
}

TEST(SchemaTest, ConvertVersionIntoReusesTheViewAndEmptiesABadSchema) {
  Schema trips = Trips(), zones = Zones();
  SchemaView trips_c(trips), zones_c(zones);
  sluice_version_info v{};
  v.struct_size = sizeof v;
  v.version = 2;
  v.ready = 1;
  v.rows = 10;
  v.schema = trips_c.get();
  VersionInfo out;
  ApiHost::ConvertVersionInto(v, &out);
  EXPECT_EQ(out.version, 2u);
  EXPECT_TRUE(out.ready);
  EXPECT_EQ(out.rows, 10u);
  EXPECT_EQ(out.schema, trips);
  v.schema = zones_c.get();
  ApiHost::ConvertVersionInto(v, &out);
  EXPECT_EQ(out.schema, zones);
  sluice_schema bad = *trips_c.get();
  uint32_t bad_key[] = {7};
  bad.primary_key = bad_key;
  v.schema = &bad;
  ApiHost::ConvertVersionInto(v, &out);
  EXPECT_EQ(out.schema, Schema());  // never half of one
  v.schema = nullptr;
  ApiHost::ConvertVersionInto(v, &out);
  EXPECT_EQ(out.schema, Schema());
}

}  // namespace
}  // namespace sluice
