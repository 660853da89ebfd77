#include "cli/boot.h"

#include <cstdlib>
#include <iostream>

#include "util/log.h"

namespace sluice::host {

std::vector<std::filesystem::path> ExtraPluginDirs(const GlobalOptions& g) {
  std::vector<std::filesystem::path> out;
  std::error_code ec;
  auto add = [&](const std::string& dir) {
    if (!dir.empty()) out.push_back(std::filesystem::absolute(dir, ec).lexically_normal());
  };
  for (const std::string& d : g.plugin_dirs) add(d);
  if (const char* env = std::getenv("SLUICE_PLUGIN_PATH")) {
    std::string path = env;
    for (size_t at = 0; at <= path.size();) {
      size_t colon = path.find(':', at);
      if (colon == std::string::npos) colon = path.size();
      add(path.substr(at, colon - at));
      at = colon + 1;
    }
  }
  return out;
}

int LoadCliConfig(const GlobalOptions& g, bool quiet, Config* config) {
  Status s = LoadConfig(g.config_file, config);
  if (!s.ok()) {
    std::cerr << "sluice: " << s.message() << "\n";
    return kExitUsage;
  }
  std::vector<std::filesystem::path> dirs = ExtraPluginDirs(g);
  config->plugin_dirs.insert(config->plugin_dirs.begin(), dirs.begin(), dirs.end());
  LogLevel level = LogLevel::kInfo;
  std::string name = !g.log_level.empty() ? g.log_level : quiet ? "warn" : config->log_level;
  if (!log::ParseLevel(name, &level)) {
    std::cerr << "sluice: log_level: expected debug, info, warn or error, found \"" << name
              << "\"\n";
    return kExitUsage;
  }
  log::SetLevel(level);
  return -1;
}

int Boot(const GlobalOptions& g, const std::string& command, LockMode mode, bool quiet,
         std::unique_ptr<Runtime>* out, std::unique_ptr<HomeLock>* lock, bool* busy) {
  Config config;
  if (int code = LoadCliConfig(g, quiet, &config); code >= 0) return code;
  if (busy != nullptr) *busy = false;
  auto rt = std::make_unique<Runtime>(std::move(config));
  // Every plugin instance's options, before the home is touched; commands
  // that start the APIs also find out whether their ports are free.
  bool serves = command == "run" || command == "api run";
  Status s = rt->CheckOptions(serves ? SLUICE_CHECK_LISTEN : 0);
  if (!s.ok()) {
    std::cerr << "sluice: the config has problems:\n" << s.message() << "\n";
    // Only ports held by another process (UNAVAILABLE): a runtime condition
    // that passes (say, a previous server still stopping), so a service
    // manager may try again; anything else needs the config changed.
    return s.code() == Code::kUnavailable ? kExitFailure : kExitUsage;
  }
  s = HomeLock::Acquire(rt->config().home_dir, command, lock);
  if (!s.ok() && mode == LockMode::kIfFree && s.code() == Code::kFailedPrecondition &&
      busy != nullptr) {
    *busy = true;  // reads beside the process that has it
  } else if (!s.ok()) {
    std::cerr << "sluice: " << s.message() << "\n";
    return s.code() == Code::kFailedPrecondition ? kExitBusy : kExitFailure;
  }
  if (busy != nullptr && *busy) rt->KeepCaches();  // never delete beside it
  s = rt->Init();
  if (!s.ok()) {
    std::cerr << "sluice: " << s.message() << "\n";
    bool config_error = s.code() == Code::kInvalidArgument || s.code() == Code::kNotFound ||
                        s.code() == Code::kFailedPrecondition;
    return config_error ? kExitUsage : kExitFailure;
  }
  // Commands that read sources check what the config asks of them first.
  if (command == "run" || command == "migrate" || command == "app run") {
    s = rt->CheckSources();
    if (!s.ok()) {
      std::cerr << "sluice: " << s.message() << "\n";
      return kExitUsage;
    }
  }
  *out = std::move(rt);
  return -1;
}

int Fail(const Status& s) {
  std::cerr << "sluice: " << s.message() << "\n";
  return kExitFailure;
}

}  // namespace sluice::host
