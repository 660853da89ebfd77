// What a source plugin keeps on its own server for an endpoint version (a
// replication slot; ABI 1.2): releasing it when the version is deleted, and
// its statistics for `sluice migrations` and /metrics. A source that keeps
// nothing (older plugins, files) makes these no-ops.
#ifndef SLUICE_HOST_MIGRATE_SOURCE_STATE_H_
#define SLUICE_HOST_MIGRATE_SOURCE_STATE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/runtime.h"
#include "sluice/source.h"

namespace sluice::host {

// Asks the version's source (the connection its schema.json names) to
// release what it keeps for the version, passing the log's last committed
// offset. A version whose connection left the config cannot be released:
// logged as a warning naming the connection, then OK. The source's error
// otherwise (the caller keeps the version).
Status ReleaseVersionSource(Runtime& runtime, const std::string& endpoint, uint32_t version);

// The source's statistics of the version (empty when it reports none).
Status VersionSourceStats(Runtime& runtime, const std::string& endpoint, uint32_t version,
                          SourceStats* out);

// Prometheus text: every statistic the sources report, as the gauge
// sluice_source_<name>{endpoint,version} for each version of each configured
// endpoint (e.g. sluice_source_lag_bytes). Empty for a process that only
// reads logs (the writer's host owns the sources). A source that fails to
// answer is left out and logged at debug level.
std::string SourceMetricsText(Runtime& runtime);

// Endpoints whose versions are in the home but which the config no longer has.
std::vector<std::string> RemovedEndpoints(const Runtime& runtime);

}  // namespace sluice::host

#endif  // SLUICE_HOST_MIGRATE_SOURCE_STATE_H_
