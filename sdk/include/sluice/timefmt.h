// ISO-8601 dates and timestamps <-> the integers rows store (days and
// microseconds since 1970-01-01, UTC). Header-only, locale-free, no
// allocation when parsing, no printf when formatting.
//
//   int64_t us;  sluice::ParseTimestamp("2024-01-31T14:28:15Z", &us);
//   std::string s; sluice::AppendTimestamp(&s, us);  // "2024-01-31T14:28:15Z"
#ifndef SLUICE_TIMEFMT_H_
#define SLUICE_TIMEFMT_H_

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

namespace sluice {

// Days since 1970-01-01 of a proleptic Gregorian date.
inline int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// Inverse of DaysFromCivil.
inline void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

namespace timefmt_internal {
inline bool Digits(std::string_view s, size_t at, size_t n, unsigned* out) {
  if (at + n > s.size()) return false;
  unsigned v = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + static_cast<unsigned>(s[i] - '0');
  }
  *out = v;
  return true;
}
inline bool ValidDate(unsigned y, unsigned m, unsigned d) {
  static const unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1) return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= kDays[m - 1] + (m == 2 && leap ? 1 : 0);
}
}  // namespace timefmt_internal

// Parses "YYYY-MM-DD" exactly. False on anything else or an impossible date.
inline bool ParseDate(std::string_view s, int32_t* days) {
  using namespace timefmt_internal;
  unsigned y, m, d;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !Digits(s, 0, 4, &y) ||
      !Digits(s, 5, 2, &m) || !Digits(s, 8, 2, &d) || !ValidDate(y, m, d))
    return false;
  *days = static_cast<int32_t>(DaysFromCivil(y, m, d));
  return true;
}

// Parses "YYYY-MM-DD(T| )HH:MM:SS[.f{1,9}][Z|±HH:MM|±HHMM]". Without a zone
// the time is taken as UTC. Digits of the fraction beyond microseconds must
// be zeros (rows hold microseconds: anything finer would be lost), and the
// seconds are 00-59 (a leap second has no microsecond count of its own).
inline bool ParseTimestamp(std::string_view s, int64_t* micros) {
  using namespace timefmt_internal;
  int32_t days;
  unsigned hh, mm, ss;
  if (s.size() < 19 || !ParseDate(s.substr(0, 10), &days) || (s[10] != 'T' && s[10] != ' ') ||
      !Digits(s, 11, 2, &hh) || s[13] != ':' || !Digits(s, 14, 2, &mm) || s[16] != ':' ||
      !Digits(s, 17, 2, &ss) || hh > 23 || mm > 59 || ss > 59)
    return false;
  size_t i = 19;
  int64_t frac = 0;
  if (i < s.size() && s[i] == '.') {
    size_t start = ++i;
    int digits = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (digits < 6) {
        frac = frac * 10 + (s[i] - '0');
        ++digits;
      } else if (s[i] != '0') {
        return false;  // finer than a microsecond
      }
      ++i;
    }
    if (i == start || i - start > 9) return false;
    for (; digits < 6; ++digits) frac *= 10;
  }
  int64_t offset_s = 0;
  if (i < s.size()) {
    if (s[i] == 'Z' && i + 1 == s.size()) {
      ++i;
    } else if (s[i] == '+' || s[i] == '-') {
      unsigned oh, om;
      int sign = s[i] == '-' ? -1 : 1;
      if (!Digits(s, i + 1, 2, &oh)) return false;
      size_t mpos = i + 3;
      if (mpos < s.size() && s[mpos] == ':') ++mpos;
      if (!Digits(s, mpos, 2, &om) || mpos + 2 != s.size() || oh > 23 || om > 59) return false;
      offset_s = sign * static_cast<int64_t>(oh * 3600 + om * 60);
      i = s.size();
    } else {
      return false;
    }
  }
  int64_t secs = static_cast<int64_t>(days) * 86400 + hh * 3600 + mm * 60 + ss - offset_s;
  *micros = secs * 1000000 + frac;
  return true;
}

namespace timefmt_internal {
// Writes `v` (< 10^width) as exactly `width` decimal digits at p.
inline void PutDigits(char* p, uint32_t v, int width) {
  for (int i = width - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
}
// The same for widths 2 and 4, without a loop (the formatters' hot path).
inline void Put2(char* p, uint32_t v) {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
}
inline void Put4(char* p, uint32_t v) {
  Put2(p, v / 100);
  Put2(p + 2, v % 100);
}

// Appends the date of a year outside 0..9999, the year as printf's
// "%04lld" writes it: its sign and at least four characters ("-001",
// "10000").
inline void AppendWideDate(std::string* out, int64_t y, unsigned m, unsigned d) {
  char buf[16];
  size_t n = 0;
  if (y < 0) buf[n++] = '-';
  uint32_t a = static_cast<uint32_t>(y < 0 ? -y : y);  // < 2^23 for any int32 day count
  int digits = 1;
  for (uint32_t t = a; t >= 10; t /= 10) ++digits;
  int width = std::max(digits, y < 0 ? 3 : 4);
  PutDigits(buf + n, a, width);
  n += static_cast<size_t>(width);
  buf[n] = '-';
  PutDigits(buf + n + 1, m, 2);
  buf[n + 3] = '-';
  PutDigits(buf + n + 4, d, 2);
  out->append(buf, n + 6);
}
}  // namespace timefmt_internal

// Appends "YYYY-MM-DD". A year outside 0..9999 is written as printf's
// "%04lld" writes it: its sign and at least four characters ("-001", "10000").
inline void AppendDate(std::string* out, int32_t days) {
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  if (y < 0 || y > 9999) return timefmt_internal::AppendWideDate(out, y, m, d);
  char buf[10];
  timefmt_internal::Put4(buf, static_cast<uint32_t>(y));
  buf[4] = '-';
  timefmt_internal::Put2(buf + 5, m);
  buf[7] = '-';
  timefmt_internal::Put2(buf + 8, d);
  out->append(buf, sizeof buf);
}

// Appends "YYYY-MM-DDTHH:MM:SS[.ffffff]Z" (fraction only when nonzero),
// the date as AppendDate writes it.
inline void AppendTimestamp(std::string* out, int64_t micros) {
  using timefmt_internal::Put2;
  using timefmt_internal::Put4;
  int64_t secs = micros / 1000000, frac = micros % 1000000;
  if (frac < 0) {
    frac += 1000000;
    secs -= 1;
  }
  int64_t days = secs / 86400, rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    days -= 1;
  }
  AppendDate(out, static_cast<int32_t>(days));  // |days| < 2^27 for any int64 micros
  char buf[17] = {'T', 0, 0, ':', 0, 0, ':', 0, 0, '.'};
  Put2(buf + 1, static_cast<uint32_t>(rem / 3600));
  Put2(buf + 4, static_cast<uint32_t>(rem / 60 % 60));
  Put2(buf + 7, static_cast<uint32_t>(rem % 60));
  size_t n = 9;
  if (frac != 0) {
    Put2(buf + 10, static_cast<uint32_t>(frac / 10000));
    Put4(buf + 12, static_cast<uint32_t>(frac % 10000));
    n = 16;
  }
  buf[n++] = 'Z';
  out->append(buf, n);
}

}  // namespace sluice

#endif  // SLUICE_TIMEFMT_H_
