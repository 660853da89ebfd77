// The row offsets of the postgres source: where a reader resumes.
//
//   snapshot phase: the slot, its consistent point, the key of the last row
//                   copied, and the segments copied after earlier
//                   interruptions (each from a key on, under a later
//                   snapshot whose LSN it records);
//   stream phase:   the slot and the end LSN of the last transaction
//                   delivered, with the segments while their snapshots are
//                   newer than that LSN (changes older than a segment's
//                   snapshot are already in its rows).
//
// Binary: 'P', format 1, phase, varint-prefixed strings, fixed64 LSNs.
#ifndef SLUICE_SOURCE_POSTGRES_PG_OFFSET_H_
#define SLUICE_SOURCE_POSTGRES_PG_OFFSET_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/status.h"

namespace pgsrc {

// A primary key in PostgreSQL's text form, one entry per key column.
using KeyText = std::vector<std::string>;

// Rows with a key greater than `after` were copied under a snapshot taken
// at `lsn` (until the next segment's `after`).
struct Segment {
  KeyText after;
  uint64_t lsn = 0;
  bool operator==(const Segment& o) const { return after == o.after && lsn == o.lsn; }
};

struct PgOffset {
  std::string slot;
  uint64_t start_lsn = 0;  // the slot's consistent point: the first snapshot's
  bool snapshot = false;   // in the snapshot phase
  KeyText last_key;        // snapshot: key of the last row delivered (empty: none yet)
  uint64_t lsn = 0;        // stream: resume after the transaction that ends here
  std::vector<Segment> segments;

  bool operator==(const PgOffset& o) const {
    return slot == o.slot && start_lsn == o.start_lsn && snapshot == o.snapshot &&
           last_key == o.last_key && lsn == o.lsn && segments == o.segments;
  }
};

std::string EncodeOffset(const PgOffset& o);
// INVALID_ARGUMENT saying so when `bytes` is not an offset of this plugin.
sluice::Status DecodeOffset(std::string_view bytes, PgOffset* out);
// For messages: "snapshot after key (42) of slot s" / "LSN 0/16B3748 of slot s".
std::string DescribeOffset(const PgOffset& o);

}  // namespace pgsrc

#endif  // SLUICE_SOURCE_POSTGRES_PG_OFFSET_H_
