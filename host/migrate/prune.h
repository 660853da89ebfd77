// Pruning old versions: which ones may go, and deleting their files.
// A version is pruned only when it is older than the newest `keep`, and is
// neither current nor pinned. Its schema.json goes first (the version stops
// existing), then its log, cache and API artifacts.
#ifndef SLUICE_HOST_MIGRATE_PRUNE_H_
#define SLUICE_HOST_MIGRATE_PRUNE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/runtime.h"

namespace sluice::host {

// Versions (ascending input) that may be pruned.
std::vector<uint32_t> PruneCandidates(const std::vector<uint32_t>& versions, uint32_t keep,
                                      uint32_t current, uint32_t pinned);

// Deletes every file of a version nobody has open (logs must be closed
// through Runtime::CloseLog first), after releasing what its source keeps
// for it (migrate/source_state.h) and recording the prune in the version
// catalog. A log reader (Runtime::SetLogReader) removes only its own files,
// not the log's stream. Returns bytes freed in *freed.
Status DeleteVersion(Runtime& runtime, const std::string& endpoint, uint32_t version,
                     uint64_t* freed);

// The line reported for a pruned version.
std::string PruneLine(const std::string& endpoint, uint32_t version, uint64_t freed);

}  // namespace sluice::host

#endif  // SLUICE_HOST_MIGRATE_PRUNE_H_
