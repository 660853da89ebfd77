#include "service/reload.h"

#include <algorithm>
#include <map>

namespace sluice::host {
namespace {

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::string List(const std::vector<std::string>& items) { return "[" + Join(items) + "]"; }

// Keys whose values differ, appear or disappear between two option sets.
std::vector<std::string> ChangedKeys(const Options& a, const Options& b) {
  std::map<std::string, std::pair<const std::string*, const std::string*>> all;
  for (const auto& kv : a.items()) all[kv.first].first = &kv.second;
  for (const auto& kv : b.items()) all[kv.first].second = &kv.second;
  std::vector<std::string> out;
  for (const auto& [key, v] : all)
    if (v.first == nullptr || v.second == nullptr || *v.first != *v.second) out.push_back(key);
  return out;
}

class Differ {
 public:
  void Value(const std::string& part, const std::string& what, const std::string& before,
             const std::string& after) {
    if (before != after) Add(part, what + " " + before + " -> " + after);
  }
  void Opts(const std::string& part, const std::string& what, const Options& before,
            const Options& after) {
    std::vector<std::string> keys = ChangedKeys(before, after);
    if (!keys.empty()) Add(part, what + " changed: " + Join(keys));
  }
  void Add(const std::string& part, const std::string& change) { out.push_back({part, change}); }

  // Entries by name: added, removed, and `compare` for those in both.
  template <typename T, typename Fn>
  void Named(const std::string& prefix, const std::vector<T>& before, const std::vector<T>& after,
             Fn compare) {
    for (const T& b : before) {
      auto it =
          std::find_if(after.begin(), after.end(), [&](const T& a) { return a.name == b.name; });
      if (it == after.end()) Add(prefix + b.name, "removed");
      else compare(prefix + b.name, b, *it);
    }
    for (const T& a : after) {
      auto it =
          std::find_if(before.begin(), before.end(), [&](const T& b) { return a.name == b.name; });
      if (it == before.end()) Add(prefix + a.name, "added");
    }
  }

  std::vector<ConfigChange> out;
};

std::string Bool(bool b) { return b ? "true" : "false"; }

std::string Paths(const std::vector<std::filesystem::path>& paths) {
  std::vector<std::string> s;
  for (const auto& p : paths) s.push_back(p.string());
  return List(s);
}

std::string Keys(const std::vector<std::vector<std::string>>& keys) {
  std::vector<std::string> s;
  for (const auto& k : keys) s.push_back(List(k));
  return List(s);
}

void Plugin(Differ& d, const std::string& part, const PluginInstanceConfig& a,
            const PluginInstanceConfig& b) {
  d.Value(part, "plugin", a.plugin, b.plugin);
  d.Value(part, "enabled", Bool(a.enabled), Bool(b.enabled));
  d.Opts(part, "options", a.options, b.options);
}

void Endpoint(Differ& d, const std::string& part, const EndpointConfig& a,
              const EndpointConfig& b) {
  d.Value(part, "path", a.path, b.path);
  d.Value(part, "connection", a.connection, b.connection);
  d.Value(part, "table", a.table, b.table);
  // Table options take effect on reload (service/endpoint_runner.h).
  d.Value(part, "primary_key", List(a.primary_key), List(b.primary_key));
  d.Value(part, "secondary", Keys(a.secondary), Keys(b.secondary));
  d.Value(part, "on_duplicate", OnDuplicateName(a.on_duplicate), OnDuplicateName(b.on_duplicate));
}

void Ingest(Differ& d, const IngestConfig& a, const IngestConfig& b) {
  d.Value("ingest", "batch_rows", std::to_string(a.batch_rows), std::to_string(b.batch_rows));
  d.Value("ingest", "commit_rows", std::to_string(a.commit_rows), std::to_string(b.commit_rows));
  d.Value("ingest", "commit_interval_ms", std::to_string(a.commit_interval_ms),
          std::to_string(b.commit_interval_ms));
  d.Value("ingest", "poll_interval_ms", std::to_string(a.poll_interval_ms),
          std::to_string(b.poll_interval_ms));
  d.Value("ingest", "retry_min_ms", std::to_string(a.retry_min_ms), std::to_string(b.retry_min_ms));
  d.Value("ingest", "retry_max_ms", std::to_string(a.retry_max_ms), std::to_string(b.retry_max_ms));
}

void Query(Differ& d, const QueryLimits& a, const QueryLimits& b) {
  d.Value("query", "default_limit", std::to_string(a.default_limit),
          std::to_string(b.default_limit));
  d.Value("query", "max_limit", std::to_string(a.max_limit), std::to_string(b.max_limit));
  d.Value("query", "scan_budget", std::to_string(a.scan_budget), std::to_string(b.scan_budget));
  d.Value("query", "filter_budget", std::to_string(a.filter_budget),
          std::to_string(b.filter_budget));
  d.Value("query", "max_filter_terms", std::to_string(a.max_filter_terms),
          std::to_string(b.max_filter_terms));
  d.Value("query", "max_skip", std::to_string(a.max_skip), std::to_string(b.max_skip));
  d.Value("query", "max_query_bytes", std::to_string(a.max_query_bytes),
          std::to_string(b.max_query_bytes));
  d.Value("query", "timeout_ms", std::to_string(a.timeout_ms), std::to_string(b.timeout_ms));
  d.Value("query", "row_cache_mb", std::to_string(a.row_cache_mb), std::to_string(b.row_cache_mb));
}

}  // namespace

std::vector<ConfigChange> ChangesNeedingRestart(const Config& running, const Config& fresh) {
  Differ d;
  d.Value("home_dir", "home_dir", running.home_dir.string(), fresh.home_dir.string());
  d.Value("app_name", "app_name", running.app_name, fresh.app_name);
  d.Value("plugin_dirs", "plugin_dirs", Paths(running.plugin_dirs), Paths(fresh.plugin_dirs));
  Plugin(d, "storage.log", running.storage.log, fresh.storage.log);
  Plugin(d, "storage.cache", running.storage.cache, fresh.storage.cache);
  d.Value("storage", "rebuild_cache", Bool(running.storage.rebuild_cache),
          Bool(fresh.storage.rebuild_cache));
  d.Named("connections.", running.connections, fresh.connections,
          [&](const std::string& part, const ConnectionConfig& a, const ConnectionConfig& b) {
            d.Value(part, "plugin", a.plugin, b.plugin);
            d.Opts(part, "options", a.options, b.options);
          });
  d.Named("endpoints.", running.endpoints, fresh.endpoints,
          [&](const std::string& part, const EndpointConfig& a, const EndpointConfig& b) {
            Endpoint(d, part, a, b);
          });
  d.Named("api.", running.apis, fresh.apis,
          [&](const std::string& part, const PluginInstanceConfig& a,
              const PluginInstanceConfig& b) { Plugin(d, part, a, b); });
  Ingest(d, running.ingest, fresh.ingest);
  Query(d, running.query, fresh.query);
  return d.out;
}

}  // namespace sluice::host
