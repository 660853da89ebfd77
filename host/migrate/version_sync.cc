#include "migrate/version_sync.h"

#include <algorithm>

#include "migrate/migrate.h"
#include "util/log.h"

namespace sluice::host {

Status VersionSync::Sync(const ApiInstances& apis, bool publish, std::vector<std::string>* lines) {
  for (const EndpointConfig& ep : rt_.config().endpoints)
    SLUICE_RETURN_IF_ERROR(SyncEndpoint(ep, apis, publish, lines));
  return Status();
}

Status VersionSync::SyncEndpoint(const EndpointConfig& ep, const ApiInstances& apis, bool publish,
                                 std::vector<std::string>* lines) {
  VersionCatalog* catalog = nullptr;
  SLUICE_RETURN_IF_ERROR(rt_.OpenCatalog(ep.name, publish, &catalog));
  if (catalog == nullptr) return Status();
  CatalogState state;
  SLUICE_RETURN_IF_ERROR(catalog->Update(&state));
  std::vector<uint32_t> local = rt_.home().ListVersions(ep.name);
  // Agreement first, so that a conflict changes nothing.
  for (uint32_t v : local) {
    auto it = state.created.find(v);
    if (it == state.created.end() || agreed_.count({ep.name, v})) continue;
    VersionMeta mine;
    SLUICE_RETURN_IF_ERROR(ReadVersionMeta(rt_.home().SchemaFile(ep.name, v).string(), &mine));
    std::vector<std::string> diff = DiffTableSchemas(it->second.table_schema, mine.table_schema);
    if (!diff.empty()) {
      std::string list;
      for (const std::string& d : diff) list += "\n  - " + d;
      return FailedPrecondition(
          "endpoint " + ep.name + " v" + std::to_string(v) + ": this home's schema.json (" +
          rt_.home().SchemaFile(ep.name, v).string() +
          ") differs from the version the shared catalog records, which another host created; "
          "serve "
          "from a fresh home directory, or remove this home's copy of the version. Differences:" +
          list);
    }
    agreed_.insert({ep.name, v});
  }
  for (const auto& [v, meta] : state.created) {
    if (std::binary_search(local.begin(), local.end(), v) || state.pruned.count(v)) continue;
    std::vector<ApiInstance>* instances = nullptr;
    SLUICE_RETURN_IF_ERROR(apis(&instances));
    SLUICE_RETURN_IF_ERROR(WriteVersion(rt_, *instances, meta, state.documents.at(v)));
    agreed_.insert({ep.name, v});
    log::Info("migrate", "version from the version catalog",
              {{"endpoint", ep.name}, {"version", std::to_string(v)}});
    lines->push_back(ep.name + ": v" + std::to_string(v) + " from the version catalog");
  }
  if (!publish) return Status();
  for (uint32_t v : local) {
    if (v <= state.latest()) continue;
    VersionMeta mine;
    std::string document;
    SLUICE_RETURN_IF_ERROR(ReadSmallFile(rt_.home().SchemaFile(ep.name, v), &document));
    SLUICE_RETURN_IF_ERROR(
        ParseVersionMeta(document, &mine).WithContext(rt_.home().SchemaFile(ep.name, v).string()));
    SLUICE_RETURN_IF_ERROR(catalog->PublishCreated(mine, document));
    agreed_.insert({ep.name, v});
    log::Info("migrate", "recorded in the version catalog",
              {{"endpoint", ep.name}, {"version", std::to_string(v)}});
  }
  return Status();
}

}  // namespace sluice::host
