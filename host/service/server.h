// Server: runs the app pipeline (source -> log), the API side (log -> cache
// -> API plugins), or both, in this process, until asked to stop.
#ifndef SLUICE_HOST_SERVICE_SERVER_H_
#define SLUICE_HOST_SERVICE_SERVER_H_

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "migrate/version_sync.h"
#include "pipeline/ingest_state.h"
#include "pipeline/progress.h"
#include "registry/api_host.h"
#include "registry/registry.h"
#include "runtime/runtime.h"
#include "service/endpoint_runner.h"
#include "service/notify.h"

namespace sluice::host {

struct ServerOptions {
  bool app = false;       // ingest sources into the latest versions
  bool api = false;       // build caches and serve every version
  bool once = false;      // app: stop at the end of the input
  bool progress = false;  // draw progress on the terminal
  // The level came from --log-level: a reload keeps it instead of the
  // config's log_level.
  bool log_level_from_cli = false;
  // Told STOPPING=1 when a stop begins and RELOADING=1 / READY=1 around a
  // reload; may be null. Must outlive the server.
  ServiceNotifier* notifier = nullptr;
};

class Server {
 public:
  Server(Runtime& runtime, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Starts every part; returns once API plugins listen and ingesters run.
  Status Start();
  // Blocks until RequestStop() (or, for an app-only --once run, until every
  // endpoint finished), then stops everything gracefully. Returns the first
  // endpoint's error of a --once run (while serving, an endpoint's ingest
  // errors are retried and reported as its ingest state instead).
  Status Wait();
  // Asks Wait() to stop everything, and arms the stop deadline: the
  // process exits (status 1) if it has not within shutdown_grace_ms
  // (service/stop_deadline.h). Thread-safe; used by the signal thread.
  void RequestStop();
  // SIGHUP: re-reads the config file and applies what can change live
  // (current versions, log level, endpoints' table options, the access
  // policy: keys, key files, JWT keys and JWKS, access rules, rate limits),
  // plans a new version of every endpoint whose source schema changed and
  // retries stopped ingests at once; logs every other change as a warning
  // naming the part that needs a restart (service/reload.h); asks every API
  // plugin to reload its files (ApiPlugin::Reload, e.g. TLS certificates).
  // Ignored (with a warning) until Start() has succeeded.
  void Reload();
  // False with *why when a cache builder stopped with an error: the
  // process itself is broken. Problems in the data (an endpoint whose
  // ingest failed) are not: they show in the ingest state. Thread-safe;
  // REQUIRES: Start() returned.
  bool Healthy(std::string* why) const;
  // Every endpoint's ingest state (empty phases when this process does not ingest).
  const IngestBoard& ingest_board() const { return board_; }

  Registry* registry() { return registry_.get(); }
  const std::vector<std::string>& addresses() const { return addresses_; }

 private:
  Status StartApp();
  Status StartApi();
  // A server that serves without ingesting reads logs another process (or
  // host) writes: it follows the version catalog, writing and serving every
  // version created there, until stopped.
  void FollowCatalog();
  // Keeps {home}/pipeline/state/serving.json (registry/serving_state.h)
  // up to date for commands run beside this server, until stopped.
  void PublishServingState();
  // apis_, for the version sync.
  ApiInstances ApiSource();
  void Shutdown();
  // Prometheus text appended to the host's metrics: ingest state and
  // counters per endpoint, plugin load failures, build info. Thread-safe.
  std::string ExtraMetrics() const;
  void ApplyPins(const Config& fresh);
  // The version a runner's plan asks for: written with this server's API
  // instances, recorded in the version catalog, served.
  Status CreateVersion(const PlanEntry& e);
  // A cache met duplicate keys: counted on the board, the first one located
  // in the source and reported once per version; under on_duplicate: error
  // the endpoint's ingest halts.
  void OnDuplicates(const std::string& endpoint, uint32_t version, const DuplicateReport& r);
  // Where the row a duplicate report names came from ("t.csv:17"), asking
  // its source; "log record N" when it cannot tell.
  std::string LocateRow(const std::string& endpoint, uint32_t version, const DuplicateReport& r);
  EndpointRunner* FindRunner(const std::string& endpoint);
  // The access policy of `config` (key files and JWKS read now); logs what
  // it skipped.
  static Status LoadPolicy(const Config& config, std::shared_ptr<const AccessPolicy>* out);
  // Reload: a policy from the re-read config (keys, JWT keys, access
  // rules, rate limits); the running one stays when it cannot be built.
  void ApplyPolicy(const Config& fresh);
  // Warns about API plugins built before requests carried credentials.
  void WarnOldApis(const AccessPolicy& policy);

  Runtime& runtime_;
  ServerOptions options_;
  std::unique_ptr<Registry> registry_;
  std::unique_ptr<ApiHostImpl> api_host_;
  std::vector<ApiInstance> apis_;
  std::unique_ptr<VersionSync> sync_;  // set when serving without ingesting
  std::vector<std::string> addresses_;
  IngestBoard board_;
  std::vector<std::unique_ptr<EndpointRunner>> runners_;
  std::vector<ApiInstance> artifact_apis_;  // for versions an app-only server creates
  bool artifact_apis_created_ = false;
  std::mutex create_mu_;  // one version creation at a time
  std::vector<std::thread> threads_;
  std::unique_ptr<Progress> progress_;
  std::mutex dup_mu_;
  std::set<std::pair<std::string, uint32_t>>
      dup_reported_;  // versions whose first duplicate was logged
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::atomic<bool> started_{false};  // Start() succeeded
  std::atomic<uint32_t> grace_ms_;    // shutdown_grace_ms, as last (re)loaded
  size_t finished_ = 0;
  Status first_error_;
  std::map<std::string, uint32_t> pins_;  // `version:` per endpoint as last loaded
};

}  // namespace sluice::host

#endif  // SLUICE_HOST_SERVICE_SERVER_H_
