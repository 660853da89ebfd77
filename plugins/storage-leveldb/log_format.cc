#include "log_format.h"

#include "sluice/crc32c.h"
#include "sluice/row.h"

namespace sluice::storage_leveldb {
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

}  // namespace

std::string ChunkKey(uint64_t first) {
  std::string key(kChunkKeySize, kChunkTag);
  for (int i = 0; i < 8; ++i) key[8 - i] = static_cast<char>(first >> (8 * i));
  return key;
}

std::string TailMetaKey(uint64_t first) {
  std::string key = ChunkKey(first);
  key.push_back(kTailMetaSuffix);
  return key;
}

bool ParseTailMetaKey(std::string_view key, uint64_t* first) {
  return key.size() == kTailMetaKeySize && key.back() == kTailMetaSuffix &&
         ParseChunkKey(key.substr(0, kChunkKeySize), first);
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
  PutFixed32(out, crc32c::Value(out->data() + start, out->size() - start));
}

Status ChunkReader::Open(std::string_view chunk) {
  if (chunk.size() < 5)
    return DataLoss("chunk of " + std::to_string(chunk.size()) + " bytes is too short (minimum 5)");
  limit_ = chunk.data() + chunk.size() - 4;
  uint32_t stored = GetFixed32(Bytes(limit_));
  uint32_t actual = crc32c::Value(chunk.data(), chunk.size() - 4);
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
  std::string body;
  body.reserve(9 + checkpoint.size());
  body.push_back(static_cast<char>(kMetaFormat));
  PutFixed64(&body, end);
  body.append(checkpoint.data(), checkpoint.size());
  std::string out;
  out.reserve(4 + body.size());
  PutFixed32(&out, crc32c::Value(body.data(), body.size()));
  out += body;
  return out;
}

Status DecodeMeta(std::string_view value, LogMeta* meta) {
  if (value.size() < 13)
    return DataLoss("meta value of " + std::to_string(value.size()) +
                    " bytes is too short (minimum 13)");
  uint32_t stored = GetFixed32(Bytes(value.data()));
  if (stored != crc32c::Value(value.data() + 4, value.size() - 4))
    return DataLoss("meta checksum mismatch");
  if (static_cast<uint8_t>(value[4]) != kMetaFormat)
    return DataLoss("meta format " + std::to_string(static_cast<uint8_t>(value[4])) +
                    " is unknown (expected " + std::to_string(kMetaFormat) +
                    "); written by a newer version of the plugin?");
  meta->end = GetFixed64(Bytes(value.data() + 5));
  meta->checkpoint.assign(value.data() + 13, value.size() - 13);
  return Status();
}

}  // namespace sluice::storage_leveldb
