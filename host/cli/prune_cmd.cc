// `sluice prune`: delete old versions that nothing serves or pins.
#include <boost/program_options.hpp>
#include <iostream>

#include "cache/version_cache.h"
#include "cli/boot.h"
#include "cli/commands.h"
#include "core/home_lock.h"
#include "migrate/prune.h"
#include "migrate/source_state.h"
#include "runtime/runtime.h"
#include "util/log.h"

namespace po = boost::program_options;

namespace sluice::host {
namespace {

// The version `api run` would serve as current right now: the pinned one,
// else the newest whose cache has caught up with a complete log.
uint32_t OfflineCurrent(Runtime& rt, const EndpointConfig& ep,
                        const std::vector<uint32_t>& versions) {
  if (ep.version != 0) return ep.version;
  for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
    uint32_t v = *it;
    VersionMeta meta;
    std::shared_ptr<VersionLog> log;
    std::unique_ptr<VersionCache> cache;
    bool rebuilt = false;
    if (!ReadVersionMeta(rt.home().SchemaFile(ep.name, v).string(), &meta).ok()) continue;
    if (!rt.OpenLog(ep.name, v, false, &log).ok()) continue;
    if (!VersionCache::Open(rt.cache_storage(), rt.home().CacheDir(ep.name, v), meta.table_schema,
                            &cache, &rebuilt)
             .ok())
      continue;
    bool complete = v != versions.back() || (cache->flags() & kCommitSourceAtEnd) != 0;
    if (complete && log->end() > 0 && cache->applied() == log->end()) return v;
  }
  return 0;
}

}  // namespace

int CmdPrune(const GlobalOptions& g, const std::vector<std::string>& args) {
  po::options_description desc("prune options");
  desc.add_options()("keep", po::value<uint32_t>(),
                     "versions to keep per endpoint (newest first, at least 1)")(
      "endpoint", po::value<std::string>(), "prune only this endpoint")(
      "removed",
      "delete every version of endpoints no longer in the config, releasing what their sources "
      "keep for them (e.g. replication slots)");
  desc.add_options()("help,h", "show this help");
  po::variables_map vm;
  const char* usage = "sluice [-c FILE] prune (--keep N [--endpoint NAME] | --removed)";
  try {
    po::store(po::command_line_parser(args).options(desc).run(), vm);
    if (vm.count("help")) {
      std::cout << "Usage: " << usage << "\n" << desc;
      return 0;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "sluice: " << e.what() << "\n\nUsage: " << usage << "\n" << desc;
    return 2;
  }
  const bool removed = vm.count("removed") > 0;
  if (!vm.count("keep") && !removed) {
    std::cerr << "sluice: give --keep N, --removed, or both\n\nUsage: " << usage << "\n" << desc;
    return 2;
  }
  uint32_t keep = vm.count("keep") ? vm["keep"].as<uint32_t>() : 0;
  if (vm.count("keep") && keep == 0) {
    std::cerr << "sluice: --keep must be at least 1\n";
    return 2;
  }
  Config config;
  Status s = LoadConfig(g.config_file, &config);
  if (!s.ok()) {
    std::cerr << "sluice: " << s.message() << "\n";
    return 2;
  }
  std::string only = vm.count("endpoint") ? vm["endpoint"].as<std::string>() : "";
  std::unique_ptr<HomeLock> lock;
  s = HomeLock::Acquire(config.home_dir, "prune", &lock);
  if (!s.ok()) {
    std::cerr << "sluice: " << s.message()
              << "\nA running server prunes what it serves when asked: "
                 "curl -X POST http://HOST:PORT/admin/prune -d '{\"keep\": "
              << keep << "}'\n";
    return s.code() == Code::kFailedPrecondition ? kExitBusy : kExitFailure;
  }
  log::SetLevel(LogLevel::kWarn);
  Runtime rt(config);
  s = rt.Init();
  if (!s.ok()) {
    std::cerr << "sluice: " << s.message() << "\n";
    return 1;
  }
  bool found = only.empty();
  int pruned = 0;
  for (const std::string& name : removed ? RemovedEndpoints(rt) : std::vector<std::string>()) {
    for (uint32_t v : rt.home().ListVersions(name)) {
      uint64_t freed = 0;
      s = DeleteVersion(rt, name, v, &freed);
      if (!s.ok()) {
        std::cerr << "sluice: " << s.message() << "\n";
        return 1;
      }
      std::cout << PruneLine(name, v, freed) << " (not in the config)\n";
      ++pruned;
    }
  }
  for (const EndpointConfig& ep : config.endpoints) {
    if (keep == 0) break;
    if (!only.empty() && ep.name != only) continue;
    found = true;
    std::vector<uint32_t> versions = rt.home().ListVersions(ep.name);
    uint32_t current = OfflineCurrent(rt, ep, versions);
    for (uint32_t v : PruneCandidates(versions, keep, current, ep.version)) {
      rt.CloseLog(ep.name, v);
      uint64_t freed = 0;
      s = DeleteVersion(rt, ep.name, v, &freed);
      if (!s.ok()) {
        std::cerr << "sluice: " << s.message() << "\n";
        return 1;
      }
      std::cout << PruneLine(ep.name, v, freed) << "\n";
      ++pruned;
    }
  }
  if (!found) {
    std::cerr << "sluice: --endpoint " << only << ": no such endpoint in the config\n";
    return 2;
  }
  if (pruned == 0) std::cout << "nothing to prune\n";
  return 0;
}

}  // namespace sluice::host
