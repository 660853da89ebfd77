#include "config/config_parser.h"

#include <algorithm>

namespace sluice::host::config_internal {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string_view> kTopKeys = {
    "app_name",  "home_dir", "log_level", "plugin_dirs", "storage", "connections",
    "endpoints", "ingest",   "api",       "query",       "auth",    "shutdown_grace_ms"};
const std::vector<std::string_view> kLogLevels = {"debug", "info", "warn", "error"};
// Largest query.default_limit and query.max_limit: one page of records.
constexpr uint64_t kMaxQueryLimit = 1000000;

// True for option keys whose values are file system paths: the last key
// that is not a list index is "path" or ends in "_path", "_dir" or "_file".
bool IsPathKey(std::string_view key) {
  while (!key.empty()) {
    size_t dot = key.rfind('.');
    std::string_view leaf = dot == std::string_view::npos ? key : key.substr(dot + 1);
    bool index = !leaf.empty() &&
                 std::all_of(leaf.begin(), leaf.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!index) {
      auto ends = [&](std::string_view s) {
        return leaf.size() >= s.size() && leaf.substr(leaf.size() - s.size()) == s;
      };
      return leaf == "path" || ends("_path") || ends("_dir") || ends("_file");
    }
    key = dot == std::string_view::npos ? std::string_view() : key.substr(0, dot);
  }
  return false;
}

}  // namespace

ConfigParser::ConfigParser(const fs::path& file, const fs::path& config_dir)
    : config_dir_(config_dir), problems_(file.string()) {}

Status ConfigParser::Parse(const YAML::Node& root, Config* out) {
  cfg_ = out;
  if (!root.IsMap()) {
    std::string found = root.IsNull() ? "nothing (the file is empty)" : Describe(root);
    problems_.Add(
        root.Mark(), "",
        "expected a map of settings (app_name, endpoints, ... — see docs/config.md), found " +
            found);
    return problems_.ToStatus();
  }
  std::vector<Entry> entries = ReadEntries(root, "", &problems_);
  DropUnknownKeys(&entries, kTopKeys, "", &problems_);
  ParseTop(entries);
  return problems_.ToStatus();
}

void ConfigParser::ParseTop(const std::vector<Entry>& entries) {
  std::string text;
  if (const Entry* e = FindEntry(entries, "app_name"); e && ReadName(*e, "app_name", &text))
    cfg_->app_name = text;
  cfg_->home_dir = Resolve("./.sluice");
  if (const Entry* e = FindEntry(entries, "home_dir");
      e && ReadScalar(*e, "home_dir", "a directory", &problems_, &text))
    cfg_->home_dir = Resolve(text);
  if (const Entry* e = FindEntry(entries, "log_level");
      e && ReadScalar(*e, "log_level", "debug, info, warn or error", &problems_, &text)) {
    if (std::find(kLogLevels.begin(), kLogLevels.end(), text) != kLogLevels.end())
      cfg_->log_level = text;
    else
      problems_.Add(e->mark, "log_level",
                    "expected debug, info, warn or error, found \"" + text + "\"" +
                        DidYouMean(text, kLogLevels));
  }
  uint64_t grace = 0;
  if (const Entry* e = FindEntry(entries, "shutdown_grace_ms");
      e && ReadUnsigned(*e, "shutdown_grace_ms", 100, 3600000, &problems_, &grace))
    cfg_->shutdown_grace_ms = static_cast<uint32_t>(grace);
  if (const Entry* e = FindEntry(entries, "plugin_dirs")) ParsePluginDirs(*e);
  if (const Entry* e = FindEntry(entries, "storage")) ParseStorage(*e);
  // Connections before endpoints whatever the file order: endpoints refer to them.
  if (const Entry* e = FindEntry(entries, "connections")) ParseConnections(*e);
  if (const Entry* e = FindEntry(entries, "endpoints")) ParseEndpoints(*e);
  if (const Entry* e = FindEntry(entries, "ingest")) ParseIngest(*e);
  if (const Entry* e = FindEntry(entries, "query")) ParseQueryLimits(*e);
  if (const Entry* e = FindEntry(entries, "api")) ParseApis(*e);
  if (const Entry* e = FindEntry(entries, "auth")) ParseAuth(*e);  // after api: keys gathered there
  CheckAuth();
}

void ConfigParser::ParsePluginDirs(const Entry& e) {
  if (e.value.IsScalar()) {
    std::string dir;
    if (ReadScalar(e, "plugin_dirs", "a list of directories", &problems_, &dir))
      cfg_->plugin_dirs.push_back(Resolve(dir));
    return;
  }
  if (!e.value.IsSequence()) {
    problems_.Add(e.mark, "plugin_dirs",
                  "expected a list of directories, found " + Describe(e.value));
    return;
  }
  size_t i = 0;
  for (auto it = e.value.begin(); it != e.value.end(); ++it, ++i) {
    Entry item{std::to_string(i), *it, it->Mark(), it->Mark()};
    std::string dir;
    if (ReadScalar(item, IndexPath("plugin_dirs", i), "a directory", &problems_, &dir))
      cfg_->plugin_dirs.push_back(Resolve(dir));
  }
}

void ConfigParser::ParseStorage(const Entry& e) {
  StorageConfig& s = cfg_->storage;
  if (e.value.IsScalar()) {  // shorthand: `storage: leveldb`
    if (ReadPluginName(e, "storage", &s.log.plugin)) s.cache.plugin = s.log.plugin;
    return;
  }
  std::vector<Entry> entries;
  if (!ReadMap(e.value, e.mark, "storage",
               "a map like { plugin: leveldb, options: {...} } or { log: {...}, cache: {...} }",
               {"plugin", "options", "log", "cache", "rebuild_cache"}, &problems_, &entries))
    return;
  const Entry* plugin = FindEntry(entries, "plugin");
  const Entry* options = FindEntry(entries, "options");
  const Entry* log = FindEntry(entries, "log");
  const Entry* cache = FindEntry(entries, "cache");
  if (const Entry* r = FindEntry(entries, "rebuild_cache"))
    ReadBool(*r, "storage.rebuild_cache", &problems_, &s.rebuild_cache);
  if ((plugin || options) && (log || cache)) {
    const Entry* split = log ? log : cache;
    problems_.Add(
        split->key_mark, JoinPath("storage", split->key),
        "cannot be combined with storage." + std::string(plugin ? "plugin" : "options") +
            "; use either { plugin, options } (one backend for log and cache) or { log: {...}, "
            "cache: {...} }");
    return;
  }
  if (log || cache) {
    if (log) ParseStorageFacet(*log, "storage.log", &s.log);
    if (cache) ParseStorageFacet(*cache, "storage.cache", &s.cache);
    return;
  }
  if (plugin && ReadPluginName(*plugin, "storage.plugin", &s.log.plugin))
    s.cache.plugin = s.log.plugin;
  if (options && ReadOptions(*options, "storage.options", true, &s.log.options, &s.log.site))
    s.cache.options = s.log.options, s.cache.site = s.log.site;
}

void ConfigParser::ParseStorageFacet(const Entry& e, const std::string& path,
                                     PluginInstanceConfig* out) {
  out->name = path;
  if (e.value.IsScalar()) {  // shorthand: `log: leveldb`
    ReadPluginName(e, path, &out->plugin);
    return;
  }
  std::vector<Entry> entries;
  if (!ReadMap(e.value, e.mark, path, "a map like { plugin: rocksdb, options: {...} }",
               {"plugin", "options"}, &problems_, &entries))
    return;
  if (const Entry* p = FindEntry(entries, "plugin"))
    ReadPluginName(*p, JoinPath(path, "plugin"), &out->plugin);
  if (const Entry* o = FindEntry(entries, "options"))
    ReadOptions(*o, JoinPath(path, "options"), true, &out->options, &out->site);
}

void ConfigParser::ParseConnections(const Entry& e) {
  ForEachItem(e.value, e.mark, "connections", "a list of connections (- name: ..., plugin: ...)",
              &problems_, [&](const YAML::Node& item, const std::string& path) {
                ConnectionConfig c;
                if (!ParseConnection(item, path, &c)) return;
                auto same =
                    std::find_if(cfg_->connections.begin(), cfg_->connections.end(),
                                 [&](const ConnectionConfig& o) { return o.name == c.name; });
                if (same != cfg_->connections.end()) {
                  problems_.Add(item.Mark(), path + ".name",
                                "duplicate connection name \"" + c.name +
                                    "\"; connection names must be unique");
                  return;
                }
                cfg_->connections.push_back(std::move(c));
              });
}

bool ConfigParser::ParseConnection(const YAML::Node& node, const std::string& path,
                                   ConnectionConfig* out) {
  std::vector<Entry> entries;
  if (!ReadMap(node, node.Mark(), path, "a map with name, plugin and options",
               {"name", "plugin", "options"}, &problems_, &entries))
    return false;
  bool ok = RequireKeys(entries, node, path, {"name", "plugin"});
  const Entry* name = FindEntry(entries, "name");
  const Entry* plugin = FindEntry(entries, "plugin");
  ok = name && ReadName(*name, path + ".name", &out->name) && ok;
  ok = plugin && ReadPluginName(*plugin, path + ".plugin", &out->plugin) && ok;
  if (const Entry* o = FindEntry(entries, "options"))
    ok = ReadOptions(*o, path + ".options", true, &out->options, &out->site) && ok;
  return ok;
}

void ConfigParser::ParseIngest(const Entry& e) {
  if (e.value.IsNull()) return;
  std::vector<Entry> entries;
  if (!ReadMap(e.value, e.mark, "ingest", "a map of ingest settings",
               {"batch_rows", "commit_rows", "commit_interval_ms", "poll_interval_ms",
                "retry_min_ms", "retry_max_ms"},
               &problems_, &entries))
    return;
  IngestConfig& in = cfg_->ingest;
  uint64_t v = 0;
  for (const Entry& x : entries) {
    std::string path = JoinPath("ingest", x.key);
    if (x.key == "batch_rows" && ReadUnsigned(x, path, 1, 10000000, &problems_, &v))
      in.batch_rows = static_cast<uint32_t>(v);
    if (x.key == "commit_rows" && ReadUnsigned(x, path, 1, 1000000000000, &problems_, &v))
      in.commit_rows = v;
    if (x.key == "commit_interval_ms" && ReadUnsigned(x, path, 1, 3600000, &problems_, &v))
      in.commit_interval_ms = static_cast<uint32_t>(v);
    if (x.key == "poll_interval_ms" && ReadUnsigned(x, path, 1, 3600000, &problems_, &v))
      in.poll_interval_ms = static_cast<uint32_t>(v);
    if (x.key == "retry_min_ms" && ReadUnsigned(x, path, 1, 3600000, &problems_, &v))
      in.retry_min_ms = static_cast<uint32_t>(v);
    if (x.key == "retry_max_ms" && ReadUnsigned(x, path, 1, 3600000, &problems_, &v))
      in.retry_max_ms = static_cast<uint32_t>(v);
  }
  if (in.retry_max_ms < in.retry_min_ms)
    problems_.Add(e.mark, "ingest.retry_max_ms",
                  "must be at least ingest.retry_min_ms (" + std::to_string(in.retry_min_ms) + ")");
}

void ConfigParser::ParseQueryLimits(const Entry& e) {
  if (e.value.IsNull()) return;
  std::vector<Entry> entries;
  if (!ReadMap(e.value, e.mark, "query",
               "a map like { default_limit: 50, max_limit: 10000, scan_budget: 1000000 }",
               {"default_limit", "max_limit", "scan_budget", "filter_budget", "max_filter_terms",
                "max_skip", "max_query_bytes", "timeout_ms", "row_cache_mb"},
               &problems_, &entries))
    return;
  QueryLimits& q = cfg_->query;
  const Entry* default_limit = nullptr;
  uint64_t v = 0;
  for (const Entry& x : entries) {
    std::string path = JoinPath("query", x.key);
    if (x.key == "default_limit" && ReadUnsigned(x, path, 1, kMaxQueryLimit, &problems_, &v))
      q.default_limit = static_cast<uint32_t>(v), default_limit = &x;
    if (x.key == "max_limit" && ReadUnsigned(x, path, 1, kMaxQueryLimit, &problems_, &v))
      q.max_limit = static_cast<uint32_t>(v);
    if (x.key == "scan_budget" && ReadUnsigned(x, path, 1, 1000000000000, &problems_, &v))
      q.scan_budget = v;
    if (x.key == "filter_budget" && ReadUnsigned(x, path, 1, 1000000000000000, &problems_, &v))
      q.filter_budget = v;
    if (x.key == "max_filter_terms" && ReadUnsigned(x, path, 1, 1000000, &problems_, &v))
      q.max_filter_terms = static_cast<uint32_t>(v);
    if (x.key == "max_skip" && ReadUnsigned(x, path, 0, 1000000000, &problems_, &v)) q.max_skip = v;
    if (x.key == "max_query_bytes" && ReadUnsigned(x, path, 2, 1u << 30, &problems_, &v))
      q.max_query_bytes = v;
    if (x.key == "timeout_ms" && ReadUnsigned(x, path, 0, 86400000, &problems_, &v))
      q.timeout_ms = static_cast<uint32_t>(v);
    if (x.key == "row_cache_mb" && ReadUnsigned(x, path, 0, 65536, &problems_, &v))
      q.row_cache_mb = static_cast<uint32_t>(v);
  }
  if (default_limit == nullptr) {  // the built-in default never exceeds a smaller maximum
    q.default_limit = std::min(q.default_limit, q.max_limit);
  } else if (q.default_limit > q.max_limit) {
    problems_.Add(default_limit->mark, "query.default_limit",
                  "expected at most query.max_limit (" + std::to_string(q.max_limit) + "), found " +
                      std::to_string(q.default_limit) + "; lower default_limit or raise max_limit");
  }
}

void ConfigParser::ParseApis(const Entry& e) {
  if (e.value.IsNull()) return;
  if (!e.value.IsMap()) {
    problems_.Add(
        e.mark, "api",
        "expected a map of API instances (rest: {...}, grpc: {...}), found " + Describe(e.value));
    return;
  }
  for (const Entry& x : ReadEntries(e.value, "api", &problems_)) {
    PluginInstanceConfig api;
    if (ParseApi(x, JoinPath("api", x.key), &api)) cfg_->apis.push_back(std::move(api));
  }
}

bool ConfigParser::ParseApi(const Entry& e, const std::string& path, PluginInstanceConfig* out) {
  if (!IsValidConfigName(e.key)) {
    problems_.Add(
        e.key_mark, path,
        "expected an instance name of letters, digits, '_' and '-', found \"" + e.key + "\"");
    return false;
  }
  out->name = out->plugin = e.key;
  if (!e.value.IsMap() && !e.value.IsNull()) {
    problems_.Add(e.mark, path,
                  "expected a map of settings (plugin, enabled, and the plugin's options), found " +
                      Describe(e.value));
    return false;
  }
  bool ok = true, plugin_given = false;
  std::vector<std::pair<std::string, std::string>> items;
  out->site.path = path;
  out->site.line = e.key_mark.line + 1, out->site.column = e.key_mark.column + 1;
  for (const Entry& x :
       e.value.IsMap() ? ReadEntries(e.value, path, &problems_) : std::vector<Entry>()) {
    if (x.key == "plugin") {
      plugin_given = true;
      ok = ReadPluginName(x, JoinPath(path, "plugin"), &out->plugin) && ok;
    } else if (x.key == "enabled") {
      ok = ReadBool(x, JoinPath(path, "enabled"), &problems_, &out->enabled) && ok;
    } else if (x.key == "api_keys" || x.key == "admin_keys") {
      ParseLegacyKeys(x, JoinPath(path, x.key), x.key == "admin_keys");
    } else {
      size_t before = out->site.keys.size();
      Flatten(x.value, x.key, &items, &out->site.keys);
      if (!x.value.IsMap() && !x.value.IsSequence()) {  // a scalar: point at its key
        out->site.keys.resize(before);
        out->site.keys.push_back({x.key, {x.key_mark.line + 1, x.key_mark.column + 1}});
      }
    }
  }
  if (!plugin_given && !IsValidPluginName(out->plugin)) {
    problems_.Add(e.key_mark, path,
                  "the instance name \"" + e.key +
                      "\" is not a plugin name ([a-z0-9_-]+); add plugin: <name> to say which "
                      "plugin it runs");
    ok = false;
  }
  ResolvePathOptions(&items);
  out->options = Options(std::move(items));
  return ok;
}

bool ConfigParser::ReadName(const Entry& e, const std::string& path, std::string* out) {
  std::string what = "a name of letters, digits, '_' and '-'";
  std::string text;
  if (!ReadScalar(e, path, what, &problems_, &text)) return false;
  if (IsValidConfigName(text)) {
    *out = text;
    return true;
  }
  problems_.Add(e.mark, path,
                "expected " + what + " (not starting with '-'), found \"" + text + "\"");
  return false;
}

bool ConfigParser::ReadPluginName(const Entry& e, const std::string& path, std::string* out) {
  std::string what = "a plugin name of lower-case letters, digits, '_' and '-'";
  std::string text;
  if (!ReadScalar(e, path, what, &problems_, &text)) return false;
  if (!IsValidPluginName(text)) {
    problems_.Add(e.mark, path, "expected " + what + ", found \"" + text + "\"");
    return false;
  }
  *out = text;
  return true;
}

bool ConfigParser::ReadOptions(const Entry& e, const std::string& path, bool resolve_paths,
                               Options* out, OptionsSite* site) {
  site->path = path;
  site->line = e.key_mark.line + 1, site->column = e.key_mark.column + 1;
  if (e.value.IsNull()) return true;
  if (!e.value.IsMap()) {
    problems_.Add(e.mark, path, "expected a map of options, found " + Describe(e.value));
    return false;
  }
  size_t before = problems_.count();
  ReadEntries(e.value, path, &problems_);  // reports duplicate and non-scalar keys
  std::vector<std::pair<std::string, std::string>> items;
  Flatten(e.value, "", &items, &site->keys);
  if (resolve_paths) ResolvePathOptions(&items);
  *out = Options(std::move(items));
  return problems_.count() == before;
}

void ConfigParser::ResolvePathOptions(
    std::vector<std::pair<std::string, std::string>>* items) const {
  for (auto& [key, value] : *items)
    if (!value.empty() && IsPathKey(key)) value = Resolve(value).string();
}

fs::path ConfigParser::Resolve(const std::string& p) const {
  fs::path path(p);
  if (path.is_relative()) path = config_dir_ / path;
  path = path.lexically_normal();
  if (!path.has_filename() && path != path.root_path()) path = path.parent_path();
  return path;
}

bool ConfigParser::RequireKeys(const std::vector<Entry>& entries, const YAML::Node& node,
                               const std::string& path,
                               const std::vector<std::string_view>& required) {
  bool ok = true;
  for (std::string_view key : required) {
    if (FindEntry(entries, key) != nullptr) continue;
    problems_.Add(node.Mark(), path, "missing required key \"" + std::string(key) + "\"");
    ok = false;
  }
  return ok;
}

}  // namespace sluice::host::config_internal
