// CRC-32C (Castagnoli), table-driven, header-only. Used to checksum log
// records and storage chunks (docs/formats.md).
//
//   uint32_t c = sluice::crc32c::Value(data, size);
//   uint32_t m = sluice::crc32c::Mask(c);   // what gets stored next to data
#ifndef SLUICE_CRC32C_H_
#define SLUICE_CRC32C_H_

#include <array>
#include <cstddef>
#include <cstdint>

namespace sluice::crc32c {

namespace internal {
// Slicing-by-4 tables for the reflected polynomial 0x82F63B78.
inline const std::array<std::array<uint32_t, 256>, 4>& Tables() {
  static const auto tables = [] {
    std::array<std::array<uint32_t, 256>, 4> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1u)));
      t[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; ++i)
      for (int s = 1; s < 4; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xff];
    return t;
  }();
  return tables;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
// The SSE4.2 crc32 instruction computes exactly this polynomial.
__attribute__((target("sse4.2"))) inline uint32_t ExtendHardware(uint32_t crc, const uint8_t* p,
                                                                 size_t n) {
  uint64_t c = ~crc;
  while (n >= 8) {
    uint64_t word;
    __builtin_memcpy(&word, p, 8);
    c = __builtin_ia32_crc32di(c, word);
    p += 8;
    n -= 8;
  }
  uint32_t c32 = static_cast<uint32_t>(c);
  while (n-- > 0) c32 = __builtin_ia32_crc32qi(c32, *p++);
  return ~c32;
}
inline bool HasHardware() {
  static const bool has = __builtin_cpu_supports("sse4.2");
  return has;
}
#else
inline uint32_t ExtendHardware(uint32_t crc, const uint8_t*, size_t) { return crc; }
inline bool HasHardware() { return false; }
#endif

// Portable table-driven version (also the reference in tests).
inline uint32_t ExtendPortable(uint32_t crc, const void* data, size_t n) {
  const auto& t = internal::Tables();
  const uint8_t* p = static_cast<const uint8_t*>(data);
  uint32_t c = ~crc;
  while (n >= 4) {
    c ^= static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
    c = t[3][c & 0xff] ^ t[2][(c >> 8) & 0xff] ^ t[1][(c >> 16) & 0xff] ^ t[0][c >> 24];
    p += 4;
    n -= 4;
  }
  while (n-- > 0) c = t[0][(c ^ *p++) & 0xff] ^ (c >> 8);
  return ~c;
}
}  // namespace internal

// Extends `crc` (the CRC of earlier bytes, 0 for none) with data[0..n).
// Uses the CPU's crc32 instruction when there is one.
inline uint32_t Extend(uint32_t crc, const void* data, size_t n) {
  if (internal::HasHardware())
    return internal::ExtendHardware(crc, static_cast<const uint8_t*>(data), n);
  return internal::ExtendPortable(crc, data, n);
}

// CRC-32C of data[0..n). Value("123456789", 9) == 0xE3069283.
inline uint32_t Value(const void* data, size_t n) { return Extend(0, data, n); }

// A stored CRC is masked so that a CRC of data containing CRCs stays strong.
inline uint32_t Mask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8u; }
inline uint32_t Unmask(uint32_t masked) {
  uint32_t rot = masked - 0xa282ead8u;
  return (rot >> 17) | (rot << 15);
}

}  // namespace sluice::crc32c

#endif  // SLUICE_CRC32C_H_
