// The rows the generator produces: a pure function of (seed, row number),
// so any row can be recomputed anywhere (tests, other languages) and a
// reader can resume at any row.
//
// Row n (n = 0, 1, 2, ...) of seed s, with mix() the SplitMix64 finalizer
// and h = mix(s XOR mix(n)), all arithmetic modulo 2^64:
//
//   id     int64, not null     n
//   ts     timestamp, not null 2024-01-01T00:00:00Z + n seconds + (h mod 1000) ms
//   value  float64, not null   ((h >> 11) mod 100000) / 100.0     (0.00 .. 999.99)
//   label  string, nullable    null when (h >> 40) mod 8 == 0, else
//                              kLabels[(h >> 32) mod 8]
//
// The offset of row n (where to resume after it) is n + 1 in decimal.
#ifndef GENERATOR_GENERATOR_ROWS_H_
#define GENERATOR_GENERATOR_ROWS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "sluice/schema.h"
#include "sluice/status.h"

namespace generator {

inline constexpr const char* kLabels[8] = {"amber", "birch", "cedar", "dune",
                                           "ember", "fjord", "grove", "heath"};
inline constexpr int64_t kEpochMicros = 1704067200000000;  // 2024-01-01T00:00:00Z

struct GeneratedRow {
  int64_t id = 0;
  int64_t ts = 0;  // microseconds since 1970-01-01T00:00:00Z
  double value = 0;
  bool label_null = false;
  std::string_view label;  // static storage
};

// SplitMix64's output function.
uint64_t Mix(uint64_t x);

// Row `n` of `seed`.
GeneratedRow RowAt(uint64_t seed, uint64_t n);

// The table's schema: id, ts, value, label with primary key id.
sluice::Schema GeneratorSchema();

// Appends the encoding of `row` (sluice/row.h) for GeneratorSchema().
void EncodeRow(const GeneratedRow& row, std::string* out);

// "n" in decimal: the offset that resumes at row n.
std::string EncodeOffset(uint64_t next_row);

// Parses an offset written by EncodeOffset into the row to resume at. Empty
// means row 0. InvalidArgument (quoting it) for anything else.
sluice::Status ParseOffset(std::string_view offset, uint64_t* next_row);

}  // namespace generator

#endif  // GENERATOR_GENERATOR_ROWS_H_
