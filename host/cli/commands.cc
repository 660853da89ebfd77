#include "cli/commands.h"

#include <unistd.h>

#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>
#include <set>

#include "cli/boot.h"
#include "core/home_lock.h"
#include "migrate/migrate.h"
#include "migrate/source_state.h"
#include "migrate/version_sync.h"
#include "runtime/runtime.h"
#include "service/server.h"
#include "service/signals.h"
#include "util/log.h"

namespace po = boost::program_options;

namespace sluice::host {
namespace {

// Parses a command's options; prints help (returns 0 via *exit) or a usage
// error (2). Returns false when the caller should return *exit.
bool ParseArgs(const std::string& usage, po::options_description& desc,
               const std::vector<std::string>& args, po::variables_map* vm, int* exit) {
  desc.add_options()("help,h", "show this help");
  try {
    po::store(po::command_line_parser(args).options(desc).run(), *vm);
    po::notify(*vm);
  } catch (const po::error& e) {
    std::cerr << "sluice: " << e.what() << "\n\nUsage: " << usage << "\n" << desc;
    *exit = 2;
    return false;
  }
  if (vm->count("help")) {
    std::cout << "Usage: " << usage << "\n" << desc;
    *exit = 0;
    return false;
  }
  return true;
}

// Plans and applies migrations. Except with --dry-run, the home is first
// brought in line with the version catalog (versions other hosts created),
// and every version created is recorded in it afterwards. Endpoints that
// cannot be planned are listed in the plan (*failed counts them); the
// others are migrated regardless.
Status Migrate(Runtime& rt, const std::set<std::string>& force, bool dry_run, bool quiet_unchanged,
               size_t* failed) {
  // API instances only for writing artifacts, created when a version is written.
  ApiHostImpl none_host(nullptr, QueryLimits());
  std::vector<ApiInstance> apis;
  bool created = false;
  ApiInstances instances = [&](std::vector<ApiInstance>** out) {
    if (!created) SLUICE_RETURN_IF_ERROR(rt.CreateApis(none_host.table(), &apis));
    created = true;
    *out = &apis;
    return Status();
  };
  VersionSync sync(rt);
  std::vector<std::string> lines;
  if (!dry_run) SLUICE_RETURN_IF_ERROR(sync.Sync(instances, /*publish=*/true, &lines));
  MigrationPlan plan;
  SLUICE_RETURN_IF_ERROR(PlanMigrations(rt, force, dry_run, &plan));
  if (!quiet_unchanged || plan.any_new()) std::cout << FormatPlan(plan, dry_run) << std::flush;
  std::cerr << FormatPlanErrors(plan) << std::flush;
  *failed = 0;
  for (const PlanEntry& e : plan.entries) *failed += e.error.ok() ? 0 : 1;
  for (const std::string& name : RemovedEndpoints(rt))
    std::cout << name
              << ": not in the config; its versions stay in the home, and what their source keeps "
                 "for them (e.g. a replication slot) too, until `sluice prune --removed`\n";
  if (dry_run) return Status();
  if (plan.any_new()) {
    std::vector<ApiInstance>* created_apis = nullptr;
    SLUICE_RETURN_IF_ERROR(instances(&created_apis));
    SLUICE_RETURN_IF_ERROR(ApplyMigrations(rt, *created_apis, plan));
  }
  SLUICE_RETURN_IF_ERROR(sync.Sync(instances, /*publish=*/true, &lines));
  for (const std::string& l : lines) std::cout << l << "\n";
  std::cout << std::flush;
  return Status();
}

void PrintServing(const Runtime& rt, const std::vector<std::string>& addresses) {
  for (const std::string& a : addresses) {
    std::printf("sluice: listening on %s\n", a.c_str());
    if (a.rfind("http://", 0) != 0) continue;
    std::printf("  try:  curl %s/\n", a.c_str());
    for (const EndpointConfig& ep : rt.config().endpoints) {
      std::printf("        curl %s%s\n", a.c_str(), ep.path.c_str());
      std::printf("        curl -X POST %s%s/count\n", a.c_str(), ep.path.c_str());
    }
  }
  std::fflush(stdout);
}

// READY=1 with a STATUS line saying what runs where.
std::string ReadyState(const Runtime& rt, const Server& server, const ServerOptions& opts) {
  std::string status = "READY=1\nSTATUS=";
  status += opts.app && opts.api ? "ingesting and serving " : opts.app ? "ingesting " : "serving ";
  status += std::to_string(rt.config().endpoints.size()) + " endpoint(s)";
  for (size_t i = 0; i < server.addresses().size(); ++i)
    status += (i == 0 ? " on " : ", ") + server.addresses()[i];
  return status;
}

// Runs a server until stopped, speaking the service manager protocol when
// $NOTIFY_SOCKET is set (service/notify.h): READY=1 once serving, STOPPING=1,
// reload notifications, and watchdog pings while healthy.
int Serve(Runtime& rt, ServerOptions opts) {
  opts.progress = isatty(STDERR_FILENO) != 0;
  ServiceNotifier notifier;
  notifier.StartWatchdog();
  opts.notifier = &notifier;
  Server server(rt, opts);
  SetSignalHandlers([&server] { server.RequestStop(); }, [&server] { server.Reload(); });
  Status s = server.Start();
  if (!s.ok()) {
    notifier.Notify("STATUS=failed to start: " + s.message());
    server.RequestStop();
    (void)server.Wait();  // the start error is the one to report
    ClearSignalHandlers();
    return Fail(s);
  }
  if (opts.api) PrintServing(rt, server.addresses());
  notifier.SetHealthCheck([&server](std::string* why) { return server.Healthy(why); });
  notifier.Notify(ReadyState(rt, server, opts));
  s = server.Wait();
  ClearSignalHandlers();
  notifier.StopWatchdog();
  if (!s.ok()) return Fail(s);
  return 0;
}

}  // namespace

int CmdPlugins(const GlobalOptions& g, const std::vector<std::string>& args) {
  po::options_description desc("plugins options");
  desc.add_options()("options", "list each plugin's declared options (name, type, default, doc)");
  po::variables_map vm;
  int exit = 0;
  if (!ParseArgs("sluice [-c FILE] plugins [--options]", desc, args, &vm, &exit)) return exit;
  Config config;
  std::vector<fs::path> dirs = ExtraPluginDirs(g);
  if (LoadConfig(g.config_file, &config).ok())
    dirs.insert(dirs.end(), config.plugin_dirs.begin(), config.plugin_dirs.end());
  PluginCatalog catalog;
  catalog.Discover(dirs);
  catalog.Discover({DefaultPluginDir()}, /*required=*/false);
  if (vm.count("options")) {
    std::cout << FormatPluginOptions(catalog);
    for (const auto& [path, message] : catalog.problems())
      std::cerr << "sluice: " << message << "\n";
  } else {
    std::cout << FormatPluginTable(catalog);
  }
  return catalog.problems().empty() ? 0 : 1;
}

int CmdMigrate(const GlobalOptions& g, const std::vector<std::string>& args) {
  po::options_description desc("migrate options");
  desc.add_options()("dry-run", "print the plan only; change nothing")(
      "new", po::value<std::vector<std::string>>()->composing(),
      "force a new version of ENDPOINT (repeatable)");
  po::variables_map vm;
  int exit = 0;
  if (!ParseArgs("sluice [-c FILE] migrate [--dry-run] [--new ENDPOINT]...", desc, args, &vm,
                 &exit))
    return exit;
  std::unique_ptr<Runtime> rt;
  std::unique_ptr<HomeLock> lock;
  const bool dry_run = vm.count("dry-run") > 0;
  bool busy = false;  // a dry run only reads: it may run beside a server
  if (int code = Boot(g, "migrate", dry_run ? LockMode::kIfFree : LockMode::kRequired, false, &rt,
                      &lock, &busy);
      code >= 0)
    return code;
  if (busy) rt->SetBesideOwner(true);
  std::set<std::string> force;
  if (vm.count("new"))
    for (const auto& n : vm["new"].as<std::vector<std::string>>()) force.insert(n);
  size_t failed = 0;
  Status s = Migrate(*rt, force, dry_run, false, &failed);
  if (!s.ok()) {
    std::cerr << "sluice: " << s.message() << "\n";
    return s.code() == Code::kInvalidArgument ? kExitUsage : kExitFailure;
  }
  if (failed > 0) {
    std::cerr << "sluice: " << failed << " endpoint(s) could not be planned (see above)"
              << (dry_run ? "\n" : "; the others were migrated\n");
    return kExitFailure;
  }
  return kExitOk;
}

int CmdAppRun(const GlobalOptions& g, const std::vector<std::string>& args) {
  po::options_description desc("app run options");
  desc.add_options()("once", "stop at the end of the input instead of following it");
  po::variables_map vm;
  int exit = 0;
  if (!ParseArgs("sluice [-c FILE] app run [--once]", desc, args, &vm, &exit)) return exit;
  std::unique_ptr<Runtime> rt;
  std::unique_ptr<HomeLock> lock;
  if (int code = Boot(g, "app run", LockMode::kRequired, false, &rt, &lock); code >= 0) return code;
  ServerOptions opts;
  opts.log_level_from_cli = !g.log_level.empty();
  opts.app = true;
  opts.once = vm.count("once") > 0;
  return Serve(*rt, opts);
}

int CmdApiRun(const GlobalOptions& g, const std::vector<std::string>& args) {
  po::options_description desc("api run options");
  po::variables_map vm;
  int exit = 0;
  if (!ParseArgs("sluice [-c FILE] api run", desc, args, &vm, &exit)) return exit;
  std::unique_ptr<Runtime> rt;
  std::unique_ptr<HomeLock> lock;
  if (int code = Boot(g, "api run", LockMode::kRequired, false, &rt, &lock); code >= 0) return code;
  ServerOptions opts;
  opts.log_level_from_cli = !g.log_level.empty();
  opts.api = true;
  return Serve(*rt, opts);
}

int CmdRun(const GlobalOptions& g, const std::vector<std::string>& args) {
  po::options_description desc("run options");
  po::variables_map vm;
  int exit = 0;
  if (!ParseArgs("sluice [-c FILE] run", desc, args, &vm, &exit)) return exit;
  std::unique_ptr<Runtime> rt;
  std::unique_ptr<HomeLock> lock;
  if (int code = Boot(g, "run", LockMode::kRequired, false, &rt, &lock); code >= 0) return code;
  // Endpoints that cannot be planned yet are served as soon as they can:
  // their runners retry (service/endpoint_runner.h).
  size_t failed = 0;
  Status s = Migrate(*rt, {}, false, false, &failed);
  if (!s.ok()) {
    std::cerr << "sluice: " << s.message() << "\n";
    return s.code() == Code::kInvalidArgument ? kExitUsage : kExitFailure;
  }
  ServerOptions opts;
  opts.log_level_from_cli = !g.log_level.empty();
  opts.app = true;
  opts.api = true;
  return Serve(*rt, opts);
}

}  // namespace sluice::host
