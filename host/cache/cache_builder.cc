#include "cache/cache_builder.h"

#include <algorithm>
#include <vector>

#include "core/home.h"
#include "util/log.h"

namespace sluice::host {
namespace {

// Appends `row` with one more int64 field, `value`, at the end (the row key
// of an endpoint without a primary key). A malformed row is appended as it
// is: decoding it against the schema reports it.
void AppendWithRowKey(std::string* out, std::string_view row, uint64_t value) {
  const uint8_t* p = reinterpret_cast<const uint8_t*>(row.data());
  const uint8_t* end = p + row.size();
  uint64_t n = 0;
  if (!GetVarint(&p, end, &n) || static_cast<uint64_t>(end - p) < (n + 7) / 8) {
    out->append(row);
    return;
  }
  size_t old_bitmap = (n + 7) / 8, new_bitmap = (n + 8) / 8;
  PutVarint(out, n + 1);
  out->append(reinterpret_cast<const char*>(p), old_bitmap);
  out->append(new_bitmap - old_bitmap, '\0');
  p += old_bitmap;
  out->append(reinterpret_cast<const char*>(p), static_cast<size_t>(end - p));
  PutFixed64(out, value);
}

}  // namespace

CacheBuilder::CacheBuilder(std::shared_ptr<VersionLog> log, VersionCache* cache,
                           std::function<void()> on_progress,
                           std::function<void(const Status&)> on_error)
    : log_(std::move(log)),
      cache_(cache),
      on_progress_(std::move(on_progress)),
      on_error_(std::move(on_error)) {}

CacheBuilder::~CacheBuilder() { Stop(); }

void CacheBuilder::Start() {
  stop_ = false;
  thread_ = std::thread([this] { Run(); });
}

void CacheBuilder::Stop() {
  {
    std::lock_guard<std::mutex> lock(sleep_mu_);
    stop_ = true;
  }
  sleep_cv_.notify_all();
  log_->Wake();
  if (thread_.joinable()) thread_.join();
  DropReadAhead();
}

Status CacheBuilder::ReadWindow(uint64_t from, size_t max, Window* w) {
  struct Span {
    sluice_op op;
    uint64_t offset;
    size_t at, size;
  };
  std::vector<Span> spans;
  spans.reserve(max);
  size_t committed = 0;
  const bool row_key = cache_->schema().row_key;
  w->from = w->commit_end = from;
  w->flags = 0;
  w->arena.clear();
  w->ops.clear();
  w->commits.clear();
  SLUICE_RETURN_IF_ERROR(log_->Read(from, max, [&](uint64_t off, const LogRecord& rec) {
    if (rec.kind == RecordKind::kCommit) {
      CommitInfo info;
      if (DecodeCommit(rec.payload, &info).ok()) w->flags = info.flags;
      committed = spans.size();
      w->commit_end = off + 1;
      w->commits.push_back({committed, off + 1, info.flags, std::move(info.source_offset)});
      return true;
    }
    size_t at = w->arena.size();
    // Rows of an endpoint without a primary key get their log offset as key.
    if (row_key) AppendWithRowKey(&w->arena, rec.payload, off);
    else w->arena.append(rec.payload.data(), rec.payload.size());
    spans.push_back({static_cast<sluice_op>(rec.kind), off, at, w->arena.size() - at});
    return true;
  }));
  w->ops.reserve(committed);
  for (size_t i = 0; i < committed; ++i)
    w->ops.push_back({spans[i].op, std::string_view(w->arena).substr(spans[i].at, spans[i].size),
                      spans[i].offset});
  return Status();
}

void CacheBuilder::StartReadAhead(uint64_t from) {
  ahead_from_ = from;
  Window* spare = &windows_[1 - cur_];
  size_t max = window_;
  ahead_ = std::async(std::launch::async,
                      [this, from, max, spare] { return ReadWindow(from, max, spare); });
}

void CacheBuilder::DropReadAhead() {
  // Its error, if any, does not matter: nothing will use what it read.
  if (ahead_.valid()) static_cast<void>(ahead_.get());
}

void CacheBuilder::ReleaseBuffers() {
  if (!buffers_grown_) return;
  DropReadAhead();
  for (Window& w : windows_) w = Window();
  cache_->ReleaseBuffers();
  buffers_grown_ = false;
}

Status CacheBuilder::NextWindow(uint64_t from, Window** out) {
  if (ahead_.valid()) {
    Status s = ahead_.get();
    Window* spare = &windows_[1 - cur_];
    // A failed or empty read-ahead is redone here, where its error (if it
    // recurs) is reported.
    if (s.ok() && ahead_from_ == from && spare->commit_end > from) {
      cur_ = 1 - cur_;
      *out = spare;
      return Status();
    }
  }
  *out = &windows_[cur_];
  return ReadWindow(from, window_, *out);
}

Status CacheBuilder::Step(bool* applied_any) {
  *applied_any = false;
  uint64_t from = cache_->applied();
  uint64_t end = log_->end();
  if (from > end && !log_->damage().ok()) {
    // A damaged log (storage/version_log.h) that lost or cannot read
    // records the cache holds: the cache keeps what it holds (the registry
    // serves it as it is) until `sluice repair`.
    ReleaseBuffers();
    return Status();
  }
  if (from > end) {
    log::Warn("cache", "cache is ahead of its log (the log was cut by a repair); rebuilding",
              {{"log", log_->name()},
               {"cache_offset", std::to_string(from)},
               {"log_end", std::to_string(end)}});
    DropReadAhead();
    SLUICE_RETURN_IF_ERROR(cache_->Clear());
    *applied_any = true;
    return Status();
  }
  if (from == end) {
    ReleaseBuffers();
    return Status();
  }
  Window* w = nullptr;
  SLUICE_RETURN_IF_ERROR(NextWindow(from, &w));
  if (w->commit_end == from) {
    // One commit is larger than the window: widen it and try again.
    window_ *= 2;
    return Status();
  }
  buffers_grown_ = true;
  if (w->commit_end < log_->end()) StartReadAhead(w->commit_end);
  Status s = cache_->Apply(w->ops, w->commit_end, w->flags);
  if (!s.ok() && s.code() == Code::kFailedPrecondition && cache_->duplicates().count > 0) {
    SLUICE_RETURN_IF_ERROR(OnDuplicates(*w, /*halted=*/true));
    return s;
  }
  SLUICE_RETURN_IF_ERROR(s);
  applied_ops_ += w->ops.size();
  if (on_applied_) on_applied_(w->ops);
  if (cache_->duplicates().count > 0) SLUICE_RETURN_IF_ERROR(OnDuplicates(*w, /*halted=*/false));
  *applied_any = true;
  return Status();
}

Status CacheBuilder::OnDuplicates(const Window& w, bool halted) {
  const DuplicateKeys& d = cache_->duplicates();
  size_t c = 0;
  while (c + 1 < w.commits.size() && w.commits[c].ops_end <= d.first_op) ++c;
  size_t begin = c == 0 ? 0 : w.commits[c - 1].ops_end;
  DuplicateReport r;
  r.count = d.count;
  r.key = d.first_key;
  r.log_offset = w.ops[d.first_op].offset;
  r.index_in_commit = d.first_op - begin;
  r.halted = halted;
  SLUICE_RETURN_IF_ERROR(SourceOffsetBefore(w, c, &r.commit_source_offset));
  if (halted && c > 0) {
    // Serve every commit before the one that holds the duplicate.
    const Commit& last = w.commits[c - 1];
    std::vector<CacheOp> before(w.ops.begin(), w.ops.begin() + static_cast<long>(last.ops_end));
    SLUICE_RETURN_IF_ERROR(cache_->Apply(before, last.log_end, last.flags));
    applied_ops_ += before.size();
    if (on_applied_) on_applied_(before);
  }
  if (on_duplicates_) on_duplicates_(r);
  return Status();
}

Status CacheBuilder::SourceOffsetBefore(const Window& w, size_t commit, std::string* out) {
  out->clear();
  if (commit > 0) {
    *out = w.commits[commit - 1].source_offset;
    return Status();
  }
  if (w.from == 0) return Status();
  // The commit record just before the window.
  Status decoded;
  SLUICE_RETURN_IF_ERROR(log_->Read(w.from - 1, 1, [&](uint64_t, const LogRecord& rec) {
    CommitInfo info;
    decoded = rec.kind == RecordKind::kCommit ? DecodeCommit(rec.payload, &info)
                                              : DataLoss("expected a commit record");
    *out = std::move(info.source_offset);
    return false;
  }));
  return decoded;
}

Status CacheBuilder::CatchUp() {
  while (cache_->applied() != log_->end()) {
    bool any = false;
    SLUICE_RETURN_IF_ERROR(Step(&any));
    if (!any) SLUICE_RETURN_IF_ERROR(log_->damage());  // a damaged log goes no further
  }
  return Status();
}

bool CacheBuilder::Sleep(uint32_t ms) {
  std::unique_lock<std::mutex> lock(sleep_mu_);
  sleep_cv_.wait_for(lock, std::chrono::milliseconds(ms), [&] { return stop_.load(); });
  return !stop_;
}

bool CacheBuilder::RecoverFromStorage(const Status& s, bool* reopen) {
  *reopen = false;
  const bool cache_write = cache_->write_failed();
  // The log's handle is closed while its writer cannot reopen it (a full
  // disk); the cache serves what it holds meanwhile.
  const bool log_read =
      !cache_write && (s.code() == Code::kUnavailable || s.code() == Code::kResourceExhausted);
  if (!on_storage_ || !reopen_ || (!cache_write && !log_read)) return false;
  DropReadAhead();
  uint32_t& wait = storage_wait_;
  if (wait == 0) wait = retry_min_ms_;
  Status why = s;
  for (;;) {
    on_storage_(why, wait);
    if (!Sleep(wait)) return false;
    wait = std::min(wait * 2, retry_max_ms_);
    if (!cache_write) return true;  // read again
    // Reopening the cache would stop serving it for a moment, and fail
    // while the disk is still full: first make sure that a write of one
    // window's size goes through.
    size_t bytes = std::max<size_t>(windows_[cur_].arena.size(), size_t{1} << 20);
    why = ProbeSpace(cache_->dir(), bytes);
    if (why.ok()) {
      *reopen = true;
      return true;
    }
  }
}

void CacheBuilder::Run() {
  while (!stop_) {
    bool any = false;
    Status s = Step(&any);
    bool reopen = false;
    if (!s.ok() && RecoverFromStorage(s, &reopen)) {
      if (!reopen) continue;
      log::Info("cache", "space is back; reopening the cache", {{"log", log_->name()}});
      reopen_();
      return;
    }
    if (!s.ok() && stop_) return;
    if (s.ok() && storage_wait_ != 0) {
      storage_wait_ = 0;
      on_storage_(Status(), 0);  // reads work again
    }
    if (!s.ok()) {
      log::Error("cache", "cache builder stopped", {{"log", log_->name()}, {"error", s.message()}});
      if (on_error_) on_error_(s);
      return;
    }
    if (on_progress_) on_progress_();
    if (!any && !log_->WaitForData(cache_->applied(), std::chrono::milliseconds(200))) {
      // Nothing from a writer in this process; another process may share the log.
      Status r = log_->Refresh();
      if (!r.ok())
        log::Warn("cache", "cannot refresh log end",
                  {{"log", log_->name()}, {"error", r.message()}});
    }
  }
}

}  // namespace sluice::host
