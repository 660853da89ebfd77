// Helpers of the config loader's tests (config_test.cc,
// config_problem_test.cc, config_auth_test.cc): a base config to extend,
// and the parse result or problem text of a YAML string.
#ifndef SLUICE_HOST_TESTS_CONFIG_TEST_UTIL_H_
#define SLUICE_HOST_TESTS_CONFIG_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "config/config.h"

namespace sluice::host::config_test {

// The config file these tests pretend to read: relative paths resolve
// against /srv/taxi (which need not exist).
inline const std::filesystem::path kFile = "/srv/taxi/sluice.yaml";

// A valid connection + endpoint to which tests append what they check.
inline const char* const kBase = R"(connections:
  - name: files
    plugin: csv
endpoints:
  - name: trips
    connection: files
    index: { primary_key: [trip_id] }
)";

// Parses `yaml` as if read from kFile.
inline Status Parse(const std::string& yaml, Config* out) { return ParseConfig(yaml, kFile, out); }

// The message of the problem(s) `yaml` has; "" when it parses.
inline std::string Problem(const std::string& yaml) {
  Config c;
  Status s = ParseConfig(yaml, "sluice.yaml", &c);
  if (!s.ok()) { EXPECT_EQ(s.code(), Code::kInvalidArgument) << s.ToString(); }
  return s.message();
}

// The option `key` as a string, "<missing>" when absent.
inline std::string Opt(const Options& o, const std::string& key) {
  return o.Has(key) ? o.GetString(key) : "<missing>";
}

}  // namespace sluice::host::config_test

#endif  // SLUICE_HOST_TESTS_CONFIG_TEST_UTIL_H_
