// Registry: which endpoint versions this process serves, how far each
// cache has caught up, and which version is current per endpoint.
//
// Switching semantics (docs/architecture.md, "Switching"): a request pins a
// ServedVersion (shared_ptr) once, at its start, so it sees exactly one
// version however `current` moves meanwhile. In `latest` mode the current
// version moves to the highest version whose cache has caught up with a
// complete log (blue/green); a pinned number never moves except by an
// explicit switch (admin call or config reload).
#ifndef SLUICE_HOST_REGISTRY_REGISTRY_H_
#define SLUICE_HOST_REGISTRY_REGISTRY_H_

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cache/cache_builder.h"
#include "cache/version_cache.h"
#include "config/config.h"
#include "core/table_schema.h"
#include "pipeline/ingest_state.h"
#include "pipeline/progress.h"
#include "registry/change_feed.h"
#include "registry/pin_store.h"
#include "sluice/schema.h"
#include "storage/version_log.h"

namespace sluice::host {

class Runtime;

// How far one version's cache build is, shared with the progress display
// (which so never holds the version itself). Updated by its builder.
struct CacheBuildProgress {
  std::atomic<uint64_t> rows{0};     // row operations applied by this run's builder
  std::atomic<uint64_t> applied{0};  // the cache's log offset
  std::atomic<uint64_t> log_end{0};
  std::atomic<bool> ready{false};
  std::atomic<bool> gone{false};  // the version is no longer served
  std::mutex mu;                  // guards state
  std::string state;              // why the build stopped, if it did
};

// One version being served. Shared by in-flight requests; lives until the
// last of them lets go.
struct ServedVersion {
  VersionMeta meta;
  std::unique_ptr<const SchemaView> c_schema;  // meta's schema for the C boundary, made once
  std::shared_ptr<VersionLog> log;
  std::unique_ptr<VersionCache> cache;
  std::unique_ptr<CacheBuilder> builder;
  ChangeFeed feed;                          // changes applied to the cache, for watchers
  std::atomic<bool> frozen{false};          // a newer version exists: its log no longer grows
  std::atomic<bool> ready{false};           // its cache has caught up since it was opened
  std::atomic<bool> rebuilding{false};      // its cache was found corrupt and is being replaced
  std::atomic<bool> reopening{false};       // its cache refused a write and is being reopened
  std::atomic<uint64_t> storage_errors{0};  // cache writes and log reads that failed on storage
  mutable std::mutex mu;                    // guards error, halted, storage_error
  std::string error;                        // why the cache builder stopped on a failure, if it did
  // While the cache builder waits for storage (a full disk): the error.
  std::string storage_error;
  // Why the cache stopped on a problem in the data (on_duplicate: error):
  // the version serves what it applied before; not a failure of the process.
  std::string halted;
  std::shared_ptr<CacheBuildProgress> build = std::make_shared<CacheBuildProgress>();

  uint64_t lag() const {
    uint64_t e = log->end(), a = cache->applied();
    return e > a ? e - a : 0;
  }
  ~ServedVersion();
};

struct ServedEndpoint {
  EndpointConfig config;
  std::map<uint32_t, std::shared_ptr<ServedVersion>> versions;
  uint32_t current = 0;  // 0 = none servable yet
  uint32_t pinned = 0;   // the pin in force; 0 = latest
  // Who set the pin in force: "config" (its `version:`), "admin" (an admin
  // call, kept in the home: registry/pin_store.h; version 0 means an
  // explicit "latest"), or "" (none: latest).
  std::string pin_source;
  int64_t pin_since_ms = 0;  // when an admin pin was made
};

class Registry {
 public:
  explicit Registry(Runtime& runtime);
  // The runtime it serves from (plugins, config, storage).
  Runtime& runtime() { return runtime_; }
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Opens every version on disk of every configured endpoint and starts its
  // cache builder. A pinned version that does not exist fails, listing the
  // versions that do.
  Status Start();
  // Stops every cache builder (caches keep what they applied).
  void Stop();
  // Opens versions created since Start() (e.g. by a migration in this process).
  Status Refresh();

  // What Acquire() also reports about the endpoint.
  struct EndpointState {
    std::string name, path;
    uint32_t current = 0;
    bool pinned = false;
  };
  // Pins `version` (0 = current) of an endpoint given by name or path.
  // NOT_FOUND for unknown endpoint or version, UNAVAILABLE when not ready.
  Status Acquire(std::string_view endpoint, uint32_t version, std::shared_ptr<ServedVersion>* out,
                 EndpointState* state = nullptr) const;
  // Admin switch: makes `version` current and pins it, or with version 0
  // unpins (follows the newest ready version), overriding the config's
  // `version:` until that changes; the pin is kept in the home (survives
  // restarts). The version must exist and be ready, or
  // be stuck with everything it holds served: its cache has applied its
  // whole log and its ingest stopped on an error (or its cache on a
  // duplicate key), so it will not complete by itself; such a version
  // becomes ready (docs/operations.md, "Serving a version whose ingest failed").
  Status SetCurrent(std::string_view endpoint, uint32_t version);
  // Config reload: the config's `version:` of an endpoint changed to
  // `version` (0 = latest): it takes over from any admin pin; same checks.
  Status SetPinned(std::string_view endpoint, uint32_t version);

  // Deletes versions older than the newest `keep` that are neither current
  // nor pinned, of `endpoint` ("" = all), waiting briefly for requests
  // still using them. *lines gets one line per version removed.
  Status Prune(std::string_view endpoint, uint32_t keep, std::vector<std::string>* lines);

  // A read or write of this version's cache found it corrupt: the version
  // stops being ready at once, and its cache is deleted and rebuilt from its
  // log in the background (requests get UNAVAILABLE until it has caught up).
  void ReportCorruptCache(const std::string& endpoint, uint32_t version, const std::string& why);

  // A consistent copy of every endpoint (for catalogs and `GET /`).
  std::vector<ServedEndpoint> Snapshot() const;
  // Called after any change of readiness or current version.
  void AddListener(std::function<void()> fn);
  // Where answers about versions that are not ready find the ingest's
  // state (may be null: nothing ingests in this process). Call before Start().
  void SetIngestBoard(const IngestBoard* board) { board_ = board; }
  // Where cache builds show their progress (may be null: nowhere): every
  // version opened from then on is shown until its cache has caught up
  // (docs/operations.md, "Progress"). It outlives the registry's builders
  // (Stop()). Call before Start().
  void SetProgress(Progress* progress) { progress_ = progress; }
  // Receives every cache builder's duplicate key reports. Call before Start().
  void SetDuplicateSink(
      std::function<void(const std::string& endpoint, uint32_t version, const DuplicateReport&)>
          fn) {
    duplicate_sink_ = std::move(fn);
  }
  // The current version of an endpoint given by name or path (0: none, or
  // no such endpoint). Cheap.
  uint32_t Current(std::string_view endpoint) const;
  // True when every endpoint's current version exists and has caught up.
  bool AllCurrentReady() const;

 private:
  Status OpenVersion(ServedEndpoint& ep, uint32_t v);
  // Replaces the version's cache with one opened again from its directory
  // (the store refused a write: sluice/storage.h), or, with `discard`, with
  // an empty one rebuilt from the log (it was found corrupt).
  void ReplaceCache(const std::string& endpoint, uint32_t version, bool discard);
  // The cache of a version refused a write and the disk has space again:
  // it stops being ready and is reopened in the background.
  void ReopenCache(const std::string& endpoint, uint32_t version);
  void OnProgress(const std::string& endpoint, uint32_t version);
  bool UpdateCurrentLocked(ServedEndpoint& ep);
  void Notify();
  ServedEndpoint* FindLocked(std::string_view name_or_path);
  const ServedEndpoint* FindLocked(std::string_view name_or_path) const;

  // Why version v of `ep` is not ready, for 503 answers. REQUIRES: mu_.
  std::string NotReadyReason(const ServedEndpoint& ep, uint32_t v, ServedVersion& sv) const;
  // True when v is stuck: caught up with its log, its ingest (or cache)
  // stopped on a data problem. REQUIRES: mu_.
  bool Stuck(const ServedEndpoint& ep, uint32_t v, ServedVersion& sv) const;

  // Pins `version` (0 = latest) with `source` ("config" or "admin"). REQUIRES: mu_.
  Status PinLocked(ServedEndpoint& ep, uint32_t version, const std::string& source);
  // The pin in force at start: the config's, or the admin's kept in the
  // home when it was made after the config's was last edited.
  void ChoosePinLocked(ServedEndpoint& ep);

  Runtime& runtime_;
  PinStore pins_;
  const IngestBoard* board_ = nullptr;
  Progress* progress_ = nullptr;
  std::function<void(const std::string&, uint32_t, const DuplicateReport&)> duplicate_sink_;
  mutable std::mutex mu_;
  std::vector<ServedEndpoint> endpoints_;
  std::vector<std::function<void()>> listeners_;
  std::mutex rebuild_mu_;
  std::vector<std::thread> rebuilds_;
  std::atomic<bool> stopping_{false};  // Stop() began: replacements give up
};

}  // namespace sluice::host

#endif  // SLUICE_HOST_REGISTRY_REGISTRY_H_
