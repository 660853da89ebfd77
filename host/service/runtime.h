// Runtime: what every command shares in one process: the loaded config, the
// plugin catalog, the storage plugin instance, source connections, and the
// open logs of endpoint versions (opened once, shared by the app and the
// cache builders).
#ifndef SLUICE_HOST_SERVICE_RUNTIME_H_
#define SLUICE_HOST_SERVICE_RUNTIME_H_

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/home.h"
#include "core/table_schema.h"
#include "plugin/plugin_catalog.h"
#include "sluice/api.h"
#include "sluice/source.h"
#include "sluice/storage.h"
#include "storage/version_log.h"

namespace sluice::host {

struct ApiInstance {
  std::string name;  // config key under `api:`
  std::unique_ptr<ApiPlugin> plugin;
};

class Runtime {
 public:
  explicit Runtime(Config config);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  // Discovers plugins and creates the storage instance. Must succeed before
  // anything else is used.
  Status Init();

  const Config& config() const { return config_; }
  const Home& home() const { return home_; }
  PluginCatalog& plugins() { return catalog_; }
  StoragePlugin& storage() { return *storage_; }

  const EndpointConfig* FindEndpoint(const std::string& name) const;

  // The log of one version, opened on first use and shared afterwards.
  // NOT_FOUND when it does not exist and !create.
  Status OpenLog(const std::string& endpoint, uint32_t version, bool create,
                 std::shared_ptr<VersionLog>* out);
  // Closes a log nobody uses any more (before prune deletes it).
  void CloseLog(const std::string& endpoint, uint32_t version);

  // The source connection an endpoint reads from, created on first use.
  Status SourceFor(const EndpointConfig& endpoint, SourcePlugin** out, std::string* plugin_name);

  // Today's schema of an endpoint: the source's fields plus configured keys.
  Status DescribeEndpoint(const EndpointConfig& endpoint, TableSchema* out);

  // One instance of every enabled API plugin (not started).
  Status CreateApis(const sluice_api_host* api, std::vector<ApiInstance>* out);

 private:
  Config config_;
  Home home_;
  PluginCatalog catalog_;
  std::unique_ptr<StoragePlugin> storage_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<SourcePlugin>> sources_;  // by connection name
  std::map<std::string, std::shared_ptr<VersionLog>> logs_;       // by stream name
};

}  // namespace sluice::host

#endif  // SLUICE_HOST_SERVICE_RUNTIME_H_
