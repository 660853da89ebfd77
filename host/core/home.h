// The home directory layout (docs/formats.md, "Home directory"):
//
//   {home}/api/{endpoint}/v0001/                 API plugins' artifacts
//   {home}/pipeline/logs/{endpoint}/v0001/schema.json
//   {home}/pipeline/logs/{endpoint}/v0001/log/   the storage log backend's files
//   {home}/pipeline/logs/{endpoint}/versions/    the version catalog's files
//   {home}/pipeline/state/{endpoint}.json        the endpoint's ingest state
//   {home}/cache/{endpoint}/v0001/               the storage cache's files
//
// A version exists when its pipeline directory holds schema.json; versions
// are created in a temporary directory and renamed into place, so a crash
// during creation never leaves a half-made version that looks valid.
#ifndef SLUICE_HOST_CORE_HOME_H_
#define SLUICE_HOST_CORE_HOME_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "sluice/status.h"

namespace sluice::host {

namespace fs = std::filesystem;

class Home {
 public:
  explicit Home(fs::path root) : root_(std::move(root)) {}
  const fs::path& root() const { return root_; }

  // "v0007"
  static std::string VersionDirName(uint32_t version);
  // Parses "v0007" → 7. False for anything else.
  static bool ParseVersionDirName(const std::string& name, uint32_t* version);

  fs::path ApiDir(const std::string& endpoint, uint32_t v) const;
  fs::path PipelineDir(const std::string& endpoint, uint32_t v) const;
  fs::path SchemaFile(const std::string& endpoint, uint32_t v) const;
  fs::path LogDir(const std::string& endpoint, uint32_t v) const;
  fs::path CacheDir(const std::string& endpoint, uint32_t v) const;
  // Local files of the endpoint's version catalog (migrate/version_catalog.h).
  fs::path CatalogDir(const std::string& endpoint) const;
  // Where the ingesting process records each endpoint's ingest state
  // (pipeline/ingest_state.h): {home}/pipeline/state/{endpoint}.json.
  fs::path IngestStateDir() const { return root_ / "pipeline" / "state"; }
  // Name of the version's log stream in the log backend: "trips/v0001".
  static std::string LogStreamName(const std::string& endpoint, uint32_t v);

  // Versions of `endpoint` that exist (have schema.json), ascending.
  std::vector<uint32_t> ListVersions(const std::string& endpoint) const;
  // Endpoint names that have a pipeline directory, sorted.
  std::vector<std::string> ListEndpoints() const;

 private:
  fs::path root_;
};

// Writes `data` to `file` atomically: a temporary file in the same
// directory, fsync, rename, fsync of the directory (sluice/atomic_file.h).
// On failure `file` is unchanged and the temporary file removed; a full disk
// is RESOURCE_EXHAUSTED.
Status WriteFileAtomic(const fs::path& file, const std::string& data);
// Whether `dir`'s filesystem takes `bytes` more now: writes and fsyncs a
// file of that size in `dir`, then removes it. RESOURCE_EXHAUSTED naming
// the file when the disk is full.
Status ProbeSpace(const fs::path& dir, size_t bytes);
// Reads a whole small file.
Status ReadSmallFile(const fs::path& file, std::string* out);
// fsyncs a directory so that renames in it are durable.
Status SyncDir(const fs::path& dir);

}  // namespace sluice::host

#endif  // SLUICE_HOST_CORE_HOME_H_
