// Migrations: decide, per endpoint, whether the latest version can keep
// taking data or a new version is needed, and create new versions
// (docs/migrations.md).
//
// The latest version n is reused when all hold:
//   1. api/{endpoint}/v{n}/ exists (its API artifacts were written);
//   2. its schema.json equals today's schema (fields, order, types,
//      nullability, primary key, secondary indexes);
//   3. its log is absent or opens at a clean checkpoint (a torn tail is
//      repaired by opening, so the app can resume from it).
// Otherwise version n+1 is created: API artifacts first, then schema.json;
// each directory is written under a temporary name and renamed into place,
// and schema.json's directory appearing is what makes the version exist.
#ifndef SLUICE_HOST_MIGRATE_MIGRATE_H_
#define SLUICE_HOST_MIGRATE_MIGRATE_H_

#include <set>
#include <string>
#include <vector>

#include "core/table_schema.h"
#include "runtime/runtime.h"

namespace sluice::host {

struct PlanEntry {
  std::string endpoint;
  uint32_t latest = 0;  // latest existing version, 0 = none
  bool create = false;  // a new version is needed
  uint32_t new_version = 0;
  std::string reason;                // why a new version is (or is not) needed
  std::vector<std::string> changes;  // schema differences from `latest`
  TableSchema schema;                // today's
  std::string plugin;                // source plugin name
  std::vector<std::string> notes;    // how the source found the schema (rows sampled, ...)
  // Why this endpoint could not be planned (its source cannot be described:
  // missing, empty, malformed). UNAVAILABLE: not yet (it may fill later).
  // The other endpoints are planned and migrated regardless.
  Status error;
};

struct MigrationPlan {
  std::vector<PlanEntry> entries;
  bool any_new() const {
    for (const auto& e : entries)
      if (e.create && e.error.ok()) return true;
    return false;
  }
  bool any_failed() const {
    for (const auto& e : entries)
      if (!e.error.ok()) return true;
    return false;
  }
};

// Computes the plan. `force` names endpoints that get a new version anyway
// (INVALID_ARGUMENT for a name that is no endpoint). `inspect_only` opens
// logs without repairing them (for --dry-run). An endpoint that cannot be
// planned gets its entry's `error`; the others are planned regardless.
Status PlanMigrations(Runtime& runtime, const std::set<std::string>& force, bool inspect_only,
                      MigrationPlan* plan);

// Plans one endpoint into *e (e->error set when it cannot be planned).
void PlanEndpoint(Runtime& runtime, const EndpointConfig& endpoint, bool forced, bool inspect_only,
                  PlanEntry* e);

// Creates the versions the plan asks for (entries without an error),
// asking every API instance for its artifacts.
Status ApplyMigrations(Runtime& runtime, std::vector<ApiInstance>& apis, const MigrationPlan& plan);

// Creates the version one plan entry asks for.
Status CreatePlannedVersion(Runtime& runtime, std::vector<ApiInstance>& apis, const PlanEntry& e);

// Writes version meta.version of endpoint meta.endpoint into the home: API
// artifacts from every instance of `apis`, then schema.json with `document`
// (VersionMetaToJson of meta, or the same text read from the version
// catalog). Each directory is written under a temporary name and renamed, so
// a crash leaves either no version or a whole one.
Status WriteVersion(Runtime& runtime, std::vector<ApiInstance>& apis, const VersionMeta& meta,
                    const std::string& document);

// The plan as the user reads it, one block per endpoint that could be planned.
std::string FormatPlan(const MigrationPlan& plan, bool dry_run);
// One line per endpoint that could not be planned: "trips: waiting: ..."
// (not yet describable) or "trips: cannot plan: ...".
std::string FormatPlanErrors(const MigrationPlan& plan);

}  // namespace sluice::host

#endif  // SLUICE_HOST_MIGRATE_MIGRATE_H_
