// ISO-8601 dates and timestamps <-> the integers rows store (days and
// microseconds since 1970-01-01, UTC). Header-only, locale-free, no
// allocation when parsing.
//
//   int64_t us;  sluice::ParseTimestamp("2024-01-31T14:28:15Z", &us);
//   std::string s; sluice::AppendTimestamp(&s, us);  // "2024-01-31T14:28:15Z"
#ifndef SLUICE_TIMEFMT_H_
#define SLUICE_TIMEFMT_H_

#include <cstdint>
#include <cstdio>
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
    while (digits < 6) frac *= 10, ++digits;
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

// Appends "YYYY-MM-DD".
inline void AppendDate(std::string* out, int32_t days) {
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  char buf[32];
  int n = std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  out->append(buf, static_cast<size_t>(n));
}

// Appends "YYYY-MM-DDTHH:MM:SS[.ffffff]Z" (fraction only when nonzero).
inline void AppendTimestamp(std::string* out, int64_t micros) {
  int64_t secs = micros / 1000000, frac = micros % 1000000;
  if (frac < 0) frac += 1000000, secs -= 1;
  int64_t days = secs / 86400, rem = secs % 86400;
  if (rem < 0) rem += 86400, days -= 1;
  AppendDate(out, static_cast<int32_t>(days));
  char buf[32];
  int n = frac ? std::snprintf(buf, sizeof buf, "T%02d:%02d:%02d.%06lldZ", int(rem / 3600),
                               int(rem / 60 % 60), int(rem % 60), static_cast<long long>(frac))
               : std::snprintf(buf, sizeof buf, "T%02d:%02d:%02dZ", int(rem / 3600),
                               int(rem / 60 % 60), int(rem % 60));
  out->append(buf, static_cast<size_t>(n));
}

}  // namespace sluice

#endif  // SLUICE_TIMEFMT_H_
