// VersionSync: keeps a home's versions in agreement with the version catalog
// that travels with the logs (migrate/version_catalog.h), so that every host
// sharing a log backend serves the same versions with the same schemas
// (docs/scaling.md, "Migrations").
//
// - `migrate` (and `run`, which migrates first) syncs with publish: versions
//   other hosts recorded are written into this home first, so the plan starts
//   from the shared latest version, and afterwards every version of this home
//   the catalog lacks is recorded.
// - `api run` syncs without publish at start and then polls: versions the
//   app host creates appear on every API host while they run.
#ifndef SLUICE_HOST_MIGRATE_VERSION_SYNC_H_
#define SLUICE_HOST_MIGRATE_VERSION_SYNC_H_

#include <functional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "runtime/runtime.h"
#include "storage/version_catalog.h"

namespace sluice::host {

// The API instances whose artifacts a version written into the home needs,
// asked for only when one is written (creating them may start threads).
using ApiInstances = std::function<Status(std::vector<ApiInstance>** out)>;

class VersionSync {
 public:
  explicit VersionSync(Runtime& runtime) : rt_(runtime) {}

  // For every configured endpoint:
  //  - each version the catalog records, this home lacks and nobody pruned
  //    is written here (migrate.h WriteVersion, with the artifacts of
  //    `apis`), and its line "trips: v3 from the version catalog" added to
  //    *lines;
  //  - each version both have must have the same schema: FAILED_PRECONDITION
  //    naming the endpoint, version and differences otherwise (nothing of
  //    that endpoint is changed);
  //  - with `publish`, each version this home has above the catalog's latest
  //    is recorded, in order.
  // Without `publish`, a missing catalog is not an error (nothing recorded
  // yet).
  Status Sync(const ApiInstances& apis, bool publish, std::vector<std::string>* lines);

 private:
  Status SyncEndpoint(const EndpointConfig& ep, const ApiInstances& apis, bool publish,
                      std::vector<std::string>* lines);
  Runtime& rt_;
  std::set<std::pair<std::string, uint32_t>> agreed_;  // versions already compared
};

}  // namespace sluice::host

#endif  // SLUICE_HOST_MIGRATE_VERSION_SYNC_H_
