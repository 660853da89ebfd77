// Where the host tests find plugins: the first-party ones built by their
// folders (kPlugins) and the fixtures of tests/fixtures (kFixtures).
#ifndef SLUICE_HOST_TESTS_PLUGIN_TEST_UTIL_H_
#define SLUICE_HOST_TESTS_PLUGIN_TEST_UTIL_H_

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "sluice/options.h"

namespace sluice::host::plugin_test {

inline const std::filesystem::path kFixtures = SLUICE_TEST_FIXTURE_DIR;
inline const std::filesystem::path kPlugins = SLUICE_TEST_PLUGIN_DIR;

// The fixture plugin `name` ("c_api": kFixtures/c_api.so).
inline std::filesystem::path Fixture(const std::string& name) { return kFixtures / (name + ".so"); }

// Options from key/value pairs, as a plugin receives them.
inline Options Opts(std::vector<std::pair<std::string, std::string>> items) {
  return Options(std::move(items));
}

}  // namespace sluice::host::plugin_test

#endif  // SLUICE_HOST_TESTS_PLUGIN_TEST_UTIL_H_
