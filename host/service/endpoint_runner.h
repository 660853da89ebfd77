// EndpointRunner: keeps one endpoint's ingest going, whatever its source
// does, so that one broken table never stops the others
// (docs/operations.md, "Ingest state").
//
// On its own thread it makes sure the endpoint has a version to write
// (creating the first one with `run`), checks that the source still has
// that version's schema, and runs an Ingester into it. When the ingest
// stops on an error it records why on the IngestBoard (failed, waiting,
// schema_changed or storage_error; log_damaged when its log does not read
// back, which only `sluice repair` fixes), and tries again later, with a
// backoff, from the last commit: a fixed file, a reload with `on_error: skip`,
// a table that filled up, or a disk with space again resumes by itself,
// losing and repeating nothing. A log that refused a write is reopened
// before the next try (sluice/storage.h, Log::Append). With
// IngestOptions::once the first stop is final instead.
#ifndef SLUICE_HOST_SERVICE_ENDPOINT_RUNNER_H_
#define SLUICE_HOST_SERVICE_ENDPOINT_RUNNER_H_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "config/config.h"
#include "migrate/migrate.h"
#include "pipeline/ingest_state.h"
#include "pipeline/ingester.h"
#include "runtime/runtime.h"

namespace sluice::host {

struct RunnerOptions {
  IngestOptions ingest;               // once, batch and commit sizes, polling
  bool create_first_version = false;  // `run`: plan and create a first version when none exists
  uint32_t retry_min_ms = 1000;       // backoff after an error, doubling ...
  uint32_t retry_max_ms = 30000;      // ... up to this
  // Creates the version a plan entry asks for and makes the server serve
  // it (artifacts, version catalog, registry). Called on the runner's thread.
  std::function<Status(const PlanEntry&)> create_version;
  // With ingest.once: called once when the runner is done, with its result.
  std::function<void(const Status&)> on_finished;
};

class EndpointRunner {
 public:
  // `runtime` and `board` outlive the runner.
  EndpointRunner(Runtime& runtime, EndpointConfig endpoint, IngestBoard* board,
                 RunnerOptions options);
  ~EndpointRunner();  // Stop()
  EndpointRunner(const EndpointRunner&) = delete;
  EndpointRunner& operator=(const EndpointRunner&) = delete;

  void Start();
  // Stops the ingest (committing what it holds) and joins. Idempotent.
  void Stop();

  // A reload: `fresh` is the endpoint's new config (its table options take
  // effect); with `replan`, a source whose schema changed gets a new
  // version (as `sluice migrate` would), and a halt is lifted. Retries now.
  void Reload(const EndpointConfig& fresh, bool replan);
  // The cache of `version` stopped on a problem in the data (a duplicate
  // key under on_duplicate: error): stop ingesting it and report `why`
  // until a reload plans a new version.
  void Halt(uint32_t version, const std::string& why);

  const std::string& name() const { return name_; }
  // Rows committed and rejected by this process, across retries.
  const IngestStats& stats() const { return stats_; }

 private:
  void Loop();
  // One try: a version to write, its schema checked, an ingester run until
  // it stops. *version gets the version it wrote (0 = none); *storage is
  // set when the log refused a write (or could not be reopened after one).
  Status Attempt(uint32_t* version, bool* storage);
  Status PrepareVersion(const EndpointConfig& ep, bool replan, uint32_t* version,
                        VersionMeta* meta);
  // Sleeps for `d` unless stopped or poked; false when stopping.
  bool Pause(std::chrono::milliseconds d);
  void OnPhase(uint32_t version, IngestPhase phase, const std::string& detail);
  // Whether the log of `version` was found damaged (a stop for good, until
  // `sluice repair`).
  bool LogDamaged(uint32_t version);

  Runtime& rt_;
  const std::string name_;
  IngestBoard* board_;
  RunnerOptions options_;
  IngestStats stats_;

  std::mutex mu_;  // guards everything below
  std::condition_variable cv_;
  EndpointConfig ep_;
  bool stop_ = false;
  bool poked_ = false;
  bool replan_ = false;
  std::string halted_;  // why, while halted
  uint32_t halted_version_ = 0;
  Ingester* ingester_ = nullptr;  // the running one, to stop it
  bool progressed_ = false;       // the current attempt read rows or caught up
  std::thread thread_;
};

}  // namespace sluice::host

#endif  // SLUICE_HOST_SERVICE_ENDPOINT_RUNNER_H_
