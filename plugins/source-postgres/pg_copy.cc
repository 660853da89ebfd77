#include "pg_copy.h"

#include <cstdint>

namespace pgsrc {

bool SplitBinaryRow(std::string_view m, std::vector<CopyField>* fields, bool* end) {
  static constexpr char kSignature[] = "PGCOPY\n\377\r\n";  // and a NUL: 11 bytes
  auto u32 = [&](size_t at) {
    return static_cast<uint32_t>(static_cast<uint8_t>(m[at])) << 24 |
           static_cast<uint32_t>(static_cast<uint8_t>(m[at + 1])) << 16 |
           static_cast<uint32_t>(static_cast<uint8_t>(m[at + 2])) << 8 |
           static_cast<uint8_t>(m[at + 3]);
  };
  size_t p = 0;
  if (m.size() >= 11 && m.compare(0, 11, std::string_view(kSignature, 11)) == 0) {
    if (m.size() < 19) return false;
    uint32_t extension = u32(15);  // after the flags
    if (m.size() - 19 < extension) return false;
    p = 19 + extension;
  }
  if (m.size() - p < 2) return false;
  const int16_t count =
      static_cast<int16_t>(static_cast<uint8_t>(m[p]) << 8 | static_cast<uint8_t>(m[p + 1]));
  p += 2;
  fields->clear();
  *end = count == -1;
  if (*end) return p == m.size();
  if (count < 0) return false;
  for (int16_t i = 0; i < count; ++i) {
    if (m.size() - p < 4) return false;
    const int32_t len = static_cast<int32_t>(u32(p));
    p += 4;
    CopyField f;
    if (len == -1) {
      f.null = true;
    } else {
      if (len < 0 || m.size() - p < static_cast<size_t>(len)) return false;
      f.text = m.substr(p, static_cast<size_t>(len));
      p += static_cast<size_t>(len);
    }
    fields->push_back(f);
  }
  return p == m.size();
}

}  // namespace pgsrc
