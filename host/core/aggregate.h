// Aggregates (docs/aggregates.md): measures (count, sum, min, max, avg),
// declared aggregates of an endpoint version, and the exact accumulators
// both the cache's maintained state and ad-hoc aggregates use, so the two
// answer bit for bit alike.
//
//   Measure m;
//   std::string err = ParseMeasure("sum(fare_amount)", schema, &m);  // "" when valid
//   GroupAcc g(TrackedFields(spec.measures));  // one group's state
//   g.Add(schema, row, +1);                    // a row enters the group
//   g.Add(schema, old_row, -1);                // a row leaves it
#ifndef SLUICE_HOST_CORE_AGGREGATE_H_
#define SLUICE_HOST_CORE_AGGREGATE_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/row.h"
#include "sluice/schema.h"
#include "sluice/status.h"

namespace sluice::host {

// The exact sum of finite doubles: a fixed-point two's-complement integer
// of 2176 bits whose unit is 2^-1074 (the smallest subnormal), so every
// finite double, and every sum of up to 2^63 of them, is held without
// rounding. Adding and then subtracting a value restores the state
// exactly, whatever the order: no drift across updates and deletes.
class ExactSum {
 public:
  static constexpr int kLimbs = 34;
  // Adds (sign +1) or subtracts (sign -1) a finite double.
  void Add(double v, int sign);
  void Add(const ExactSum& o);
  bool zero() const;
  // The sum rounded once to the nearest double (ties to even); +-inf when
  // it is beyond the double range.
  double ToDouble() const;
  // Compact bytes: trailing and sign-extension limbs are left out.
  void Encode(std::string* out) const;
  bool Decode(const uint8_t** p, const uint8_t* end);
  bool operator==(const ExactSum& o) const { return limbs_ == o.limbs_; }

 private:
  std::array<uint64_t, kLimbs> limbs_{};
};

enum class MeasureKind { kCount, kSum, kMin, kMax, kAvg };

// One measure: `count` (rows of the group) or kind(field).
struct Measure {
  MeasureKind kind = MeasureKind::kCount;
  uint32_t field = 0;  // unused for kCount
  bool operator==(const Measure& o) const {
    return kind == o.kind && (kind == MeasureKind::kCount || field == o.field);
  }
};

// A declared aggregate: maintained by the cache as rows arrive.
struct AggregateSpec {
  std::vector<uint32_t> group_by;
  std::vector<Measure> measures;
  bool operator==(const AggregateSpec& o) const {
    return group_by == o.group_by && measures == o.measures;
  }
};

// A declared aggregate as the config writes it, with where each part was
// written ("<file>:<line>:<col>: endpoints[0].aggregates[1].measures[0]")
// for the errors of resolving it against a source's schema.
struct AggregateDecl {
  std::vector<std::string> group_by, measures;
  std::vector<std::string> group_by_where, measures_where;
  std::string where;
};

// Resolves declarations against `schema`: INVALID_ARGUMENT with one line
// per problem (an unknown field, a sum of a non-numeric field, no
// measure), each starting with where it was written.
Status ResolveAggregates(const std::vector<AggregateDecl>& decls, const Schema& schema,
                         std::vector<AggregateSpec>* out);
// The same for `full_text:` fields: each must be a string field.
Status ResolveFullText(const std::vector<std::string>& names, const std::string& where,
                       const Schema& schema, std::vector<uint32_t>* out);

// Parses "count", "sum(f)", "min(f)", "max(f)", "avg(f)" against `schema`.
// Returns "" or why the text is not a measure (an unknown field, listing
// the fields; sum or avg of a field that is not int64 or float64).
std::string ParseMeasure(std::string_view text, const Schema& schema, Measure* out);
// "count", "sum(fare_amount)", ...
std::string MeasureName(const Measure& m, const Schema& schema);

// The fields whose state a group keeps for `measures`: each field named by
// a measure, once, in order of first mention.
std::vector<uint32_t> TrackedFields(const std::vector<Measure>& measures);

// One tracked field's state in one group. Sums exist for int64 (exact, in
// 128 bits) and float64 (ExactSum, with the NaNs and infinities counted
// apart); min and max are not here (see docs/aggregates.md).
struct FieldAcc {
  uint64_t nonnull = 0;
  __int128 isum = 0;
  ExactSum fsum;
  uint64_t nan = 0, pinf = 0, ninf = 0;
};

// One group's state: its rows, and per tracked field a FieldAcc.
struct GroupAcc {
  int64_t count = 0;
  std::vector<FieldAcc> fields;

  // Adds row (sign +1) or removes it (sign -1); `tracked` as given to
  // TrackedFields, `row` decoded against `schema`.
  void Add(const Schema& schema, const std::vector<uint32_t>& tracked,
           const std::vector<Value>& row, int sign);
  // Adds another state of the same tracked fields (a delta).
  void Merge(const GroupAcc& o, const Schema& schema, const std::vector<uint32_t>& tracked);
  void Encode(const Schema& schema, const std::vector<uint32_t>& tracked, std::string* out) const;
  bool Decode(const Schema& schema, const std::vector<uint32_t>& tracked, std::string_view bytes);
};

// sum(field) of `acc` as JSON (an integer for int64, a number for float64,
// null when no value is non-null); avg likewise (always a number or null).
void AppendSumJson(std::string* out, Type type, const FieldAcc& acc);
void AppendAvgJson(std::string* out, Type type, const FieldAcc& acc);

}  // namespace sluice::host

#endif  // SLUICE_HOST_CORE_AGGREGATE_H_
