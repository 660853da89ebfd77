#include "service/server.h"

#include "util/log.h"

namespace sluice::host {

Server::Server(Runtime& runtime, ServerOptions options) : runtime_(runtime), options_(options) {}

Server::~Server() { Shutdown(); }

Status Server::Start() {
  if (options_.api) SLUICE_RETURN_IF_ERROR(StartApi());
  if (options_.app) SLUICE_RETURN_IF_ERROR(StartApp());
  return Status();
}

Status Server::StartApi() {
  for (const EndpointConfig& ep : runtime_.config().endpoints) pins_[ep.name] = ep.version;
  registry_ = std::make_unique<Registry>(runtime_);
  SLUICE_RETURN_IF_ERROR(registry_->Start());
  api_host_ = std::make_unique<ApiHostImpl>(registry_.get(), QueryLimits());
  SLUICE_RETURN_IF_ERROR(runtime_.CreateApis(api_host_->table(), &apis_));
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
  return Status();
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
      return FailedPrecondition("endpoint " + ep.name + " has no version yet; run `sluice migrate` first");
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
                                std::to_string(v) + "; run `sluice migrate` to start a new version:" + list);
    }
    std::shared_ptr<VersionLog> log;
    SLUICE_RETURN_IF_ERROR(runtime_.OpenLog(ep.name, v, /*create=*/true, &log));
    SourcePlugin* source = nullptr;
    std::string plugin;
    SLUICE_RETURN_IF_ERROR(runtime_.SourceFor(ep, &source, &plugin));
    ingesters_.push_back(std::make_unique<Ingester>(ep, v, meta.table_schema, source, log, io));
  }
  std::vector<const Ingester*> watched;
  for (auto& in : ingesters_) watched.push_back(in.get());
  progress_ = std::make_unique<Progress>(watched, options_.progress);
  for (auto& in : ingesters_) {
    Ingester* raw = in.get();
    threads_.emplace_back([this, raw] {
      Status s = raw->Run();
      if (!s.ok()) log::Error("app", "ingest failed", {{"endpoint", raw->endpoint()}, {"error", s.message()}});
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
  for (ApiInstance& a : apis_) a.plugin->Stop();
  for (auto& in : ingesters_) in->Stop();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  progress_.reset();
  if (registry_) registry_->Stop();
}

void Server::Reload() {
  Config fresh;
  Status s = LoadConfig(runtime_.config().config_file, &fresh);
  if (!s.ok()) {
    log::Error("service", "reload failed; keeping the running config", {{"error", s.message()}});
    return;
  }
  LogLevel level;
  if (log::ParseLevel(fresh.log_level, &level)) log::SetLevel(level);
  if (!registry_) return;
  for (const EndpointConfig& ep : fresh.endpoints) {
    auto pin = pins_.find(ep.name);
    if (pin == pins_.end()) {
      log::Warn("service", "new endpoint in config needs a restart", {{"endpoint", ep.name}});
      continue;
    }
    if (pin->second == ep.version) continue;  // unchanged: keep any admin switch
    Status r = registry_->SetPinned(ep.name, ep.version);
    if (!r.ok()) {
      log::Error("service", "reload: cannot switch version", {{"endpoint", ep.name}, {"error", r.message()}});
      continue;
    }
    pin->second = ep.version;
  }
}

}  // namespace sluice::host
