// Internal to host/config: turns a parsed YAML tree into a validated Config.
// One parser reads one file; every problem is collected (not only the
// first) so that a user fixes them all in one go.
#ifndef SLUICE_HOST_CONFIG_CONFIG_PARSER_H_
#define SLUICE_HOST_CONFIG_CONFIG_PARSER_H_

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/yaml_reader.h"

namespace sluice::host::config_internal {

class ConfigParser {
 public:
  // `file` as the user named it (for messages); `config_dir` absolute.
  ConfigParser(const std::filesystem::path& file, const std::filesystem::path& config_dir);
  ConfigParser(const ConfigParser&) = delete;
  ConfigParser& operator=(const ConfigParser&) = delete;

  // Reads the document `root` into *out (fields other than the file paths).
  // Returns every problem found; *out is unspecified on failure.
  Status Parse(const YAML::Node& root, Config* out);

  Problems* problems() { return &problems_; }

 private:
  // Where an endpoint's cross-checked values were written.
  struct EndpointMarks {
    YAML::Mark name, path, connection;
  };

  void ParseTop(const std::vector<Entry>& entries);
  void ParseStorage(const Entry& e);
  // One facet of `storage:` in the split form: `log: name` or `log: { plugin, options }`.
  void ParseStorageFacet(const Entry& e, const std::string& path, PluginInstanceConfig* out);
  void ParsePluginDirs(const Entry& e);
  void ParseConnections(const Entry& e);
  bool ParseConnection(const YAML::Node& node, const std::string& path, ConnectionConfig* out);
  void ParseIngest(const Entry& e);
  void ParseQueryLimits(const Entry& e);
  void ParseApis(const Entry& e);
  bool ParseApi(const Entry& e, const std::string& path, PluginInstanceConfig* out);

  // In config_endpoints.cc.
  void ParseEndpoints(const Entry& e);
  bool ParseEndpoint(const YAML::Node& node, const std::string& path, EndpointConfig* out,
                     EndpointMarks* marks);
  void ParseIndex(const Entry& e, const std::string& path, EndpointConfig* out);
  // `aggregates:` and `full_text:` (config_aggregates.cc).
  void ParseAggregates(const Entry& e, const std::string& path, EndpointConfig* out);
  void ParseAggregate(const YAML::Node& node, const std::string& path, EndpointConfig* out);
  void ParseFullText(const Entry& e, const std::string& path, EndpointConfig* out);
  bool ReadFieldList(const YAML::Node& node, const YAML::Mark& at, const std::string& path,
                     std::vector<std::string>* out);
  void ParseVersion(const Entry& e, const std::string& path, uint32_t* out);
  void ParseOnDuplicate(const Entry& e, const std::string& path, OnDuplicate* out);
  void CheckEndpoints(const std::vector<EndpointMarks>& marks);

  // In config_auth.cc: `auth:`, endpoint `access:` and the api_keys /
  // admin_keys of API instances (credentials of every API).
  void ParseAuth(const Entry& e);
  void ParseAuthKeys(const Entry& e);
  bool ParseAuthKey(const YAML::Node& node, const std::string& path, ApiKeyConfig* out);
  void ParseJwt(const Entry& e);
  bool ParseJwtKey(const YAML::Node& node, const std::string& path, JwtKeyConfig* out);
  void ParseRateLimits(const Entry& e);
  bool ParseRateLimit(const YAML::Node& node, const std::string& path, RateLimitConfig* out);
  void ParseAccess(const Entry& e, const std::string& path, EndpointConfig* out);
  bool ParseAccessRule(const YAML::Node& node, const std::string& path, AccessRuleConfig* out);
  void ParseLegacyKeys(const Entry& e, const std::string& path, bool admin);
  bool ReadRoles(const Entry& e, const std::string& path, std::vector<std::string>* out);
  // A secret key given inline: 1 to 256 printable ASCII characters, no space.
  bool CheckKeyText(const Entry& e, const std::string& path, const std::string& key);
  // Checks across auth and endpoints, once everything is read.
  void CheckAuth();

  // Reads a name matching IsValidConfigName (or IsValidPluginName).
  bool ReadName(const Entry& e, const std::string& path, std::string* out);
  bool ReadPluginName(const Entry& e, const std::string& path, std::string* out);
  // Reads an options map (null = none); resolves path-like values when
  // `resolve_paths`.
  // *site gets the options' key path (`path`) and positions.
  bool ReadOptions(const Entry& e, const std::string& path, bool resolve_paths, Options* out,
                   OptionsSite* site);
  // Makes path-like option values absolute (docs/config.md, "Paths").
  void ResolvePathOptions(std::vector<std::pair<std::string, std::string>>* items) const;
  // `p` made absolute against the config directory, normalized.
  std::filesystem::path Resolve(const std::string& p) const;
  // Reports each key of `required` that map `node` lacks. True if none.
  bool RequireKeys(const std::vector<Entry>& entries, const YAML::Node& node,
                   const std::string& path, const std::vector<std::string_view>& required);

  std::filesystem::path config_dir_;
  Problems problems_;
  std::vector<YAML::Mark> key_marks_;  // per cfg_->auth.keys entry
  // Where endpoints (and anonymous_roles) give access rules, for CheckAuth.
  std::vector<std::pair<YAML::Mark, std::string>> rules_given_;
  Config* cfg_ = nullptr;
};

}  // namespace sluice::host::config_internal

#endif  // SLUICE_HOST_CONFIG_CONFIG_PARSER_H_
