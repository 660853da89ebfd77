#include "pg_types.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "sluice/timefmt.h"

namespace pgsrc {
namespace {

using sluice::InvalidArgument;
using sluice::Status;
using sluice::Type;

// Precision and scale of numeric(p, s) from its typmod (scale may be negative).
void NumericShape(int32_t typmod, int* precision, int* scale) {
  int32_t t = typmod - 4;
  *precision = (t >> 16) & 0xffff;
  int s = t & 0x7ff;
  *scale = (s & 0x400) ? s - 0x800 : s;
}

bool Digits(std::string_view s, size_t at, size_t n, int64_t* out) {
  if (at + n > s.size()) return false;
  int64_t v = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

// "YYYY...-MM-DD" at the start of s (the year has 4 or more digits);
// *used gets its length. A BC year Y becomes the astronomical year 1 - Y.
bool CivilDate(std::string_view s, bool bc, int64_t* y, int64_t* m, int64_t* d, size_t* used) {
  size_t dash = s.find('-');
  if (dash < 4 || dash > 7 || !Digits(s, 0, dash, y)) return false;
  if (!Digits(s, dash + 1, 2, m) || s.size() < dash + 6 || s[dash + 3] != '-' ||
      !Digits(s, dash + 4, 2, d))
    return false;
  if (bc) *y = 1 - *y;
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (*y % 4 == 0 && *y % 100 != 0) || *y % 400 == 0;
  if (*m < 1 || *m > 12 || *d < 1 || *d > kDays[*m - 1] + (*m == 2 && leap)) return false;
  *used = dash + 6;
  return true;
}

// Strips a trailing " BC"; true when there was one.
bool EraSuffix(std::string_view* s) {
  if (s->size() > 3 && s->substr(s->size() - 3) == " BC") {
    s->remove_suffix(3);
    return true;
  }
  return false;
}

}  // namespace

Status MapType(const PgType& t, const TypeOptions& o, const std::string& column, ColumnType* out) {
  auto is = [&](Type type, Conv conv) {
    *out = {type, conv};
    return Status();
  };
  switch (t.oid) {
    case oid::kInt2:
    case oid::kInt4:
    case oid::kInt8:
    case oid::kOid: return is(Type::kInt64, Conv::kInt);
    case oid::kFloat4:
    case oid::kFloat8: return is(Type::kFloat64, Conv::kFloat);
    case oid::kBool: return is(Type::kBool, Conv::kBool);
    case oid::kDate: return is(Type::kDate, Conv::kDate);
    case oid::kTimestamp:
    case oid::kTimestamptz: return is(Type::kTimestamp, Conv::kTimestamp);
    case oid::kText:
    case oid::kVarchar:
    case oid::kBpchar:
    case oid::kName:
    case oid::kChar:
    case oid::kUuid:
    case oid::kJson:
    case oid::kJsonb:
    case oid::kXml:
    case oid::kBytea:
    case oid::kTime:
    case oid::kTimetz:
    case oid::kInterval:
    case oid::kInet:
    case oid::kCidr:
    case oid::kMacaddr:
    case oid::kMacaddr8:
    case oid::kBit:
    case oid::kVarbit: return is(Type::kString, Conv::kText);
    case oid::kNumeric: {
      if (o.numeric == NumericMode::kString) return is(Type::kString, Conv::kText);
      int p = 0, s = 0;
      if (t.typmod >= 4) NumericShape(t.typmod, &p, &s);
      if (t.typmod >= 4 && s <= 0 && p - s <= 18) return is(Type::kInt64, Conv::kInt);
      if (t.typmod >= 4 && s > 0 && p <= 15) return is(Type::kFloat64, Conv::kFloat);
      return InvalidArgument(
          "column " + column + " is " + t.name +
          (t.typmod < 4 ? ", without a declared precision" : "") +
          ": with numeric: number, a numeric column must be numeric(p, s) whose every value is an "
          "exact int64 (s <= 0, p - s <= 18) or float64 (p <= 15); use numeric: string (exact "
          "decimal text, the default) for this one");
    }
    default: break;
  }
  if (t.category == 'A' || t.typtype == 'e') return is(Type::kString, Conv::kText);
  if (t.name == "citext") return is(Type::kString, Conv::kText);
  if (o.other_types_as_string) return is(Type::kString, Conv::kText);
  return InvalidArgument("column " + column + " has type " + t.name +
                         ", which sluice has no type for; set the option other_types: string to "
                         "serve PostgreSQL's text form of it, or leave the column out of the "
                         "table (a view is not replicated: use a table)");
}

bool ParsePgInt(std::string_view s, int64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  size_t i = s[0] == '-' ? 1 : 0;
  if (i == s.size()) return false;
  uint64_t v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    uint64_t d = static_cast<uint64_t>(s[i] - '0');
    if (v > (std::numeric_limits<uint64_t>::max() - d) / 10) return false;
    v = v * 10 + d;
  }
  const uint64_t limit =
      static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + (s[0] == '-' ? 1 : 0);
  if (v > limit) return false;
  *out = s[0] == '-' ? static_cast<int64_t>(0 - v) : static_cast<int64_t>(v);
  return true;
}

bool ParsePgFloat(std::string_view s, double* out) {
  if (s == "NaN") {
    *out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  if (s == "Infinity") {
    *out = std::numeric_limits<double>::infinity();
    return true;
  }
  if (s == "-Infinity") {
    *out = -std::numeric_limits<double>::infinity();
    return true;
  }
  if (s.empty()) return false;
  // from_chars: exact (correctly rounded), locale-free; it refuses a
  // leading '+', which PostgreSQL never writes.
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return false;
  *out = v;
  return true;
}

bool ParsePgDate(std::string_view s, int32_t* days) {
  bool bc = EraSuffix(&s);
  int64_t y, m, d;
  size_t used = 0;
  if (!CivilDate(s, bc, &y, &m, &d, &used) || used != s.size()) return false;
  int64_t n = sluice::DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
  if (n < std::numeric_limits<int32_t>::min() || n > std::numeric_limits<int32_t>::max())
    return false;
  *days = static_cast<int32_t>(n);
  return true;
}

bool ParsePgTimestamp(std::string_view s, int64_t* micros) {
  bool bc = EraSuffix(&s);
  int64_t y, mo, d, hh, mm, ss;
  size_t i = 0;
  if (!CivilDate(s, bc, &y, &mo, &d, &i) || i >= s.size() || s[i] != ' ' ||
      !Digits(s, i + 1, 2, &hh) || s.size() < i + 9 || s[i + 3] != ':' ||
      !Digits(s, i + 4, 2, &mm) || s[i + 6] != ':' || !Digits(s, i + 7, 2, &ss) || hh > 23 ||
      mm > 59 || ss > 60)
    return false;
  i += 9;
  int64_t frac = 0;
  if (i < s.size() && s[i] == '.') {
    size_t start = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start || i - start > 6) return false;  // PostgreSQL keeps microseconds
    int64_t f;
    Digits(s, start, i - start, &f);
    for (size_t k = i - start; k < 6; ++k) f *= 10;
    frac = f;
  }
  int64_t offset = 0;  // seconds east of UTC
  if (i < s.size()) {
    if (s[i] != '+' && s[i] != '-') return false;
    int sign = s[i] == '-' ? -1 : 1;
    int64_t oh = 0, om = 0, os = 0;
    if (!Digits(s, i + 1, 2, &oh)) return false;
    i += 3;
    if (i < s.size() && s[i] == ':') {
      if (!Digits(s, i + 1, 2, &om)) return false;
      i += 3;
      if (i < s.size() && s[i] == ':') {
        if (!Digits(s, i + 1, 2, &os)) return false;
        i += 3;
      }
    }
    if (i != s.size()) return false;
    offset = sign * (oh * 3600 + om * 60 + os);
  }
  int64_t days = sluice::DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  int64_t secs = days * 86400 + hh * 3600 + mm * 60 + ss - offset;
  int64_t us = 0;
  if (__builtin_mul_overflow(secs, int64_t{1000000}, &us) || __builtin_add_overflow(us, frac, &us))
    return false;
  *micros = us;
  return true;
}

Wire CopyWire(const PgType& t, ColumnType c) {
  switch (t.oid) {
    case oid::kInt2: return Wire::kInt2;
    case oid::kInt4: return Wire::kInt4;
    case oid::kInt8: return Wire::kInt8;
    case oid::kOid: return Wire::kOid;
    case oid::kFloat8: return Wire::kFloat8;
    case oid::kBool: return Wire::kBool;
    case oid::kDate: return Wire::kDate;
    case oid::kTimestamp:
    case oid::kTimestamptz: return Wire::kTimestamp;
    case oid::kText:
    case oid::kVarchar:
    case oid::kBpchar:
    case oid::kName:
    case oid::kJson:
    case oid::kXml: return Wire::kRaw;
    case oid::kJsonb: return Wire::kJsonb;
    case oid::kUuid: return Wire::kUuid;
    case oid::kBytea: return Wire::kBytea;
    default: break;
  }
  if (t.typtype == 'e' || t.name == "citext") return Wire::kRaw;
  (void)c;
  return Wire::kText;
}

std::string CopyExpression(const std::string& ident, const PgType& t, Wire wire) {
  if (wire != Wire::kText) return ident;
  // Casts to text that are the output function (an I/O conversion).
  if (t.oid == oid::kNumeric || t.oid == oid::kFloat4 || t.oid == oid::kInterval ||
      t.oid == oid::kTime || t.oid == oid::kTimetz || t.category == 'A')
    return ident + "::text";
  return "CASE WHEN " + ident + " IS NULL THEN NULL ELSE format('%s', " + ident + ") END";
}

namespace {

uint64_t BigEndian(std::string_view b) {
  uint64_t v = 0;
  for (char c : b) v = (v << 8) | static_cast<uint8_t>(c);
  return v;
}

}  // namespace

Status PutCopyValue(ColumnType c, Wire wire, std::string_view b, sluice::RowWriter* w) {
  auto size = [&](size_t n) {
    return b.size() == n ? Status()
                         : sluice::Internal("binary COPY sent " + std::to_string(b.size()) +
                                            " bytes for a value of " + std::to_string(n));
  };
  constexpr int64_t kPgEpochDays = 10957;                         // 2000-01-01 - 1970-01-01
  constexpr int64_t kPgEpochMicros = kPgEpochDays * 86400000000;  // the same in microseconds
  switch (wire) {
    case Wire::kInt2:
      SLUICE_RETURN_IF_ERROR(size(2));
      w->Int64(static_cast<int16_t>(BigEndian(b)));
      return Status();
    case Wire::kInt4:
      SLUICE_RETURN_IF_ERROR(size(4));
      w->Int64(static_cast<int32_t>(BigEndian(b)));
      return Status();
    case Wire::kInt8:
      SLUICE_RETURN_IF_ERROR(size(8));
      w->Int64(static_cast<int64_t>(BigEndian(b)));
      return Status();
    case Wire::kOid:
      SLUICE_RETURN_IF_ERROR(size(4));
      w->Int64(static_cast<int64_t>(BigEndian(b)));
      return Status();
    case Wire::kFloat8: {
      SLUICE_RETURN_IF_ERROR(size(8));
      uint64_t bits = BigEndian(b);
      double v;
      std::memcpy(&v, &bits, 8);
      w->Float64(v);
      return Status();
    }
    case Wire::kBool:
      SLUICE_RETURN_IF_ERROR(size(1));
      w->Bool(b[0] != 0);
      return Status();
    case Wire::kDate: {
      SLUICE_RETURN_IF_ERROR(size(4));
      int64_t days = static_cast<int32_t>(BigEndian(b));
      if (days == std::numeric_limits<int32_t>::max() ||
          days == std::numeric_limits<int32_t>::min() || days + kPgEpochDays > INT32_MAX)
        return InvalidArgument("value '" + std::string(days > 0 ? "infinity" : "-infinity") +
                               "' is not a date sluice can hold (infinite dates have no sluice "
                               "value)");
      w->Date(static_cast<int32_t>(days + kPgEpochDays));
      return Status();
    }
    case Wire::kTimestamp: {
      SLUICE_RETURN_IF_ERROR(size(8));
      int64_t us = static_cast<int64_t>(BigEndian(b)), out = 0;
      if (us == std::numeric_limits<int64_t>::max() || us == std::numeric_limits<int64_t>::min() ||
          __builtin_add_overflow(us, kPgEpochMicros, &out))
        return InvalidArgument(
            "value '" + std::string(us > 0 ? "infinity" : "-infinity") +
            "' is not a timestamp sluice can hold (microseconds since 1970 in 64 bits; infinite "
            "timestamps have no sluice value)");
      w->Timestamp(out);
      return Status();
    }
    case Wire::kRaw: return PutValue(c, b, w);
    case Wire::kJsonb:
      if (b.empty() || b[0] != 1) return sluice::Internal("unknown jsonb binary version");
      return PutValue(c, b.substr(1), w);
    case Wire::kUuid: {
      SLUICE_RETURN_IF_ERROR(size(16));
      static const char kHex[] = "0123456789abcdef";
      char text[36];
      for (int i = 0, o = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) text[o++] = '-';
        text[o++] = kHex[static_cast<uint8_t>(b[i]) >> 4];
        text[o++] = kHex[static_cast<uint8_t>(b[i]) & 15];
      }
      return PutValue(c, std::string_view(text, 36), w);
    }
    case Wire::kBytea: {
      static const char kHex[] = "0123456789abcdef";
      std::string text = "\\x";
      text.reserve(2 + 2 * b.size());
      for (char ch : b) {
        text.push_back(kHex[static_cast<uint8_t>(ch) >> 4]);
        text.push_back(kHex[static_cast<uint8_t>(ch) & 15]);
      }
      return PutValue(c, text, w);
    }
    case Wire::kText: return PutValue(c, b, w);
  }
  return sluice::Internal("unknown wire format");
}

Status PutValue(ColumnType c, std::string_view text, sluice::RowWriter* w) {
  auto bad = [&](const char* what) {
    return InvalidArgument("value '" + std::string(text.substr(0, 64)) + "' is not " + what);
  };
  switch (c.conv) {
    case Conv::kInt: {
      int64_t v;
      if (!ParsePgInt(text, &v)) return bad("an int64 (sluice holds integers of 64 bits)");
      w->Int64(v);
      return Status();
    }
    case Conv::kFloat: {
      double v;
      if (!ParsePgFloat(text, &v)) return bad("a float64");
      w->Float64(v);
      return Status();
    }
    case Conv::kBool:
      if (text != "t" && text != "f") return bad("a bool ('t' or 'f')");
      w->Bool(text == "t");
      return Status();
    case Conv::kText: w->String(text); return Status();
    case Conv::kDate: {
      int32_t v;
      if (!ParsePgDate(text, &v))
        return bad("a date sluice can hold (infinite dates have no sluice value)");
      w->Date(v);
      return Status();
    }
    case Conv::kTimestamp: {
      int64_t v;
      if (!ParsePgTimestamp(text, &v))
        return bad(
            "a timestamp sluice can hold (microseconds since 1970 in 64 bits; infinite "
            "timestamps have no sluice value)");
      w->Timestamp(v);
      return Status();
    }
  }
  return bad("of a known kind");
}

}  // namespace pgsrc
