// How a sluice::KvLog (sluice/kv_log.h) lays one log stream out in an ordered
// key/value store. The prose version, with the legacy layouts it still
// reads, is docs/formats.md "Chunk logs"; keep both in step. Header-only.
//
//   key "C" + first:fixed64be          chunk: the records first, first + 1, ...
//   key "C" + first:fixed64be + "M"    meta written by the append (or truncate)
//                                      whose last chunk starts at `first`
//   key "M"                            meta of a legacy single-meta stream
//
//   chunk  := count:varint32 record{count} crc:fixed32le
//   record := length:varint32 bytes[length]
//   meta   := crc:fixed32le format:u8 end:fixed64le checkpoint:bytes...
//   crc    := CRC-32C (sluice/crc32c.h) of the chunk's bytes before it, or
//             of the meta's bytes after it; masked (crc32c::Mask) in format 2
//
// Format 2 (every new stream): tail metas, masked CRCs. Format 1 (streams
// written before the plugins shared this code) has either layout, and its
// CRCs are plain (leveldb plugin) or masked (rocksdb plugin): DecodeMeta
// tells which by the meta's checksum. A stream keeps its format for life.
#ifndef SLUICE_KV_LOG_FORMAT_H_
#define SLUICE_KV_LOG_FORMAT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sluice/crc32c.h"
#include "sluice/row.h"
#include "sluice/status.h"

namespace sluice::kvlog {

inline constexpr char kChunkTag = 'C';
inline constexpr char kTailMetaSuffix = 'M';
inline constexpr std::string_view kSingleMetaKey = "M";
// Sorts after every chunk and tail meta key and before kSingleMetaKey.
inline constexpr std::string_view kChunksEnd = "D";
inline constexpr size_t kChunkKeySize = 9;
inline constexpr size_t kTailMetaKeySize = 10;
inline constexpr uint8_t kLegacyFormat = 1;
inline constexpr uint8_t kFormat = 2;
inline constexpr size_t kMetaHeaderSize = 13;  // crc, format, end
// An append whose records exceed this is split into several chunks (one
// write, so still atomic), so that reading a few records never loads a
// huge value. A larger single record gets a chunk of its own.
inline constexpr size_t kMaxChunkPayload = 4u << 20;

// How a stream is written. New streams: the default.
struct Layout {
  uint8_t format = kFormat;  // the meta's format byte
  bool masked = true;        // CRCs stored masked
  bool single_meta = false;  // the meta lives under kSingleMetaKey
};

// Appends the key of the chunk whose first record has offset `first`.
inline void AppendChunkKey(uint64_t first, std::string* out) {
  out->push_back(kChunkTag);
  for (int i = 7; i >= 0; --i) out->push_back(static_cast<char>(first >> (8 * i)));
}
inline std::string ChunkKey(uint64_t first) {
  std::string key;
  AppendChunkKey(first, &key);
  return key;
}
// True when `key` is a chunk key; then *first receives its first offset.
inline bool ParseChunkKey(std::string_view key, uint64_t* first) {
  if (key.size() != kChunkKeySize || key[0] != kChunkTag) return false;
  uint64_t v = 0;
  for (size_t i = 1; i < kChunkKeySize; ++i) v = (v << 8) | static_cast<unsigned char>(key[i]);
  *first = v;
  return true;
}
// The meta key written after the chunk whose first record has offset `first`.
inline std::string TailMetaKey(uint64_t first) {
  std::string key = ChunkKey(first);
  key.push_back(kTailMetaSuffix);
  return key;
}
// True when `key` is a tail meta key; then *first receives its chunk's offset.
inline bool ParseTailMetaKey(std::string_view key, uint64_t* first) {
  return key.size() == kTailMetaKeySize && key.back() == kTailMetaSuffix &&
         ParseChunkKey(key.substr(0, kChunkKeySize), first);
}
// Appends the meta key of a stream of `layout` whose last chunk starts at
// `tail`.
inline void AppendMetaKey(const Layout& layout, uint64_t tail, std::string* out) {
  if (layout.single_meta) {
    out->append(kSingleMetaKey);
  } else {
    AppendChunkKey(tail, out);
    out->push_back(kTailMetaSuffix);
  }
}
inline std::string MetaKey(const Layout& layout, uint64_t tail) {
  std::string key;
  AppendMetaKey(layout, tail, &key);
  return key;
}

// The CRC stored for data[0..n).
inline uint32_t StoredCrc(const char* data, size_t n, bool masked) {
  uint32_t crc = crc32c::Value(data, n);
  return masked ? crc32c::Mask(crc) : crc;
}

// Bytes the chunk of records[0..count) takes.
inline size_t ChunkSize(const std::string_view* records, size_t count) {
  size_t bytes = 5 + 4;
  for (size_t i = 0; i < count; ++i) bytes += 5 + records[i].size();
  return bytes;
}

// Appends to *out the chunk holding records[0..count). REQUIRES: every
// record is shorter than 4 GiB (KvLog::Append checks).
inline void EncodeChunk(const std::string_view* records, size_t count, bool masked,
                        std::string* out) {
  size_t start = out->size();
  out->reserve(start + ChunkSize(records, count));
  PutVarint(out, static_cast<uint32_t>(count));
  for (size_t i = 0; i < count; ++i) {
    PutVarint(out, static_cast<uint32_t>(records[i].size()));
    out->append(records[i].data(), records[i].size());
  }
  PutFixed32(out, StoredCrc(out->data() + start, out->size() - start, masked));
}

// sluice::GetVarint limited to 32 bits, on chars. False when malformed.
inline bool GetVarint32(const char** p, const char* limit, uint32_t* v) {
  const auto* q = reinterpret_cast<const uint8_t*>(*p);
  uint64_t x = 0;
  if (!GetVarint(&q, reinterpret_cast<const uint8_t*>(limit), &x) || x > UINT32_MAX) return false;
  *p = reinterpret_cast<const char*>(q);
  *v = static_cast<uint32_t>(x);
  return true;
}

// Walks the records of one encoded chunk without copying them. The chunk
// bytes must outlive the reader and the views it hands out.
class ChunkReader {
 public:
  // Verifies the checksum (stored masked or not) and the header. DATA_LOSS
  // saying what is wrong (not naming the stream: the caller adds that).
  Status Open(std::string_view chunk, bool masked) {
    if (chunk.size() < 5)
      return DataLoss("chunk of " + std::to_string(chunk.size()) +
                      " bytes is too short (minimum 5)");
    limit_ = chunk.data() + chunk.size() - 4;
    uint32_t stored = GetFixed32(reinterpret_cast<const uint8_t*>(limit_));
    uint32_t actual = StoredCrc(chunk.data(), chunk.size() - 4, masked);
    if (stored != actual)
      return DataLoss("chunk checksum mismatch (stored " + std::to_string(stored) + ", computed " +
                      std::to_string(actual) + ")");
    pos_ = chunk.data();
    read_ = 0;
    if (!GetVarint32(&pos_, limit_, &count_)) return DataLoss("chunk header is malformed");
    return Status();
  }
  // Records in the chunk. REQUIRES: Open() returned OK.
  uint32_t count() const { return count_; }
  // Sets *record to the next record and *has_record to true; *has_record is
  // false after the last one. DATA_LOSS when a length runs past the end of
  // the chunk or bytes are left over after the last record.
  Status Next(std::string_view* record, bool* has_record) {
    *has_record = false;
    if (read_ == count_) {
      if (pos_ != limit_) return DataLoss("chunk has trailing bytes after its last record");
      return Status();
    }
    uint32_t len = 0;
    if (!GetVarint32(&pos_, limit_, &len) || len > static_cast<size_t>(limit_ - pos_))
      return DataLoss("record " + std::to_string(read_) + " of the chunk runs past its end");
    *record = std::string_view(pos_, len);
    pos_ += len;
    ++read_;
    *has_record = true;
    return Status();
  }

 private:
  const char* pos_ = nullptr;
  const char* limit_ = nullptr;  // start of the trailing CRC
  uint32_t count_ = 0;
  uint32_t read_ = 0;
};

// A decoded meta value.
struct Meta {
  uint8_t format = kFormat;
  bool masked = true;  // its CRC was stored masked
  uint64_t end = 0;
  std::string checkpoint;
};

// Appends the meta value of a stream written with `format` and `masked`
// CRCs.
inline void AppendMeta(uint8_t format, bool masked, uint64_t end, std::string_view checkpoint,
                       std::string* out) {
  size_t start = out->size();
  out->append(4, '\0');  // the CRC, filled in below
  out->push_back(static_cast<char>(format));
  PutFixed64(out, end);
  out->append(checkpoint.data(), checkpoint.size());
  uint32_t crc = StoredCrc(out->data() + start + 4, out->size() - start - 4, masked);
  for (int i = 0; i < 4; ++i) (*out)[start + i] = static_cast<char>(crc >> (8 * i));
}
inline std::string EncodeMeta(uint8_t format, bool masked, uint64_t end,
                              std::string_view checkpoint) {
  std::string out;
  AppendMeta(format, masked, end, checkpoint, &out);
  return out;
}

// Decodes a meta value, telling from its checksum whether its CRCs are
// masked. DATA_LOSS when it is corrupt, when a format-2 meta's CRC is not
// masked, or when its format is unknown (a newer one).
inline Status DecodeMeta(std::string_view value, Meta* meta) {
  if (value.size() < kMetaHeaderSize)
    return DataLoss("meta value of " + std::to_string(value.size()) +
                    " bytes is too short (minimum 13)");
  uint32_t stored = GetFixed32(reinterpret_cast<const uint8_t*>(value.data()));
  uint32_t crc = crc32c::Value(value.data() + 4, value.size() - 4);
  uint8_t format = static_cast<uint8_t>(value[4]);
  bool masked = stored == crc32c::Mask(crc);
  if (!masked && !(stored == crc && format == kLegacyFormat))
    return DataLoss("meta checksum mismatch");
  if (format != kFormat && format != kLegacyFormat)
    return DataLoss("meta format " + std::to_string(format) + " is unknown (expected " +
                    std::to_string(kLegacyFormat) + " or " + std::to_string(kFormat) +
                    "); written by a newer version of sluice?");
  meta->format = format;
  meta->masked = masked;
  meta->end = GetFixed64(reinterpret_cast<const uint8_t*>(value.data() + 5));
  meta->checkpoint.assign(value.data() + kMetaHeaderSize, value.size() - kMetaHeaderSize);
  return Status();
}

}  // namespace sluice::kvlog

#endif  // SLUICE_KV_LOG_FORMAT_H_
