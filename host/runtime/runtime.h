// Runtime: what every command shares in one process: the loaded config, the
// plugin catalog, the storage plugin instances (one for the log, one for the
// caches; the same one when the config names one backend for both), source
// connections, and the open logs of endpoint versions (opened once, shared
// by the app and the cache builders).
#ifndef SLUICE_HOST_RUNTIME_RUNTIME_H_
#define SLUICE_HOST_RUNTIME_RUNTIME_H_

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
#include "storage/version_catalog.h"
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

  // Discovers plugins, creates the storage instances and checks them
  // against the backends that wrote the home (core/storage_marker.h):
  // FAILED_PRECONDITION when the config switches the log backend of a home
  // that has data, or its cache backend without storage.rebuild_cache
  // (which deletes the caches so that they are rebuilt from the log). Must
  // succeed before anything else is used.
  Status Init();

  // Discovers the plugins (once; Init() uses them) and checks the options
  // the config gives every plugin instance (plugin/option_check.h; `flags`:
  // SLUICE_CHECK_*), creating and writing nothing: INVALID_ARGUMENT listing
  // every problem, one per line, each with file, line and column;
  // UNAVAILABLE (same message) when every problem is something another
  // process holds for now (OptionProblemKind::kInUse, a port in use).
  Status CheckOptions(uint32_t flags);
  // Never deletes the caches, whatever storage.rebuild_cache says (a
  // process that runs beside the one holding the home). Call before Init().
  void KeepCaches() { config_.storage.rebuild_cache = false; }

  const Config& config() const { return config_; }
  const Home& home() const { return home_; }
  PluginCatalog& plugins() { return catalog_; }
  // The backend of endpoint versions' logs (storage.log).
  StoragePlugin& log_storage() { return *log_storage_; }
  // The backend of the caches (storage.cache): VersionCache and its removal.
  StoragePlugin& cache_storage() { return *cache_storage_; }
  // The log backend; prefer log_storage() or cache_storage() in new code.
  StoragePlugin& storage() { return *log_storage_; }

  const EndpointConfig* FindEndpoint(const std::string& name) const;

  // Declares that this process only reads logs that another process writes
  // (`api run`, possibly on another host sharing the log backend): from then
  // on, opening a log never cuts its tail (TailPolicy::kIgnore) and pruning
  // leaves the logs to the writer. Call before opening logs.
  void SetLogReader(bool reader) { log_reader_ = reader; }
  bool log_reader() const { return log_reader_; }
  // Declares that another process (a running server) holds this home and
  // its storage: this one only reads plain files (schemas, recorded
  // states) and never opens a log or a cache (read-only commands run
  // beside a server: `migrations`, `migrate --dry-run`).
  void SetBesideOwner(bool beside) { beside_owner_ = beside; }
  bool beside_owner() const { return beside_owner_; }

  // The log of one version, opened on first use and shared afterwards.
  // NOT_FOUND when it does not exist and !create.
  Status OpenLog(const std::string& endpoint, uint32_t version, bool create,
                 std::shared_ptr<VersionLog>* out);
  // The version catalog of `endpoint` (migrate/version_catalog.h), opened on
  // first use and shared afterwards; *out = nullptr when it does not exist
  // and !create.
  Status OpenCatalog(const std::string& endpoint, bool create, VersionCatalog** out);

  // Closes a log nobody uses any more (before prune deletes it).
  void CloseLog(const std::string& endpoint, uint32_t version);

  // The source connection an endpoint reads from, created on first use.
  Status SourceFor(const EndpointConfig& endpoint, SourcePlugin** out, std::string* plugin_name);

  // Checks what the config asks of the sources before anything is written:
  // every connection can be created with its options, and every endpoint's
  // table name and table options suit its source (SourcePlugin::CheckTable).
  // INVALID_ARGUMENT listing every such problem, one per line (an error of
  // the config file). A connection that fails for another reason (e.g. its
  // directory is missing) is not a config problem: the endpoints using it
  // fail on their own and retry (service/endpoint_runner.h).
  Status CheckSources();

  // Today's schema of an endpoint: the source's fields plus configured keys.
  // *notes (may be null) gets the source's notes on how it found it.
  // Errors are the source's (callers name the endpoint); UNAVAILABLE when the source cannot
  // describe the table yet (sluice/abi_source.h).
  Status DescribeEndpoint(const EndpointConfig& endpoint, TableSchema* out,
                          std::vector<std::string>* notes = nullptr);

  // One instance of every enabled API plugin (not started).
  Status CreateApis(const sluice_api_host* api, std::vector<ApiInstance>* out);

 private:
  Config config_;
  Home home_;
  PluginCatalog catalog_;
  bool discovered_ = false;
  void Discover();
  // Creates the instance `storage` configures (log or cache).
  Status CreateStorage(const PluginInstanceConfig& storage, std::shared_ptr<StoragePlugin>* out);
  Status CheckStorageMarker();

  std::shared_ptr<StoragePlugin> log_storage_;
  std::shared_ptr<StoragePlugin> cache_storage_;  // == log_storage_ when shared
  bool log_reader_ = false;
  bool beside_owner_ = false;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<SourcePlugin>> sources_;     // by connection name
  std::map<std::string, std::shared_ptr<VersionLog>> logs_;          // by stream name
  std::map<std::string, std::unique_ptr<VersionCatalog>> catalogs_;  // by endpoint
};

}  // namespace sluice::host

#endif  // SLUICE_HOST_RUNTIME_RUNTIME_H_
