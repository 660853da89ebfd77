// Server: runs the app pipeline (source -> log), the API side (log -> cache
// -> API plugins), or both, in this process, until asked to stop.
#ifndef SLUICE_HOST_SERVICE_SERVER_H_
#define SLUICE_HOST_SERVICE_SERVER_H_

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "pipeline/ingester.h"
#include "pipeline/progress.h"
#include "registry/api_host.h"
#include "registry/registry.h"
#include "service/runtime.h"

namespace sluice::host {

struct ServerOptions {
  bool app = false;       // ingest sources into the latest versions
  bool api = false;       // build caches and serve every version
  bool once = false;      // app: stop at the end of the input
  bool progress = false;  // draw progress on the terminal
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
  // (current versions, log level); logs what would need a restart.
  void Reload();

  Registry* registry() { return registry_.get(); }
  const std::vector<std::string>& addresses() const { return addresses_; }

 private:
  Status StartApp();
  Status StartApi();
  void Shutdown();

  Runtime& runtime_;
  ServerOptions options_;
  std::unique_ptr<Registry> registry_;
  std::unique_ptr<ApiHostImpl> api_host_;
  std::vector<ApiInstance> apis_;
  std::vector<std::string> addresses_;
  std::vector<std::unique_ptr<Ingester>> ingesters_;
  std::vector<std::thread> threads_;
  std::unique_ptr<Progress> progress_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  size_t finished_ = 0;
  Status first_error_;
  std::map<std::string, uint32_t> pins_;  // `version:` per endpoint as last loaded
};

}  // namespace sluice::host

#endif  // SLUICE_HOST_SERVICE_SERVER_H_
