#include "core/aggregate.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "sluice/json.h"
#include "sluice/schema_diff.h"

namespace sluice::host {
namespace {

constexpr int kUnitExp = -1074;  // the exponent of the accumulator's unit

bool Negative(const std::array<uint64_t, ExactSum::kLimbs>& l) {
  return (l[ExactSum::kLimbs - 1] >> 63) != 0;
}

void Negate(std::array<uint64_t, ExactSum::kLimbs>* l) {
  uint64_t carry = 1;
  for (uint64_t& x : *l) {
    x = ~x + carry;
    carry = (carry != 0 && x == 0) ? 1 : 0;
  }
}

void Get64(const uint8_t** p, uint64_t* v) {
  uint64_t x = 0;
  std::memcpy(&x, *p, 8);
  *v = x;
  *p += 8;
}

void Put64(std::string* out, uint64_t v) { out->append(reinterpret_cast<const char*>(&v), 8); }

}  // namespace

void ExactSum::Add(double v, int sign) {
  if (v == 0 || !std::isfinite(v)) return;
  if (v < 0) {
    v = -v;
    sign = -sign;
  }
  int e = 0;
  double f = std::frexp(v, &e);  // v = f * 2^e, f in [0.5, 1)
  uint64_t m = static_cast<uint64_t>(std::ldexp(f, 53));
  int exp = e - 53;      // v = m * 2^exp
  if (exp < kUnitExp) {  // subnormal: the low bits of m are zero
    m >>= (kUnitExp - exp);
    exp = kUnitExp;
  }
  int bit = exp - kUnitExp;
  int limb = bit / 64, shift = bit % 64;
  unsigned __int128 wide = static_cast<unsigned __int128>(m) << shift;
  uint64_t parts[2] = {static_cast<uint64_t>(wide), static_cast<uint64_t>(wide >> 64)};
  if (sign > 0) {
    uint64_t carry = 0;
    for (int i = limb; i < kLimbs; ++i) {
      uint64_t add = (i - limb < 2 ? parts[i - limb] : 0);
      unsigned __int128 s = static_cast<unsigned __int128>(limbs_[i]) + add + carry;
      limbs_[i] = static_cast<uint64_t>(s);
      carry = static_cast<uint64_t>(s >> 64);
      if (i - limb >= 1 && carry == 0) break;
    }
  } else {
    uint64_t borrow = 0;
    for (int i = limb; i < kLimbs; ++i) {
      uint64_t sub = (i - limb < 2 ? parts[i - limb] : 0);
      unsigned __int128 need = static_cast<unsigned __int128>(sub) + borrow;
      uint64_t before = limbs_[i];
      limbs_[i] = before - static_cast<uint64_t>(need);
      borrow = static_cast<unsigned __int128>(before) < need ? 1 : 0;
      if (i - limb >= 1 && borrow == 0) break;
    }
  }
}

void ExactSum::Add(const ExactSum& o) {
  uint64_t carry = 0;
  for (int i = 0; i < kLimbs; ++i) {
    unsigned __int128 s = static_cast<unsigned __int128>(limbs_[i]) + o.limbs_[i] + carry;
    limbs_[i] = static_cast<uint64_t>(s);
    carry = static_cast<uint64_t>(s >> 64);
  }
}

bool ExactSum::zero() const {
  for (uint64_t x : limbs_)
    if (x != 0) return false;
  return true;
}

double ExactSum::ToDouble() const {
  std::array<uint64_t, kLimbs> l = limbs_;
  bool neg = Negative(l);
  if (neg) Negate(&l);
  int top = kLimbs - 1;
  while (top >= 0 && l[top] == 0) --top;
  if (top < 0) return 0.0;
  int high_bit = top * 64 + 63 - __builtin_clzll(l[top]);
  int start = std::max(high_bit - 63, 0);  // the 64-bit window [start, start + 64)
  auto bit_window = [&](int from) {
    int limb = from / 64, shift = from % 64;
    unsigned __int128 w = l[limb];
    if (limb + 1 < kLimbs) w |= static_cast<unsigned __int128>(l[limb + 1]) << 64;
    return static_cast<uint64_t>(w >> shift);
  };
  uint64_t window = bit_window(start);
  bool sticky = false;
  for (int i = 0; i < start / 64 && !sticky; ++i) sticky = l[i] != 0;
  if (!sticky && start % 64 != 0)
    sticky = (l[start / 64] & ((uint64_t{1} << (start % 64)) - 1)) != 0;
  // 64 bits hold the 53 of the result and more than two below it: with the
  // sticky bit folded into the lowest, one rounding to double is exact
  // rounding of the whole sum.
  if (sticky) window |= 1;
  double r = std::ldexp(static_cast<double>(window), start + kUnitExp);
  return neg ? -r : r;
}

void ExactSum::Encode(std::string* out) const {
  uint64_t fill = Negative(limbs_) ? ~uint64_t{0} : 0;
  int lo = 0, hi = kLimbs - 1;
  while (lo < kLimbs && limbs_[lo] == 0) ++lo;
  while (hi >= lo && limbs_[hi] == fill) --hi;
  // Limbs below lo are zero, those above hi are the sign's fill (hi may be
  // lo - 1: a negative value whose limbs from lo up are all ones).
  if (lo == kLimbs) {
    lo = 0;
    hi = -1;
  }
  out->push_back(fill != 0 ? 1 : 0);
  PutVarint(out, static_cast<uint64_t>(lo));
  PutVarint(out, static_cast<uint64_t>(hi - lo + 1));
  for (int i = lo; i <= hi; ++i) Put64(out, limbs_[i]);
}

bool ExactSum::Decode(const uint8_t** p, const uint8_t* end) {
  if (*p >= end) return false;
  uint64_t fill = **p != 0 ? ~uint64_t{0} : 0;
  ++*p;
  uint64_t lo = 0, n = 0;
  if (!GetVarint(p, end, &lo) || !GetVarint(p, end, &n) || lo + n > kLimbs ||
      static_cast<uint64_t>(end - *p) < n * 8)
    return false;
  limbs_.fill(0);
  for (uint64_t i = 0; i < n; ++i) Get64(p, &limbs_[lo + i]);
  for (uint64_t i = lo + n; i < kLimbs; ++i) limbs_[i] = fill;
  return true;
}

std::string ParseMeasure(std::string_view text, const Schema& schema, Measure* out) {
  *out = Measure();
  if (text == "count") return "";
  size_t open = text.find('(');
  if (open == std::string_view::npos || text.empty() || text.back() != ')')
    return "\"" + std::string(text) +
           "\" is not a measure; write count, sum(field), min(field), max(field) or avg(field)";
  std::string_view fn = text.substr(0, open), name = text.substr(open + 1, text.size() - open - 2);
  if (fn == "sum") out->kind = MeasureKind::kSum;
  else if (fn == "min") out->kind = MeasureKind::kMin;
  else if (fn == "max") out->kind = MeasureKind::kMax;
  else if (fn == "avg") out->kind = MeasureKind::kAvg;
  else
    return "unknown measure \"" + std::string(fn) + "\" in \"" + std::string(text) +
           "\"; valid: count, sum, min, max, avg";
  int f = schema.FieldIndex(name);
  if (f < 0)
    return "unknown field \"" + std::string(name) + "\" in measure \"" + std::string(text) +
           "\"; fields: " + FieldList(schema);
  out->field = static_cast<uint32_t>(f);
  Type t = schema.fields[f].type;
  if ((out->kind == MeasureKind::kSum || out->kind == MeasureKind::kAvg) && t != Type::kInt64 &&
      t != Type::kFloat64)
    return std::string(fn) + " needs an int64 or float64 field; field " + std::string(name) +
           " is " + TypeName(t);
  return "";
}

Status ResolveAggregates(const std::vector<AggregateDecl>& decls, const Schema& schema,
                         std::vector<AggregateSpec>* out) {
  out->clear();
  std::string problems;
  auto problem = [&](const std::string& where, const std::string& why) {
    problems += (problems.empty() ? "" : "\n") + where + ": " + why;
  };
  for (const AggregateDecl& d : decls) {
    AggregateSpec spec;
    for (size_t i = 0; i < d.group_by.size(); ++i) {
      int f = schema.FieldIndex(d.group_by[i]);
      if (f < 0) {
        problem(d.group_by_where[i], "unknown field \"" + d.group_by[i] +
                                         "\" in group_by; fields: " + FieldList(schema));
        continue;
      }
      spec.group_by.push_back(static_cast<uint32_t>(f));
    }
    if (d.measures.empty()) problem(d.where, "an aggregate needs measures, e.g. [count]");
    for (size_t i = 0; i < d.measures.size(); ++i) {
      Measure m;
      std::string err = ParseMeasure(d.measures[i], schema, &m);
      if (!err.empty()) problem(d.measures_where[i], err);
      else if (std::find(spec.measures.begin(), spec.measures.end(), m) != spec.measures.end())
        problem(d.measures_where[i], "measure " + d.measures[i] + " is listed twice");
      else spec.measures.push_back(m);
    }
    out->push_back(std::move(spec));
  }
  if (problems.empty()) return Status();
  return InvalidArgument(problems);
}

Status ResolveFullText(const std::vector<std::string>& names, const std::string& where,
                       const Schema& schema, std::vector<uint32_t>* out) {
  out->clear();
  std::string problems;
  for (const std::string& n : names) {
    int f = schema.FieldIndex(n);
    std::string why;
    if (f < 0) why = "unknown field \"" + n + "\"";
    else if (schema.fields[f].type != Type::kString)
      why = "field " + n + " is " + TypeName(schema.fields[f].type) +
            "; a full-text index needs a string field";
    if (!why.empty()) problems += (problems.empty() ? "" : "\n") + where + ": " + why;
    else out->push_back(static_cast<uint32_t>(f));
  }
  return problems.empty() ? Status() : InvalidArgument(problems);
}

std::string MeasureName(const Measure& m, const Schema& schema) {
  const char* fn = "count";
  switch (m.kind) {
    case MeasureKind::kCount: return "count";
    case MeasureKind::kSum: fn = "sum"; break;
    case MeasureKind::kMin: fn = "min"; break;
    case MeasureKind::kMax: fn = "max"; break;
    case MeasureKind::kAvg: fn = "avg"; break;
  }
  return std::string(fn) + "(" + schema.fields[m.field].name + ")";
}

std::vector<uint32_t> TrackedFields(const std::vector<Measure>& measures) {
  std::vector<uint32_t> out;
  for (const Measure& m : measures)
    if (m.kind != MeasureKind::kCount && std::find(out.begin(), out.end(), m.field) == out.end())
      out.push_back(m.field);
  return out;
}

void GroupAcc::Add(const Schema& schema, const std::vector<uint32_t>& tracked,
                   const std::vector<Value>& row, int sign) {
  count += sign;
  fields.resize(tracked.size());
  for (size_t i = 0; i < tracked.size(); ++i) {
    const Value& v = row[tracked[i]];
    if (v.null) continue;
    FieldAcc& a = fields[i];
    a.nonnull += static_cast<uint64_t>(static_cast<int64_t>(sign));
    Type t = schema.fields[tracked[i]].type;
    if (t == Type::kInt64) {
      a.isum += sign > 0 ? static_cast<__int128>(v.i) : -static_cast<__int128>(v.i);
    } else if (t == Type::kFloat64) {
      uint64_t d = static_cast<uint64_t>(static_cast<int64_t>(sign));
      if (std::isnan(v.f)) a.nan += d;
      else if (std::isinf(v.f)) (v.f > 0 ? a.pinf : a.ninf) += d;
      else a.fsum.Add(v.f, sign);
    }
  }
}

void GroupAcc::Merge(const GroupAcc& o, const Schema& schema,
                     const std::vector<uint32_t>& tracked) {
  count += o.count;
  fields.resize(tracked.size());
  for (size_t i = 0; i < tracked.size() && i < o.fields.size(); ++i) {
    FieldAcc& a = fields[i];
    const FieldAcc& b = o.fields[i];
    a.nonnull += b.nonnull;
    if (schema.fields[tracked[i]].type == Type::kInt64) a.isum += b.isum;
    a.fsum.Add(b.fsum);
    a.nan += b.nan, a.pinf += b.pinf, a.ninf += b.ninf;
  }
}

void GroupAcc::Encode(const Schema& schema, const std::vector<uint32_t>& tracked,
                      std::string* out) const {
  PutVarint(out, static_cast<uint64_t>(count));
  for (size_t i = 0; i < tracked.size(); ++i) {
    const FieldAcc& a = i < fields.size() ? fields[i] : FieldAcc();
    PutVarint(out, a.nonnull);
    Type t = schema.fields[tracked[i]].type;
    if (t == Type::kInt64) {
      Put64(out, static_cast<uint64_t>(a.isum));
      Put64(out, static_cast<uint64_t>(static_cast<unsigned __int128>(a.isum) >> 64));
    } else if (t == Type::kFloat64) {
      a.fsum.Encode(out);
      PutVarint(out, a.nan);
      PutVarint(out, a.pinf);
      PutVarint(out, a.ninf);
    }
  }
}

bool GroupAcc::Decode(const Schema& schema, const std::vector<uint32_t>& tracked,
                      std::string_view bytes) {
  const uint8_t* p = reinterpret_cast<const uint8_t*>(bytes.data());
  const uint8_t* end = p + bytes.size();
  uint64_t c = 0;
  if (!GetVarint(&p, end, &c)) return false;
  count = static_cast<int64_t>(c);
  fields.assign(tracked.size(), FieldAcc());
  for (size_t i = 0; i < tracked.size(); ++i) {
    FieldAcc& a = fields[i];
    if (!GetVarint(&p, end, &a.nonnull)) return false;
    Type t = schema.fields[tracked[i]].type;
    if (t == Type::kInt64) {
      if (end - p < 16) return false;
      uint64_t lo = 0, hi = 0;
      Get64(&p, &lo);
      Get64(&p, &hi);
      a.isum = static_cast<__int128>((static_cast<unsigned __int128>(hi) << 64) | lo);
    } else if (t == Type::kFloat64) {
      if (!a.fsum.Decode(&p, end) || !GetVarint(&p, end, &a.nan) || !GetVarint(&p, end, &a.pinf) ||
          !GetVarint(&p, end, &a.ninf))
        return false;
    }
  }
  return p == end;
}

namespace {

void AppendInt128(std::string* out, __int128 v) {
  if (v >= INT64_MIN && v <= INT64_MAX) return AppendJsonInteger(out, static_cast<int64_t>(v));
  bool neg = v < 0;
  unsigned __int128 u =
      neg ? -static_cast<unsigned __int128>(v) : static_cast<unsigned __int128>(v);
  char buf[48];
  int n = 0;
  while (u > 0) {
    buf[n++] = static_cast<char>('0' + static_cast<int>(u % 10));
    u /= 10;
  }
  if (neg) out->push_back('-');
  while (n > 0) out->push_back(buf[--n]);
}

double FloatSum(const FieldAcc& a) {
  if (a.nan > 0 || (a.pinf > 0 && a.ninf > 0)) return std::nan("");
  if (a.pinf > 0) return HUGE_VAL;
  if (a.ninf > 0) return -HUGE_VAL;
  return a.fsum.ToDouble();
}

}  // namespace

void AppendSumJson(std::string* out, Type type, const FieldAcc& a) {
  if (a.nonnull == 0) {
    out->append("null");
    return;
  }
  if (type == Type::kInt64) return AppendInt128(out, a.isum);
  AppendJsonDouble(out, FloatSum(a));
}

void AppendAvgJson(std::string* out, Type type, const FieldAcc& a) {
  if (a.nonnull == 0) {
    out->append("null");
    return;
  }
  double n = static_cast<double>(a.nonnull);
  if (type == Type::kInt64)
    return AppendJsonDouble(out, static_cast<double>(static_cast<long double>(a.isum) / n));
  AppendJsonDouble(out, FloatSum(a) / n);
}

}  // namespace sluice::host
