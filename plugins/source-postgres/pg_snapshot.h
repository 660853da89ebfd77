// The snapshot phase: a replication session creates a logical replication
// slot and, in the same transaction, copies the table (binary COPY, see
// pg_types.h Wire) under the snapshot that slot creation exported, so that the copy holds exactly
// the transactions that committed before the slot's consistent point and the stream from that point
// holds every later one: no gap, no overlap.
//
// Resuming an interrupted copy creates a *temporary* slot instead (dropped
// when the session ends), copies the rows after the last key delivered
// under its snapshot, and reports its consistent point: changes older than
// it to those rows are already in them (pg_offset.h, segments).
#ifndef SLUICE_SOURCE_POSTGRES_PG_SNAPSHOT_H_
#define SLUICE_SOURCE_POSTGRES_PG_SNAPSHOT_H_

#include <memory>
#include <string>
#include <vector>

#include "pg_catalog.h"
#include "pg_conn.h"
#include "pg_copy.h"
#include "pg_offset.h"
#include "pg_rows.h"
#include "sluice/status.h"

namespace pgsrc {

class Snapshot {
 public:
  struct Spec {
    const Conninfo* conninfo = nullptr;
    const TableInfo* table = nullptr;
    const RowPlan* plan = nullptr;
    std::string slot;        // the slot to create
    bool temporary = false;  // a resume: temporary slot, rows after `after`
    KeyText after;           // empty: the whole table
    bool ordered = false;    // copy in key order (so that it can resume)
  };
  // Creates the slot and starts the copy. *lsn gets the slot's consistent
  // point. ALREADY_EXISTS when a slot of that name exists.
  static sluice::Status Begin(const Spec& spec, uint64_t* lsn, std::unique_ptr<Snapshot>* out);

  // Reads the next row, waiting up to timeout_ms: its fields (one per
  // column, for RowPlan::EncodeCopy) and its key are then fields() and
  // key(), valid until the next call. *got false when none arrived in time;
  // *done at the end of the copy (the transaction is then committed and the
  // session closed).
  sluice::Status Next(int timeout_ms, bool* got, bool* done);
  const std::vector<CopyField>& fields() const { return fields_; }
  const KeyText& key() const { return key_; }

  // Progress: bytes and rows copied so far, and rows the table had by the
  // planner's last estimate (0 = unknown).
  uint64_t bytes() const { return bytes_; }
  uint64_t rows() const { return rows_; }
  uint64_t estimated_rows() const { return estimated_rows_; }

 private:
  Snapshot(std::unique_ptr<PgConn> conn, size_t columns, size_t keys)
      : conn_(std::move(conn)), columns_(columns), keys_(keys) {}
  std::unique_ptr<PgConn> conn_;
  size_t columns_, keys_;
  std::vector<CopyField> fields_;
  KeyText key_;
  uint64_t bytes_ = 0, rows_ = 0, estimated_rows_ = 0;
};

}  // namespace pgsrc

#endif  // SLUICE_SOURCE_POSTGRES_PG_SNAPSHOT_H_
