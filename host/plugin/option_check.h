// Checks what a config gives each plugin instance before anything runs:
// every instance's options go to its plugin's own check (ABI 1.2,
// sluice_plugin_descriptor.check_options), so that every problem of every
// plugin is reported at once, with the file, line and column where the
// option was written, before a command creates or writes anything.
//
//   std::vector<std::string> problems =
//       CheckConfigOptions(config, catalog, SLUICE_CHECK_LISTEN);
//   for (const std::string& p : problems) std::cerr << p << "\n";
#ifndef SLUICE_HOST_PLUGIN_OPTION_CHECK_H_
#define SLUICE_HOST_PLUGIN_OPTION_CHECK_H_

#include <cstdint>
#include <string>
#include <vector>

#include "config/config.h"
#include "plugin/plugin_catalog.h"
#include "sluice/option_spec.h"

namespace sluice::host {

// The problems of one instance's `options` for plugin `info` in `scope`:
// its check_options when it has one, else its declared options
// (Options::Problems), else none (its create() checks them). `flags`:
// SLUICE_CHECK_*.
std::vector<OptionProblem> CheckInstanceOptions(const PluginInfo& info, const Options& options,
                                                OptionScope scope, uint32_t flags);

// Checks every instance the config names: the storage backends, each
// connection (and each endpoint's table options, against its connection's
// plugin) and each enabled API (SLUICE_CHECK_LISTEN in `flags` only goes
// to APIs). Instances whose plugin is not in `catalog` are skipped (a
// command reports a missing plugin when it needs it). Returns one line per
// problem, "<file>:<line>:<col>: <key path>: <message>" (the position of
// the option when the config knows it), in file order. *only_in_use (when
// given) is set to true when there are problems and every one is of kind
// OptionProblemKind::kInUse (something another process holds for now).
std::vector<std::string> CheckConfigOptions(const Config& config, const PluginCatalog& catalog,
                                            uint32_t flags, bool* only_in_use = nullptr);

}  // namespace sluice::host

#endif  // SLUICE_HOST_PLUGIN_OPTION_CHECK_H_
