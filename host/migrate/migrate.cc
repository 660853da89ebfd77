#include "migrate/migrate.h"

#include <chrono>

#include "sluice/timefmt.h"
#include "util/log.h"

namespace sluice::host {
namespace {

std::string NowIso() {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  std::string out;
  AppendTimestamp(&out, us - us % 1000000);
  return out;
}

// Condition 3: the log is absent or opens at a clean checkpoint. A log
// found damaged opens (storage/version_log.h): its version is kept.
Status CheckLog(Runtime& rt, const std::string& endpoint, uint32_t v, bool inspect_only,
                std::string* problem) {
  problem->clear();
  std::error_code ec;
  if (!fs::exists(rt.home().LogDir(endpoint, v), ec)) return Status();
  if (rt.beside_owner()) return Status();  // the running server holds it (and repairs it)
  if (inspect_only) {
    std::unique_ptr<VersionLog> log;
    Status s = VersionLog::Open(rt.storage(), Home::LogStreamName(endpoint, v),
                                rt.home().LogDir(endpoint, v), false, &log, TailPolicy::kReport);
    // A damaged log keeps its version (its ingest stops as `log_damaged`
    // until `sluice repair`), as the writer's open below decides.
    if (!s.ok() && s.code() != Code::kDataLoss) *problem = s.message();
    return Status();
  }
  std::shared_ptr<VersionLog> log;
  Status s = rt.OpenLog(endpoint, v, /*create=*/false, &log);
  if (!s.ok()) *problem = s.message();
  return Status();
}

Status PlanOne(Runtime& rt, const EndpointConfig& ep, bool forced, bool inspect_only,
               PlanEntry* e) {
  e->endpoint = ep.name;
  SourcePlugin* source = nullptr;
  SLUICE_RETURN_IF_ERROR(rt.SourceFor(ep, &source, &e->plugin));
  SLUICE_RETURN_IF_ERROR(rt.DescribeEndpoint(ep, &e->schema, &e->notes));
  std::vector<uint32_t> versions = rt.home().ListVersions(ep.name);
  e->latest = versions.empty() ? 0 : versions.back();
  e->new_version = e->latest + 1;
  if (e->latest == 0) {
    e->create = true;
    e->reason = "no version yet";
    return Status();
  }
  VersionMeta meta;
  Status s = ReadVersionMeta(rt.home().SchemaFile(ep.name, e->latest).string(), &meta);
  if (!s.ok()) {
    e->create = true;
    e->reason = "schema.json unreadable: " + s.message();
    return Status();
  }
  e->changes = DiffTableSchemas(meta.table_schema, e->schema);
  std::error_code ec;
  std::string problem;
  if (forced) {
    e->create = true, e->reason = "forced with --new";
  } else if (!e->changes.empty()) {
    e->create = true, e->reason = "schema changed";
  } else if (!fs::is_directory(rt.home().ApiDir(ep.name, e->latest), ec)) {
    e->create = true, e->reason = "API artifacts missing";
  } else {
    SLUICE_RETURN_IF_ERROR(CheckLog(rt, ep.name, e->latest, inspect_only, &problem));
    if (!problem.empty()) e->create = true, e->reason = "log cannot be resumed: " + problem;
    else e->reason = "schema unchanged";
  }
  return Status();
}

}  // namespace

void PlanEndpoint(Runtime& rt, const EndpointConfig& ep, bool forced, bool inspect_only,
                  PlanEntry* e) {
  *e = PlanEntry();
  e->error = PlanOne(rt, ep, forced, inspect_only, e);
  e->endpoint = ep.name;
}

Status CreatePlannedVersion(Runtime& rt, std::vector<ApiInstance>& apis, const PlanEntry& e) {
  const EndpointConfig* found = rt.FindEndpoint(e.endpoint);
  if (found == nullptr) return InvalidArgument("endpoint " + e.endpoint + " is not in the config");
  const EndpointConfig& ep = *found;
  VersionMeta meta;
  meta.endpoint = ep.name;
  meta.version = e.new_version;
  meta.created_at = NowIso();
  meta.connection = ep.connection;
  meta.plugin = e.plugin;
  meta.table = ep.table;
  meta.table_schema = e.schema;
  SLUICE_RETURN_IF_ERROR(WriteVersion(rt, apis, meta, VersionMetaToJson(meta)));
  log::Info("migrate", "created version",
            {{"endpoint", ep.name}, {"version", std::to_string(meta.version)}});
  return Status();
}

Status WriteVersion(Runtime& rt, std::vector<ApiInstance>& apis, const VersionMeta& meta,
                    const std::string& document) {
  const Home& home = rt.home();
  const std::string& endpoint = meta.endpoint;
  uint32_t v = meta.version;
  const EndpointConfig* ep = rt.FindEndpoint(endpoint);
  if (ep == nullptr) return InvalidArgument("endpoint " + endpoint + " is not in the config");
  std::string vname = Home::VersionDirName(v);
  fs::path api_final = home.ApiDir(endpoint, v);
  fs::path api_tmp = api_final.parent_path() / ("." + vname + ".tmp");
  fs::path pipe_final = home.PipelineDir(endpoint, v);
  fs::path pipe_tmp = pipe_final.parent_path() / ("." + vname + ".tmp");
  std::error_code ec;
  for (const fs::path& p : {api_tmp, api_final, pipe_tmp, home.CacheDir(endpoint, v)})
    fs::remove_all(p, ec);
  fs::create_directories(api_tmp, ec);
  if (ec) return IoError("create " + api_tmp.string(), ec.value());
  for (ApiInstance& api : apis)
    SLUICE_RETURN_IF_ERROR(
        api.plugin
            ->WriteArtifacts(endpoint, ep->path, v, meta.table_schema.schema, api_tmp.string())
            .WithContext("api." + api.name + " artifacts for " + endpoint + " " + vname));
  SLUICE_RETURN_IF_ERROR(SyncDir(api_tmp));
  fs::rename(api_tmp, api_final, ec);
  if (ec) return IoError("rename " + api_tmp.string(), ec.value());
  fs::create_directories(pipe_tmp, ec);
  if (ec) return IoError("create " + pipe_tmp.string(), ec.value());
  SLUICE_RETURN_IF_ERROR(WriteFileAtomic(pipe_tmp / "schema.json", document));
  // The empty log is made before the version's directory appears: a database
  // is not created atomically (LevelDB writes CURRENT last), and a kill in
  // the middle must not leave a version whose log cannot be opened, which
  // the next start would have to replace by a new version.
  {
    std::unique_ptr<VersionLog> log;
    SLUICE_RETURN_IF_ERROR(VersionLog::Open(rt.log_storage(), Home::LogStreamName(endpoint, v),
                                            pipe_tmp / "log", /*create=*/true, &log)
                               .WithContext(endpoint + " " + vname + " log"));
  }
  fs::rename(pipe_tmp, pipe_final, ec);
  if (ec) return IoError("rename " + pipe_tmp.string(), ec.value());
  return SyncDir(pipe_final.parent_path());
}

Status PlanMigrations(Runtime& runtime, const std::set<std::string>& force, bool inspect_only,
                      MigrationPlan* plan) {
  plan->entries.clear();
  for (const std::string& name : force)
    if (runtime.FindEndpoint(name) == nullptr)
      return InvalidArgument("--new " + name + ": no such endpoint in the config");
  for (const EndpointConfig& ep : runtime.config().endpoints) {
    PlanEntry e;
    PlanEndpoint(runtime, ep, force.count(ep.name) > 0, inspect_only, &e);
    plan->entries.push_back(std::move(e));
  }
  return Status();
}

Status ApplyMigrations(Runtime& runtime, std::vector<ApiInstance>& apis,
                       const MigrationPlan& plan) {
  for (const PlanEntry& e : plan.entries) {
    if (!e.create || !e.error.ok()) continue;
    SLUICE_RETURN_IF_ERROR(CreatePlannedVersion(runtime, apis, e));
  }
  return Status();
}

std::string FormatPlanErrors(const MigrationPlan& plan) {
  std::string out;
  for (const PlanEntry& e : plan.entries)
    if (!e.error.ok())
      out += e.endpoint +
             (e.error.code() == Code::kUnavailable ? ": waiting: " : ": cannot plan: ") +
             e.error.message() + "\n";
  return out;
}

std::string FormatPlan(const MigrationPlan& plan, bool dry_run) {
  std::string out;
  for (const PlanEntry& e : plan.entries) {
    if (!e.error.ok()) continue;  // FormatPlanErrors
    if (!e.create) {
      out += e.endpoint + ": unchanged (v" + std::to_string(e.latest) + ")\n";
      if (dry_run)
        for (const std::string& n : e.notes) out += "  " + n + "\n";
      continue;
    }
    out += e.endpoint + ": " + (dry_run ? "would create" : "new version") + " v" +
           std::to_string(e.new_version) + " (" + e.reason + ")\n";
    for (const std::string& c : e.changes) out += "  - " + c + "\n";
    out += "  schema: " + SummarizeSchema(e.schema) + "\n";
    for (const std::string& n : e.notes) out += "  " + n + "\n";
  }
  return out;
}

}  // namespace sluice::host
