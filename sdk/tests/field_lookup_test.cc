// FindField, AddSelectedField and SelectFields: the names clients write,
// resolved with the messages every API plugin gives.
#include "sluice/field_lookup.h"

#include <gtest/gtest.h>

#include "sluice/testing/typed_schema.h"

namespace sluice {
namespace {

using testing::TypedSchema;  // id, fare, paid, note, at, day

constexpr const char* kFields = "; fields: id, fare, paid, note, at, day";

TEST(FieldLookupTest, FindsExactNamesOnly) {
  uint32_t f = 99;
  ASSERT_TRUE(FindField(TypedSchema(), "note", &f).ok());
  EXPECT_EQ(f, 3u);
  ASSERT_TRUE(FindField(TypedSchema(), "id", &f).ok());
  EXPECT_EQ(f, 0u);
  Status s = FindField(TypedSchema(), "Note", &f);  // case matters
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(f, 0u);  // untouched on error
}

TEST(FieldLookupTest, UnknownNameSuggestsAndListsTheFields) {
  uint32_t f = 0;
  Status s = FindField(TypedSchema(), "fair", &f);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(), std::string("unknown field 'fair' (did you mean \"fare\"?)") + kFields);
  s = FindField(TypedSchema(), "zzzzzz", &f);  // nothing within two edits: no suggestion
  EXPECT_EQ(s.message(), std::string("unknown field 'zzzzzz'") + kFields);
  s = FindField(TypedSchema(), "bad\xff", &f);  // shown as valid UTF-8
  EXPECT_EQ(s.message().rfind("unknown field 'bad\xEF\xBF\xBD'", 0), 0u) << s.message();
}

TEST(FieldLookupTest, SelectionKeepsTheOrderNamedAndRefusesRepeats) {
  std::vector<uint32_t> fields = {7};
  ASSERT_TRUE(SelectFields(TypedSchema(), {"day", "id"}, &fields).ok());
  EXPECT_EQ(fields, (std::vector<uint32_t>{5, 0}));
  ASSERT_TRUE(SelectFields(TypedSchema(), {}, &fields).ok());
  EXPECT_TRUE(fields.empty());  // nothing named: every field, for the caller
  Status s = SelectFields(TypedSchema(), {"id", "fare", "id"}, &fields);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(), "field id appears twice");
  s = SelectFields(TypedSchema(), {"id", "far"}, &fields);
  EXPECT_EQ(s.message().rfind("unknown field 'far'", 0), 0u) << s.message();
}

TEST(FieldLookupTest, AddSelectedFieldLeavesTheSelectionAloneOnError) {
  std::vector<uint32_t> fields;
  ASSERT_TRUE(AddSelectedField(TypedSchema(), "fare", &fields).ok());
  EXPECT_FALSE(AddSelectedField(TypedSchema(), "fare", &fields).ok());
  EXPECT_FALSE(AddSelectedField(TypedSchema(), "nope", &fields).ok());
  EXPECT_EQ(fields, (std::vector<uint32_t>{1}));
}

}  // namespace
}  // namespace sluice
