// ServingState: what a serving process last said about its versions (log
// end, cache offset, rows, readiness, current, pin), written to the home so
// that read-only commands run beside it (`sluice migrations`) show live
// figures without opening its logs and caches, which the storage engines
// hold exclusively. {home}/pipeline/state/serving.json, rewritten
// atomically (a consistent snapshot) whenever it changes.
#ifndef SLUICE_HOST_REGISTRY_SERVING_STATE_H_
#define SLUICE_HOST_REGISTRY_SERVING_STATE_H_

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "registry/registry.h"

namespace sluice::host {

struct ServingVersion {
  uint32_t version = 0;
  bool ready = false;
  uint64_t log_end = 0, cache_offset = 0, rows = 0;
};

struct ServingEndpoint {
  uint32_t current = 0;
  uint32_t pinned = 0;     // 0 = latest
  std::string pin_source;  // "config", "admin" or ""
  std::vector<ServingVersion> versions;
};

struct ServingState {
  int64_t pid = 0;
  int64_t at_ms = 0;  // when it was written
  std::map<std::string, ServingEndpoint> endpoints;
};

// The file that holds it.
std::filesystem::path ServingStateFile(const std::filesystem::path& home);

// The JSON of the registry's state now (without at_ms: equal JSON means
// nothing changed).
std::string ServingStateJson(const Registry& registry);
// Writes `json` (from ServingStateJson) with the time and this process's id.
Status WriteServingState(const std::filesystem::path& home, const std::string& json);
// Reads it back. NOT_FOUND when no server wrote one.
Status ReadServingState(const std::filesystem::path& home, ServingState* out);

}  // namespace sluice::host

#endif  // SLUICE_HOST_REGISTRY_SERVING_STATE_H_
