// PgReader's snapshot phase (pg_reader.h): the table copied in key order
// under the slot's snapshot, resumed after the last key delivered under a
// newer one, until the copy ends and the stream starts.
#include <cstdio>
#include <cstring>
#include <random>

#include "pg_reader.h"

namespace pgsrc {

using sluice::FailedPrecondition;
using sluice::Status;

namespace {

constexpr int kCopyStallMs = 1000;  // wait this long for the next copied row before a batch ends

}  // namespace

Status PgReader::BeginSnapshot() {
  PgConn* cat = nullptr;
  SLUICE_RETURN_IF_ERROR(CatalogConn(&cat));
  Snapshot::Spec spec;
  spec.conninfo = &s_.conn.conninfo;
  spec.table = &s_.table;
  spec.plan = &plan_;
  spec.ordered = plan_.KeyOrdered();
  uint64_t lsn = 0;
  if (snapshot_fresh_) {
    // Nothing of this version depends on a slot yet: one left by an
    // earlier attempt (a crash before the first commit) is dropped.
    SlotState slot;
    SLUICE_RETURN_IF_ERROR(GetSlot(*cat, state_.slot, &slot));
    if (slot.exists) {
      if (slot.active)  // maybe the session of an attempt that just broke: retried
        return sluice::Unavailable("replication slot " + state_.slot +
                                   " is in use by another session (exactly one reader per slot)");
      s_.host.Info(Where() + ": dropping the slot an earlier attempt left, to start afresh");
      SLUICE_RETURN_IF_ERROR(DropSlot(*cat, state_.slot));
    }
    spec.slot = state_.slot;
    SLUICE_RETURN_IF_ERROR(Snapshot::Begin(spec, &lsn, &snapshot_));
    state_.start_lsn = lsn;
    s_.host.Info(Where() +
                 ": copying the table under the snapshot of the new slot (consistent "
                 "point " +
                 FormatLsn(lsn) + ")");
    return Status();
  }
  // Resume after the last key delivered, under a newer snapshot.
  std::random_device rd;
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, "_r%08x", static_cast<unsigned>(rd()));
  spec.slot = state_.slot.substr(0, 63 - std::strlen(suffix)) + suffix;
  spec.temporary = true;
  spec.after = state_.last_key;
  SLUICE_RETURN_IF_ERROR(Snapshot::Begin(spec, &lsn, &snapshot_));
  state_.segments.push_back({state_.last_key, lsn});
  s_.host.Info(Where() + ": resuming the copy after " + DescribeOffset(state_) +
               " under a newer snapshot (" + FormatLsn(lsn) + ")");
  return Status();
}

Status PgReader::NextSnapshot(uint32_t max_rows, sluice::RowBatchBuilder* out,
                              sluice::BatchInfo* info) {
  if (snapshot_ == nullptr) {
    if (Clock::now() < retry_at_) {
      SleepUntilRetry(250);
      return Status();
    }
    Status s = BeginSnapshot();
    if (Transient(s)) {
      Disconnect(s);
      return Status();
    }
    SLUICE_RETURN_IF_ERROR(s.WithContext(Where()));
    backoff_ms_ = 0;
  }
  // The newest row read stays open at the end of `out` (encoded, not yet
  // ended): another row in this batch ends it with an empty offset, else it
  // ends the batch with the offset that resumes after it (snap_key_). A row
  // read beyond a full batch waits in snap_held_row_ for the next call.
  bool open = false;
  if (snap_held_) {
    out->row_buffer()->append(snap_held_row_);
    snap_held_ = false;
    open = true;
  }
  auto end_row = [&](std::string_view offset) {
    out->EndRow(SLUICE_OP_INSERT, offset);
    if (offset.empty()) {
      ++unmarked_after_;
    } else {
      last_marked_.assign(offset);
      unmarked_after_ = 0;
    }
    open = false;
    snapshot_fresh_ = false;
    confirm_ok_ = false;  // until the host commits a stream offset
  };
  auto end_marked = [&] {
    state_.last_key = snap_key_;
    end_row(EncodeOffset(state_));
  };
  // Encodes the row just read into *buf and remembers its key.
  auto encode = [&](std::string* buf) {
    Status s = plan_.EncodeCopy(snapshot_->fields(), buf);
    if (!s.ok()) return s.WithContext(Where());
    snap_key_ = snapshot_->key();
    return Status();
  };
  // Reads the next copied row as the open one; false when the copy ended,
  // paused or broke.
  bool done = false;
  Status error;
  auto read = [&](int timeout_ms) {
    bool got = false;
    error = snapshot_->Next(timeout_ms, &got, &done);
    if (!error.ok() || !got || done) return false;
    if (open) end_row("");
    const size_t before = out->row_buffer()->size();
    error = encode(out->row_buffer());
    if (!error.ok()) out->row_buffer()->resize(before);  // the rows before it still go
    open = error.ok();
    return open;
  };
  bool more = true;
  while (more && (out->row_count() + 1 < max_rows || !open)) more = read(open ? kCopyStallMs : 100);
  // Progress in COPY bytes; the total extrapolates from the rows copied to
  // the planner's row estimate.
  info->bytes_done = snapshot_->bytes();
  if (snapshot_->rows() > 0 && snapshot_->estimated_rows() > snapshot_->rows())
    info->bytes_total = snapshot_->bytes() * snapshot_->estimated_rows() / snapshot_->rows();
  // The batch is full: one more read tells whether the copy has ended, so
  // that its last row can say where the stream starts.
  if (more && open) {
    bool got = false;
    error = snapshot_->Next(0, &got, &done);
    if (error.ok() && got && !done) {
      end_marked();
      snap_held_row_.clear();
      error = encode(&snap_held_row_);
      if (!error.ok()) deferred_ = error;  // after the rows of this batch
      else snap_held_ = true;
      return Status();
    }
  }
  if (!error.ok()) {
    if (!Transient(error)) {  // a value sluice cannot hold: after the rows before it
      deferred_ = error;
      return Status();
    }
    if (open) end_marked();  // a whole row: deliver it, resume after its key
    if (!plan_.KeyOrdered() && !snapshot_fresh_)
      return FailedPrecondition(Where() + ": " + error.message() +
                                "; the interrupted copy cannot resume (its key's order is not "
                                "one sluice reproduces): run `sluice migrate --new ENDPOINT`");
    Disconnect(error);
    return Status();
  }
  if (!done) {
    if (open) end_marked();  // paused
    return Status();
  }
  snapshot_.reset();
  streaming_ = true;
  state_.snapshot = false;
  state_.last_key.clear();
  state_.lsn = state_.start_lsn;
  processed_lsn_ = state_.lsn;
  if (open) {
    end_row(EncodeOffset(state_));
    delivered_lsn_ = state_.lsn;
  }
  s_.host.Info(Where() + ": copy done; streaming changes from " + FormatLsn(state_.lsn));
  return Status();
}

}  // namespace pgsrc
