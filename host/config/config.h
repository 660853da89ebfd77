// The configuration of one sluice deployment, read from a YAML file
// (docs/config.md describes every key, its default and the checks made).
//
//   sluice::host::Config config;
//   sluice::Status s = sluice::host::LoadConfig("sluice.yaml", &config);
//   if (!s.ok()) { std::cerr << s.message() << "\n"; return 2; }
//   for (const auto& e : config.endpoints) ...
//
// Everything is validated while loading: a Config that LoadConfig() filled
// holds names that are safe to use as directory names, endpoint paths that
// are routable, connections that exist and absolute directories. Errors name
// the file, the line and column, the key path, what was expected and what
// was found:
//
//   sluice.yaml:12:20: endpoints[0].index.primary_key: expected a list of
//   field names, found a map
#ifndef SLUICE_HOST_CONFIG_CONFIG_H_
#define SLUICE_HOST_CONFIG_CONFIG_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "config/auth_config.h"
#include "config/query_limits.h"
#include "core/aggregate.h"
#include "sluice/host_services.h"
#include "sluice/status.h"

namespace sluice::host {

// Where a plugin instance's options were written, so that problems found
// after loading (plugin/option_check.h) name file, line and column.
struct OptionsSite {
  std::string path;  // key path of the options: "api.rest", "connections[0].options"
  int line = 0;      // of the options (1-based); 0: not written in the file
  int column = 0;
  // Each flattened option key and where it was written (1-based line, column).
  std::vector<std::pair<std::string, std::pair<int, int>>> keys;

  // "<file>:<line>:<col>: <path>.<key>" (the key's position, else the
  // options'; no position when neither is known); key "" names the options.
  std::string Where(std::string_view file, std::string_view key) const;
};

// One entry of `connections:`: an instance of a source plugin.
struct ConnectionConfig {
  std::string name;    // unique among connections
  std::string plugin;  // source plugin name
  Options options;     // flattened; path-like values made absolute
  OptionsSite site;    // where `options` were written
};

// What a row whose primary key an earlier row already has does
// (`on_duplicate`): replace it (an upsert), be dropped, or stop the version.
enum class OnDuplicate { kLast, kFirst, kError };

// "last", "first", "error".
const char* OnDuplicateName(OnDuplicate d);

// One entry of `endpoints:`: a served table.
struct EndpointConfig {
  std::string name;          // unique; safe as a directory name
  std::string path;          // "/trips"; unique; Default: "/" + name
  std::string connection;    // names a ConnectionConfig
  std::string table;         // source table; Default: name
  Options options;           // source table options (flattened, not path-resolved)
  OptionsSite options_site;  // where `options` were written
  // Empty: no key of its own; each row is keyed by its log position (_row).
  std::vector<std::string> primary_key;
  std::vector<std::vector<std::string>> secondary;  // each non-empty
  // index.covering: secondary index entries carry the row, so a query that
  // walks an index reads no row separately (a larger cache). Default false.
  bool covering = false;
  // `aggregates:` maintained by the cache (docs/aggregates.md), as written;
  // resolved against the source's schema when a version is made.
  std::vector<AggregateDecl> aggregates;
  // `full_text:` string fields with a full-text index (docs/full_text.md).
  std::vector<std::string> full_text;
  std::string full_text_where;  // "<file>:<line>:<col>: endpoints[i].full_text"
  uint32_t version = 0;         // version unversioned paths serve; 0 = latest
  OnDuplicate on_duplicate = OnDuplicate::kLast;
  // `access:`: who may read the endpoint and what of it (docs/security.md).
  // Empty = every principal that may read at all; changes apply on reload.
  std::vector<AccessRuleConfig> access;
};

// An instance of a plugin: the storage backends and each entry of `api:`.
struct PluginInstanceConfig {
  std::string name;    // config key ("rest"); "storage", "storage.log" or "storage.cache"
  std::string plugin;  // plugin name; Default: the key
  bool enabled = true;
  Options options;   // flattened; path-like values made absolute
  OptionsSite site;  // where `options` were written
};

// `storage:`: where the log (the source of truth) and the caches (derived
// from it) live. `storage: { plugin, options }` (or `storage: name`) names
// one backend for both; `storage: { log: {...}, cache: {...} }` names each.
struct StorageConfig {
  PluginInstanceConfig log{"storage", "leveldb", true, Options(), OptionsSite()};
  PluginInstanceConfig cache{"storage", "leveldb", true, Options(), OptionsSite()};
  // When the home's caches were written by another cache backend: delete
  // them and rebuild them from the log instead of refusing to start.
  bool rebuild_cache = false;
  // True when log and cache name the same plugin with the same options
  // (then one plugin instance serves both).
  bool Shared() const {
    return log.plugin == cache.plugin && log.options.items() == cache.options.items();
  }
};

// `ingest:`: how the app batches and commits what it reads.
struct IngestConfig {
  uint32_t batch_rows = 10000;         // rows asked of a source per call
  uint64_t commit_rows = 100000;       // commit at least this often (rows)
  uint32_t commit_interval_ms = 1000;  // ... and at least this often (time)
  uint32_t poll_interval_ms = 500;     // wait between polls of an idle source
  // After an ingest error, retry after retry_min_ms, doubling up to
  // retry_max_ms, until it works (a fixed file, a reload).
  uint32_t retry_min_ms = 1000;
  uint32_t retry_max_ms = 30000;
};

struct Config {
  std::filesystem::path config_file;  // absolute, normalized
  std::filesystem::path config_dir;   // its directory: base of relative paths
  std::string config_name;            // the file as the user named it (in messages)
  std::filesystem::path home_dir;     // absolute; Default: <config_dir>/.sluice
  std::string app_name = "sluice";
  std::string log_level = "info";  // debug | info | warn | error
  // After a stop signal the process exits within this many milliseconds,
  // gracefully or not (service/stop_deadline.h).
  uint32_t shutdown_grace_ms = 10000;
  std::vector<std::filesystem::path> plugin_dirs;  // absolute; searched first
  StorageConfig storage;
  std::vector<ConnectionConfig> connections;
  std::vector<EndpointConfig> endpoints;
  std::vector<PluginInstanceConfig> apis;  // in file order
  IngestConfig ingest;
  QueryLimits query;  // `query:`: page sizes and scan budget of every query
  // `auth:` (plus api_keys / admin_keys lifted from API instances): who may
  // call every API; applied again on reload.
  AuthConfig auth;
};

// Reads and validates the YAML file `file`. NOT_FOUND naming the absolute
// path when the file does not exist; INVALID_ARGUMENT listing every problem
// found (one per line) when it is malformed. *out is only written on
// success.
Status LoadConfig(const std::filesystem::path& file, Config* out);

// Parses and validates YAML text as if read from `file`: `file` appears in
// messages as given and its directory is the base of relative paths (it
// need not exist). Same errors as LoadConfig; *out only written on success.
Status ParseConfig(std::string_view yaml, const std::filesystem::path& file, Config* out);

// True for names usable as endpoint, connection and API instance names:
// [A-Za-z0-9_][A-Za-z0-9_-]* (never "." or "..", never a path separator).
bool IsValidConfigName(std::string_view name);

// True for plugin names as plugins declare them: [a-z0-9_-]+.
bool IsValidPluginName(std::string_view name);

// Why `path` cannot be an endpoint path ("" when it can): it must start with
// '/', have no empty, "." or ".." segment, no trailing '/', segments of
// [A-Za-z0-9_.-], and not start with a reserved segment (v<digits>, admin,
// health, ready, metrics).
std::string EndpointPathProblem(std::string_view path);

}  // namespace sluice::host

#endif  // SLUICE_HOST_CONFIG_CONFIG_H_
