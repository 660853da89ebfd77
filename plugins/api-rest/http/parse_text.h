// Small text helpers of the HTTP request parser (internal to http/).
#ifndef SLUICE_PLUGINS_API_REST_HTTP_PARSE_TEXT_H_
#define SLUICE_PLUGINS_API_REST_HTTP_PARSE_TEXT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::rest::http {

// Largest Content-Length or chunk size accepted at all (limits are lower).
inline constexpr uint64_t kMaxContentLength = uint64_t{1} << 62;

inline bool IsWhitespace(char c) { return c == ' ' || c == '\t'; }

// Field value bytes: VCHAR, obs-text, SP, HTAB.
inline bool IsValueChar(unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7f); }

// Request target bytes: visible ASCII except '#' (a fragment is never sent).
inline bool IsTargetChar(unsigned char c) { return c > 0x20 && c < 0x7f && c != '#'; }

inline int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// At most `n` bytes of `s`, printable, for messages.
inline std::string Excerpt(std::string_view s, size_t n = 40) {
  std::string out;
  for (size_t i = 0; i < s.size() && i < n; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    out += c >= 0x20 && c < 0x7f && c != '\\' && c != '"' ? static_cast<char>(c) : '?';
  }
  if (s.size() > n) out += "...";
  return out;
}

inline std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsWhitespace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsWhitespace(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace sluice::rest::http

#endif  // SLUICE_PLUGINS_API_REST_HTTP_PARSE_TEXT_H_
