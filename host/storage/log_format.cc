#include "storage/log_format.h"

#include "sluice/crc32c.h"
#include "sluice/row.h"

namespace sluice::host {
namespace {

void Seal(std::string* out, size_t start) {
  // `start` is where the 4 checksum bytes were reserved.
  const char* body = out->data() + start + 4;
  uint32_t crc = crc32c::Mask(crc32c::Value(body, out->size() - start - 4));
  for (int i = 0; i < 4; ++i) (*out)[start + i] = static_cast<char>(crc >> (8 * i));
}

bool ReadVarint(const uint8_t** p, const uint8_t* end, uint64_t* v) { return GetVarint(p, end, v); }

}  // namespace

void EncodeRowRecord(sluice_op op, std::string_view row, std::string* out) {
  size_t start = out->size();
  out->append(4, '\0');
  out->push_back(static_cast<char>(op));
  out->append(row.data(), row.size());
  Seal(out, start);
}

void EncodeCommitRecord(const CommitInfo& c, std::string* out) {
  size_t start = out->size();
  out->append(4, '\0');
  out->push_back(static_cast<char>(RecordKind::kCommit));
  PutVarint(out, c.flags);
  PutVarint(out, c.rows);
  PutVarint(out, c.unix_micros);
  PutVarint(out, c.source_offset.size());
  out->append(c.source_offset);
  Seal(out, start);
}

Status DecodeRecord(std::string_view data, LogRecord* out) {
  if (data.size() < 5) return DataLoss("log record shorter than its header");
  const uint8_t* p = reinterpret_cast<const uint8_t*>(data.data());
  uint32_t stored = GetFixed32(p);
  if (crc32c::Unmask(stored) != crc32c::Value(p + 4, data.size() - 4))
    return DataLoss("log record checksum mismatch");
  uint8_t kind = p[4];
  if (kind < 1 || kind > 4) return DataLoss("log record of unknown kind " + std::to_string(kind));
  out->kind = static_cast<RecordKind>(kind);
  out->payload = data.substr(5);
  return Status();
}

Status DecodeCommit(std::string_view payload, CommitInfo* out) {
  const uint8_t* p = reinterpret_cast<const uint8_t*>(payload.data());
  const uint8_t* end = p + payload.size();
  uint64_t len = 0;
  if (!ReadVarint(&p, end, &out->flags) || !ReadVarint(&p, end, &out->rows) ||
      !ReadVarint(&p, end, &out->unix_micros) || !ReadVarint(&p, end, &len) ||
      static_cast<uint64_t>(end - p) != len)
    return DataLoss("malformed commit record");
  out->source_offset.assign(reinterpret_cast<const char*>(p), len);
  return Status();
}

std::string EncodeCheckpoint(const Checkpoint& c) {
  std::string out;
  PutVarint(&out, 1);
  PutVarint(&out, c.log_end);
  PutVarint(&out, c.flags);
  PutVarint(&out, c.source_offset.size());
  out += c.source_offset;
  return out;
}

Status DecodeCheckpoint(std::string_view data, Checkpoint* out) {
  *out = Checkpoint();
  if (data.empty()) return Status();
  const uint8_t* p = reinterpret_cast<const uint8_t*>(data.data());
  const uint8_t* end = p + data.size();
  uint64_t format = 0, len = 0;
  if (!ReadVarint(&p, end, &format) || format != 1 || !ReadVarint(&p, end, &out->log_end) ||
      !ReadVarint(&p, end, &out->flags) || !ReadVarint(&p, end, &len) ||
      static_cast<uint64_t>(end - p) != len)
    return DataLoss("malformed log checkpoint");
  out->source_offset.assign(reinterpret_cast<const char*>(p), len);
  return Status();
}

}  // namespace sluice::host
