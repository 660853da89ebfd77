// Server: runs the app pipeline (source -> log), the API side (log -> cache
// -> API plugins), or both, in this process, until asked to stop.
#ifndef SLUICE_HOST_SERVICE_SERVER_H_
#define SLUICE_HOST_SERVICE_SERVER_H_

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "migrate/version_sync.h"
#include "pipeline/ingester.h"
#include "pipeline/progress.h"
#include "registry/api_host.h"
#include "registry/registry.h"
#include "runtime/runtime.h"
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
  // ingester finished), then stops everything gracefully. Returns the first
  // ingester error.
  Status Wait();
  // Thread-safe; used by the signal thread.
  void RequestStop();
  // SIGHUP: re-reads the config file and applies what can change live
  // (current versions, log level); logs every other change as a warning
  // naming the part that needs a restart (service/reload.h). Ignored (with
  // a warning) until Start() has succeeded.
  void Reload();
  // False with *why when an ingester failed or a cache builder stopped
  // with an error. Thread-safe; REQUIRES: Start() returned.
  bool Healthy(std::string* why) const;

  Registry* registry() { return registry_.get(); }
  const std::vector<std::string>& addresses() const { return addresses_; }

 private:
  Status StartApp();
  Status StartApi();
  // A server that serves without ingesting reads logs another process (or
  // host) writes: it follows the version catalog, writing and serving every
  // version created there, until stopped.
  void FollowCatalog();
  // apis_, for the version sync.
  ApiInstances ApiSource();
  void Shutdown();
  // Prometheus text appended to the host's metrics: ingest counters per
  // endpoint version, plugin load failures, build info. Thread-safe.
  std::string ExtraMetrics() const;
  void ApplyPins(const Config& fresh);

  // An ingester with the version it writes, for metrics.
  struct IngestEntry {
    std::string endpoint;
    uint32_t version = 0;
    const Ingester* ingester = nullptr;
  };

  Runtime& runtime_;
  ServerOptions options_;
  std::unique_ptr<Registry> registry_;
  std::unique_ptr<ApiHostImpl> api_host_;
  std::vector<ApiInstance> apis_;
  std::unique_ptr<VersionSync> sync_;  // set when serving without ingesting
  std::vector<std::string> addresses_;
  std::vector<std::unique_ptr<Ingester>> ingesters_;
  std::vector<std::thread> threads_;
  std::unique_ptr<Progress> progress_;
  mutable std::mutex ingest_mu_;  // guards ingest_ (read by metrics on API threads)
  std::vector<IngestEntry> ingest_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::atomic<bool> started_{false};  // Start() succeeded
  size_t finished_ = 0;
  Status first_error_;
  std::map<std::string, uint32_t> pins_;  // `version:` per endpoint as last loaded
};

}  // namespace sluice::host

#endif  // SLUICE_HOST_SERVICE_SERVER_H_
