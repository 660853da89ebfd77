#include "storage/version_log.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>

#include "storage/log_watermark.h"
#include "util/log.h"

namespace sluice::host {
namespace {

uint64_t NowMicros() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

}  // namespace

void CommitBuilder::AddRow(sluice_op op, std::string_view row) {
  EncodeRowRecord(op, row, &buf_);
  ends_.push_back(buf_.size());
}

Status VersionLog::Open(StoragePlugin& storage, const std::string& name,
                        const std::filesystem::path& dir, bool create,
                        std::unique_ptr<VersionLog>* out, TailPolicy tail) {
  std::unique_ptr<Log> log;
  Status s = storage.OpenLog(name, dir.string(), create, &log).WithContext("log " + name);
  if (s.code() == Code::kDataLoss && tail != TailPolicy::kReport) {
    // The backend cannot even say where the log ends: kept as it is, damaged.
    std::unique_ptr<VersionLog> v(new VersionLog(nullptr, name));
    v->storage_ = &storage;
    v->dir_ = dir.string();
    v->tail_ = tail;
    v->SetDamage(s.message());
    *out = std::move(v);
    return Status();
  }
  SLUICE_RETURN_IF_ERROR(s);
  std::unique_ptr<VersionLog> v(new VersionLog(std::move(log), name));
  v->storage_ = &storage;
  v->dir_ = dir.string();
  v->tail_ = tail;
  SLUICE_RETURN_IF_ERROR(v->Recover(tail).WithContext("log " + name));
  *out = std::move(v);
  return Status();
}

Status VersionLog::Handle(Log** out) const {
  if (log_ == nullptr && !damage().ok()) return damage();  // it could not be opened at all
  if (log_ == nullptr)
    return Unavailable("log " + name_ + " is closed: reopening it after a failed write failed (" +
                       reopen_error_.message() + "); it is retried");
  *out = log_.get();
  return Status();
}

Status VersionLog::Reopen() {
  std::unique_lock<std::shared_mutex> handle(handle_mu_);
  log_.reset();  // an engine's database is opened once at a time
  std::unique_ptr<VersionLog> fresh;
  Status s = Open(*storage_, name_, dir_, /*create=*/true, &fresh, tail_);
  if (!s.ok()) {
    reopen_error_ = s;
    return s;
  }
  if (!fresh->damage().ok()) SetDamage(fresh->damage().message());
  log_ = std::move(fresh->log_);
  broken_.store(false, std::memory_order_release);
  {
    std::lock_guard<std::mutex> lock(mu_);
    cp_ = fresh->cp_;
    end_.store(cp_.log_end, std::memory_order_release);
  }
  cv_.notify_all();
  return Status();
}

Status VersionLog::Verify(LogCheck* out) {
  *out = LogCheck();
  if (log_ == nullptr) {
    out->opened = false;
    out->damaged = true;
    out->why = damage().message();
    return Status();
  }
  std::string raw;
  SLUICE_RETURN_IF_ERROR(log_->End(&out->end));
  // A backend that keeps the checkpoint in a record of its own (log-nats)
  // reports a damaged one as DATA_LOSS: damage like one that does not decode.
  Status cs = log_->Checkpoint(&raw);
  if (!cs.ok() && cs.code() != Code::kDataLoss) return cs.WithContext("log " + name_);
  if (cs.ok()) cs = DecodeCheckpoint(raw, &out->checkpoint);
  out->checkpoint_ok = cs.ok();
  // The first record that does not read back, and the last commit before it.
  uint64_t at = 0, rows = 0;
  bool broken = false;
  std::string why;
  while (at < out->end && !broken) {
    uint64_t before = at;
    // Large steps: a step that starts inside a chunk reads all of it again.
    Status s = log_->Read(at, 1 << 20, [&](uint64_t off, std::string_view data) {
      LogRecord rec;
      CommitInfo info;
      Status d = DecodeRecord(data, &rec);
      if (d.ok() && rec.kind == RecordKind::kCommit) d = DecodeCommit(rec.payload, &info);
      if (!d.ok()) {
        why = d.message();
        broken = true;
        return false;
      }
      if (rec.kind == RecordKind::kCommit) {
        out->last_good = Checkpoint{off + 1, info.flags, info.source_offset};
        out->good_rows += rows;
        rows = 0;
      } else {
        ++rows;
      }
      at = off + 1;
      return true;
    });
    if (!s.ok()) {
      if (s.code() != Code::kDataLoss) return s.WithContext("log " + name_);
      broken = true;  // the backend itself found a damaged chunk here
      why = s.message();
    }
    if (at == before && !broken) {
      broken = true;
      why = "no record at this offset";
    }
  }
  // Damage up to the checkpoint's commit is damage; after it, a torn tail.
  const Checkpoint& cp = out->checkpoint;
  if (!out->checkpoint_ok) {
    out->damaged = true;
    out->bad_offset = broken ? at : out->last_good.log_end;
    out->why = "the checkpoint does not read back: " + cs.message();
  } else if (cp.log_end > out->end) {
    out->damaged = true;
    out->bad_offset = out->end;
    out->why = "the checkpoint names offset " + std::to_string(cp.log_end) +
               ", beyond the log's end " + std::to_string(out->end);
  } else if (broken && at < cp.log_end) {
    out->damaged = true;
    out->bad_offset = at;
    out->why = "offset " + std::to_string(at) + ": " + why;
  } else if (cp.log_end > 0 && (out->last_good.log_end < cp.log_end ||
                                out->last_good.source_offset != cp.source_offset)) {
    // Only when the last commit up to the checkpoint is not the one it names.
    bool found = false;
    static_cast<void>(log_->Read(cp.log_end - 1, 1, [&](uint64_t, std::string_view data) {
      LogRecord rec;
      CommitInfo info;
      found = DecodeRecord(data, &rec).ok() && rec.kind == RecordKind::kCommit &&
              DecodeCommit(rec.payload, &info).ok() && info.source_offset == cp.source_offset;
      return false;
    }));
    if (!found) {
      out->damaged = true;
      out->bad_offset = cp.log_end - 1;
      out->why =
          "offset " + std::to_string(cp.log_end - 1) + ": not the commit the checkpoint names";
    }
  }
  if (!out->damaged && out->last_good.log_end > cp.log_end) {
    // Whole commits after the checkpoint: keep to what the checkpoint says.
    out->last_good = cp;
  }
  return Status();
}

Status VersionLog::Recover(TailPolicy tail) {
  uint64_t end = 0;
  std::string raw;
  SLUICE_RETURN_IF_ERROR(log_->End(&end));
  Checkpoint cp;
  Status s = log_->Checkpoint(&raw);
  if (!s.ok() && s.code() != Code::kDataLoss) return s;
  if (s.ok()) s = DecodeCheckpoint(raw, &cp);
  bool damaged = false;
  std::string why;
  bool trusted = false;
  if (tail == TailPolicy::kRepair && s.ok())
    SLUICE_RETURN_IF_ERROR(TrustWatermark(end, raw, cp, &trusted));
  if (trusted) {
    // Closed cleanly at this very end and checkpoint, last commit verified:
    // nothing was appended or cut since, so there is no tail to repair.
    // The records before it are checked in the background (below).
  } else if (tail == TailPolicy::kRepair || !s.ok() || cp.log_end > end) {
    // The writer reads every record after anything but a clean stop:
    // damage anywhere before the last commit must be found before
    // anything is appended after it.
    LogCheck c;
    SLUICE_RETURN_IF_ERROR(Verify(&c));
    damaged = c.damaged;
    why = c.why;
    if (c.checkpoint_ok && cp.log_end <= end) {
      if (!damaged) cp = c.last_good.log_end == cp.log_end ? cp : c.last_good;
    } else {
      cp = c.last_good;  // readable as far as the scan got
    }
  } else {
    bool tail_ok = true;
    SLUICE_RETURN_IF_ERROR(VerifyTail(cp, &tail_ok));
    if (!tail_ok) {
      damaged = true;
      why = "offset " + std::to_string(cp.log_end - 1) + ": the last commit does not read back";
    }
  }
  if (damaged) {
    if (tail == TailPolicy::kReport) return DataLoss("damaged: " + why);
    SetDamage("log " + name_ + " is damaged: " + why);
    log::Error("log", "log damaged: kept as it is; ingest stops until `sluice repair`",
               {{"stream", name_}, {"error", why}});
  } else if (end != cp.log_end && tail == TailPolicy::kReport) {
    return FailedPrecondition("tail needs repair: " + std::to_string(end - cp.log_end) +
                              " records after the last complete commit at offset " +
                              std::to_string(cp.log_end));
  } else if (end != cp.log_end && tail == TailPolicy::kIgnore) {
    log::Warn("log", "incomplete tail left for the writer to repair; reading up to the last commit",
              {{"stream", name_},
               {"last_commit_end", std::to_string(cp.log_end)},
               {"records_after", std::to_string(end - cp.log_end)}});
  } else if (end != cp.log_end) {
    log::Warn("log", "cutting an incomplete append after the last commit",
              {{"stream", name_},
               {"from", std::to_string(cp.log_end)},
               {"dropped_records", std::to_string(end - cp.log_end)}});
    SLUICE_RETURN_IF_ERROR(log_->Truncate(cp.log_end, EncodeCheckpoint(cp)));
  }
  cp_ = cp;
  end_.store(cp.log_end, std::memory_order_release);
  if (trusted) CheckInBackground(cp.log_end);
  return Status();
}

void VersionLog::CheckInBackground(uint64_t end) {
  checked_.store(false, std::memory_order_release);
  checker_ = std::thread([this, end] {
    // Below the serving and ingest threads: this only has to finish.
    setpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)), 10);
    uint64_t at = 0;
    Status bad;
    while (at < end && bad.ok() && !stop_check_.load(std::memory_order_relaxed)) {
      uint64_t before = at;
      Status s =
          Read(at, std::min<uint64_t>(end - at, uint64_t{1} << 20),
               [&](uint64_t off, const LogRecord& rec) {
                 CommitInfo info;
                 if (rec.kind == RecordKind::kCommit && !DecodeCommit(rec.payload, &info).ok()) {
                   bad = DataLoss("log " + name_ + " offset " + std::to_string(off) +
                                  ": commit record does not decode");
                   return false;
                 }
                 at = off + 1;
                 return !stop_check_.load(std::memory_order_relaxed);
               });
      if (bad.ok() && s.code() == Code::kDataLoss) bad = s;  // Read marked the log damaged
      if (!s.ok() && bad.ok()) return;  // closed or reopening: the next open checks again
      if (at == before && bad.ok())
        bad = DataLoss("log " + name_ + " offset " + std::to_string(at) +
                       ": no record at this offset");
    }
    if (!bad.ok()) {
      SetDamage(bad.message());
      log::Error("log", "log damaged: kept as it is; ingest stops until `sluice repair`",
                 {{"stream", name_}, {"error", bad.message()}});
      return;
    }
    if (at >= end) checked_.store(true, std::memory_order_release);
  });
}

Status VersionLog::CutAt(const Checkpoint& good) {
  if (log_ == nullptr) return damage();
  SLUICE_RETURN_IF_ERROR(
      log_->Truncate(good.log_end, EncodeCheckpoint(good)).WithContext("log " + name_));
  {
    std::lock_guard<std::mutex> lock(mu_);
    cp_ = good;
    damage_ = Status();
    end_.store(good.log_end, std::memory_order_release);
  }
  cv_.notify_all();
  return Status();
}

Status VersionLog::damage() const {
  std::lock_guard<std::mutex> lock(mu_);
  return damage_;
}

void VersionLog::SetDamage(const std::string& why) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!damage_.ok()) return;
    damage_ = DataLoss(why);
  }
  cv_.notify_all();
}

VersionLog::~VersionLog() {
  stop_check_.store(true, std::memory_order_relaxed);
  if (checker_.joinable()) checker_.join();
  // Only a log known whole up to its end: a check cut short leaves none.
  if (tail_ == TailPolicy::kRepair && log_ != nullptr && !broken() && damage().ok() && checked())
    LeaveWatermark();
}

void VersionLog::LeaveWatermark() {
  LogWatermark w;
  uint64_t end = 0;
  bool read = false;
  Status s = log_->End(&end);
  if (s.ok()) s = log_->Checkpoint(&w.checkpoint);
  Checkpoint cp;
  if (s.ok()) s = DecodeCheckpoint(w.checkpoint, &cp);
  if (s.ok() && (end != cp.log_end || end != this->end() || end == 0)) return;  // nothing to trust
  if (s.ok())
    s = log_->Read(end - 1, 1, [&](uint64_t, std::string_view data) {
      w.last_record_crc = RecordCrc(data);
      read = true;
      return false;
    });
  w.log_end = end;
  if (s.ok() && read) s = WriteWatermark(WatermarkPath(dir_), w);
  if (!s.ok())
    log::Warn("log", "no clean-stop watermark left: the next open reads the whole log",
              {{"stream", name_}, {"error", s.message()}});
}

Status VersionLog::TrustWatermark(uint64_t end, const std::string& raw, const Checkpoint& cp,
                                  bool* trusted) {
  *trusted = false;
  LogWatermark w;
  bool found = false;
  SLUICE_RETURN_IF_ERROR(TakeWatermark(WatermarkPath(dir_), &w, &found));
  if (!found || w.log_end != end || w.checkpoint != raw || cp.log_end != end || end == 0)
    return Status();
  bool same = false;
  Status s = log_->Read(end - 1, 1, [&](uint64_t, std::string_view data) {
    same = RecordCrc(data) == w.last_record_crc;
    return false;
  });
  if (!s.ok() && s.code() != Code::kDataLoss) return s;
  bool tail_ok = false;
  if (s.ok() && same) SLUICE_RETURN_IF_ERROR(VerifyTail(cp, &tail_ok));
  *trusted = tail_ok;
  if (!tail_ok)
    log::Warn("log", "clean-stop watermark does not match the last commit; reading the whole log",
              {{"stream", name_}});
  return Status();
}

Status VersionLog::VerifyTail(const Checkpoint& cp, bool* ok) {
  *ok = true;
  if (cp.log_end == 0) return Status();
  CommitInfo info;
  bool found = false;
  Status s = log_->Read(cp.log_end - 1, 1, [&](uint64_t, std::string_view data) {
    LogRecord rec;
    found = DecodeRecord(data, &rec).ok() && rec.kind == RecordKind::kCommit &&
            DecodeCommit(rec.payload, &info).ok() && info.source_offset == cp.source_offset;
    return false;
  });
  if (!s.ok() && s.code() != Code::kDataLoss) return s;
  if (!s.ok() || !found || info.rows >= cp.log_end) {
    *ok = false;
    return Status();
  }
  // Every row record of the last commit must read back too.
  uint64_t first = cp.log_end - 1 - info.rows;
  s = log_->Read(first, static_cast<size_t>(info.rows), [&](uint64_t, std::string_view data) {
    LogRecord rec;
    if (!DecodeRecord(data, &rec).ok() || rec.kind == RecordKind::kCommit) return *ok = false;
    return true;
  });
  if (!s.ok() && s.code() != Code::kDataLoss) return s;
  if (!s.ok()) *ok = false;
  return Status();
}

Status VersionLog::Commit(const CommitBuilder& rows, const std::string& source_offset,
                          uint64_t flags) {
  SLUICE_RETURN_IF_ERROR(damage());
  CommitInfo info{flags, rows.rows(), NowMicros(), source_offset};
  std::string commit;
  EncodeCommitRecord(info, &commit);
  scratch_.clear();
  size_t begin = 0;
  for (size_t e : rows.ends_) {
    scratch_.emplace_back(rows.buf_.data() + begin, e - begin);
    begin = e;
  }
  scratch_.push_back(commit);
  Checkpoint cp{end() + scratch_.size(), flags, source_offset};
  uint64_t first = 0;
  std::shared_lock<std::shared_mutex> handle(handle_mu_);
  Log* log = nullptr;
  SLUICE_RETURN_IF_ERROR(Handle(&log));
  Status appended =
      log->Append(scratch_.data(), scratch_.size(), EncodeCheckpoint(cp), /*sync=*/true, &first);
  if (!appended.ok() && appended.code() != Code::kInvalidArgument)
    broken_.store(true, std::memory_order_release);
  SLUICE_RETURN_IF_ERROR(appended.WithContext("log " + name_));
  if (first + scratch_.size() != cp.log_end)
    return Internal("log " + name_ + ": backend assigned offset " + std::to_string(first) +
                    ", expected " + std::to_string(end()));
  {
    std::lock_guard<std::mutex> lock(mu_);
    cp_ = std::move(cp);
    end_.store(cp_.log_end, std::memory_order_release);
  }
  cv_.notify_all();
  return Status();
}

Status VersionLog::Refresh() {
  std::string raw;
  {
    std::shared_lock<std::shared_mutex> handle(handle_mu_);
    if (log_ == nullptr) return Status();  // this process writes it, and is reopening it
    SLUICE_RETURN_IF_ERROR(log_->Checkpoint(&raw).WithContext("log " + name_));
  }
  Checkpoint cp;
  SLUICE_RETURN_IF_ERROR(DecodeCheckpoint(raw, &cp).WithContext("log " + name_));
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (cp.log_end <= cp_.log_end) return Status();
    cp_ = std::move(cp);
    end_.store(cp_.log_end, std::memory_order_release);
  }
  cv_.notify_all();
  return Status();
}

Checkpoint VersionLog::checkpoint() const {
  std::lock_guard<std::mutex> lock(mu_);
  return cp_;
}

Status VersionLog::Read(uint64_t from, size_t max,
                        FunctionRef<bool(uint64_t, const LogRecord&)> fn) {
  uint64_t limit = end();
  if (from >= limit) return Status();
  if (max > limit - from) max = static_cast<size_t>(limit - from);
  Status bad;
  std::shared_lock<std::shared_mutex> handle(handle_mu_);
  Log* log = nullptr;
  SLUICE_RETURN_IF_ERROR(Handle(&log));
  Status s = log->Read(from, max, [&](uint64_t off, std::string_view data) {
    LogRecord rec;
    Status d = DecodeRecord(data, &rec);
    if (!d.ok()) {
      bad = DataLoss("log " + name_ + " offset " + std::to_string(off) + ": " + d.message());
      return false;
    }
    return fn(off, rec);
  });
  if (bad.ok() && s.code() == Code::kDataLoss) bad = s.WithContext("log " + name_);
  if (!bad.ok()) {
    SetDamage(bad.message());
    return bad;
  }
  return s.WithContext("log " + name_);
}

bool VersionLog::WaitForData(uint64_t from, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  uint64_t wakes = wakes_;
  cv_.wait_for(lock, timeout, [&] { return end() > from || wakes_ != wakes; });
  return end() > from;
}

void VersionLog::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++wakes_;
  }
  cv_.notify_all();
}

}  // namespace sluice::host
