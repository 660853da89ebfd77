// PgReader: one endpoint version's reader of one table. It owns one
// logical replication slot (named after the endpoint version), copies the
// table under the slot's snapshot, then streams the slot's changes:
//
//   snapshot: rows in key order; the last row of each batch carries a
//             snapshot offset (its key). The end of the copy switches to
//             streaming from the slot's consistent point.
//   stream:   each transaction's changes to the table; every row but the
//             transaction's last has an empty offset (the host commits
//             whole transactions), the last carries the commit's end LSN.
//             Committed() confirms that LSN to PostgreSQL; when every row
//             delivered is durable, the LSN of transactions with nothing
//             for this table (and of keepalives) is confirmed too, so a
//             quiet table's slot does not hold WAL back.
//
// A lost connection (a server restart) is retried with backoff inside
// Next/Wait, resuming after the last row delivered. A changed schema
// (Relation message) ends the rows at the last whole transaction before
// it, then Next returns ABORTED; a TRUNCATE of the table does the same with
// FAILED_PRECONDITION. Not thread-safe (the host uses one thread).
#ifndef SLUICE_SOURCE_POSTGRES_PG_READER_H_
#define SLUICE_SOURCE_POSTGRES_PG_READER_H_

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "pg_catalog.h"
#include "pg_config.h"
#include "pg_offset.h"
#include "pg_rows.h"
#include "pg_snapshot.h"
#include "pg_stream.h"
#include "pgoutput.h"
#include "sluice/source.h"

namespace pgsrc {

using Clock = std::chrono::steady_clock;

class PgReader : public sluice::SourceReader {
 public:
  struct Setup {
    sluice::HostServices host;
    ConnConfig conn;
    TableConfig table_config;
    std::string table_name;  // as the endpoint names it
    sluice::Schema schema;   // the endpoint version's
    TableInfo table;         // the catalog's view (loaded by the reader)
    std::string slot;        // the slot of this endpoint version
  };
  // Opens at `offset` (empty: a new snapshot into a new slot; a slot left
  // by an earlier attempt of the same version is dropped first). Talks to
  // the server only from the first Next on, so that ingestion waits out an
  // unreachable server; INVALID_ARGUMENT for an offset of another source.
  static sluice::Status Open(Setup setup, std::string_view offset, std::unique_ptr<PgReader>* out);
  ~PgReader() override;

  sluice::Status Next(uint32_t max_rows, sluice::RowBatchBuilder* out,
                      sluice::BatchInfo* info) override;
  sluice::Status Committed(std::string_view offset) override;
  sluice::Status Wait(uint32_t timeout_ms) override;

 private:
  // A row whose offset is known (empty inside a transaction).
  struct Ready {
    sluice_op op;
    std::string row;
    std::string offset;
    uint64_t lsn = 0;  // the commit's end LSN when offset is set
  };

  explicit PgReader(Setup setup) : s_(std::move(setup)) {}
  std::string Where() const;
  // Checks the server, the table, the publication and the slot: the first
  // thing Next does (and does again while the server is unreachable).
  sluice::Status Prepare();

  // Snapshot phase (pg_reader_snapshot.cc).
  sluice::Status BeginSnapshot();
  sluice::Status NextSnapshot(uint32_t max_rows, sluice::RowBatchBuilder* out,
                              sluice::BatchInfo* info);
  // Stream phase.
  sluice::Status NextStream(uint32_t max_rows, sluice::RowBatchBuilder* out,
                            sluice::BatchInfo* info);
  void Drain(uint32_t max_rows, sluice::RowBatchBuilder* out);
  // Hands one row to the host.
  void Deliver(sluice::RowBatchBuilder* out, std::string_view row, sluice_op op,
               std::string_view offset);
  // A transient failure: log it, forget the session, retry after a backoff.
  void Disconnect(const sluice::Status& why);
  bool Transient(const sluice::Status& s) const;
  void SleepUntilRetry(int max_ms);
  uint64_t ConfirmTarget() const;
  sluice::Status Maintain();  // heartbeat and lag warning

  // Messages (pg_changes.cc).
  sluice::Status Handle(const PgOutputMessage& m);
  sluice::Status OnRelation(const PgOutputMessage& m);
  sluice::Status OnChange(const PgOutputMessage& m);
  sluice::Status OnCommit(const PgOutputMessage& m);
  // Fills unchanged TOASTed columns of *values; *gone when the row no longer exists.
  sluice::Status FillToasted(const Tuple& new_tuple, const Tuple* old_tuple,
                             std::vector<TextValue>* values, bool* gone);
  sluice::Status Produce(sluice_op op, const KeyText& key, std::string row);
  void DropOpenTransaction();
  sluice::Status CatalogConn(PgConn** out);
  std::string StreamOffset(uint64_t lsn);

  Setup s_;
  bool prepared_ = false;
  RowPlan plan_;    // how rows of the table are encoded now
  PgOffset state_;  // the position after the last row produced
  bool streaming_ = false;
  sluice::Status deferred_;  // ends the rows once ready_ is drained

  // Snapshot phase.
  std::unique_ptr<Snapshot> snapshot_;
  bool snapshot_fresh_ = false;  // no row delivered from an empty offset: the slot is ours to redo
  bool snap_held_ = false;       // a copied row read ahead of the batch it goes into
  std::string snap_held_row_;
  KeyText snap_key_;  // the key of the newest row copied

  // Acknowledgements: confirming a position to PostgreSQL is safe once the
  // host's log holds a stream offset (or nothing at all).
  bool confirm_ok_ = false;
  std::string last_marked_;      // offset of the last marked row handed to the host
  std::string acked_;            // the last offset the host committed
  uint64_t unmarked_after_ = 0;  // rows handed over after last_marked_

  // Stream phase.
  std::unique_ptr<ReplicationStream> stream_;
  bool have_relation_ = false;  // plan_ follows a Relation message of this session
  std::deque<Ready> ready_;
  size_t open_tx_begin_ = 0;  // ready_ index of the open transaction's first row
  bool in_tx_ = false;
  uint64_t tx_final_lsn_ = 0;
  uint64_t tx_delivered_ = 0;  // rows of the open transaction handed to the host
  uint64_t skip_rows_ = 0;     // rows of a replayed transaction delivered before a reconnect
  uint64_t skip_tx_ = 0;       // ... and that transaction's final LSN
  bool held_ = false;          // the open transaction's newest row waits for its successor
  Ready held_row_;
  uint64_t processed_lsn_ = 0;  // end of the last transaction handled
  uint64_t delivered_lsn_ = 0;  // LSN of the last offset row handed to the host
  uint64_t committed_lsn_ = 0;  // what the host made durable
  uint64_t idle_lsn_ = 0;       // the server's position from a keepalive, when idle
  uint64_t server_lsn_ = 0;     // the server's WAL end (for lag)

  // Retries and upkeep.
  Clock::time_point retry_at_{};
  int backoff_ms_ = 0;
  Clock::time_point last_ping_ = Clock::now();
  Clock::time_point next_lag_check_ = Clock::now();
  bool lag_warned_ = false;
  std::unique_ptr<PgConn> catalog_;  // TOAST look-ups, lag checks, type look-ups
  std::map<uint32_t, PgType> types_;
  PgResult toast_;  // the last TOAST look-up (values point into it)
  std::vector<TextValue> values_, old_values_;
};

}  // namespace pgsrc

#endif  // SLUICE_SOURCE_POSTGRES_PG_READER_H_
