#include "plugin/option_check.h"

#include <algorithm>
#include <cstdint>
#include <tuple>

#include "sluice/options.h"
#include "util/c_guard.h"

namespace sluice::host {
namespace {

void Collect(void* ctx, uint32_t kind, const char* key, const char* message) {
  // A kind this host does not know is a problem with the value.
  OptionProblemKind k = kind <= SLUICE_OPTION_PROBLEM_IN_USE ? static_cast<OptionProblemKind>(kind)
                                                             : OptionProblemKind::kValue;
  static_cast<std::vector<OptionProblem>*>(ctx)->push_back(
      {key ? key : "", message ? message : "(no message)", k});
}

// One problem line, with the position it sorts by.
struct Line {
  int line, column;
  size_t seq;
  std::string text;
};

class Checker {
 public:
  Checker(const Config& config, const PluginCatalog& catalog, uint32_t flags)
      : config_(config), catalog_(catalog), flags_(flags) {}

  void Instance(PluginKind kind, const std::string& plugin, const Options& options,
                const OptionsSite& site, OptionScope scope, uint32_t flags) {
    const PluginInfo* info = catalog_.Find(kind, plugin);
    if (info == nullptr) return;
    for (const OptionProblem& p : CheckInstanceOptions(*info, options, scope, flags)) {
      std::pair<int, int> at{site.line, site.column};
      for (const auto& [k, pos] : site.keys)
        if (k == p.key) at = pos;
      lines_.push_back({at.first > 0 ? at.first : INT32_MAX, at.second, lines_.size(),
                        site.Where(config_.config_name, p.key) + ": " + p.message});
      only_in_use_ = only_in_use_ && p.kind == OptionProblemKind::kInUse;
    }
  }

  // True when every problem Run found is of kind kInUse.
  bool only_in_use() const { return only_in_use_ && !lines_.empty(); }

  std::vector<std::string> Run() {
    const StorageConfig& st = config_.storage;
    Instance(PluginKind::kStorage, st.log.plugin, st.log.options, st.log.site,
             OptionScope::kInstance, 0);
    if (!st.Shared())
      Instance(PluginKind::kStorage, st.cache.plugin, st.cache.options, st.cache.site,
               OptionScope::kInstance, 0);
    for (const ConnectionConfig& c : config_.connections)
      Instance(PluginKind::kSource, c.plugin, c.options, c.site, OptionScope::kInstance, 0);
    for (const EndpointConfig& e : config_.endpoints) {
      auto c = std::find_if(config_.connections.begin(), config_.connections.end(),
                            [&](const ConnectionConfig& x) { return x.name == e.connection; });
      if (c != config_.connections.end())
        Instance(PluginKind::kSource, c->plugin, e.options, e.options_site, OptionScope::kTable, 0);
    }
    for (const PluginInstanceConfig& a : config_.apis)
      if (a.enabled)
        Instance(PluginKind::kApi, a.plugin, a.options, a.site, OptionScope::kInstance, flags_);
    std::stable_sort(lines_.begin(), lines_.end(), [](const Line& a, const Line& b) {
      return std::tie(a.line, a.column, a.seq) < std::tie(b.line, b.column, b.seq);
    });
    std::vector<std::string> out;
    for (const Line& l : lines_) out.push_back(l.text);
    return out;
  }

 private:
  const Config& config_;
  const PluginCatalog& catalog_;
  uint32_t flags_;
  std::vector<Line> lines_;
  bool only_in_use_ = true;
};

}  // namespace

std::vector<OptionProblem> CheckInstanceOptions(const PluginInfo& info, const Options& options,
                                                OptionScope scope, uint32_t flags) {
  std::vector<OptionProblem> problems;
  if (info.check_options != nullptr) {
    OptionsView view(options);
    info.check_options(static_cast<uint32_t>(scope), flags, view.get(), &problems,
                       &CGuard<&Collect>::Call);
  } else if (info.declares_options) {
    problems = options.Problems(OptionSpecs(info.options.data(), info.options.size()), scope);
  }
  return problems;
}

std::vector<std::string> CheckConfigOptions(const Config& config, const PluginCatalog& catalog,
                                            uint32_t flags, bool* only_in_use) {
  Checker checker(config, catalog, flags);
  std::vector<std::string> out = checker.Run();
  if (only_in_use != nullptr) *only_in_use = checker.only_in_use();
  return out;
}

}  // namespace sluice::host
