// DefaultPluginDir() and the `sluice plugins` listing.
#include <algorithm>
#include <array>
#include <system_error>

#include "plugin/plugin_catalog.h"

namespace sluice::host {
namespace {

namespace fs = std::filesystem;

using Row = std::array<std::string, 5>;

std::string FormatRows(const std::vector<Row>& rows) {
  std::array<size_t, 5> width{};
  for (const Row& r : rows)
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  std::string out;
  for (const Row& r : rows) {
    for (size_t i = 0; i + 1 < r.size(); ++i)
      out += r[i] + std::string(width[i] - r[i].size() + 2, ' ');
    out += r.back() + "\n";
  }
  return out;
}

}  // namespace

fs::path DefaultPluginDir() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec || exe.empty()) return fs::path();
  return (exe.parent_path() / ".." / "lib" / "sluice" / "plugins").lexically_normal();
}

std::string FormatPluginTable(const PluginCatalog& catalog) {
  std::vector<Row> rows = {{"KIND", "NAME", "VERSION", "ABI", "PATH"}};
  for (const PluginInfo& p : catalog.plugins())
    rows.push_back({KindName(p.kind), p.name, p.version.empty() ? "-" : p.version,
                    std::to_string(p.abi_major) + "." + std::to_string(p.abi_minor),
                    p.path.string()});
  std::string out = catalog.plugins().empty() ? "no plugins found\n" : FormatRows(rows);
  if (!catalog.problems().empty()) {
    out += "\nproblems:\n";
    for (const auto& [path, message] : catalog.problems()) out += "  " + message + "\n";
  }
  out += "\nsearched:\n";
  for (const auto& [dir, exists] : catalog.searched_dirs())
    out += "  " + dir.string() + (exists ? "" : " (missing)") + "\n";
  return out;
}

}  // namespace sluice::host
