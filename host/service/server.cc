#include "service/server.h"

#include <algorithm>
#include <chrono>

#include "migrate/source_state.h"
#include "service/reload.h"
#include "sluice/abi.h"
#include "util/log.h"

namespace sluice::host {

Server::Server(Runtime& runtime, ServerOptions options) : runtime_(runtime), options_(options) {}

Server::~Server() { Shutdown(); }

Status Server::Start() {
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
  api_host_ = std::make_unique<ApiHostImpl>(registry_.get(), runtime_.config().query);
  api_host_->SetExtraMetrics([this] { return ExtraMetrics(); });
  SLUICE_RETURN_IF_ERROR(runtime_.CreateApis(api_host_->table(), &apis_));
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
  return Status();
}

ApiInstances Server::ApiSource() {
  return [this](std::vector<ApiInstance>** out) { return *out = &apis_, Status(); };
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
  IngestOptions io;
  const IngestConfig& ic = runtime_.config().ingest;
  io.once = options_.once;
  io.batch_rows = ic.batch_rows;
  io.commit_rows = ic.commit_rows;
  io.commit_interval_ms = ic.commit_interval_ms;
  io.poll_interval_ms = ic.poll_interval_ms;
  for (const EndpointConfig& ep : runtime_.config().endpoints) {
    std::vector<uint32_t> versions = runtime_.home().ListVersions(ep.name);
    if (versions.empty())
      return FailedPrecondition("endpoint " + ep.name +
                                " has no version yet; run `sluice migrate` first");
    uint32_t v = versions.back();
    VersionMeta meta;
    SLUICE_RETURN_IF_ERROR(ReadVersionMeta(runtime_.home().SchemaFile(ep.name, v).string(), &meta));
    TableSchema today;
    SLUICE_RETURN_IF_ERROR(runtime_.DescribeEndpoint(ep, &today));
    std::vector<std::string> diff = DiffTableSchemas(meta.table_schema, today);
    if (!diff.empty()) {
      std::string list;
      for (const auto& d : diff) list += "\n  - " + d;
      return FailedPrecondition("endpoint " + ep.name + ": the source's schema differs from v" +
                                std::to_string(v) +
                                "; run `sluice migrate` to start a new version:" + list);
    }
    std::shared_ptr<VersionLog> log;
    SLUICE_RETURN_IF_ERROR(runtime_.OpenLog(ep.name, v, /*create=*/true, &log));
    SourcePlugin* source = nullptr;
    std::string plugin;
    SLUICE_RETURN_IF_ERROR(runtime_.SourceFor(ep, &source, &plugin));
    ingesters_.push_back(std::make_unique<Ingester>(ep, v, meta.table_schema, source, log, io));
    std::lock_guard<std::mutex> lock(ingest_mu_);
    ingest_.push_back({ep.name, v, ingesters_.back().get()});
  }
  std::vector<const Ingester*> watched;
  for (auto& in : ingesters_) watched.push_back(in.get());
  progress_ = std::make_unique<Progress>(watched, options_.progress);
  for (auto& in : ingesters_) {
    Ingester* raw = in.get();
    threads_.emplace_back([this, raw] {
      Status s = raw->Run();
      if (!s.ok())
        log::Error("app", "ingest failed", {{"endpoint", raw->endpoint()}, {"error", s.message()}});
      std::lock_guard<std::mutex> lock(mu_);
      if (!s.ok() && first_error_.ok()) first_error_ = s;
      ++finished_;
      cv_.notify_all();
    });
  }
  return Status();
}

Status Server::Wait() {
  {
    std::unique_lock<std::mutex> lock(mu_);
    bool app_only_once = options_.app && options_.once && !options_.api;
    cv_.wait(lock, [&] { return stop_ || (app_only_once && finished_ == ingesters_.size()); });
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
  for (auto& in : ingesters_) in->Stop();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  progress_.reset();
  if (registry_) registry_->Stop();
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
    std::vector<ConfigChange> changes = ChangesNeedingRestart(runtime_.config(), fresh);
    for (const ConfigChange& c : changes)
      log::Warn("service", "config change needs a restart",
                {{"part", c.part}, {"change", c.change}});
    log::Info("service", "config reloaded", {{"needs_restart", std::to_string(changes.size())}});
  }
  if (notify != nullptr)
    notify->Notify(s.ok() ? "READY=1\nSTATUS=serving (config reloaded)"
                          : "READY=1\nSTATUS=serving (reload failed: see log)");
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
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!first_error_.ok()) return *why = "ingest failed: " + first_error_.message(), false;
  }
  if (registry_ == nullptr) return true;
  for (const ServedEndpoint& ep : registry_->Snapshot()) {
    for (const auto& [n, sv] : ep.versions) {
      std::lock_guard<std::mutex> lock(sv->mu);
      if (!sv->error.empty())
        return *why = "cache builder of " + ep.config.name + " v" + std::to_string(n) +
                      " stopped: " + sv->error,
               false;
    }
  }
  return true;
}

std::string Server::ExtraMetrics() const {
  std::string out;
  auto family = [&](const char* name, const char* type, const char* help) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  };
  std::vector<IngestEntry> entries;
  {
    std::lock_guard<std::mutex> lock(ingest_mu_);
    entries = ingest_;
  }
  auto per_ingester = [&](const char* name, const char* help, auto get) {
    family(name, "counter", help);
    for (const IngestEntry& e : entries)
      out += std::string(name) + "{endpoint=\"" + e.endpoint + "\",version=\"" +
             std::to_string(e.version) + "\"} " + std::to_string(get(e.ingester->stats())) + "\n";
  };
  per_ingester("sluice_ingest_rows_total", "Rows committed to the log by this process.",
               [](const IngestStats& s) { return s.rows.load(); });
  per_ingester("sluice_ingest_rejected_rows_total",
               "Rows the source rejected (bad rows skipped by on_error: skip).",
               [](const IngestStats& s) { return s.rejected.load(); });
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
