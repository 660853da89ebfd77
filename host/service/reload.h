// What a config reload (SIGHUP) cannot apply to a running server: every
// difference between the running config and the re-read one outside the
// parts that change live (endpoint `version:` pins, `log_level` and
// `shutdown_grace_ms`).
//
//   for (const ConfigChange& c : ChangesNeedingRestart(running, fresh))
//     log::Warn("service", "config change needs a restart", {{"part", c.part}, {"change",
//     c.change}});
#ifndef SLUICE_HOST_SERVICE_RELOAD_H_
#define SLUICE_HOST_SERVICE_RELOAD_H_

#include <string>
#include <vector>

#include "config/config.h"

namespace sluice::host {

struct ConfigChange {
  std::string part;  // "storage", "connections.files", "endpoints.trips", "api.rest", "ingest", ...
  std::string change;  // "added", "removed", "path /trips -> /rides", "options changed", ...
};

// The differences between `running` and `fresh` that need a restart, in
// config order (top-level keys, storage, connections, endpoints, api,
// ingest, query). Option values are not repeated (they may hold secrets); only
// which keys changed.
std::vector<ConfigChange> ChangesNeedingRestart(const Config& running, const Config& fresh);

}  // namespace sluice::host

#endif  // SLUICE_HOST_SERVICE_RELOAD_H_
