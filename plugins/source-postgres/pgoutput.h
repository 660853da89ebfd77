// Decoding what a logical replication session sends: the CopyBoth
// messages of the streaming replication protocol (XLogData 'w', primary
// keepalive 'k') and, inside XLogData, the messages of the pgoutput plugin
// at protocol version 1 (Begin, Commit, Relation, Type, Insert, Update,
// Delete, Truncate, Origin, Message), as PostgreSQL's documentation
// "Logical Replication Message Formats" specifies them. Pure functions over
// bytes: no connection, no allocation beyond the output structs; string
// views point into the input.
#ifndef SLUICE_SOURCE_POSTGRES_PGOUTPUT_H_
#define SLUICE_SOURCE_POSTGRES_PGOUTPUT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/status.h"

namespace pgsrc {

// A message of the replication stream (the CopyData payload).
struct StreamMessage {
  enum Kind : char { kXLogData = 'w', kKeepalive = 'k' } kind = kXLogData;
  uint64_t wal_start = 0;        // XLogData: where its data starts
  uint64_t wal_end = 0;          // the server's WAL end (keepalive: what it has sent up to)
  int64_t send_time = 0;         // microseconds since 2000-01-01
  bool reply_requested = false;  // keepalive: answer at once or be cut off
  std::string_view data;         // XLogData: one pgoutput message
};
sluice::Status DecodeStreamMessage(std::string_view in, StreamMessage* out);

// The standby status update a client sends ('r'): positions written,
// flushed and applied, the client's clock, and whether to answer.
std::string EncodeStatusUpdate(uint64_t written, uint64_t flushed, uint64_t applied,
                               int64_t now_pg_micros, bool reply_requested);
// Microseconds since 2000-01-01 (PostgreSQL's epoch) of the wall clock.
int64_t PgNowMicros();

// One column of a tuple: 'n' null, 'u' unchanged TOASTed value (not sent),
// 't' text (in `text`).
struct TupleColumn {
  char kind = 'n';
  std::string_view text;
};
using Tuple = std::vector<TupleColumn>;

struct RelationColumn {
  bool key = false;  // part of the replica identity
  std::string name;
  uint32_t type_oid = 0;
  int32_t typmod = -1;
};

struct PgOutputMessage {
  enum Kind : char {
    kBegin = 'B',
    kCommit = 'C',
    kOrigin = 'O',
    kRelation = 'R',
    kType = 'Y',
    kInsert = 'I',
    kUpdate = 'U',
    kDelete = 'D',
    kTruncate = 'T',
    kMessage = 'M',
  } kind = kBegin;
  // Begin: final_lsn is the commit record's LSN; Commit: commit_lsn the
  // same, end_lsn the position after it (where a restart resumes).
  uint64_t final_lsn = 0;
  uint64_t commit_lsn = 0;
  uint64_t end_lsn = 0;
  int64_t commit_time = 0;
  uint32_t xid = 0;
  // Relation (also Insert/Update/Delete: the relation they change).
  uint32_t relid = 0;
  std::string nspname, relname;
  char replica_identity = 'd';  // d default, n nothing, f full, i index
  std::vector<RelationColumn> columns;
  // Insert / Update / Delete: old_kind 'K' (key columns), 'O' (whole old
  // row) or 0 (none sent); new_tuple for Insert and Update.
  char old_kind = 0;
  Tuple old_tuple, new_tuple;
  // Truncate.
  std::vector<uint32_t> truncated;
  uint8_t truncate_flags = 0;  // 1 cascade, 2 restart identity
  // Type: the OID and name of a non-builtin type used by a later Relation.
  uint32_t type_oid = 0;
  std::string type_name;
};

// Decodes one pgoutput message. INVALID_ARGUMENT (DATA_LOSS for a
// truncated one) naming the message kind when the bytes do not follow the
// format; messages of other protocol versions (stream, prepare) are
// UNIMPLEMENTED.
sluice::Status DecodePgOutput(std::string_view in, PgOutputMessage* out);

// "16/B374D848": an LSN as PostgreSQL writes it, and back.
std::string FormatLsn(uint64_t lsn);
bool ParseLsn(std::string_view text, uint64_t* lsn);

}  // namespace pgsrc

#endif  // SLUICE_SOURCE_POSTGRES_PGOUTPUT_H_
