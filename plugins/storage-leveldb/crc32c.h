// CRC-32C (Castagnoli polynomial, reflected 0x82F63B78), the checksum that
// guards every stored log chunk and meta value (docs/storage-leveldb.md).
//
//   uint32_t crc = crc32c::Value(data, size);
//   crc = crc32c::Extend(crc, more, more_size);  // same as one call over both
#ifndef SLUICE_PLUGINS_STORAGE_LEVELDB_CRC32C_H_
#define SLUICE_PLUGINS_STORAGE_LEVELDB_CRC32C_H_

#include <cstddef>
#include <cstdint>

namespace sluice::storage_leveldb::crc32c {

// Returns the CRC-32C of the concatenation of A and data[0..n), where
// `crc` is the CRC-32C of A (0 for an empty A). Table-driven (slicing by 8);
// thread-safe; no allocation.
uint32_t Extend(uint32_t crc, const char* data, size_t n);

// Returns the CRC-32C of data[0..n).
inline uint32_t Value(const char* data, size_t n) { return Extend(0, data, n); }

}  // namespace sluice::storage_leveldb::crc32c

#endif  // SLUICE_PLUGINS_STORAGE_LEVELDB_CRC32C_H_
