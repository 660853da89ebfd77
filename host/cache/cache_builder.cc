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
}

Status CacheBuilder::Step(bool* applied_any) {
  *applied_any = false;
  uint64_t from = cache_->applied();
  uint64_t end = log_->end();
  if (from > end) {
    log::Warn("cache", "cache is ahead of its log (log tail was cut); rebuilding",
              {{"log", log_->name()}, {"cache_offset", std::to_string(from)},
               {"log_end", std::to_string(end)}});
    SLUICE_RETURN_IF_ERROR(cache_->Clear());
    *applied_any = true;
    return Status();
  }
  if (from == end) return Status();
  std::string arena;
  struct Span {
    sluice_op op;
    uint64_t offset;
    size_t at, size;
  };
  std::vector<Span> spans;
  size_t committed = 0;
  uint64_t commit_end = from, flags = 0;
  SLUICE_RETURN_IF_ERROR(log_->Read(from, window_, [&](uint64_t off, const LogRecord& rec) {
    if (rec.kind == RecordKind::kCommit) {
      CommitInfo info;
      if (DecodeCommit(rec.payload, &info).ok()) flags = info.flags;
      committed = spans.size();
      commit_end = off + 1;
      return true;
    }
    spans.push_back({static_cast<sluice_op>(rec.kind), off, arena.size(), rec.payload.size()});
    arena.append(rec.payload.data(), rec.payload.size());
    return true;
  }));
  if (commit_end == from) {
    // One commit is larger than the window: widen it and try again.
    window_ *= 2;
    return Status();
  }
  std::vector<CacheOp> ops;
  ops.reserve(committed);
  for (size_t i = 0; i < committed; ++i)
    ops.push_back({spans[i].op, std::string_view(arena).substr(spans[i].at, spans[i].size), spans[i].offset});
  SLUICE_RETURN_IF_ERROR(cache_->Apply(ops, commit_end, flags));
  if (on_applied_) on_applied_(ops);
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
      if (!r.ok()) log::Warn("cache", "cannot refresh log end", {{"log", log_->name()}, {"error", r.message()}});
    }
  }
}

}  // namespace sluice::host
