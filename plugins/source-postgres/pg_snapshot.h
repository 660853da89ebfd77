// The snapshot phase: a replication session creates a logical replication
// slot and, in the same transaction, copies the table under the snapshot
// that slot creation exported, so that the copy holds exactly the
// transactions that committed before the slot's consistent point and the
// stream from that point holds every later one: no gap, no overlap.
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

  // The next row's values (valid until the next call), waiting up to
  // timeout_ms. *got false when none arrived in time; *done at the end of
  // the copy (the transaction is then committed and the session closed).
  sluice::Status Next(int timeout_ms, std::vector<TextValue>* values, bool* got, bool* done);

  // Progress: bytes and rows copied so far, and rows the table had by the
  // planner's last estimate (0 = unknown).
  uint64_t bytes() const { return bytes_; }
  uint64_t rows() const { return rows_; }
  uint64_t estimated_rows() const { return estimated_rows_; }

 private:
  explicit Snapshot(std::unique_ptr<PgConn> conn, size_t columns)
      : conn_(std::move(conn)), columns_(columns) {}
  std::unique_ptr<PgConn> conn_;
  size_t columns_;
  std::vector<CopyField> fields_;
  std::string scratch_;
  uint64_t bytes_ = 0, rows_ = 0, estimated_rows_ = 0;
};

}  // namespace pgsrc

#endif  // SLUICE_SOURCE_POSTGRES_PG_SNAPSHOT_H_
