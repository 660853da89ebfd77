// One function per `sluice` command. Each parses its own options from
// `args` (the words after the command), prints to stdout what the user asked
// for, and returns an exit code (cli/boot.h).
#ifndef SLUICE_HOST_CLI_COMMANDS_H_
#define SLUICE_HOST_CLI_COMMANDS_H_

#include <string>
#include <vector>

namespace sluice::host {

struct GlobalOptions {
  std::string config_file = "sluice.yaml";
  std::string log_level;                 // empty = from config
  std::vector<std::string> plugin_dirs;  // --plugin-dir, searched first
};

int CmdPlugins(const GlobalOptions& g, const std::vector<std::string>& args);
int CmdMigrate(const GlobalOptions& g, const std::vector<std::string>& args);
int CmdAppRun(const GlobalOptions& g, const std::vector<std::string>& args);
int CmdApiRun(const GlobalOptions& g, const std::vector<std::string>& args);
int CmdRun(const GlobalOptions& g, const std::vector<std::string>& args);
int CmdMigrations(const GlobalOptions& g, const std::vector<std::string>& args);
int CmdPrune(const GlobalOptions& g, const std::vector<std::string>& args);
int CmdRepair(const GlobalOptions& g, const std::vector<std::string>& args);

}  // namespace sluice::host

#endif  // SLUICE_HOST_CLI_COMMANDS_H_
