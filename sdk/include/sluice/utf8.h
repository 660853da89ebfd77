// UTF-8 checks for plugins: whether bytes are ASCII or valid UTF-8 (RFC
// 3629: no overlong forms, surrogates or code points above U+10FFFF), and
// making text valid for JSON or logs by replacing what is not.
//
//   if (sluice::FindInvalidUtf8(field) != std::string_view::npos) ...refuse...
//   std::string shown = sluice::ValidUtf8(client_bytes);   // U+FFFD where ill-formed
#ifndef SLUICE_UTF8_H_
#define SLUICE_UTF8_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace sluice {

// True when every byte of [p, p+n) is below 0x80 (pure ASCII, hence valid).
inline bool IsAscii(const char* p, size_t n) {
  uint64_t acc = 0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    acc |= w;
  }
  for (; i < n; ++i) acc |= static_cast<uint8_t>(p[i]);
  return (acc & 0x8080808080808080ULL) == 0;
}

// Index of the first byte of the first ill-formed sequence in `s` (overlong
// forms, surrogates and code points above U+10FFFF are ill-formed), or
// std::string_view::npos when `s` is valid UTF-8.
inline size_t FindInvalidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    uint8_t c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp, min;
    if ((c & 0xE0) == 0xC0) {
      len = 2, cp = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3, cp = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4, cp = c & 0x07, min = 0x10000;
    } else {
      return i;
    }
    if (i + len > n) return i;
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += len;
  }
  return std::string_view::npos;
}

// `s` with each ill-formed byte replaced by U+FFFD (the replacement
// character), so that it is valid UTF-8; valid text is returned unchanged.
inline std::string ValidUtf8(std::string_view s) {
  std::string out;
  size_t bad;
  while ((bad = FindInvalidUtf8(s)) != std::string_view::npos) {
    out.append(s.substr(0, bad)).append("\xEF\xBF\xBD");
    s.remove_prefix(bad + 1);
  }
  return out.append(s);
}

}  // namespace sluice

#endif  // SLUICE_UTF8_H_
