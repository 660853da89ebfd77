#include "generator_rows.h"

#include <limits>

#include "sluice/row.h"

namespace generator {

uint64_t Mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

GeneratedRow RowAt(uint64_t seed, uint64_t n) {
  const uint64_t h = Mix(seed ^ Mix(n));
  GeneratedRow r;
  r.id = static_cast<int64_t>(n);
  r.ts = kEpochMicros + static_cast<int64_t>(n) * 1000000 + static_cast<int64_t>(h % 1000) * 1000;
  r.value = static_cast<double>((h >> 11) % 100000) / 100.0;
  r.label_null = (h >> 40) % 8 == 0;
  if (!r.label_null) r.label = kLabels[(h >> 32) % 8];
  return r;
}

sluice::Schema GeneratorSchema() {
  sluice::Schema s;
  s.fields = {{"id", sluice::Type::kInt64, false},
              {"ts", sluice::Type::kTimestamp, false},
              {"value", sluice::Type::kFloat64, false},
              {"label", sluice::Type::kString, true}};
  s.primary_key = {0};
  return s;
}

void EncodeRow(const GeneratedRow& row, std::string* out) {
  sluice::RowWriter w(out, 4);
  w.Int64(row.id);
  w.Timestamp(row.ts);
  w.Float64(row.value);
  if (row.label_null) {
    w.Null();
  } else {
    w.String(row.label);
  }
}

std::string EncodeOffset(uint64_t next_row) { return std::to_string(next_row); }

sluice::Status ParseOffset(std::string_view offset, uint64_t* next_row) {
  uint64_t n = 0;
  for (char c : offset) {
    if (c < '0' || c > '9' || n > (std::numeric_limits<uint64_t>::max() - 9) / 10) {
      return sluice::InvalidArgument(
          "offset '" + std::string(offset) +
          "' is not a row number; the generator writes offsets as decimal row numbers "
          "(was this endpoint's log written by another source plugin?)");
    }
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  *next_row = n;
  return sluice::Status();
}

}  // namespace generator
