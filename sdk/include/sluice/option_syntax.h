// The text syntax of option values, the same for every plugin: what the
// host checks a config against (sluice/option_spec.h) and what the typed
// accessors of sluice/options.h read. Header-only.
//
//   bool      true|false|yes|no|on|off|1|0 (any case)
//   int       a decimal integer: -12, 0, 4096
//   number    a decimal number: 0.5, 12, 1e3
//   duration  a whole number with a unit: 250ms, 30s, 5m, 2h, 1d; 0 alone
//   size      a whole number of bytes, or with a unit (powers of 1024):
//             512K, 64KiB, 16M, 16MB, 16MiB, 1G, 1T (any case)
//   enum      one of the declared values, as written
//   path      any non-empty text (the host makes path options absolute,
//             docs/config.md "Paths")
//   string    any text (optionally of a declared length)
//
//   uint64_t ms = 0;
//   if (sluice::ParseDurationOption("30s", &ms)) ...   // ms == 30000
#ifndef SLUICE_OPTION_SYNTAX_H_
#define SLUICE_OPTION_SYNTAX_H_

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace sluice {

namespace option_internal {
inline bool Lower(std::string_view s, std::string_view word) {
  if (s.size() != word.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i] >= 'A' && s[i] <= 'Z' ? static_cast<char>(s[i] - 'A' + 'a') : s[i];
    if (c != word[i]) return false;
  }
  return true;
}
// Leading decimal digits of s as *out (false on none or overflow); *used = how many.
inline bool Digits(std::string_view s, uint64_t* out, size_t* used) {
  uint64_t v = 0;
  size_t i = 0;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
    uint64_t d = static_cast<uint64_t>(s[i] - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v, *used = i;
  return i > 0;
}
inline bool Scale(uint64_t v, uint64_t scale, uint64_t* out) {
  if (scale != 0 && v > UINT64_MAX / scale) return false;
  *out = v * scale;
  return true;
}
}  // namespace option_internal

// true, yes, on, 1 / false, no, off, 0, in any case.
inline bool ParseBoolOption(std::string_view s, bool* out) {
  using option_internal::Lower;
  if (Lower(s, "true") || Lower(s, "yes") || Lower(s, "on") || s == "1") {
    *out = true;
    return true;
  }
  if (Lower(s, "false") || Lower(s, "no") || Lower(s, "off") || s == "0") {
    *out = false;
    return true;
  }
  return false;
}

// A decimal integer with an optional sign, nothing else.
inline bool ParseIntOption(std::string_view s, int64_t* out) {
  bool neg = !s.empty() && (s[0] == '-' || s[0] == '+');
  std::string_view digits = neg ? s.substr(1) : s;
  uint64_t v = 0;
  size_t used = 0;
  if (!option_internal::Digits(digits, &v, &used) || used != digits.size()) return false;
  bool minus = neg && s[0] == '-';
  if (v > static_cast<uint64_t>(INT64_MAX) + (minus ? 1 : 0)) return false;
  *out = minus ? static_cast<int64_t>(0 - v) : static_cast<int64_t>(v);
  return true;
}

// A finite decimal number (strtod's syntax, whole text, no spaces).
inline bool ParseNumberOption(std::string_view s, double* out) {
  if (s.empty() || s.front() == ' ' || s.back() == ' ') return false;
  std::string text(s);
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(text.c_str(), &end);
  if (*end != '\0' || errno == ERANGE || !std::isfinite(v)) return false;
  *out = v;
  return true;
}

// A whole number with a unit (ms, s, m, h, d), or 0 alone; *ms in milliseconds.
inline bool ParseDurationOption(std::string_view s, uint64_t* ms) {
  uint64_t v = 0;
  size_t used = 0;
  if (!option_internal::Digits(s, &v, &used)) return false;
  std::string_view unit = s.substr(used);
  if (unit.empty()) {
    if (v != 0) return false;  // a number without a unit: only 0 is unambiguous
    *ms = 0;
    return true;
  }
  uint64_t scale = unit == "ms"  ? 1
                   : unit == "s" ? 1000
                   : unit == "m" ? 60000
                   : unit == "h" ? 3600000
                   : unit == "d" ? 86400000
                                 : 0;
  return scale != 0 && option_internal::Scale(v, scale, ms);
}

// Bytes: a whole number, or one with K, M, G or T (powers of 1024), each
// optionally followed by B or iB, in any case (16M = 16MB = 16MiB); B alone.
inline bool ParseSizeOption(std::string_view s, uint64_t* bytes) {
  using option_internal::Lower;
  uint64_t v = 0;
  size_t used = 0;
  if (!option_internal::Digits(s, &v, &used)) return false;
  std::string_view unit = s.substr(used);
  if (unit.empty() || Lower(unit, "b")) {
    *bytes = v;
    return true;
  }
  const char* prefixes = "kmgt";
  char p = unit[0] >= 'A' && unit[0] <= 'Z' ? static_cast<char>(unit[0] - 'A' + 'a') : unit[0];
  uint64_t scale = 1024;
  for (const char* q = prefixes; *q != '\0'; ++q, scale *= 1024) {
    if (*q != p) continue;
    std::string_view rest = unit.substr(1);
    if (!(rest.empty() || Lower(rest, "b") || Lower(rest, "ib"))) return false;
    return option_internal::Scale(v, scale, bytes);
  }
  return false;
}

}  // namespace sluice

#endif  // SLUICE_OPTION_SYNTAX_H_
