// The on-disk format of one log stream inside its LevelDB database. The
// prose version, with diagrams, is docs/storage-leveldb.md; keep both in
// step.
//
//   key "C" + fixed64 big-endian first offset        -> chunk
//   key "C" + fixed64 big-endian first offset + "M"  -> meta of the append
//                                                       whose last chunk that is
//   key "M"                                          -> meta, streams written
//                                                       before tail meta keys
// The stream's meta is the last key: every append writes its meta right after
// its last chunk, so keys only ever grow and LevelDB never has to merge
// overlapping tables (a single rewritten "M" key made every table overlap).
//
//   chunk := count:varint32 (length:varint32 bytes[length]){count} crc:fixed32le
//            crc = CRC-32C of every byte before it
//   meta  := crc:fixed32le format:u8 (=1) end:fixed64le checkpoint:bytes...
//            crc = CRC-32C of every byte after it
#ifndef SLUICE_PLUGINS_STORAGE_LEVELDB_LOG_FORMAT_H_
#define SLUICE_PLUGINS_STORAGE_LEVELDB_LOG_FORMAT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sluice/status.h"

namespace sluice::storage_leveldb {

inline constexpr char kChunkTag = 'C';
inline constexpr std::string_view kMetaKey = "M";  // the legacy single meta key
inline constexpr char kTailMetaSuffix = 'M';
inline constexpr size_t kChunkKeySize = 9;
inline constexpr size_t kTailMetaKeySize = 10;
inline constexpr uint8_t kMetaFormat = 1;
// An Append larger than this is split into several chunks (one WriteBatch,
// so still atomic). Keeps reads of a single record from loading huge values.
inline constexpr size_t kMaxChunkPayload = 4u << 20;

// The key of the chunk whose first record has offset `first`.
std::string ChunkKey(uint64_t first);
// True when `key` is a chunk key; then *first receives its first offset.
bool ParseChunkKey(std::string_view key, uint64_t* first);

// The meta key written after the chunk whose first record has offset `first`.
std::string TailMetaKey(uint64_t first);
// True when `key` is a tail meta key; then *first receives its chunk's offset.
bool ParseTailMetaKey(std::string_view key, uint64_t* first);

// Appends to *out the chunk holding records[0..count). REQUIRES: every
// record is shorter than 4 GiB (checked by the caller).
void EncodeChunk(const std::string_view* records, size_t count, std::string* out);

// Walks the records of one encoded chunk without copying them. The chunk
// bytes must outlive the reader and the views it hands out.
class ChunkReader {
 public:
  // Verifies the checksum and the header. DATA_LOSS (message says what is
  // wrong, without naming the stream: the caller adds that) when corrupt.
  Status Open(std::string_view chunk);
  // Number of records in the chunk. REQUIRES: Open() returned OK.
  uint32_t count() const { return count_; }
  // Sets *record to the next record and returns true; false after the last
  // one. DATA_LOSS when a length runs past the end of the chunk.
  Status Next(std::string_view* record, bool* has_record);

 private:
  const char* pos_ = nullptr;
  const char* limit_ = nullptr;  // start of the trailing CRC
  uint32_t count_ = 0;
  uint32_t read_ = 0;
};

// The stream's state kept under its meta key (the last key of the database).
struct LogMeta {
  uint64_t end = 0;
  std::string checkpoint;
};

std::string EncodeMeta(uint64_t end, std::string_view checkpoint);
// DATA_LOSS when the value is corrupt or of an unknown format.
Status DecodeMeta(std::string_view value, LogMeta* meta);

}  // namespace sluice::storage_leveldb

#endif  // SLUICE_PLUGINS_STORAGE_LEVELDB_LOG_FORMAT_H_
