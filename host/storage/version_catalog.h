// VersionCatalog: the record of an endpoint's versions that travels with its
// logs, so that every host sharing a log backend (docs/scaling.md) agrees on
// which versions exist and what their schemas are.
//
// It is one more stream on the log backend, "{endpoint}/versions" (local
// files, if the backend keeps any, under
// {home}/pipeline/logs/{endpoint}/versions/). Each record is one event, a
// JSON document (docs/formats.md, "Version catalog"):
//   - a version was created: the version's schema.json, byte for byte;
//   - a version was pruned: {"event": "pruned", "endpoint": E, "version": N}.
// Records are appended one at a time with the count of records as the
// checkpoint; `migrate` and `prune` append, every other host only reads.
#ifndef SLUICE_HOST_STORAGE_VERSION_CATALOG_H_
#define SLUICE_HOST_STORAGE_VERSION_CATALOG_H_

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "core/table_schema.h"
#include "sluice/storage.h"

namespace sluice::host {

class Home;

// What the catalog says about one endpoint, from its first record on.
struct CatalogState {
  std::map<uint32_t, VersionMeta> created;    // every version ever created
  std::map<uint32_t, std::string> documents;  // their schema.json texts
  std::set<uint32_t> pruned;
  uint32_t latest() const { return created.empty() ? 0 : created.rbegin()->first; }
};

// Thread-safe.
class VersionCatalog {
 public:
  // Opens (creating when `create`) the catalog stream of `endpoint` on the
  // log backend `storage`, which outlives the catalog. NOT_FOUND when it
  // does not exist and !create.
  static Status Open(StoragePlugin& storage, const Home& home, const std::string& endpoint,
                     bool create, std::unique_ptr<VersionCatalog>* out);

  // Reads the records appended since the last call (another host's appends
  // included) into *state. DATA_LOSS names the record that does not parse.
  Status Update(CatalogState* state);

  // Records that version meta.version was created with `document` (its
  // schema.json text). Versions are recorded in ascending order (a home may
  // have pruned some before it first recorded them). If it is recorded
  // already with the same schema, nothing is appended; with another schema,
  // FAILED_PRECONDITION (another host created that version differently).
  Status PublishCreated(const VersionMeta& meta, const std::string& document);
  // Records that `version` was pruned (idempotent).
  Status PublishPruned(uint32_t version);

  // The stream's name in the log backend: "trips/versions".
  static std::string StreamName(const std::string& endpoint) { return endpoint + "/versions"; }

 private:
  VersionCatalog(std::unique_ptr<Log> log, std::string endpoint)
      : log_(std::move(log)), endpoint_(std::move(endpoint)) {}
  Status UpdateLocked(CatalogState* state);
  Status Append(const std::string& record);

  std::mutex mu_;             // guards everything below
  std::unique_ptr<Log> log_;  // null while a reopen failed (broken_)
  StoragePlugin* storage_ = nullptr;
  std::string dir_;
  bool broken_ = false;  // an append failed: reopen before the next one
  std::string endpoint_;
  uint64_t next_ = 0;  // first record Update has not read
  CatalogState seen_;  // everything read so far
};

}  // namespace sluice::host

#endif  // SLUICE_HOST_STORAGE_VERSION_CATALOG_H_
