#include "storage/version_log.h"

#include <chrono>

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
  SLUICE_RETURN_IF_ERROR(
      storage.OpenLog(name, dir.string(), create, &log).WithContext("log " + name));
  std::unique_ptr<VersionLog> v(new VersionLog(std::move(log), name));
  v->storage_ = &storage;
  v->dir_ = dir.string();
  v->tail_ = tail;
  SLUICE_RETURN_IF_ERROR(v->Recover(tail).WithContext("log " + name));
  *out = std::move(v);
  return Status();
}

Status VersionLog::Handle(Log** out) const {
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

Status VersionLog::Recover(TailPolicy tail) {
  uint64_t end = 0;
  std::string raw;
  SLUICE_RETURN_IF_ERROR(log_->End(&end));
  SLUICE_RETURN_IF_ERROR(log_->Checkpoint(&raw));
  Checkpoint cp;
  Status s = DecodeCheckpoint(raw, &cp);
  bool tail_ok = s.ok() && cp.log_end <= end;
  if (tail_ok) SLUICE_RETURN_IF_ERROR(VerifyTail(cp, &tail_ok));
  if (!tail_ok) {
    // The checkpoint or the commit it points at is damaged: find the last
    // commit that reads back whole, from the start.
    SLUICE_RETURN_IF_ERROR(ScanForLastCommit(end, &cp));
  }
  if (end != cp.log_end && tail == TailPolicy::kReport)
    return FailedPrecondition("tail needs repair: " + std::to_string(end - cp.log_end) +
                              " records after the last complete commit at offset " +
                              std::to_string(cp.log_end));
  if (end != cp.log_end && tail == TailPolicy::kIgnore) {
    log::Warn(
        "log",
        "incomplete or corrupt tail left for the writer to repair; reading up to the last commit",
        {{"stream", name_},
         {"last_commit_end", std::to_string(cp.log_end)},
         {"records_after", std::to_string(end - cp.log_end)}});
  } else if (end != cp.log_end) {
    log::Warn("log", "cutting incomplete or corrupt tail",
              {{"stream", name_},
               {"from", std::to_string(cp.log_end)},
               {"dropped_records", std::to_string(end - cp.log_end)}});
    SLUICE_RETURN_IF_ERROR(log_->Truncate(cp.log_end, EncodeCheckpoint(cp)));
  }
  cp_ = cp;
  end_.store(cp.log_end, std::memory_order_release);
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
  if (!s.ok()) *ok = false;
  return Status();
}

Status VersionLog::ScanForLastCommit(uint64_t end, Checkpoint* good) {
  *good = Checkpoint();
  uint64_t at = 0;
  bool broken = false;
  while (at < end && !broken) {
    uint64_t before = at;
    Status s = log_->Read(at, 4096, [&](uint64_t off, std::string_view data) {
      LogRecord rec;
      CommitInfo info;
      if (!DecodeRecord(data, &rec).ok()) {
        broken = true;
        return false;
      }
      if (rec.kind == RecordKind::kCommit) {
        if (!DecodeCommit(rec.payload, &info).ok()) {
          broken = true;
          return false;
        }
        good->log_end = off + 1;
        good->flags = info.flags;
        good->source_offset = info.source_offset;
      }
      at = off + 1;
      return true;
    });
    if (!s.ok()) {
      if (s.code() != Code::kDataLoss) return s;
      broken = true;  // the backend itself found a damaged chunk here
    }
    if (at == before) break;
  }
  return Status();
}

Status VersionLog::Commit(const CommitBuilder& rows, const std::string& source_offset,
                          uint64_t flags) {
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
  if (!bad.ok()) return bad;
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
