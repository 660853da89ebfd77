// The records the host writes into a version's log (docs/formats.md, "Log
// records"). Every record is checksummed:
//
//   record   := masked_crc32c(kind + payload) : fixed32 LE | kind : 1 byte | payload
//   kind 1 insert, 2 update, 3 delete: payload = encoded row (sluice/row.h)
//   kind 4 commit:  payload = varint flags | varint rows | varint unix_micros
//                             | varint len | source offset bytes
//
// Every append to the log backend is one batch of row records followed by
// exactly one commit record; the backend stores it atomically together with
// the checkpoint:
//
//   checkpoint := varint format(=1) | varint log_end | varint flags
//                 | varint len | source offset bytes
//
// where log_end is the offset just after the commit record.
#ifndef SLUICE_HOST_STORAGE_LOG_FORMAT_H_
#define SLUICE_HOST_STORAGE_LOG_FORMAT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "sluice/abi.h"
#include "sluice/status.h"

namespace sluice::host {

enum class RecordKind : uint8_t { kInsert = 1, kUpdate = 2, kDelete = 3, kCommit = 4 };

// Commit flags.
inline constexpr uint64_t kCommitSourceAtEnd = 1;  // the source had no more rows at commit time

struct CommitInfo {
  uint64_t flags = 0;
  uint64_t rows = 0;         // row records in this commit
  uint64_t unix_micros = 0;  // when it was committed
  std::string source_offset;
};

struct Checkpoint {
  uint64_t log_end = 0;
  uint64_t flags = 0;
  std::string source_offset;
};

struct LogRecord {
  RecordKind kind;
  std::string_view payload;  // row bytes, or the commit payload
};

// Appends a row record (kind insert/update/delete) to *out.
void EncodeRowRecord(sluice_op op, std::string_view row, std::string* out);
void EncodeCommitRecord(const CommitInfo& c, std::string* out);
// Verifies the checksum and splits a record. DataLoss on mismatch.
Status DecodeRecord(std::string_view data, LogRecord* out);
Status DecodeCommit(std::string_view payload, CommitInfo* out);

std::string EncodeCheckpoint(const Checkpoint& c);
// An empty string decodes as the empty checkpoint (log_end 0).
Status DecodeCheckpoint(std::string_view data, Checkpoint* out);

}  // namespace sluice::host

#endif  // SLUICE_HOST_STORAGE_LOG_FORMAT_H_
