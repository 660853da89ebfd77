#include "pg_reader.h"

#include <algorithm>
#include <thread>

namespace pgsrc {

using sluice::FailedPrecondition;
using sluice::Status;

namespace {

constexpr int kMaxBackoffMs = 5000;

// Checks that the table's columns still give the version's schema.
Status SameColumns(const sluice::Schema& want, const sluice::Schema& have,
                   const std::string& where) {
  if (want.fields.size() != have.fields.size())
    return FailedPrecondition(where + " has " + std::to_string(have.fields.size()) +
                              " columns and this version's schema " +
                              std::to_string(want.fields.size()) +
                              ": the table changed; run `sluice migrate`");
  for (size_t i = 0; i < want.fields.size(); ++i)
    if (want.fields[i].name != have.fields[i].name || want.fields[i].type != have.fields[i].type)
      return FailedPrecondition(where + ": column " + std::to_string(i + 1) + " is " +
                                have.fields[i].name + " " + sluice::TypeName(have.fields[i].type) +
                                ", this version's schema says " + want.fields[i].name + " " +
                                sluice::TypeName(want.fields[i].type) +
                                ": the table changed; run `sluice migrate`");
  return Status();
}

}  // namespace

std::string PgReader::Where() const {
  return "table " + (s_.table.relname.empty() ? s_.table_name : s_.table.Display()) + " (slot " +
         state_.slot + ")";
}

Status PgReader::Open(Setup setup, std::string_view offset, std::unique_ptr<PgReader>* out) {
  std::unique_ptr<PgReader> r(new PgReader(std::move(setup)));
  if (offset.empty()) {
    r->state_.slot = r->s_.slot;
    r->state_.snapshot = true;
    r->snapshot_fresh_ = true;
    r->confirm_ok_ = true;  // the log holds nothing that depends on the slot
  } else {
    SLUICE_RETURN_IF_ERROR(DecodeOffset(offset, &r->state_));
    if (!r->state_.snapshot) {
      r->streaming_ = true;
      r->confirm_ok_ = true;
      r->processed_lsn_ = r->delivered_lsn_ = r->committed_lsn_ = r->state_.lsn;
    }
  }
  *out = std::move(r);
  return Status();
}

Status PgReader::Prepare() {
  PgConn* cat = nullptr;
  SLUICE_RETURN_IF_ERROR(CatalogConn(&cat));
  SLUICE_RETURN_IF_ERROR(CheckServer(*cat));
  SLUICE_RETURN_IF_ERROR(LoadTable(*cat, s_.table_name, &s_.table));
  const TableInfo& t = s_.table;
  sluice::Schema catalog;
  std::vector<ColumnType> types;
  SLUICE_RETURN_IF_ERROR(TableSchema(t, s_.table_config.types, &catalog, &types));
  std::vector<PgType> pg;
  std::vector<bool> ordered;
  for (const PgColumn& c : t.columns) pg.push_back(c.type), ordered.push_back(c.byte_ordered);
  plan_ = RowPlan(s_.schema, types, pg, ordered);
  if (t.replica_identity != 'f')
    for (uint32_t k : s_.schema.primary_key) {
      const std::string& name = s_.schema.fields[k].name;
      bool in = false;
      for (uint32_t i : t.identity_columns) in = in || t.columns[i].name == name;
      if (!in)
        return FailedPrecondition(
            "the endpoint's key column " + name + " is not part of the replica identity of " +
            t.Display() +
            " (its primary key or REPLICA IDENTITY index), so deletes would not "
            "name it: key the endpoint on the table's primary key, or ALTER TABLE " +
            t.sql_name + " REPLICA IDENTITY FULL;");
    }
  SLUICE_RETURN_IF_ERROR(
      EnsurePublication(*cat, s_.table_config.publication, t, s_.conn.create_publication));
  if (!snapshot_fresh_) {
    SlotState slot;
    SLUICE_RETURN_IF_ERROR(GetSlot(*cat, state_.slot, &slot));
    const std::string fix = ": its changes since " + DescribeOffset(state_) +
                            " cannot be read any more; run `sluice migrate --new ENDPOINT` to "
                            "copy the table anew into a new version";
    if (!slot.exists)
      return FailedPrecondition("replication slot " + state_.slot + " of " + t.Display() +
                                " no longer exists (dropped, or lost in a failover)" + fix);
    if (slot.lost)
      return FailedPrecondition("replication slot " + state_.slot +
                                " was invalidated: it retained more WAL than "
                                "max_slot_wal_keep_size allows" +
                                fix);
    if (state_.snapshot && !plan_.KeyOrdered())
      return FailedPrecondition(
          "the snapshot of " + t.Display() + " was interrupted (" + DescribeOffset(state_) +
          ") and cannot resume: the order of its primary key's type is not one sluice "
          "reproduces (integers, dates, timestamps, uuid, text in C collation); run `sluice "
          "migrate --new ENDPOINT` to copy the table anew into a new version");
  }
  // A copy reads the table as it is now: it must still have this version's columns.
  if (!streaming_) SLUICE_RETURN_IF_ERROR(SameColumns(s_.schema, catalog, t.Display()));
  prepared_ = true;
  return Status();
}

PgReader::~PgReader() = default;

Status PgReader::CatalogConn(PgConn** out) {
  if (catalog_ != nullptr && !catalog_->ok()) catalog_.reset();
  if (catalog_ == nullptr)
    SLUICE_RETURN_IF_ERROR(PgConn::Connect(s_.conn.conninfo, false, &catalog_));
  *out = catalog_.get();
  return Status();
}

bool PgReader::Transient(const Status& s) const { return s.code() == sluice::Code::kUnavailable; }

void PgReader::Disconnect(const Status& why) {
  if (backoff_ms_ == 0 || snapshot_ != nullptr || stream_ != nullptr)
    s_.host.Warn(Where() + ": " + why.message() + "; reconnecting");
  snapshot_.reset();
  stream_.reset();
  catalog_.reset();
  if (in_tx_ || held_) {
    DropOpenTransaction();
    skip_rows_ = tx_delivered_;
    skip_tx_ = tx_final_lsn_;
  }
  in_tx_ = false;
  have_relation_ = false;
  backoff_ms_ = std::min(kMaxBackoffMs, backoff_ms_ == 0 ? 100 : backoff_ms_ * 2);
  retry_at_ = Clock::now() + std::chrono::milliseconds(backoff_ms_);
}

void PgReader::SleepUntilRetry(int max_ms) {
  auto until = std::min(retry_at_, Clock::now() + std::chrono::milliseconds(max_ms));
  std::this_thread::sleep_until(until);
}

Status PgReader::Next(uint32_t max_rows, sluice::RowBatchBuilder* out, sluice::BatchInfo* info) {
  if (!prepared_) {
    // The server may be down when ingestion starts: wait for it.
    if (Clock::now() < retry_at_) {
      SleepUntilRetry(250);
      return Status();
    }
    Status s = Prepare();
    if (Transient(s)) {
      Disconnect(s);
      return Status();
    }
    SLUICE_RETURN_IF_ERROR(s.WithContext(Where()));
    backoff_ms_ = 0;
  }
  if (!deferred_.ok()) {
    Drain(max_rows, out);
    if (ready_.empty() && out->row_count() == 0) return deferred_;
    return Status();
  }
  if (!streaming_) {
    SLUICE_RETURN_IF_ERROR(NextSnapshot(max_rows, out, info));
    if (!streaming_ || out->row_count() > 0) return Status();
  }
  return NextStream(max_rows, out, info);
}

void PgReader::Deliver(sluice::RowBatchBuilder* out, std::string_view row, sluice_op op,
                       std::string_view offset) {
  out->AddRow(row, op, offset);
  if (offset.empty()) {
    ++unmarked_after_;
  } else {
    last_marked_.assign(offset);
    unmarked_after_ = 0;
  }
}

std::string PgReader::StreamOffset(uint64_t lsn) {
  state_.snapshot = false;
  state_.lsn = lsn;
  // A segment matters only to transactions older than its snapshot.
  bool newer = false;
  for (const Segment& seg : state_.segments) newer = newer || seg.lsn > lsn;
  if (!newer) state_.segments.clear();
  return EncodeOffset(state_);
}

void PgReader::Drain(uint32_t max_rows, sluice::RowBatchBuilder* out) {
  while (!ready_.empty() && out->row_count() < max_rows) {
    Ready& r = ready_.front();
    Deliver(out, r.row, r.op, r.offset);
    if (!r.offset.empty()) delivered_lsn_ = r.lsn;
    if (open_tx_begin_ > 0) --open_tx_begin_;
    else ++tx_delivered_;  // a row of the open transaction
    ready_.pop_front();
  }
}

Status PgReader::NextStream(uint32_t max_rows, sluice::RowBatchBuilder* out,
                            sluice::BatchInfo* info) {
  Drain(max_rows, out);
  if (stream_ == nullptr && deferred_.ok()) {
    if (Clock::now() < retry_at_) {
      if (out->row_count() == 0) SleepUntilRetry(250);
      return Status();
    }
    Status s = ReplicationStream::Start(s_.conn.conninfo, state_.slot, processed_lsn_,
                                        s_.table_config.publication, &stream_);
    if (Transient(s)) {
      Disconnect(s);
      return Status();
    }
    SLUICE_RETURN_IF_ERROR(s.WithContext(Where()));
    s_.host.Info(
        Where() +
        (backoff_ms_ > 0 ? ": reconnected; streaming changes from " : ": streaming changes from ") +
        FormatLsn(processed_lsn_));
    backoff_ms_ = 0;
    last_ping_ = Clock::now();
  }
  bool idle = false;
  StreamMessage msg;
  PgOutputMessage m;
  while (stream_ != nullptr && deferred_.ok() && ready_.size() < max_rows) {
    const bool mid = in_tx_ || held_;
    // Inside a transaction its rest is on the way: wait a little for it.
    int timeout = mid && out->row_count() == 0 && ready_.empty() ? 100 : 0;
    bool got = false;
    Status s = stream_->Read(timeout, &msg, &got);
    if (!s.ok()) {
      if (!Transient(s)) return s.WithContext(Where());
      Disconnect(s);
      break;
    }
    if (!got) {
      idle = !mid;
      break;
    }
    server_lsn_ = std::max(server_lsn_, msg.wal_end);
    if (msg.kind == StreamMessage::kKeepalive) {
      if (!mid) idle_lsn_ = std::max(idle_lsn_, msg.wal_end);
      continue;
    }
    s = DecodePgOutput(msg.data, &m);
    if (s.ok()) s = Handle(m);
    if (!s.ok()) {
      if (Transient(s)) {
        Disconnect(s);
        break;
      }
      // The whole transactions before the one that failed are delivered first.
      DropOpenTransaction();
      deferred_ = s.WithContext(Where() + " at " + FormatLsn(msg.wal_start));
      break;
    }
  }
  Drain(max_rows, out);
  info->at_end = idle && stream_ != nullptr && ready_.empty() && deferred_.ok();
  return Maintain();
}

uint64_t PgReader::ConfirmTarget() const {
  if (!confirm_ok_ || !streaming_) return 0;
  uint64_t target = committed_lsn_;
  // Everything handed over is durable and nothing is open: the positions
  // of transactions with nothing for this table are safe to confirm too.
  if (acked_ == last_marked_ && unmarked_after_ == 0 && ready_.empty() && !held_ && !in_tx_)
    target = std::max({target, processed_lsn_, idle_lsn_});
  return target;
}

Status PgReader::Maintain() {
  auto now = Clock::now();
  if (stream_ != nullptr) {
    bool ping = now - last_ping_ >= std::chrono::milliseconds(s_.conn.heartbeat_ms);
    if (ping) last_ping_ = now;
    Status s = stream_->Confirm(ConfirmTarget(), ping);
    if (!s.ok()) {
      if (!Transient(s)) return s.WithContext(Where());
      Disconnect(s);
    }
  }
  if (now >= next_lag_check_) {
    next_lag_check_ = now + std::chrono::seconds(60);
    PgConn* cat = nullptr;
    SlotState slot;
    if (CatalogConn(&cat).ok() && GetSlot(*cat, state_.slot, &slot).ok() && slot.exists) {
      const bool over = slot.retained_bytes > s_.conn.lag_warn_bytes;
      if (over)
        s_.host.Warn(Where() + ": the slot retains " + std::to_string(slot.retained_bytes >> 20) +
                     " MiB of WAL, more than lag_warn_mb (" +
                     std::to_string(s_.conn.lag_warn_bytes >> 20) +
                     "): the server keeps that WAL until sluice has committed the changes in it");
      else if (lag_warned_)
        s_.host.Info(Where() + ": the WAL the slot retains is back under lag_warn_mb");
      lag_warned_ = over;
    }
  }
  return Status();
}

Status PgReader::Committed(std::string_view offset) {
  acked_.assign(offset);
  PgOffset o;
  if (DecodeOffset(offset, &o).ok() && !o.snapshot) {
    committed_lsn_ = std::max(committed_lsn_, o.lsn);
    confirm_ok_ = true;
  }
  if (stream_ == nullptr) return Status();
  Status s = stream_->Confirm(ConfirmTarget(), false);
  if (Transient(s)) {
    Disconnect(s);
    return Status();
  }
  return s.WithContext(Where());
}

Status PgReader::Wait(uint32_t timeout_ms) {
  if (!deferred_.ok() || !ready_.empty() || !streaming_) return Status();
  if (stream_ == nullptr) {
    SleepUntilRetry(static_cast<int>(timeout_ms));
    return Status();
  }
  SLUICE_RETURN_IF_ERROR(Maintain());
  if (stream_ == nullptr) return Status();
  bool readable = false;
  Status s = stream_->WaitReadable(static_cast<int>(timeout_ms), &readable);
  if (Transient(s)) {
    Disconnect(s);
    return Status();
  }
  return s.WithContext(Where());
}

}  // namespace pgsrc
