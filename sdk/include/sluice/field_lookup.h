// Field names a client wrote (in a URL, a request message, a selection),
// resolved against a schema, with the same messages in every API plugin.
// Header-only. Callers put where the names came from in front of the
// message (Status::WithContext or their own prefix).
//
//   uint32_t f = 0;
//   Status s = FindField(schema, "fare_amout", &f);
//   // INVALID_ARGUMENT: unknown field 'fare_amout' (did you mean
//   // "fare_amount"?); fields: trip_id, fare_amount
//   std::vector<uint32_t> select;
//   s = SelectFields(schema, {"fare_amount", "trip_id"}, &select);  // {1, 0}
#ifndef SLUICE_FIELD_LOOKUP_H_
#define SLUICE_FIELD_LOOKUP_H_

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/schema.h"
#include "sluice/status.h"
#include "sluice/suggest.h"
#include "sluice/utf8.h"

namespace sluice {

// Sets *index to the position of the field named exactly `name` in
// `schema`. Otherwise INVALID_ARGUMENT "unknown field 'name'" (shown as
// valid UTF-8), a did-you-mean when one field is within two edits, and
// "; fields: " with every field name in schema order.
inline Status FindField(const Schema& schema, std::string_view name, uint32_t* index) {
  int i = schema.FieldIndex(name);
  if (i >= 0) {
    *index = static_cast<uint32_t>(i);
    return Status();
  }
  std::vector<std::string_view> names;
  for (const Field& f : schema.fields) names.push_back(f.name);
  return InvalidArgument("unknown field '" + ValidUtf8(name) + "'" + DidYouMean(name, names) +
                         "; fields: " + JoinNames(names));
}

// Appends the position of field `name` to *fields (a selection being
// built, in the order named). FindField's error for an unknown name;
// INVALID_ARGUMENT "field <name> appears twice" when *fields has it
// already. *fields is unchanged on error.
inline Status AddSelectedField(const Schema& schema, std::string_view name,
                               std::vector<uint32_t>* fields) {
  uint32_t index = 0;
  SLUICE_RETURN_IF_ERROR(FindField(schema, name, &index));
  if (std::find(fields->begin(), fields->end(), index) != fields->end())
    return InvalidArgument("field " + schema.fields[index].name + " appears twice");
  fields->push_back(index);
  return Status();
}

// The positions of the fields `names` select, in that order (empty names:
// an empty selection, which callers read as every field). The first
// error of AddSelectedField; *fields is then unspecified.
inline Status SelectFields(const Schema& schema, const std::vector<std::string>& names,
                           std::vector<uint32_t>* fields) {
  fields->clear();
  for (const std::string& name : names)
    SLUICE_RETURN_IF_ERROR(AddSelectedField(schema, name, fields));
  return Status();
}

}  // namespace sluice

#endif  // SLUICE_FIELD_LOOKUP_H_
