#include "cli/cli.h"

#include <boost/program_options.hpp>
#include <iostream>

#include "cli/boot.h"
#include "cli/commands.h"
#include "sluice/abi.h"
#include "util/log.h"

namespace po = boost::program_options;

namespace sluice::host {
namespace {

const char kUsage[] =
    "Usage: sluice [-c FILE] [--log-level LEVEL] COMMAND [OPTIONS]\n"
    "\n"
    "sluice turns tables into versioned, queryable APIs.\n"
    "\n"
    "Commands:\n"
    "  run          migrate, then ingest and serve in one process (the everyday command)\n"
    "  migrate      start a new version of every endpoint whose source schema changed\n"
    "  app run      ingest every source into the latest version of its endpoint\n"
    "  api run      build caches and serve every version of every endpoint\n"
    "  migrations   list endpoints and their versions\n"
    "  prune        delete old versions that are neither current nor pinned\n"
    "  repair       check an endpoint's logs; cut a damaged one before its first bad record\n"
    "  plugins      list the plugins found, with kind, version and ABI (--options: the\n"
    "               options each declares)\n"
    "\n"
    "Run `sluice COMMAND --help` for the options of a command.\n";

}  // namespace

int Main(int argc, char** argv) {
  po::options_description global("Global options");
  global.add_options()("config,c", po::value<std::string>()->default_value("sluice.yaml"),
                       "config file")(
      "log-level", po::value<std::string>(),
      "debug, info, warn or error (default: from config, else info)")(
      "plugin-dir", po::value<std::vector<std::string>>()->composing(),
      "also look for plugins in DIR, before $SLUICE_PLUGIN_PATH, the config's plugin_dirs and "
      "<bin>/../lib/sluice/plugins (repeatable)")("help,h", "show this help")(
      "version", "print the version and exit");
  po::options_description hidden;
  hidden.add_options()("command", po::value<std::string>(), "command")(
      "args", po::value<std::vector<std::string>>(), "arguments");
  po::options_description all;
  all.add(global).add(hidden);
  po::positional_options_description pos;
  pos.add("command", 1).add("args", -1);
  po::variables_map vm;
  std::vector<std::string> rest;
  try {
    po::parsed_options parsed =
        po::command_line_parser(argc, argv).options(all).positional(pos).allow_unregistered().run();
    po::store(parsed, vm);
    po::notify(vm);
    rest = po::collect_unrecognized(parsed.options, po::include_positional);
  } catch (const po::error& e) {
    std::cerr << "sluice: " << e.what() << "\n\n" << kUsage;
    return kExitUsage;
  }
  if (vm.count("version")) {
    std::cout << "sluice " << SLUICE_VERSION << " (plugin ABI " << SLUICE_ABI_MAJOR << "."
              << SLUICE_ABI_MINOR << ")\n";
    return kExitOk;
  }
  if (!vm.count("command")) {
    if (vm.count("help")) {
      std::cout << kUsage << "\n" << global;
      return kExitOk;
    }
    std::cerr << kUsage << "\n" << global;
    return kExitUsage;
  }
  GlobalOptions g;
  g.config_file = vm["config"].as<std::string>();
  if (vm.count("plugin-dir")) g.plugin_dirs = vm["plugin-dir"].as<std::vector<std::string>>();
  if (vm.count("log-level")) {
    g.log_level = vm["log-level"].as<std::string>();
    LogLevel level;
    if (!log::ParseLevel(g.log_level, &level)) {
      std::cerr << "sluice: --log-level: expected debug, info, warn or error, found \""
                << g.log_level << "\"\n";
      return kExitUsage;
    }
  }
  // `rest` holds the command word first, then its arguments.
  std::string cmd = vm["command"].as<std::string>();
  std::vector<std::string> args;
  bool seen_cmd = false;
  for (const std::string& a : rest) {
    if (!seen_cmd && a == cmd) {
      seen_cmd = true;
      continue;
    }
    args.push_back(a);
  }
  if (vm.count("help")) args.push_back("--help");
  auto sub = [&](const char* word) {
    if (!args.empty() && args[0] == word) {
      args.erase(args.begin());
      return true;
    }
    return false;
  };
  if (cmd == "run") return CmdRun(g, args);
  if (cmd == "migrate") return CmdMigrate(g, args);
  if (cmd == "migrations") return CmdMigrations(g, args);
  if (cmd == "plugins") return CmdPlugins(g, args);
  if (cmd == "prune") return CmdPrune(g, args);
  if (cmd == "repair") return CmdRepair(g, args);
  if (cmd == "app" && sub("run")) return CmdAppRun(g, args);
  if (cmd == "api" && sub("run")) return CmdApiRun(g, args);
  if (cmd == "app" || cmd == "api") {
    std::cerr << "sluice: `" << cmd << "` needs a subcommand: `sluice " << cmd << " run`\n";
    return kExitUsage;
  }
  std::cerr << "sluice: unknown command \"" << cmd << "\"\n\n" << kUsage;
  return kExitUsage;
}

}  // namespace sluice::host
