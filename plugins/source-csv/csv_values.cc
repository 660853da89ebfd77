#include "csv_values.h"

#include <charconv>
#include <cmath>

#include "sluice/timefmt.h"

namespace sluice::csv {

bool ParseInt64(std::string_view s, int64_t* out) {
  size_t i = 0, n = s.size();
  bool neg = false;
  if (n > 0 && s[0] == '-') neg = true, i = 1;
  if (i == n || n - i > 19) return false;
  if (s[i] == '0' && (n - i > 1 || neg)) return false;  // "007", "-0": not what they say
  uint64_t v = 0;                                       // 19 digits always fit in uint64
  for (; i < n; ++i) {
    unsigned d = static_cast<unsigned char>(s[i]) - '0';
    if (d > 9) return false;
    v = v * 10 + d;
  }
  const uint64_t limit = neg ? (uint64_t{1} << 63) : (uint64_t{1} << 63) - 1;
  if (v > limit) return false;
  *out = neg ? static_cast<int64_t>(0 - v) : static_cast<int64_t>(v);
  return true;
}

namespace {

// [-+]digits[.digits] with at most 15 digits: the digits form an integer
// below 2^53 and the scale a power of ten up to 1e15, both exact doubles,
// so one IEEE division gives the correctly rounded value. False when `s`
// is not of that simple shape (the caller falls back to from_chars).
bool ParseSimpleDecimal(std::string_view s, double* out) {
  static const double kPow10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                  1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  size_t i = 0, n = s.size();
  bool neg = false;
  if (n > 0 && (s[0] == '-' || s[0] == '+')) neg = s[0] == '-', i = 1;
  uint64_t m = 0;
  int digits = 0, frac = -1;
  for (; i < n; ++i) {
    unsigned d = static_cast<unsigned char>(s[i]) - '0';
    if (d <= 9) {
      m = m * 10 + d;
      if (++digits > 15) return false;
      if (frac >= 0) ++frac;
    } else if (s[i] == '.' && frac < 0) {
      frac = 0;
    } else {
      return false;
    }
  }
  if (digits == 0) return false;
  double v = static_cast<double>(m);
  if (frac > 0) v /= kPow10[frac];
  *out = neg ? -v : v;
  return true;
}

// The significant digits of a decimal text (no leading or trailing zeros)
// and the power of ten of its last digit; false when `s` is malformed.
bool Significand(std::string_view s, std::string* digits, int64_t* exp10) {
  digits->clear();
  int64_t frac_digits = 0, exp = 0;
  bool in_frac = false;
  size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c >= '0' && c <= '9') {
      if (!digits->empty() || c != '0') digits->push_back(c);
      if (in_frac) ++frac_digits;
    } else if (c == '.') {
      in_frac = true;
    } else if (c == 'e' || c == 'E') {
      int64_t e = 0;
      auto r = std::from_chars(s.data() + i + (s[i + 1] == '+' ? 2 : 1), s.data() + s.size(), e);
      if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return false;
      exp = e;
      break;
    }
  }
  // Digits dropped from the front did not count towards frac_digits'
  // meaning: the last digit's power is -frac_digits + exp either way.
  int64_t power = exp - frac_digits;
  while (!digits->empty() && digits->back() == '0') digits->pop_back(), ++power;
  *exp10 = digits->empty() ? 0 : power;
  return true;
}

// True when the decimal text `s` has exactly the significant digits of the
// shortest text that reads back as `v`: parsing it lost nothing.
bool SameDecimal(std::string_view s, double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  if (r.ec != std::errc()) return false;
  std::string a, b;
  int64_t ea = 0, eb = 0;
  if (!Significand(s, &a, &ea) || !Significand(std::string_view(buf, r.ptr - buf), &b, &eb))
    return false;
  return a == b && (a.empty() || ea == eb);
}

}  // namespace

bool ParseFloat64(std::string_view s, double* out) {
  if (s.empty() || s[0] == '+' || HasLeadingZero(s)) return false;
  if (ParseSimpleDecimal(s, out)) return true;
  const char* first = s.data();
  const char* last = first + s.size();
  bool digit = false;
  for (const char* p = first; p < last; ++p) {
    char c = *p;
    if (c >= '0' && c <= '9') {
      digit = true;
    } else if (c != '.' && c != 'e' && c != 'E' && c != '-' && c != '+') {
      return false;  // rules out nan, inf, hex and spaces
    }
  }
  if (!digit) return false;
  double v;
  auto r = std::from_chars(first, last, v, std::chars_format::general);
  if (r.ec != std::errc() || r.ptr != last || !std::isfinite(v)) return false;
  if (!SameDecimal(s, v)) return false;  // float64 would round it
  *out = v;
  return true;
}

namespace {
bool EqualsNoCase(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (size_t i = 0; i < s.size(); ++i)
    if ((s[i] | 0x20) != lower[i]) return false;
  return true;
}
}  // namespace

bool ParseBool(std::string_view s, bool* out) {
  if (EqualsNoCase(s, "true")) {
    *out = true;
    return true;
  }
  if (EqualsNoCase(s, "false")) {
    *out = false;
    return true;
  }
  return false;
}

bool HasLeadingZero(std::string_view s) {
  size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  return s.size() > i + 1 && s[i] == '0' && s[i + 1] >= '0' && s[i + 1] <= '9';
}

uint32_t FitMask(std::string_view s) {
  uint32_t m = 0;
  bool b;
  int64_t i;
  double f;
  int32_t d;
  if (ParseBool(s, &b)) m |= kFitsBool;
  if (ParseInt64(s, &i)) m |= kFitsInt64;
  if (ParseFloat64(s, &f)) m |= kFitsFloat64;
  if (ParseDate(s, &d)) m |= kFitsDate;
  else if (ParseTimestamp(s, &i)) m |= kFitsTimestamp;
  return m;
}

Type NarrowestType(uint32_t mask) {
  if (mask & kFitsBool) return Type::kBool;
  if (mask & kFitsInt64) return Type::kInt64;
  if (mask & kFitsFloat64) return Type::kFloat64;
  if (mask & kFitsDate) return Type::kDate;
  if (mask & kFitsTimestamp) return Type::kTimestamp;
  return Type::kString;
}

std::string QuoteForMessage(std::string_view s) {
  constexpr size_t kMax = 60;
  std::string out = "\"";
  size_t n = s.size() <= kMax ? s.size() : kMax;
  // Do not cut a UTF-8 sequence in half.
  while (n < s.size() && n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  for (size_t i = 0; i < n; ++i) {
    char c = s[i];
    if (c == '"' || c == '\\') out += '\\', out += c;
    else if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else out += c;
  }
  if (n < s.size()) out += "\xE2\x80\xA6";  // …
  out += '"';
  return out;
}

}  // namespace sluice::csv
