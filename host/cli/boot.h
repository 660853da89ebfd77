// What every `sluice` command does before its own work: the exit codes,
// loading the config (with the plugin directories of the command line and
// the environment), taking the home's lock, and building the runtime.
#ifndef SLUICE_HOST_CLI_BOOT_H_
#define SLUICE_HOST_CLI_BOOT_H_

#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "config/config.h"
#include "core/home_lock.h"
#include "runtime/runtime.h"

namespace sluice::host {

// Exit codes of every command (README, docs/operations.md "Exit codes").
constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;  // a runtime or data problem
constexpr int kExitUsage = 2;    // usage or configuration: fix the command line or the config
constexpr int kExitBusy = 3;     // another process holds the home: retry once it has stopped

// The plugin directories asked for outside the config, in search order:
// every --plugin-dir, then each entry of $SLUICE_PLUGIN_PATH (':'-separated),
// made absolute against the working directory.
std::vector<std::filesystem::path> ExtraPluginDirs(const GlobalOptions& g);

// Loads the config file into *config, puts ExtraPluginDirs in front of its
// plugin_dirs, and sets the log level (`quiet`: warnings and errors only,
// unless --log-level says otherwise). Prints what is wrong; returns an exit
// code on failure, -1 on success.
int LoadCliConfig(const GlobalOptions& g, bool quiet, Config* config);

// How a command takes the home's lock.
enum class LockMode {
  kRequired,  // the command writes: another process holding it is kExitBusy
  kIfFree,    // the command only reads: it runs beside a server (*busy set)
};

// Loads the config, checks every plugin instance's options (and, for
// `run` and `api run`, that the APIs' listening addresses are free:
// plugin/option_check.h) before touching the home, printing every problem
// and returning kExitUsage; then locks the home for `command`, builds and initializes
// the runtime, and, for commands that read sources (run, migrate, app run),
// checks what the config asks of them. Prints errors; returns an exit code
// on failure, -1 on success. With LockMode::kIfFree, *busy tells whether
// another process holds the home (then *lock stays empty).
int Boot(const GlobalOptions& g, const std::string& command, LockMode mode, bool quiet,
         std::unique_ptr<Runtime>* out, std::unique_ptr<HomeLock>* lock, bool* busy = nullptr);

// Prints "sluice: <message>" and returns kExitFailure.
int Fail(const Status& s);

}  // namespace sluice::host

#endif  // SLUICE_HOST_CLI_BOOT_H_
