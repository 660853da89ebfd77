#include "service/server.h"

#include <algorithm>
#include <chrono>

#include "migrate/source_state.h"
#include "registry/serving_state.h"
#include "service/reload.h"
#include "service/stop_deadline.h"
#include "sluice/abi.h"
#include "util/log.h"

namespace sluice::host {

Server::Server(Runtime& runtime, ServerOptions options)
    : runtime_(runtime),
      options_(options),
      board_(options.app ? runtime.home().IngestStateDir() : std::filesystem::path()),
      grace_ms_(runtime.config().shutdown_grace_ms) {}

Server::~Server() { Shutdown(); }

Status Server::Start() {
  // One display for the progress of ingests and cache builds.
  progress_ = std::make_unique<Progress>(std::vector<ProgressSource>{}, options_.progress);
  if (options_.api) SLUICE_RETURN_IF_ERROR(StartApi());
  if (options_.app) SLUICE_RETURN_IF_ERROR(StartApp());
  started_ = true;
  return Status();
}

Status Server::StartApi() {
  bool reader = !options_.app;
  runtime_.SetLogReader(reader);
  for (const EndpointConfig& ep : runtime_.config().endpoints) pins_[ep.name] = ep.version;
  registry_ = std::make_unique<Registry>(runtime_);
  registry_->SetIngestBoard(&board_);
  registry_->SetProgress(progress_.get());
  registry_->SetDuplicateSink([this](const std::string& e, uint32_t v, const DuplicateReport& r) {
    OnDuplicates(e, v, r);
  });
  std::shared_ptr<const AccessPolicy> policy;
  SLUICE_RETURN_IF_ERROR(LoadPolicy(runtime_.config(), &policy));
  api_host_ = std::make_unique<ApiHostImpl>(registry_.get(), runtime_.config().query, policy);
  api_host_->SetExtraMetrics([this] { return ExtraMetrics(); });
  if (options_.app) api_host_->SetIngestBoard(&board_);
  SLUICE_RETURN_IF_ERROR(runtime_.CreateApis(api_host_->table(), &apis_));
  WarnOldApis(*policy);
  if (reader) {
    // Versions the app host created since this home last synced.
    sync_ = std::make_unique<VersionSync>(runtime_);
    std::vector<std::string> lines;
    SLUICE_RETURN_IF_ERROR(sync_->Sync(ApiSource(), /*publish=*/false, &lines));
  }
  SLUICE_RETURN_IF_ERROR(registry_->Start());
  registry_->AddListener([this] {
    for (ApiInstance& a : apis_) a.plugin->CatalogChanged();
  });
  for (ApiInstance& a : apis_) {
    std::vector<std::string> addrs;
    SLUICE_RETURN_IF_ERROR(a.plugin->Start(&addrs).WithContext("api." + a.name));
    for (const std::string& addr : addrs) {
      log::Info("api", "listening", {{"api", a.name}, {"address", addr}});
      addresses_.push_back(addr);
    }
  }
  if (reader) threads_.emplace_back([this] { FollowCatalog(); });
  threads_.emplace_back([this] { PublishServingState(); });
  return Status();
}

ApiInstances Server::ApiSource() {
  return [this](std::vector<ApiInstance>** out) {
    *out = &apis_;
    return Status();
  };
}

void Server::PublishServingState() {
  const std::filesystem::path home = runtime_.home().root();
  std::string last, last_error;
  std::unique_lock<std::mutex> lock(mu_);
  do {
    lock.unlock();
    std::string now = ServingStateJson(*registry_);
    if (now != last) {
      // Not written (a full disk): tried again every second until it is.
      Status s = WriteServingState(home, now);
      if (!s.ok() && s.message() != last_error)
        log::Warn("api", "cannot record the serving state", {{"error", s.message()}});
      last_error = s.message();
      if (s.ok()) last = std::move(now);
    }
    lock.lock();
  } while (!cv_.wait_for(lock, std::chrono::seconds(1), [&] { return stop_; }));
  lock.unlock();
  std::error_code ec;
  std::filesystem::remove(ServingStateFile(home), ec);  // nothing serves any more
}

void Server::FollowCatalog() {
  auto interval =
      std::chrono::milliseconds(std::max<uint32_t>(runtime_.config().ingest.poll_interval_ms, 50));
  std::string last_error;
  std::unique_lock<std::mutex> lock(mu_);
  while (!cv_.wait_for(lock, interval, [&] { return stop_; })) {
    lock.unlock();
    std::vector<std::string> lines;
    Status s = sync_->Sync(ApiSource(), /*publish=*/false, &lines);
    if (s.ok() && !lines.empty()) s = registry_->Refresh();
    if (!s.ok() && s.message() != last_error)
      log::Error("api", "cannot follow the version catalog; retrying", {{"error", s.message()}});
    last_error = s.ok() ? "" : s.message();
    lock.lock();
  }
}

Status Server::StartApp() {
  const IngestConfig& ic = runtime_.config().ingest;
  RunnerOptions ro;
  ro.ingest.once = options_.once;
  ro.ingest.batch_rows = ic.batch_rows;
  ro.ingest.commit_rows = ic.commit_rows;
  ro.ingest.commit_interval_ms = ic.commit_interval_ms;
  ro.ingest.poll_interval_ms = ic.poll_interval_ms;
  ro.retry_min_ms = ic.retry_min_ms;
  ro.retry_max_ms = ic.retry_max_ms;
  ro.create_first_version = options_.api;  // `run` migrates; `app run` writes what exists
  ro.create_version = [this](const PlanEntry& e) { return CreateVersion(e); };
  ro.on_finished = [this](const Status& s) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!s.ok() && first_error_.ok()) first_error_ = s;
    ++finished_;
    cv_.notify_all();
  };
  for (const EndpointConfig& ep : runtime_.config().endpoints) {
    runners_.push_back(std::make_unique<EndpointRunner>(runtime_, ep, &board_, ro));
    progress_->Add(IngestProgressSource(ep.name, &runners_.back()->stats(), &board_));
  }
  for (auto& r : runners_) r->Start();
  return Status();
}

Status Server::CreateVersion(const PlanEntry& e) {
  std::lock_guard<std::mutex> lock(create_mu_);
  ApiInstances instances = [this](std::vector<ApiInstance>** out) {
    if (options_.api) {
      *out = &apis_;
      return Status();
    }
    if (!artifact_apis_created_) {
      static ApiHostImpl none_host(nullptr, QueryLimits());
      SLUICE_RETURN_IF_ERROR(runtime_.CreateApis(none_host.table(), &artifact_apis_));
      artifact_apis_created_ = true;
    }
    *out = &artifact_apis_;
    return Status();
  };
  std::vector<ApiInstance>* apis = nullptr;
  SLUICE_RETURN_IF_ERROR(instances(&apis));
  SLUICE_RETURN_IF_ERROR(CreatePlannedVersion(runtime_, *apis, e));
  VersionSync sync(runtime_);
  std::vector<std::string> lines;
  SLUICE_RETURN_IF_ERROR(sync.Sync(instances, /*publish=*/true, &lines));
  return registry_ ? registry_->Refresh() : Status();
}

EndpointRunner* Server::FindRunner(const std::string& endpoint) {
  for (auto& r : runners_)
    if (r->name() == endpoint) return r.get();
  return nullptr;
}

void Server::OnDuplicates(const std::string& endpoint, uint32_t version, const DuplicateReport& r) {
  bool first;
  {
    std::lock_guard<std::mutex> lock(dup_mu_);
    first = dup_reported_.insert({endpoint, version}).second;
  }
  std::string where = first || r.halted ? LocateRow(endpoint, version, r) : std::string();
  std::string what =
      "duplicate primary key (" + r.key + ")" + (where.empty() ? "" : " at " + where);
  board_.AddDuplicates(endpoint, r.count, what);
  const EndpointConfig* ep = runtime_.FindEndpoint(endpoint);
  OnDuplicate policy = ep ? ep->on_duplicate : OnDuplicate::kLast;
  if (r.halted) {
    std::string why = what +
                      ": on_duplicate: error stops the version there; fix the source "
                      "and start a new version (`sluice migrate --new " +
                      endpoint + "`)";
    if (EndpointRunner* runner = FindRunner(endpoint)) runner->Halt(version, why);
    log::Error("app", "duplicate key stopped the version",
               {{"endpoint", endpoint}, {"version", std::to_string(version)}, {"error", why}});
    return;
  }
  if (!first) return;
  log::Warn("app", "rows with a primary key an earlier row has",
            {{"endpoint", endpoint},
             {"version", std::to_string(version)},
             {"first", what},
             {"on_duplicate", OnDuplicateName(policy)},
             {"effect", policy == OnDuplicate::kFirst ? "the earlier row is kept"
                                                      : "the later row replaces the earlier one"}});
}

std::string Server::LocateRow(const std::string& endpoint, uint32_t version,
                              const DuplicateReport& r) {
  std::string fallback =
      "log record " + std::to_string(r.log_offset) + " of v" + std::to_string(version);
  const EndpointConfig* ep = runtime_.FindEndpoint(endpoint);
  if (ep == nullptr || !options_.app) return fallback;
  SourcePlugin* source = nullptr;
  std::string plugin;
  VersionMeta meta;
  if (!runtime_.SourceFor(*ep, &source, &plugin).ok() ||
      !ReadVersionMeta(runtime_.home().SchemaFile(endpoint, version).string(), &meta).ok())
    return fallback;
  // The offset after the row before it: read up to it from its commit's start.
  std::string offset = r.commit_source_offset;
  if (r.index_in_commit > 0) {
    std::unique_ptr<SourceReader> reader;
    if (!source
             ->OpenReader(ep->table, ep->options, meta.table_schema.SourceSchema(), offset, &reader)
             .ok())
      return fallback;
    uint64_t seen = 0;
    while (seen < r.index_in_commit) {
      RowBatchBuilder b;
      BatchInfo info;
      uint64_t want = r.index_in_commit - seen;
      if (!reader->Next(static_cast<uint32_t>(std::min<uint64_t>(want, 10000)), &b, &info).ok())
        return fallback;
      const sluice_row_batch* c = b.batch();
      if (c->row_count == 0) return fallback;
      seen += c->row_count;
      offset.assign(BatchOffset(*c, c->row_count - 1));
    }
  }
  std::string where;
  if (!source->DescribeOffset(ep->table, ep->options, offset, &where).ok() || where.empty())
    return fallback;
  return where;
}

Status Server::Wait() {
  {
    std::unique_lock<std::mutex> lock(mu_);
    bool app_only_once = options_.app && options_.once && !options_.api;
    cv_.wait(lock, [&] { return stop_ || (app_only_once && finished_ == runners_.size()); });
  }
  if (options_.notifier != nullptr) {
    // No watchdog ping may follow STOPPING: the manager would read it as
    // life after the stop began.
    options_.notifier->StopWatchdog();
    options_.notifier->Notify("STOPPING=1\nSTATUS=stopping");
  }
  Shutdown();
  std::lock_guard<std::mutex> lock(mu_);
  return first_error_;
}

void Server::RequestStop() {
  ArmStopDeadline(std::chrono::milliseconds(grace_ms_.load()));
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
}

void Server::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;  // ends FollowCatalog
  }
  cv_.notify_all();
  for (ApiInstance& a : apis_) a.plugin->Stop();
  for (auto& r : runners_) r->Stop();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  // A request an API plugin abandoned at its stop may still run on the
  // engine; what it reads must outlive it (the stop deadline bounds this).
  if (api_host_ && api_host_->open_views() > 0) {
    log::Warn("service", "waiting for requests still running after the API plugins stopped",
              {{"requests", std::to_string(api_host_->open_views())}});
    api_host_->WaitUntilNoViews();
  }
  if (registry_) registry_->Stop();  // before the progress display its builders use
  progress_.reset();
}

void Server::Reload() {
  if (!started_) {
    log::Warn("service", "SIGHUP while starting: ignored; send it again once serving");
    return;
  }
  ServiceNotifier* notify = options_.notifier;
  if (notify != nullptr)
    notify->Notify("RELOADING=1\nSTATUS=reloading config\n" + MonotonicUsecField());
  Config fresh;
  Status s = LoadConfig(runtime_.config().config_file, &fresh);
  if (!s.ok()) {
    log::Error("service", "reload failed; keeping the running config", {{"error", s.message()}});
  } else {
    LogLevel level;
    if (options_.log_level_from_cli)
      log::Info("service", "reload keeps the level given by --log-level",
                {{"config_log_level", fresh.log_level}});
    else if (log::ParseLevel(fresh.log_level, &level)) log::SetLevel(level);
    if (registry_) ApplyPins(fresh);
    // Table options take effect; changed schemas get new versions; stopped
    // ingests retry now.
    for (const EndpointConfig& ep : fresh.endpoints)
      if (EndpointRunner* r = FindRunner(ep.name)) r->Reload(ep, /*replan=*/true);
    if (api_host_) ApplyPolicy(fresh);
    if (fresh.shutdown_grace_ms != grace_ms_.load()) {
      log::Info("service", "reload: shutdown_grace_ms changed",
                {{"from", std::to_string(grace_ms_.load())},
                 {"to", std::to_string(fresh.shutdown_grace_ms)}});
      grace_ms_ = fresh.shutdown_grace_ms;
    }
    std::vector<ConfigChange> changes = ChangesNeedingRestart(runtime_.config(), fresh);
    for (const ConfigChange& c : changes)
      log::Warn("service", "config change needs a restart",
                {{"part", c.part}, {"change", c.change}});
    log::Info("service", "config reloaded", {{"needs_restart", std::to_string(changes.size())}});
  }
  // API plugins re-read their files (TLS certificates and keys) whether or
  // not the config could be read: a rotated certificate must not wait for it.
  for (ApiInstance& a : apis_) {
    Status r = a.plugin->Reload();
    if (!r.ok())
      log::Error("service", "reload: api plugin kept what it had loaded",
                 {{"api", a.name}, {"error", r.message()}});
  }
  if (notify != nullptr)
    notify->Notify(s.ok() ? "READY=1\nSTATUS=serving (config reloaded)"
                          : "READY=1\nSTATUS=serving (reload failed: see log)");
}

Status Server::LoadPolicy(const Config& config, std::shared_ptr<const AccessPolicy>* out) {
  std::vector<std::string> warnings;
  SLUICE_RETURN_IF_ERROR(AccessPolicy::Build(config, out, &warnings));
  for (const std::string& w : warnings) log::Warn("service", "auth: key skipped", {{"why", w}});
  const AuthConfig& a = config.auth;
  if (a.CredentialsConfigured())
    log::Info("service", "auth: credentials configured, every API needs one",
              {{"keys", std::to_string(a.keys.size())},
               {"jwt_keys", std::to_string(a.jwt.keys.size())},
               {"rate_limits", std::to_string(a.rate_limits.size())}});
  return Status();
}

void Server::WarnOldApis(const AccessPolicy& policy) {
  if (!policy.credentials_configured()) return;
  for (const PluginInstanceConfig& a : runtime_.config().apis) {
    const PluginInfo* info = nullptr;
    if (!a.enabled || !runtime_.plugins().Require(PluginKind::kApi, a.plugin, &info).ok() ||
        info->abi_minor >= 2)
      continue;
    log::Warn("service",
              "API plugin predates per-request credentials (ABI 1.2): with credentials "
              "configured it can read no data (every read answers unauthenticated); rebuild it "
              "against SDK 1.2",
              {{"api", a.name},
               {"plugin", a.plugin},
               {"abi", std::to_string(info->abi_major) + "." + std::to_string(info->abi_minor)}});
  }
}

void Server::ApplyPolicy(const Config& fresh) {
  std::shared_ptr<const AccessPolicy> policy;
  Status s = LoadPolicy(fresh, &policy);
  if (!s.ok()) {
    log::Error("service", "reload: keeping the running access policy", {{"error", s.message()}});
    return;
  }
  api_host_->SetPolicy(std::move(policy));
  log::Info("service", "reload: access policy applied (keys, tokens, access rules, rate limits)");
}

void Server::ApplyPins(const Config& fresh) {
  for (const EndpointConfig& ep : fresh.endpoints) {
    auto pin = pins_.find(ep.name);
    if (pin == pins_.end()) continue;         // new endpoint: reported as needing a restart
    if (pin->second == ep.version) continue;  // unchanged: keep any admin switch
    Status r = registry_->SetPinned(ep.name, ep.version);
    if (!r.ok()) {
      log::Error("service", "reload: cannot switch version",
                 {{"endpoint", ep.name}, {"error", r.message()}});
      continue;
    }
    log::Info("service", "reload: version pin changed",
              {{"endpoint", ep.name},
               {"version", ep.version == 0 ? "latest" : std::to_string(ep.version)}});
    pin->second = ep.version;
  }
}

bool Server::Healthy(std::string* why) const {
  if (registry_ == nullptr) return true;
  for (const ServedEndpoint& ep : registry_->Snapshot()) {
    for (const auto& [n, sv] : ep.versions) {
      std::lock_guard<std::mutex> lock(sv->mu);
      if (!sv->error.empty()) {
        *why = "cache builder of " + ep.config.name + " v" + std::to_string(n) +
               " stopped: " + sv->error;
        return false;
      }
    }
  }
  return true;
}

std::string Server::ExtraMetrics() const {
  std::string out;
  auto family = [&](const char* name, const char* type, const char* help) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  };
  std::map<std::string, IngestStatus> states = board_.All();
  auto labels = [&](const std::string& endpoint) {
    auto it = states.find(endpoint);
    uint32_t v = it == states.end() ? 0 : it->second.version;
    return "{endpoint=\"" + endpoint + "\",version=\"" + std::to_string(v) + "\"}";
  };
  auto per_runner = [&](const char* name, const char* help, auto get) {
    family(name, "counter", help);
    for (const auto& r : runners_)
      out += name + labels(r->name()) + " " + std::to_string(get(r->stats())) + "\n";
  };
  per_runner("sluice_ingest_rows_total", "Rows committed to the log by this process.",
             [](const IngestStats& s) { return s.rows.load(); });
  per_runner("sluice_ingest_rejected_rows_total",
             "Rows the source rejected (bad rows skipped by on_error: skip).",
             [](const IngestStats& s) { return s.rejected.load(); });
  auto per_state = [&](const char* name, const char* type, const char* help, auto get) {
    family(name, type, help);
    for (const auto& [endpoint, st] : states)
      out += std::string(name) + "{endpoint=\"" + endpoint + "\"} " + get(st) + "\n";
  };
  if (!runners_.empty()) {
    per_state("sluice_ingest_up", "gauge",
              "1 while the endpoint's ingest runs, is caught up or waits; 0 when it failed, "
              "stopped on a schema change or on a damaged log.",
              [](const IngestStatus& s) { return IngestStopped(s.phase) ? "0" : "1"; });
    family("sluice_ingest_state", "gauge", "1 for the endpoint's current ingest state.");
    for (const auto& [endpoint, st] : states)
      out += "sluice_ingest_state{endpoint=\"" + endpoint + "\",state=\"" +
             IngestPhaseName(st.phase) + "\"} 1\n";
    per_state("sluice_ingest_errors_total", "counter",
              "Times the endpoint's ingest failed or stopped on a schema change.",
              [](const IngestStatus& s) { return std::to_string(s.errors); });
    per_state("sluice_ingest_last_error_timestamp_seconds", "gauge",
              "Unix time of the endpoint's last ingest error (0: none).",
              [](const IngestStatus& s) { return std::to_string(s.last_error.at_ms / 1000); });
  }
  per_state("sluice_ingest_duplicate_keys_total", "counter",
            "Rows whose primary key an earlier row had (on_duplicate decides which is kept).",
            [](const IngestStatus& s) { return std::to_string(s.duplicate_keys); });
  out += SourceMetricsText(runtime_);
  family("sluice_plugin_load_failures", "gauge",
         "Plugin files found but refused at discovery (see `sluice plugins`).");
  out +=
      "sluice_plugin_load_failures " + std::to_string(runtime_.plugins().problems().size()) + "\n";
  family("sluice_build_info", "gauge", "Always 1; labels give the host version and plugin ABI.");
  out += std::string("sluice_build_info{version=\"") + SLUICE_VERSION + "\",abi=\"" +
         std::to_string(SLUICE_ABI_MAJOR) + "." + std::to_string(SLUICE_ABI_MINOR) + "\"} 1\n";
  return out;
}

}  // namespace sluice::host
