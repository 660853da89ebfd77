// The wire format of one log stream in its JetStream stream. The prose
// version is docs/log-nats.md; keep both in step.
//
// Every Append becomes one or more chunks; every chunk is one message, or
// several consecutive messages ("fragments") when it is larger than a
// message may be. The last message of an append commits it.
//
//   chunk  := format:u8 (=2) flags:u8 first:fixed64le count:varint32
//             record{count} checkpoint:bytes crc:fixed32le
//   record := length:varint32 bytes[length]
//   flags  := bit 0: commit (the append's last chunk; the checkpoint follows
//             the records, possibly empty). Other chunks carry no checkpoint.
//   crc    := CRC-32C of every byte of the chunk before it, masked
//             (sluice/crc32c.h); format 1, written before, stored it plain
//             and is still read
//
// Headers of every message (decimal numbers), readable without the payload:
//   Sluice-Start  sequence of the first message of its append
//   Sluice-First  offset of the chunk's first record
//   Sluice-Count  records in the chunk
//   Sluice-Frag   "i/n": fragment i of n (absent: 1/1)
//   Sluice-Commit "1" on the last message of the append
#ifndef SLUICE_PLUGINS_LOG_NATS_MESSAGE_FORMAT_H_
#define SLUICE_PLUGINS_LOG_NATS_MESSAGE_FORMAT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/status.h"

namespace sluice::log_nats {

inline constexpr uint8_t kChunkFormat = 2;        // CRC masked
inline constexpr uint8_t kLegacyChunkFormat = 1;  // CRC plain; read, never written
inline constexpr uint8_t kCommitFlag = 1;
inline constexpr const char* kStartHeader = "Sluice-Start";
inline constexpr const char* kFirstHeader = "Sluice-First";
inline constexpr const char* kCountHeader = "Sluice-Count";
inline constexpr const char* kFragHeader = "Sluice-Frag";
inline constexpr const char* kCommitHeader = "Sluice-Commit";

// What the headers of one message say.
struct MessageHeaders {
  uint64_t start = 0;  // sequence of the append's first message
  uint64_t first = 0;  // offset of the chunk's first record
  uint32_t count = 0;  // records in the chunk
  uint32_t frag = 1;   // fragment number, 1-based
  uint32_t frags = 1;  // fragments of the chunk
  bool commit = false;
};

// Parses header values (nullptr = header absent). DATA_LOSS saying which
// header is missing or malformed.
Status ParseHeaders(const char* start, const char* first, const char* count, const char* frag,
                    const char* commit, MessageHeaders* out);

// Appends to *out the encoding of the chunk holding records[0..count) that
// starts at offset `first`; `commit` adds the checkpoint. REQUIRES: every
// record is shorter than 4 GiB.
void EncodeChunk(uint64_t first, const std::string_view* records, size_t count, bool commit,
                 std::string_view checkpoint, std::string* out);
// Bytes one record of `record_size` bytes takes in a chunk, and the most a
// chunk takes besides its records and checkpoint.
size_t RecordEncodedSize(size_t record_size);
inline constexpr size_t kChunkOverhead = 1 + 1 + 8 + 5 + 4;

// A decoded chunk; views point into the bytes given to DecodeChunk.
struct DecodedChunk {
  uint64_t first = 0;
  bool commit = false;
  std::vector<std::string_view> records;
  std::string_view checkpoint;
};

// Verifies and decodes one chunk. DATA_LOSS (saying what is wrong, not
// naming the stream: the caller adds that) when corrupt.
Status DecodeChunk(std::string_view bytes, DecodedChunk* out);

// How an append is cut into chunks: records [begin, end) of the batch each.
struct ChunkPlan {
  size_t begin;
  size_t end;
};
// Packs records greedily into chunks whose encoding stays within `limit`
// bytes (a record too large for one message gets a chunk of its own, sent
// in fragments; so is a commit chunk that the checkpoint makes too large).
// Always at least one chunk; the last one is the commit chunk.
std::vector<ChunkPlan> PlanChunks(const std::string_view* records, size_t count, size_t limit);

}  // namespace sluice::log_nats

#endif  // SLUICE_PLUGINS_LOG_NATS_MESSAGE_FORMAT_H_
