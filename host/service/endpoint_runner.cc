#include "service/endpoint_runner.h"

#include <algorithm>

#include "util/log.h"

namespace sluice::host {

EndpointRunner::EndpointRunner(Runtime& runtime, EndpointConfig endpoint, IngestBoard* board,
                               RunnerOptions options)
    : rt_(runtime),
      name_(endpoint.name),
      board_(board),
      options_(std::move(options)),
      ep_(std::move(endpoint)) {}

EndpointRunner::~EndpointRunner() { Stop(); }

void EndpointRunner::Start() {
  board_->Set(name_, 0, IngestPhase::kStarting);
  thread_ = std::thread([this] { Loop(); });
}

void EndpointRunner::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    if (ingester_ != nullptr) ingester_->Stop();
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void EndpointRunner::Reload(const EndpointConfig& fresh, bool replan) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    bool options_changed = fresh.options.items() != ep_.options.items();
    ep_.options = fresh.options;
    ep_.on_duplicate = fresh.on_duplicate;
    replan_ = replan_ || replan;
    if (replan) halted_.clear();
    poked_ = true;
    // A running ingest keeps going unless it must start over with new options.
    if (options_changed && ingester_ != nullptr) ingester_->Stop();
  }
  cv_.notify_all();
}

void EndpointRunner::Halt(uint32_t version, const std::string& why) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    halted_ = why;
    halted_version_ = version;
    poked_ = true;
    if (ingester_ != nullptr) ingester_->Stop();
  }
  cv_.notify_all();
}

bool EndpointRunner::LogDamaged(uint32_t version) {
  std::shared_ptr<VersionLog> log;
  return version != 0 && rt_.OpenLog(name_, version, /*create=*/false, &log).ok() &&
         !log->damage().ok();
}

bool EndpointRunner::Pause(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, d, [&] { return stop_ || poked_; });
  poked_ = false;
  return !stop_;
}

void EndpointRunner::OnPhase(uint32_t version, IngestPhase phase, const std::string& detail) {
  if (phase == IngestPhase::kRunning || phase == IngestPhase::kCaughtUp) {
    std::lock_guard<std::mutex> lock(mu_);
    progressed_ = true;
  }
  board_->Set(name_, version, phase, detail);
}

void EndpointRunner::Loop() {
  auto backoff = std::chrono::milliseconds(options_.retry_min_ms);
  const auto backoff_max = std::chrono::milliseconds(options_.retry_max_ms);
  std::string last_logged;
  for (;;) {
    uint32_t version = 0;
    bool storage = false;
    const uint64_t rows_before = stats_.rows.load();
    Status s = Attempt(&version, &storage);
    bool progressed;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_) break;
      progressed = progressed_;
    }
    if (options_.ingest.once) {
      if (!s.ok()) board_->Set(name_, version, IngestPhase::kFailed, s.message());
      if (options_.on_finished)
        options_.on_finished(s.ok() ? s : s.WithContext("endpoint " + name_));
      return;
    }
    if (s.ok()) continue;  // stopped for new options: start again at once
    // Not describable yet (e.g. an empty table): waiting, polled like any input.
    bool waiting = s.code() == Code::kUnavailable && version == 0;
    IngestPhase phase = waiting                      ? IngestPhase::kWaiting
                        : storage                    ? IngestPhase::kStorageError
                        : s.code() == Code::kAborted ? IngestPhase::kSchemaChanged
                        : LogDamaged(version)        ? IngestPhase::kLogDamaged
                                                     : IngestPhase::kFailed;
    std::string detail = s.message();
    if (phase == IngestPhase::kLogDamaged)  // only an operator repairs it
      detail += "; stop the server and run `sluice repair " + name_ + "`";
    board_->Set(name_, version, phase, detail);
    // Rows read but refused by the log are no progress: a full disk backs off.
    if ((progressed && !storage) || stats_.rows.load() > rows_before)
      backoff = std::chrono::milliseconds(options_.retry_min_ms);
    auto pause = waiting ? std::chrono::milliseconds(options_.ingest.poll_interval_ms) : backoff;
    if (s.message() != last_logged) {
      (waiting ? log::Warn : log::Error)("app",
                                         waiting ? "endpoint waits for its source"
                                         : phase == IngestPhase::kLogDamaged
                                             ? "ingest stopped: its log is damaged"
                                             : "ingest stopped; retrying",
                                         {{"endpoint", name_},
                                          {"state", IngestPhaseName(phase)},
                                          {"error", detail},
                                          {"retry_in_ms", std::to_string(pause.count())}});
      last_logged = s.message();
    }
    if (!Pause(pause)) break;
    if (!waiting) backoff = std::min(backoff * 2, backoff_max);
  }
}

Status EndpointRunner::Attempt(uint32_t* version, bool* storage) {
  EndpointConfig ep;
  bool replan;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ep = ep_;
    replan = replan_;
    replan_ = false;
    progressed_ = false;
  }
  VersionMeta meta;
  SLUICE_RETURN_IF_ERROR(PrepareVersion(ep, replan, version, &meta));
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!halted_.empty() && halted_version_ == *version) return FailedPrecondition(halted_);
  }
  std::shared_ptr<VersionLog> log;
  SLUICE_RETURN_IF_ERROR(rt_.OpenLog(name_, *version, /*create=*/true, &log));
  if (log->broken()) {
    // The last attempt's commit failed: the backend may refuse writes until
    // its handle is reopened, and the reopened log says what is durable.
    Status r = log->Reopen();
    if (!r.ok()) {
      *storage = true;
      return r;
    }
    log::Info("app", "log reopened after a failed write",
              {{"endpoint", name_},
               {"version", std::to_string(*version)},
               {"log_end", std::to_string(log->end())}});
  }
  SLUICE_RETURN_IF_ERROR(log->damage());  // nothing is appended after damage
  SourcePlugin* source = nullptr;
  std::string plugin;
  SLUICE_RETURN_IF_ERROR(rt_.SourceFor(ep, &source, &plugin));
  IngestOptions io = options_.ingest;
  uint32_t v = *version;
  io.on_phase = [this, v](IngestPhase phase, const std::string& detail) {
    OnPhase(v, phase, detail);
  };
  Ingester ingester(ep, v, meta.table_schema, source, log, io, &stats_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return Status();
    ingester_ = &ingester;
  }
  Status s = ingester.Run();
  *storage = !s.ok() && log->broken();
  std::lock_guard<std::mutex> lock(mu_);
  ingester_ = nullptr;
  if (s.ok() && !halted_.empty() && halted_version_ == v) return FailedPrecondition(halted_);
  return s;
}

Status EndpointRunner::PrepareVersion(const EndpointConfig& ep, bool replan, uint32_t* version,
                                      VersionMeta* meta) {
  std::vector<uint32_t> versions = rt_.home().ListVersions(name_);
  if (versions.empty() && !options_.create_first_version)
    return FailedPrecondition(
        "the endpoint has no version yet: run `sluice migrate` first (`sluice run` migrates by "
        "itself)");
  if (versions.empty() || replan) {
    PlanEntry e;
    PlanEndpoint(rt_, ep, /*forced=*/false, /*inspect_only=*/false, &e);
    if (!e.error.ok()) return e.error;
    if (e.create) {
      SLUICE_RETURN_IF_ERROR(options_.create_version(e));
      log::Info(
          "app", "planned a new version",
          {{"endpoint", name_}, {"version", std::to_string(e.new_version)}, {"reason", e.reason}});
    }
    versions = rt_.home().ListVersions(name_);
    if (versions.empty()) return Internal("no version after planning one");
  }
  *version = versions.back();
  SLUICE_RETURN_IF_ERROR(ReadVersionMeta(rt_.home().SchemaFile(name_, *version).string(), meta));
  TableSchema today;
  Status d = rt_.DescribeEndpoint(ep, &today);
  if (d.code() == Code::kUnavailable) return Status();  // the reader says what it waits for
  SLUICE_RETURN_IF_ERROR(d);
  std::vector<std::string> diff = DiffTableSchemas(meta->table_schema, today);
  if (diff.empty()) return Status();
  std::string list;
  for (const auto& c : diff) list += (list.empty() ? "" : "; ") + c;
  return Status(Code::kAborted,
                "the source's schema differs from v" + std::to_string(*version) + " (" + list +
                    "): a new version is needed: run `sluice migrate`, or reload the running "
                    "server (SIGHUP, `systemctl reload sluice`), which plans it");
}

}  // namespace sluice::host
