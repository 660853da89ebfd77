#include "runtime/runtime.h"

#include <set>

#include "core/storage_marker.h"
#include "plugin/option_check.h"
#include "sluice/client/api_client.h"
#include "sluice/client/source_client.h"
#include "sluice/client/storage_client.h"
#include "util/log.h"

namespace sluice::host {

Runtime::Runtime(Config config) : config_(std::move(config)), home_(config_.home_dir) {}

Runtime::~Runtime() {
  logs_.clear();
  sources_.clear();
  cache_storage_.reset();
  log_storage_.reset();
}

void Runtime::Discover() {
  if (discovered_) return;
  discovered_ = true;
  catalog_.Discover(config_.plugin_dirs);
  catalog_.Discover({DefaultPluginDir()}, /*required=*/false);
  for (const auto& [path, problem] : catalog_.problems())
    log::Warn("plugins", problem, {{"path", path.string()}});
}

Status Runtime::CheckOptions(uint32_t flags) {
  Discover();
  std::string all;
  bool only_in_use = false;
  for (const std::string& p : CheckConfigOptions(config_, catalog_, flags, &only_in_use))
    all += (all.empty() ? "" : "\n") + p;
  if (all.empty()) return Status();
  return only_in_use ? Unavailable(std::move(all)) : InvalidArgument(std::move(all));
}

Status Runtime::Init() {
  Discover();
  SLUICE_RETURN_IF_ERROR(CreateStorage(config_.storage.log, &log_storage_));
  if (config_.storage.Shared()) cache_storage_ = log_storage_;
  else SLUICE_RETURN_IF_ERROR(CreateStorage(config_.storage.cache, &cache_storage_));
  return CheckStorageMarker();
}

Status Runtime::CreateStorage(const PluginInstanceConfig& storage,
                              std::shared_ptr<StoragePlugin>* out) {
  std::string where = storage.name == "storage" ? "" : storage.name + ": ";
  const PluginInfo* info = nullptr;
  Status s = catalog_.Require(PluginKind::kStorage, storage.plugin, &info);
  if (!s.ok()) return where.empty() ? s : s.WithContext(storage.name);
  std::unique_ptr<StoragePlugin> created;
  SLUICE_RETURN_IF_ERROR(
      client::CreateStorage(static_cast<const sluice_storage_vtable*>(info->vtable),
                            log::HostServicesTable(), storage.options, &created)
          .WithContext(where + "storage plugin \"" + info->name + "\" (" + info->path.string() +
                       ")"));
  *out = std::move(created);
  return Status();
}

Status Runtime::CheckStorageMarker() {
  StorageBackends configured{config_.storage.log.plugin, config_.storage.cache.plugin};
  MarkerCheck check;
  SLUICE_RETURN_IF_ERROR(
      EnsureStorageMarker(home_, configured, config_.storage.rebuild_cache, &check));
  const StorageBackends& was = check.previous;
  if (check.outcome == MarkerCheck::kCacheRebuilt)
    log::Warn("storage", "cache backend changed: deleted the caches; they are rebuilt from the log",
              {{"was", was.cache}, {"now", configured.cache}, {"home", home_.root().string()}});
  if (check.outcome == MarkerCheck::kAdopted)
    log::Info("storage", "storage backends changed on a home with no data of the old ones",
              {{"log", was.log + " -> " + configured.log},
               {"cache", was.cache + " -> " + configured.cache}});
  return Status();
}

const EndpointConfig* Runtime::FindEndpoint(const std::string& name) const {
  for (const auto& e : config_.endpoints)
    if (e.name == name) return &e;
  return nullptr;
}

Status Runtime::OpenLog(const std::string& endpoint, uint32_t version, bool create,
                        std::shared_ptr<VersionLog>* out) {
  std::string name = Home::LogStreamName(endpoint, version);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = logs_.find(name);
  if (it != logs_.end()) {
    *out = it->second;
    return Status();
  }
  std::unique_ptr<VersionLog> log;
  fs::path dir = home_.LogDir(endpoint, version);
  if (create) {
    std::error_code ec;
    fs::create_directories(dir.parent_path(), ec);
  }
  SLUICE_RETURN_IF_ERROR(VersionLog::Open(*log_storage_, name, dir, create, &log,
                                          log_reader_ ? TailPolicy::kIgnore : TailPolicy::kRepair));
  *out = logs_[name] = std::move(log);
  return Status();
}

Status Runtime::OpenCatalog(const std::string& endpoint, bool create, VersionCatalog** out) {
  *out = nullptr;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = catalogs_.find(endpoint);
  if (it != catalogs_.end()) {
    *out = it->second.get();
    return Status();
  }
  std::unique_ptr<VersionCatalog> catalog;
  Status s = VersionCatalog::Open(*log_storage_, home_, endpoint, create, &catalog);
  if (s.code() == Code::kNotFound && !create) return Status();
  SLUICE_RETURN_IF_ERROR(s);
  *out = catalog.get();
  catalogs_[endpoint] = std::move(catalog);
  return Status();
}

void Runtime::CloseLog(const std::string& endpoint, uint32_t version) {
  std::lock_guard<std::mutex> lock(mu_);
  logs_.erase(Home::LogStreamName(endpoint, version));
}

Status Runtime::SourceFor(const EndpointConfig& endpoint, SourcePlugin** out,
                          std::string* plugin_name) {
  const ConnectionConfig* conn = nullptr;
  for (const auto& c : config_.connections)
    if (c.name == endpoint.connection) conn = &c;
  if (conn == nullptr)
    return InvalidArgument("endpoint " + endpoint.name + ": unknown connection \"" +
                           endpoint.connection + "\"");
  *plugin_name = conn->plugin;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sources_.find(conn->name);
  if (it != sources_.end()) {
    *out = it->second.get();
    return Status();
  }
  const PluginInfo* info = nullptr;
  SLUICE_RETURN_IF_ERROR(catalog_.Require(PluginKind::kSource, conn->plugin, &info));
  std::unique_ptr<SourcePlugin> source;
  SLUICE_RETURN_IF_ERROR(
      client::CreateSource(static_cast<const sluice_source_vtable*>(info->vtable),
                           log::HostServicesTable(), conn->options, &source)
          .WithContext("connection \"" + conn->name + "\" (source plugin " + conn->plugin + ")"));
  *out = source.get();
  sources_[conn->name] = std::move(source);
  return Status();
}

Status Runtime::CheckSources() {
  std::vector<std::string> problems;
  std::set<std::string> reported;
  for (const EndpointConfig& ep : config_.endpoints) {
    SourcePlugin* source = nullptr;
    std::string plugin;
    Status s = SourceFor(ep, &source, &plugin);
    if (!s.ok()) {
      bool config_error = s.code() == Code::kInvalidArgument ||
                          catalog_.Find(PluginKind::kSource, plugin) == nullptr;
      if (config_error && reported.insert(ep.connection).second)
        problems.push_back("endpoint " + ep.name + ": " + s.message());
      continue;
    }
    s = source->CheckTable(ep.table, ep.options);
    if (!s.ok())
      problems.push_back("endpoint " + ep.name + ": table \"" + ep.table + "\": " + s.message());
  }
  if (problems.empty()) return Status();
  std::string all;
  for (const std::string& p : problems) all += (all.empty() ? "" : "\n") + p;
  return InvalidArgument(all);
}

Status Runtime::DescribeEndpoint(const EndpointConfig& endpoint, TableSchema* out,
                                 std::vector<std::string>* notes) {
  SourcePlugin* source = nullptr;
  std::string plugin;
  SLUICE_RETURN_IF_ERROR(SourceFor(endpoint, &source, &plugin));
  Schema schema;
  std::vector<std::string> ignored;
  SLUICE_RETURN_IF_ERROR(source->DescribeWithNotes(endpoint.table, endpoint.options, &schema,
                                                   notes ? notes : &ignored));
  SLUICE_RETURN_IF_ERROR(
      ApplyKeys(schema, endpoint.primary_key, endpoint.secondary, endpoint.name, out));
  SLUICE_RETURN_IF_ERROR(ResolveAggregates(endpoint.aggregates, out->schema, &out->aggregates));
  return ResolveFullText(endpoint.full_text, endpoint.full_text_where, out->schema,
                         &out->full_text);
}

Status Runtime::CreateApis(const sluice_api_host* api, std::vector<ApiInstance>* out) {
  for (const auto& a : config_.apis) {
    if (!a.enabled) continue;
    const PluginInfo* info = nullptr;
    Status s = catalog_.Require(PluginKind::kApi, a.plugin, &info);
    if (!s.ok()) return s.WithContext("api." + a.name);
    ApiInstance inst{a.name, nullptr};
    SLUICE_RETURN_IF_ERROR(client::CreateApi(static_cast<const sluice_api_vtable*>(info->vtable),
                                             log::HostServicesTable(), a.options, api, &inst.plugin)
                               .WithContext("api." + a.name + " (plugin " + a.plugin + ")"));
    out->push_back(std::move(inst));
  }
  return Status();
}

}  // namespace sluice::host
