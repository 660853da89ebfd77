#include "cache/cache_builder.h"

#include <vector>

#include "util/log.h"

namespace sluice::host {

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
  stop_ = true;
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
  w->from = w->commit_end = from;
  w->flags = 0;
  w->arena.clear();
  w->ops.clear();
  SLUICE_RETURN_IF_ERROR(log_->Read(from, max, [&](uint64_t off, const LogRecord& rec) {
    if (rec.kind == RecordKind::kCommit) {
      CommitInfo info;
      if (DecodeCommit(rec.payload, &info).ok()) w->flags = info.flags;
      committed = spans.size();
      w->commit_end = off + 1;
      return true;
    }
    spans.push_back({static_cast<sluice_op>(rec.kind), off, w->arena.size(), rec.payload.size()});
    w->arena.append(rec.payload.data(), rec.payload.size());
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
  if (from > end) {
    log::Warn("cache", "cache is ahead of its log (log tail was cut); rebuilding",
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
  SLUICE_RETURN_IF_ERROR(cache_->Apply(w->ops, w->commit_end, w->flags));
  if (on_applied_) on_applied_(w->ops);
  *applied_any = true;
  return Status();
}

Status CacheBuilder::CatchUp() {
  while (cache_->applied() != log_->end()) {
    bool any = false;
    SLUICE_RETURN_IF_ERROR(Step(&any));
  }
  return Status();
}

void CacheBuilder::Run() {
  while (!stop_) {
    bool any = false;
    Status s = Step(&any);
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
