// DefaultPluginDir() and the `sluice plugins` listings.
#include <algorithm>
#include <string>
#include <system_error>
#include <vector>

#include "plugin/plugin_catalog.h"

namespace sluice::host {
namespace {

namespace fs = std::filesystem;

using Row = std::vector<std::string>;

// Rows as columns two spaces apart, each as wide as its widest cell (the
// last one not padded).
std::string FormatRows(const std::vector<Row>& rows) {
  std::vector<size_t> width;
  for (const Row& r : rows) {
    width.resize(std::max(width.size(), r.size()));
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  }
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

namespace {

const char* TypeName(OptionType t) {
  switch (t) {
    case OptionType::kString: return "string";
    case OptionType::kBool: return "bool";
    case OptionType::kInt: return "int";
    case OptionType::kNumber: return "number";
    case OptionType::kDuration: return "duration";
    case OptionType::kSize: return "size";
    case OptionType::kEnum: return "enum";
    case OptionType::kPath: return "path";
  }
  return "?";
}

// "int list", "enum map"; the values an enum takes ("fail|skip").
std::string TypeText(const OptionSpec& s) {
  std::string t = TypeName(s.type);
  if (s.type == OptionType::kEnum && s.values != nullptr) t += " (" + std::string(s.values) + ")";
  if (s.Has(SLUICE_OPTION_LIST)) t += " list";
  if (s.Has(SLUICE_OPTION_MAP)) t += " map";
  return t;
}

std::string DefaultText(const OptionSpec& s) {
  if (s.Has(SLUICE_OPTION_REQUIRED)) return "(required)";
  if (s.default_value == nullptr) return "-";
  return s.Has(SLUICE_OPTION_SECRET) ? "(set)" : std::string(s.default_value);
}

// The doc, then what values are accepted when the type alone does not say
// it (a range, words such as "never"), then "[endpoint]" for an endpoint's
// table option ("[also endpoint]" when also the instance's).
std::string DocText(const OptionSpec& s) {
  std::string doc = s.doc != nullptr ? s.doc : "";
  if (s.type != OptionType::kEnum && (s.Ranged() || s.values != nullptr))
    doc += (doc.empty() ? "" : "; ") + OptionExpectation(s);
  if (s.scopes == SLUICE_OPTION_SCOPE_TABLE) doc += " [endpoint]";
  else if (s.In(OptionScope::kTable)) doc += " [also endpoint]";
  return doc;
}

}  // namespace

std::string FormatPluginOptions(const PluginCatalog& catalog) {
  std::string out;
  for (const PluginInfo& p : catalog.plugins()) {
    out += (out.empty() ? "" : "\n") + std::string(KindName(p.kind)) + " " + p.name + ":\n";
    if (!p.declares_options) {
      out += "  (declares no options: its create() checks them; see its documentation)\n";
      continue;
    }
    if (p.options.empty()) {
      out += "  (no options)\n";
      continue;
    }
    std::vector<Row> rows = {{"  NAME", "TYPE", "DEFAULT", "DOC"}};
    for (const OptionSpec& s : p.options)
      rows.push_back({"  " + std::string(s.name), TypeText(s), DefaultText(s), DocText(s)});
    out += FormatRows(rows);
  }
  return out.empty() ? "no plugins found\n" : out;
}

}  // namespace sluice::host
