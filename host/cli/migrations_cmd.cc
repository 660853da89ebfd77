// `sluice migrations`: a table of every endpoint version on disk.
#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>

#include "cache/version_cache.h"
#include "cli/commands.h"
#include "core/home_lock.h"
#include "migrate/source_state.h"
#include "pipeline/ingest_state.h"
#include "runtime/runtime.h"
#include "util/human.h"
#include "util/log.h"

namespace po = boost::program_options;

namespace sluice::host {
namespace {

struct Row {
  std::string cells[9];
};

// The source's statistics of a version, e.g. "1.2 MB" of WAL a replication
// slot retains; "-" when the source reports none.
std::string SourceLag(Runtime& rt, const std::string& endpoint, uint32_t v) {
  SourceStats stats;
  Status s = VersionSourceStats(rt, endpoint, v, &stats);
  if (!s.ok()) return "unknown (" + std::string(CodeName(s.code())) + ")";
  for (const auto& [name, value] : stats)
    if (name == "lag_bytes") return HumanBytes(value);
  return "-";
}

std::string Pad(const std::string& s, size_t w) {
  return s.size() >= w ? s : s + std::string(w - s.size(), ' ');
}

}  // namespace

int CmdMigrations(const GlobalOptions& g, const std::vector<std::string>& args) {
  if (!args.empty()) {
    bool help = args[0] == "--help" || args[0] == "-h";
    (help ? std::cout : std::cerr) << "Usage: sluice [-c FILE] migrations\n"
                                   << "Lists every endpoint version: created, schema, log size, "
                                      "cache offset and lag, current, pinned, and what its "
                                      "source retains for it (SOURCE LAG: e.g. the WAL a "
                                      "PostgreSQL replication slot keeps).\n";
    return help ? 0 : 2;
  }
  Config config;
  Status s = LoadConfig(g.config_file, &config);
  if (!s.ok()) return std::cerr << "sluice: " << s.message() << "\n", 2;
  std::unique_ptr<HomeLock> lock;
  s = HomeLock::Acquire(config.home_dir, "migrations", &lock);
  if (!s.ok()) {
    std::cerr
        << "sluice: " << s.message()
        << "\nWhile a server runs, GET / on its REST address lists versions, readiness and lag.\n";
    return 1;
  }
  log::SetLevel(LogLevel::kWarn);
  config.storage.rebuild_cache = false;  // listing never deletes caches
  Runtime rt(config);
  s = rt.Init();
  if (!s.ok()) return std::cerr << "sluice: " << s.message() << "\n", 1;
  std::vector<Row> rows;
  rows.push_back({{"ENDPOINT", "VERSION", "CREATED", "LOG", "CACHE", "LAG", "CURRENT", "SOURCE LAG",
                   "SCHEMA"}});
  for (const EndpointConfig& ep : config.endpoints) {
    std::vector<uint32_t> versions = rt.home().ListVersions(ep.name);
    if (versions.empty())
      rows.push_back(
          {{ep.name, "-", "-", "-", "-", "-", "-", "-", "(none: run `sluice migrate`)"}});
    uint32_t current = 0;
    std::vector<Row> ep_rows;
    for (uint32_t v : versions) {
      VersionMeta meta;
      Status ms = ReadVersionMeta(rt.home().SchemaFile(ep.name, v).string(), &meta);
      Row r{{ep.name, "v" + std::to_string(v), meta.created_at, "-", "-", "-", "",
             ms.ok() ? SourceLag(rt, ep.name, v) : "-",
             ms.ok() ? SummarizeSchema(meta.table_schema) : ms.message()}};
      std::shared_ptr<VersionLog> log;
      Status ls = rt.OpenLog(ep.name, v, false, &log);
      uint64_t end = ls.ok() ? log->end() : 0;
      r.cells[3] = ls.ok() ? std::to_string(end) + " records"
                           : (ls.code() == Code::kNotFound ? "empty" : "error: " + ls.message());
      std::error_code ec;
      if (fs::exists(rt.home().CacheDir(ep.name, v), ec) && ms.ok()) {
        std::unique_ptr<VersionCache> cache;
        bool rebuilt = false;
        Status cs = VersionCache::Open(rt.cache_storage(), rt.home().CacheDir(ep.name, v),
                                       meta.table_schema, &cache, &rebuilt);
        if (cs.ok()) {
          r.cells[4] = std::to_string(cache->applied()) + " (" +
                       HumanCount(static_cast<double>(cache->rows())) + " rows)";
          r.cells[5] = std::to_string(end > cache->applied() ? end - cache->applied() : 0);
          bool complete = v != versions.back() || (cache->flags() & kCommitSourceAtEnd);
          if (cache->applied() == end && complete && end > 0) current = ep.version ? ep.version : v;
        } else {
          r.cells[4] = "error: " + cs.message();
        }
      }
      ep_rows.push_back(r);
    }
    for (Row& r : ep_rows) {
      bool is_current = r.cells[1] == "v" + std::to_string(current);
      r.cells[6] =
          is_current
              ? (ep.version ? "yes (pinned)" : "yes")
              : (ep.version && r.cells[1] == "v" + std::to_string(ep.version) ? "pinned" : "");
      rows.push_back(r);
    }
  }
  size_t w[9] = {};
  for (const Row& r : rows)
    for (int i = 0; i < 8; ++i) w[i] = std::max(w[i], r.cells[i].size());
  for (const Row& r : rows) {
    std::string line;
    for (int i = 0; i < 8; ++i) line += Pad(r.cells[i], w[i] + 2);
    std::cout << line << r.cells[8] << "\n";
  }
  // What the ingesting process last recorded (pipeline/ingest_state.h).
  bool header = false;
  for (const EndpointConfig& ep : config.endpoints) {
    IngestStatus st;
    if (!IngestBoard::Read(rt.home().IngestStateDir(), ep.name, &st).ok()) continue;
    if (!header) std::cout << "\nINGEST (as last recorded by the process that ingests)\n";
    header = true;
    std::cout << "  " << ep.name << ": " << IngestPhaseName(st.phase);
    if (st.version != 0) std::cout << " (v" << st.version << ")";
    if (!st.detail.empty()) std::cout << ": " << st.detail;
    std::cout << "\n";
    if (st.errors > 0 && st.last_error.message != st.detail)
      std::cout << "    last error: " << st.last_error.message << "\n";
    if (st.duplicate_keys > 0)
      std::cout << "    duplicate keys: " << st.duplicate_keys << " (first: " << st.first_duplicate
                << ")\n";
  }
  return 0;
}

}  // namespace sluice::host
