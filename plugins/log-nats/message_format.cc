#include "message_format.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "sluice/crc32c.h"
#include "sluice/row.h"

namespace sluice::log_nats {
namespace {

const uint8_t* Bytes(const char* p) { return reinterpret_cast<const uint8_t*>(p); }

size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) v >>= 7, ++n;
  return n;
}

// sluice::GetVarint limited to 32 bits, on chars. False when malformed.
bool GetVarint32(const char** p, const char* limit, uint32_t* v) {
  const uint8_t* q = Bytes(*p);
  uint64_t x = 0;
  if (!GetVarint(&q, Bytes(limit), &x) || x > UINT32_MAX) return false;
  *p = reinterpret_cast<const char*>(q);
  *v = static_cast<uint32_t>(x);
  return true;
}

// A non-negative decimal without sign or spaces.
bool ParseDecimal(const char* s, uint64_t* out) {
  if (s == nullptr || *s < '0' || *s > '9') return false;
  errno = 0;
  char* end = nullptr;
  unsigned long long v = std::strtoull(s, &end, 10);
  if (errno != 0 || *end != '\0') return false;
  *out = v;
  return true;
}

Status BadHeader(const char* name, const char* value, const char* expected) {
  return DataLoss(std::string("header ") + name + " is " +
                  (value ? "'" + std::string(value) + "'" : std::string("missing")) +
                  "; expected " + expected);
}

Status ParseFrag(const char* frag, MessageHeaders* h) {
  if (frag == nullptr) return Status();
  const char* slash = std::strchr(frag, '/');
  uint64_t i = 0, n = 0;
  bool ok = slash != nullptr && ParseDecimal(std::string(frag, slash - frag).c_str(), &i) &&
            ParseDecimal(slash + 1, &n) && i >= 1 && i <= n && n <= UINT32_MAX;
  if (!ok) return BadHeader(kFragHeader, frag, "i/n with 1 <= i <= n");
  h->frag = static_cast<uint32_t>(i);
  h->frags = static_cast<uint32_t>(n);
  return Status();
}

}  // namespace

Status ParseHeaders(const char* start, const char* first, const char* count, const char* frag,
                    const char* commit, MessageHeaders* out) {
  MessageHeaders h;
  uint64_t n = 0;
  if (!ParseDecimal(start, &h.start) || h.start == 0)
    return BadHeader(kStartHeader, start, "a message sequence (>= 1)");
  if (!ParseDecimal(first, &h.first)) return BadHeader(kFirstHeader, first, "an offset");
  if (!ParseDecimal(count, &n) || n > UINT32_MAX)
    return BadHeader(kCountHeader, count, "a record count");
  h.count = static_cast<uint32_t>(n);
  SLUICE_RETURN_IF_ERROR(ParseFrag(frag, &h));
  if (commit != nullptr && std::strcmp(commit, "1") != 0)
    return BadHeader(kCommitHeader, commit, "'1' or no header");
  h.commit = commit != nullptr;
  *out = h;
  return Status();
}

size_t RecordEncodedSize(size_t record_size) { return VarintSize(record_size) + record_size; }

void EncodeChunk(uint64_t first, const std::string_view* records, size_t count, bool commit,
                 std::string_view checkpoint, std::string* out) {
  size_t start = out->size();
  size_t bytes = kChunkOverhead + (commit ? checkpoint.size() : 0);
  for (size_t i = 0; i < count; ++i) bytes += RecordEncodedSize(records[i].size());
  out->reserve(start + bytes);
  out->push_back(static_cast<char>(kChunkFormat));
  out->push_back(static_cast<char>(commit ? kCommitFlag : 0));
  PutFixed64(out, first);
  PutVarint(out, static_cast<uint32_t>(count));
  for (size_t i = 0; i < count; ++i) {
    PutVarint(out, static_cast<uint32_t>(records[i].size()));
    out->append(records[i].data(), records[i].size());
  }
  if (commit) out->append(checkpoint.data(), checkpoint.size());
  PutFixed32(out, crc32c::Mask(crc32c::Value(out->data() + start, out->size() - start)));
}

Status DecodeChunk(std::string_view bytes, DecodedChunk* out) {
  if (bytes.size() < 15)
    return DataLoss("chunk of " + std::to_string(bytes.size()) +
                    " bytes is too short (minimum 15)");
  const char* limit = bytes.data() + bytes.size() - 4;
  uint32_t stored = GetFixed32(Bytes(limit));
  uint32_t crc = crc32c::Value(bytes.data(), bytes.size() - 4);
  uint8_t format = static_cast<uint8_t>(bytes[0]), flags = static_cast<uint8_t>(bytes[1]);
  // Format 2 stores its CRC masked, format 1 (before it) plain.
  uint32_t actual = format == kLegacyChunkFormat ? crc : crc32c::Mask(crc);
  if (stored != actual)
    return DataLoss("chunk checksum mismatch (stored " + std::to_string(stored) + ", computed " +
                    std::to_string(actual) + ")");
  if (format != kChunkFormat && format != kLegacyChunkFormat)
    return DataLoss("chunk format " + std::to_string(format) + " is unknown (expected " +
                    std::to_string(kLegacyChunkFormat) + " or " + std::to_string(kChunkFormat) +
                    "); written by a newer version of the plugin?");
  if ((flags & ~kCommitFlag) != 0)
    return DataLoss("chunk flags " + std::to_string(flags) + " are unknown");
  out->first = GetFixed64(Bytes(bytes.data() + 2));
  out->commit = (flags & kCommitFlag) != 0;
  out->records.clear();
  const char* p = bytes.data() + 10;
  uint32_t count = 0;
  if (!GetVarint32(&p, limit, &count)) return DataLoss("chunk header is malformed");
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t len = 0;
    if (!GetVarint32(&p, limit, &len) || len > static_cast<size_t>(limit - p))
      return DataLoss("record " + std::to_string(i) + " of the chunk runs past its end");
    out->records.emplace_back(p, len);
    p += len;
  }
  if (!out->commit && p != limit) return DataLoss("chunk has trailing bytes after its last record");
  out->checkpoint = std::string_view(p, limit - p);
  return Status();
}

std::vector<ChunkPlan> PlanChunks(const std::string_view* records, size_t count, size_t limit) {
  std::vector<ChunkPlan> plan;
  size_t i = 0;
  do {
    size_t j = i, bytes = kChunkOverhead;
    while (j < count && (j == i || bytes + RecordEncodedSize(records[j].size()) <= limit))
      bytes += RecordEncodedSize(records[j++].size());
    plan.push_back({i, j});
    i = j;
  } while (i < count);
  return plan;
}

}  // namespace sluice::log_nats
