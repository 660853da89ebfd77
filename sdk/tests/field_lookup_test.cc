// FindField, AddSelectedField and SelectFields: the names clients write,
// resolved with the messages every API plugin gives.
#include "sluice/field_lookup.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

Schema Trips() {
  Schema s;
  s.fields = {{"trip_id", Type::kInt64, false},
              {"fare_amount", Type::kFloat64, true},
              {"Pickup Zone", Type::kString, true}};
  s.primary_key = {0};
  return s;
}

TEST(FieldLookupTest, FindsExactNamesOnly) {
  uint32_t f = 99;
  ASSERT_TRUE(FindField(Trips(), "Pickup Zone", &f).ok());
  EXPECT_EQ(f, 2u);
  ASSERT_TRUE(FindField(Trips(), "trip_id", &f).ok());
  EXPECT_EQ(f, 0u);
  Status s = FindField(Trips(), "pickup zone", &f);  // case matters
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(f, 0u);  // untouched on error
}

TEST(FieldLookupTest, UnknownNameSuggestsAndListsTheFields) {
  uint32_t f = 0;
  Status s = FindField(Trips(), "fare_amout", &f);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "unknown field 'fare_amout' (did you mean \"fare_amount\"?); fields: trip_id, "
            "fare_amount, Pickup Zone");
  s = FindField(Trips(), "zzzzzz", &f);  // nothing within two edits: no suggestion
  EXPECT_EQ(s.message(), "unknown field 'zzzzzz'; fields: trip_id, fare_amount, Pickup Zone");
  s = FindField(Trips(), "bad\xff", &f);  // shown as valid UTF-8
  EXPECT_EQ(s.message().rfind("unknown field 'bad\xEF\xBF\xBD'", 0), 0u) << s.message();
}

TEST(FieldLookupTest, SelectionKeepsTheOrderNamedAndRefusesRepeats) {
  std::vector<uint32_t> fields = {7};
  ASSERT_TRUE(SelectFields(Trips(), {"Pickup Zone", "trip_id"}, &fields).ok());
  EXPECT_EQ(fields, (std::vector<uint32_t>{2, 0}));
  ASSERT_TRUE(SelectFields(Trips(), {}, &fields).ok());
  EXPECT_TRUE(fields.empty());  // nothing named: every field, for the caller
  Status s = SelectFields(Trips(), {"trip_id", "fare_amount", "trip_id"}, &fields);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(), "field trip_id appears twice");
  s = SelectFields(Trips(), {"trip_id", "fare"}, &fields);
  EXPECT_EQ(s.message().rfind("unknown field 'fare'", 0), 0u) << s.message();
}

TEST(FieldLookupTest, AddSelectedFieldLeavesTheSelectionAloneOnError) {
  std::vector<uint32_t> fields;
  ASSERT_TRUE(AddSelectedField(Trips(), "fare_amount", &fields).ok());
  EXPECT_FALSE(AddSelectedField(Trips(), "fare_amount", &fields).ok());
  EXPECT_FALSE(AddSelectedField(Trips(), "nope", &fields).ok());
  EXPECT_EQ(fields, (std::vector<uint32_t>{1}));
}

}  // namespace
}  // namespace sluice
