// A schema with one field of every type, for tests of what writes or reads
// typed values (JSON, OpenAPI, row codecs). Header-only.
//
//   sluice::Schema s = sluice::testing::TypedSchema();
#ifndef SLUICE_TESTING_TYPED_SCHEMA_H_
#define SLUICE_TESTING_TYPED_SCHEMA_H_

#include "sluice/schema.h"

namespace sluice::testing {

// id int64 (the key), fare float64?, paid bool, note string?, at timestamp,
// day date? (`?`: nullable).
inline Schema TypedSchema() {
  Schema s;
  s.fields = {{"id", Type::kInt64, false},     {"fare", Type::kFloat64, true},
              {"paid", Type::kBool, false},    {"note", Type::kString, true},
              {"at", Type::kTimestamp, false}, {"day", Type::kDate, true}};
  s.primary_key = {0};
  return s;
}

}  // namespace sluice::testing

#endif  // SLUICE_TESTING_TYPED_SCHEMA_H_
