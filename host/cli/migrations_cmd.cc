// `sluice migrations`: a table of every endpoint version on disk.
#include <signal.h>

#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>

#include "cache/version_cache.h"
#include "cli/boot.h"
#include "cli/commands.h"
#include "core/home_lock.h"
#include "migrate/source_state.h"
#include "pipeline/ingest_state.h"
#include "registry/pin_store.h"
#include "registry/serving_state.h"
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

// The pin in force for an endpoint: the admin's kept in the home when it
// was made after the config's `version:` was last edited, else the config's.
struct PinInForce {
  uint32_t version = 0;  // 0 = latest
  std::string by;        // "admin", "config" or "" (none)
};

PinInForce PinOf(const EndpointConfig& ep, const std::map<std::string, AdminPin>& admin) {
  auto it = admin.find(ep.name);
  if (it != admin.end() && it->second.config_version == ep.version)
    return {it->second.version, "admin"};
  return {ep.version, ep.version != 0 ? "config" : ""};
}

// The CURRENT cell of version `v`.
std::string CurrentCell(uint32_t v, uint32_t current, const PinInForce& pin) {
  std::string by = pin.by.empty() ? "" : " by " + pin.by;
  if (v == current)
    return pin.by.empty()     ? "yes"
           : pin.version == 0 ? "yes (latest" + by + ")"
                              : "yes (pinned" + by + ")";
  if (pin.version == v) return "pinned" + by + " (not ready)";
  return "";
}

bool ProcessAlive(int64_t pid) { return pid > 0 && ::kill(static_cast<pid_t>(pid), 0) == 0; }

// Log and cache figures of one version, read from its files (nothing else
// holds the home). *current is set when the version is complete and caught up.
void ReadFigures(Runtime& rt, const EndpointConfig& ep, uint32_t v, bool newest,
                 const VersionMeta& meta, Row* r, bool* caught_up) {
  std::shared_ptr<VersionLog> log;
  Status ls = rt.OpenLog(ep.name, v, false, &log);
  uint64_t end = ls.ok() ? log->end() : 0;
  r->cells[3] = ls.ok() ? std::to_string(end) + " records"
                        : (ls.code() == Code::kNotFound ? "empty" : "error: " + ls.message());
  std::error_code ec;
  if (!fs::exists(rt.home().CacheDir(ep.name, v), ec)) return;
  std::unique_ptr<VersionCache> cache;
  bool rebuilt = false;
  Status cs = VersionCache::Open(rt.cache_storage(), rt.home().CacheDir(ep.name, v),
                                 meta.table_schema, &cache, &rebuilt);
  if (!cs.ok()) {
    r->cells[4] = "error: " + cs.message();
    return;
  }
  r->cells[4] = std::to_string(cache->applied()) + " (" +
                HumanCount(static_cast<double>(cache->rows())) + " rows)";
  r->cells[5] = std::to_string(end > cache->applied() ? end - cache->applied() : 0);
  bool complete = !newest || (cache->flags() & kCommitSourceAtEnd);
  *caught_up = cache->applied() == end && complete && end > 0;
}

// The same figures as the serving process last recorded them.
void ServedFigures(const ServingEndpoint* ep, uint32_t v, Row* r) {
  if (ep == nullptr) {
    r->cells[3] = r->cells[4] = r->cells[5] = "(in use)";
    return;
  }
  for (const ServingVersion& x : ep->versions) {
    if (x.version != v) continue;
    r->cells[3] = std::to_string(x.log_end) + " records";
    r->cells[4] =
        std::to_string(x.cache_offset) + " (" + HumanCount(static_cast<double>(x.rows)) + " rows)";
    r->cells[5] = std::to_string(x.log_end > x.cache_offset ? x.log_end - x.cache_offset : 0);
    return;
  }
  r->cells[3] = r->cells[4] = r->cells[5] = "(not served)";
}

void PrintIngest(const Runtime& rt, const Config& config) {
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
}

}  // namespace

int CmdMigrations(const GlobalOptions& g, const std::vector<std::string>& args) {
  if (!args.empty()) {
    bool help = args[0] == "--help" || args[0] == "-h";
    (help ? std::cout : std::cerr)
        << "Usage: sluice [-c FILE] migrations\n"
        << "Lists every endpoint version: created, schema, log size, cache offset and lag, "
           "current and who pinned it, and what its source retains for it (SOURCE LAG: e.g. "
           "the WAL a PostgreSQL replication slot keeps); then each endpoint's ingest state. "
           "Runs beside a server too, showing what it recorded.\n";
    return help ? kExitOk : kExitUsage;
  }
  std::unique_ptr<Runtime> rtp;
  std::unique_ptr<HomeLock> lock;
  bool busy = false;
  if (int code = Boot(g, "migrations", LockMode::kIfFree, /*quiet=*/true, &rtp, &lock, &busy);
      code >= 0)
    return code;
  Runtime& rt = *rtp;
  if (busy) rt.SetBesideOwner(true);
  const Config& config = rt.config();
  ServingState serving;
  bool live =
      busy && ReadServingState(rt.home().root(), &serving).ok() && ProcessAlive(serving.pid);
  std::map<std::string, AdminPin> admin;
  if (Status s = PinStore::Read(rt.home().root() / "pins.json", &admin); !s.ok())
    std::cerr << "sluice: " << s.message() << "\n";
  std::vector<Row> rows;
  rows.push_back({{"ENDPOINT", "VERSION", "CREATED", "LOG", "CACHE", "LAG", "CURRENT", "SOURCE LAG",
                   "SCHEMA"}});
  for (const EndpointConfig& ep : config.endpoints) {
    std::vector<uint32_t> versions = rt.home().ListVersions(ep.name);
    if (versions.empty())
      rows.push_back(
          {{ep.name, "-", "-", "-", "-", "-", "-", "-", "(none: run `sluice migrate`)"}});
    PinInForce pin = PinOf(ep, admin);
    auto served = serving.endpoints.find(ep.name);
    const ServingEndpoint* sep =
        live && served != serving.endpoints.end() ? &served->second : nullptr;
    uint32_t current = sep != nullptr ? sep->current : 0;
    std::vector<Row> ep_rows;
    for (uint32_t v : versions) {
      VersionMeta meta;
      Status ms = ReadVersionMeta(rt.home().SchemaFile(ep.name, v).string(), &meta);
      Row r{{ep.name, "v" + std::to_string(v), meta.created_at, "-", "-", "-", "",
             ms.ok() ? SourceLag(rt, ep.name, v) : "-",
             ms.ok() ? SummarizeSchema(meta.table_schema) : ms.message()}};
      bool caught_up = false;
      if (busy) ServedFigures(sep, v, &r);
      else if (ms.ok()) ReadFigures(rt, ep, v, v == versions.back(), meta, &r, &caught_up);
      if (!busy && caught_up && (pin.version == 0 || pin.version == v)) current = v;
      ep_rows.push_back(r);
    }
    for (size_t i = 0; i < ep_rows.size(); ++i) {
      ep_rows[i].cells[6] = CurrentCell(versions[i], current, pin);
      rows.push_back(ep_rows[i]);
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
  PrintIngest(rt, config);
  if (busy)
    std::cout << "\nAnother process holds the home"
              << (live ? " (a server, pid " + std::to_string(serving.pid) +
                             "): log and cache figures as it recorded them " +
                             std::to_string((UnixMillis() - serving.at_ms) / 1000) + " s ago"
                       : ": its logs and caches are in use, so their figures are not shown")
              << ".\n";
  return kExitOk;
}

}  // namespace sluice::host
