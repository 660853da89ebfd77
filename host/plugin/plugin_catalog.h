// Plugin discovery and loading (docs/config.md, "Plugins").
//
//   PluginCatalog catalog;
//   catalog.Discover({config.plugin_dirs..., DefaultPluginDir()});
//   for (const auto& [path, why] : catalog.problems()) log::Warn("plugins", why);
//   const PluginInfo* csv = nullptr;
//   Status s = catalog.Require(PluginKind::kSource, "csv", &csv);
//   // csv->vtable is a const sluice_source_vtable*; see sluice/client/*.h
//
// A plugin is a shared object exporting sluice_plugin_entry (sluice/abi.h).
// A library is loaded with RTLD_NOW | RTLD_LOCAL and never unloaded while
// the process runs, even when the catalog that loaded it is destroyed, so
// every vtable and object a plugin hands out stays valid.
#ifndef SLUICE_HOST_PLUGIN_PLUGIN_CATALOG_H_
#define SLUICE_HOST_PLUGIN_PLUGIN_CATALOG_H_

#include <cstdint>
#include <deque>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sluice/option_spec.h"
#include "sluice/status.h"

namespace sluice::host {

enum class PluginKind { kStorage = 1, kSource = 2, kApi = 3 };

// "storage", "source", "api"; "unknown" for anything else.
const char* KindName(PluginKind kind);

// What a loaded plugin declared about itself.
struct PluginInfo {
  std::filesystem::path path;  // absolute
  PluginKind kind;
  std::string name, version, description;
  uint16_t abi_major, abi_minor;
  // The plugin's function table: sluice_storage_vtable, sluice_source_vtable
  // or sluice_api_vtable as `kind` says. Valid for the process lifetime.
  const void* vtable;
  // The options it declares (ABI 1.2; strings point into the plugin, which
  // stays loaded). False for a plugin that does not declare them: its
  // create() checks them alone.
  bool declares_options = false;
  std::vector<OptionSpec> options;
  // Its own check of an instance's options (ABI 1.2), or nullptr: see
  // sluice_plugin_descriptor.check_options; plugin/option_check.h calls it.
  decltype(sluice_plugin_descriptor::check_options) check_options = nullptr;
};

// The plugins this process found. Not thread-safe while Discover/LoadFile
// run; const member functions may be called concurrently otherwise.
class PluginCatalog {
 public:
  PluginCatalog() = default;
  PluginCatalog(const PluginCatalog&) = delete;
  PluginCatalog& operator=(const PluginCatalog&) = delete;

  // Loads every "*.so" file directly in each of `dirs` (not recursively),
  // directory by directory, files in name order. A file that cannot be
  // loaded, a missing directory and a second plugin with the kind and name
  // of an earlier one are recorded in problems() (the first plugin wins);
  // none of them stops the search. A directory listed twice is searched once.
  // With `required` false a missing directory is only listed, as missing,
  // in searched_dirs() (e.g. the default directory of a binary that was
  // copied, whose plugins come from --plugin-dir).
  void Discover(const std::vector<std::filesystem::path>& dirs, bool required = true);

  // Loads one file and adds its plugin. On success *out (may be null)
  // points at its entry. Loading a file that is already loaded returns its
  // entry again. Errors (the file is named in each, with how to fix it):
  // NOT_FOUND (no such file), FAILED_PRECONDITION (not a loadable shared
  // object, no entry symbol, NULL or malformed descriptor, incompatible
  // ABI), ALREADY_EXISTS (another file already provides that kind and name).
  Status LoadFile(const std::filesystem::path& file, const PluginInfo** out);

  // The plugin of `kind` called `name`, or nullptr. Returned pointers stay
  // valid as long as the catalog.
  const PluginInfo* Find(PluginKind kind, std::string_view name) const;

  // Like Find, but NOT_FOUND when absent, with a message listing the plugins
  // of that kind that were found, the directories searched, how many files
  // failed to load, and how to fix it.
  Status Require(PluginKind kind, std::string_view name, const PluginInfo** out) const;

  // Loaded plugins, in load order.
  const std::vector<PluginInfo>& plugins() const { return plugins_; }
  // (path, message) of each file or directory that was refused.
  const std::vector<std::pair<std::filesystem::path, std::string>>& problems() const {
    return problems_;
  }
  // Directories Discover() searched, in order, and whether each existed.
  const std::vector<std::pair<std::filesystem::path, bool>>& searched_dirs() const {
    return searched_;
  }

 private:
  const PluginInfo* FindByPath(const std::filesystem::path& path) const;
  void SearchDir(const std::filesystem::path& dir, bool required);

  std::deque<PluginInfo> stable_;    // what Find returns pointers into
  std::vector<PluginInfo> plugins_;  // same entries, for plugins()
  std::vector<std::pair<std::filesystem::path, std::string>> problems_;
  std::vector<std::pair<std::filesystem::path, bool>> searched_;
};

// <directory of the running executable>/../lib/sluice/plugins, normalized:
// where plugins are in both the build tree and the install tree. Empty when
// /proc/self/exe cannot be read.
std::filesystem::path DefaultPluginDir();

// A table for `sluice plugins`: a header line, then one line per plugin
// with columns KIND NAME VERSION ABI PATH; then the problems, one per line;
// then the directories searched.
std::string FormatPluginTable(const PluginCatalog& catalog);

// The listing of `sluice plugins --options`: for each plugin ("<kind>
// <name>:") its declared options, one line each with columns NAME, TYPE
// ("int", "enum (fail|skip)", "string map"), DEFAULT ("-" for none,
// "(required)", "(set)" for a secret's) and DOC (the plugin's line, then
// the accepted values when a range or words narrow the type, then
// "[endpoint]" or "[also endpoint]" for table options); a plugin that
// declares nothing says so. "no plugins found" when there are none.
std::string FormatPluginOptions(const PluginCatalog& catalog);

}  // namespace sluice::host

#endif  // SLUICE_HOST_PLUGIN_PLUGIN_CATALOG_H_
