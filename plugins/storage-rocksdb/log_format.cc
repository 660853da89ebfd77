#include "log_format.h"

#include "sluice/crc32c.h"
#include "sluice/row.h"

namespace sluice::storage_rocksdb {
namespace {

const uint8_t* Bytes(const char* p) { return reinterpret_cast<const uint8_t*>(p); }

// sluice::GetVarint limited to 32 bits, on chars. False when malformed.
bool GetVarint32(const char** p, const char* limit, uint32_t* v) {
  const uint8_t* q = Bytes(*p);
  uint64_t x = 0;
  if (!GetVarint(&q, Bytes(limit), &x) || x > UINT32_MAX) return false;
  *p = reinterpret_cast<const char*>(q);
  *v = static_cast<uint32_t>(x);
  return true;
}

uint32_t MaskedCrc(const char* data, size_t n) { return crc32c::Mask(crc32c::Value(data, n)); }

}  // namespace

std::string ChunkKey(uint64_t first) {
  std::string key(kChunkKeySize, kChunkTag);
  for (int i = 0; i < 8; ++i) key[8 - i] = static_cast<char>(first >> (8 * i));
  return key;
}

bool ParseChunkKey(std::string_view key, uint64_t* first) {
  if (key.size() != kChunkKeySize || key[0] != kChunkTag) return false;
  uint64_t v = 0;
  for (size_t i = 1; i < kChunkKeySize; ++i) v = (v << 8) | static_cast<unsigned char>(key[i]);
  *first = v;
  return true;
}

void EncodeChunk(const std::string_view* records, size_t count, std::string* out) {
  size_t start = out->size();
  size_t bytes = 9;
  for (size_t i = 0; i < count; ++i) bytes += records[i].size() + 5;
  out->reserve(start + bytes);
  PutVarint(out, static_cast<uint32_t>(count));
  for (size_t i = 0; i < count; ++i) {
    PutVarint(out, static_cast<uint32_t>(records[i].size()));
    out->append(records[i].data(), records[i].size());
  }
  PutFixed32(out, MaskedCrc(out->data() + start, out->size() - start));
}

Status ChunkReader::Open(std::string_view chunk) {
  if (chunk.size() < 5)
    return DataLoss("chunk of " + std::to_string(chunk.size()) + " bytes is too short (minimum 5)");
  limit_ = chunk.data() + chunk.size() - 4;
  uint32_t stored = GetFixed32(Bytes(limit_));
  uint32_t actual = MaskedCrc(chunk.data(), chunk.size() - 4);
  if (stored != actual)
    return DataLoss("chunk checksum mismatch (stored " + std::to_string(stored) + ", computed " +
                    std::to_string(actual) + ")");
  pos_ = chunk.data();
  read_ = 0;
  if (!GetVarint32(&pos_, limit_, &count_)) return DataLoss("chunk header is malformed");
  return Status();
}

Status ChunkReader::Next(std::string_view* record, bool* has_record) {
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

std::string EncodeMeta(uint64_t end, std::string_view checkpoint) {
  std::string out(4, '\0');  // the CRC, filled in below
  out.reserve(13 + checkpoint.size());
  out.push_back(static_cast<char>(kMetaFormat));
  PutFixed64(&out, end);
  out.append(checkpoint.data(), checkpoint.size());
  uint32_t crc = MaskedCrc(out.data() + 4, out.size() - 4);
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>(crc >> (8 * i));
  return out;
}

Status DecodeMeta(std::string_view value, LogMeta* meta) {
  if (value.size() < 13)
    return DataLoss("meta value of " + std::to_string(value.size()) +
                    " bytes is too short (minimum 13)");
  uint32_t stored = GetFixed32(Bytes(value.data()));
  if (stored != MaskedCrc(value.data() + 4, value.size() - 4))
    return DataLoss("meta checksum mismatch");
  if (static_cast<uint8_t>(value[4]) != kMetaFormat)
    return DataLoss("meta format " + std::to_string(static_cast<uint8_t>(value[4])) +
                    " is unknown (expected " + std::to_string(kMetaFormat) +
                    "); written by a newer version of the plugin?");
  meta->end = GetFixed64(Bytes(value.data() + 5));
  meta->checkpoint.assign(value.data() + 13, value.size() - 13);
  return Status();
}

}  // namespace sluice::storage_rocksdb
