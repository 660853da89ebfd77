// plugin/option_check.h: every plugin instance's options checked through
// the plugins' own check (ABI 1.2), every problem with file:line:column,
// and plugins built for older ABI minors left to their create().
#include "plugin/option_check.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/config.h"
#include "plugin/plugin_catalog.h"
#include "sluice/testing/held_port.h"
#include "tests/plugin_test_util.h"

namespace sluice::host::plugin_test {
namespace {

Config Parse(const std::string& yaml) {
  Config c;
  Status s = ParseConfig(yaml, "/tmp/cfg/sluice.yaml", &c);
  EXPECT_TRUE(s.ok()) << s.message();
  return c;
}

// Lines 1..: line 5 holds the connection's options, 9 api.rest, 10 api.grpc.
const char* kConfig = R"(home_dir: ./home
storage: { plugin: leveldb, options: { anything: 0 } }
connections:
  - { name: files, plugin: csv, options:
      { path: ./data, delimeter: ";" } }
endpoints:
  - { name: t, connection: files, options: { types: { a: float } } }
api:
  rest: { host: 127.0.0.1, port: eighty, hots: x }
  grpc: { port: 99999 }
)";

TEST(OptionCheckTest, EveryProblemWithItsPosition) {
  PluginCatalog catalog;
  catalog.Discover({kPlugins});
  Config c = Parse(kConfig);
  std::vector<std::string> got = CheckConfigOptions(c, catalog, 0);
  ASSERT_EQ(got.size(), 6u);
  EXPECT_EQ(got[0].rfind("/tmp/cfg/sluice.yaml:2:", 0), 0u) << got[0];
  EXPECT_NE(got[0].find("storage.options.anything: unknown option; known options: block_cache_mb"),
            std::string::npos)
      << got[0];
  got.erase(got.begin());
  EXPECT_EQ(got[0].rfind("/tmp/cfg/sluice.yaml:5:23: connections[0].options.delimeter: unknown "
                         "option (did you mean \"delimiter\"?); known options: path, ",
                         0),
            0u)
      << got[0];
  EXPECT_EQ(got[1],
            "/tmp/cfg/sluice.yaml:7:55: endpoints[0].options.types.a: expected int64, float64, "
            "bool, string, timestamp or date, found 'float'");
  EXPECT_EQ(got[2],
            "/tmp/cfg/sluice.yaml:9:28: api.rest.port: expected an integer from 0 to 65535, "
            "found 'eighty'");
  EXPECT_EQ(got[3].rfind("/tmp/cfg/sluice.yaml:9:42: api.rest.hots: unknown option (did you mean "
                         "\"host\"?)",
                         0),
            0u)
      << got[3];
  EXPECT_EQ(got[4],
            "/tmp/cfg/sluice.yaml:10:11: api.grpc.port: expected an integer from 0 to 65535, "
            "found '99999'");
}

TEST(OptionCheckTest, GoodConfigHasNoProblems) {
  PluginCatalog catalog;
  catalog.Discover({kPlugins});
  Config c = Parse(R"(connections:
  - { name: files, plugin: csv, options: { path: ./data, delimiter: tab, sample_rows: all } }
endpoints:
  - { name: t, connection: files, options: { types: { a: int64 }, incomplete_line_timeout: 5m } }
api:
  rest: { port: 0, api_keys: [abc, def] }
)");
  EXPECT_EQ(CheckConfigOptions(c, catalog, SLUICE_CHECK_LISTEN), std::vector<std::string>{});
}

// A port another process listens on is the one problem of kind kInUse:
// `run` then exits 1 (try again), not 2 (change the config).
TEST(OptionCheckTest, APortInUseIsOnlyInUse) {
  sluice::testing::HeldPort held;
  ASSERT_NE(held.port(), 0);
  std::string port = std::to_string(held.port());
  PluginCatalog catalog;
  catalog.Discover({kPlugins});
  bool only_in_use = false;
  Config c = Parse("api:\n  rest: { host: 127.0.0.1, port: " + port + " }\n");
  std::vector<std::string> got = CheckConfigOptions(c, catalog, SLUICE_CHECK_LISTEN, &only_in_use);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_NE(got[0].find("api.rest.port: 127.0.0.1:" + port + " is in use"), std::string::npos)
      << got[0];
  EXPECT_TRUE(only_in_use);
  // Beside a bad value, the config must change.
  c = Parse(
      "storage: { plugin: leveldb, options: { block_cache_mb: 0 } }\napi:\n  rest: { host: "
      "127.0.0.1, port: " +
      port + " }\n");
  EXPECT_EQ(CheckConfigOptions(c, catalog, SLUICE_CHECK_LISTEN, &only_in_use).size(), 2u);
  EXPECT_FALSE(only_in_use);
  EXPECT_EQ(CheckConfigOptions(c, catalog, 0, &only_in_use).size(), 1u);
  EXPECT_FALSE(only_in_use);
  held.Release();
}

TEST(OptionCheckTest, PluginsOfOlderMinorsAreLeftToCreate) {
  PluginCatalog catalog;
  const PluginInfo* info = nullptr;
  ASSERT_TRUE(catalog.LoadFile(kFixtures / "c_api.so", &info).ok());
  EXPECT_FALSE(info->declares_options);
  EXPECT_EQ(info->check_options, nullptr);
  Config c = Parse("api:\n  c_api: { anything: 1, address: x }\n");
  EXPECT_EQ(CheckConfigOptions(c, catalog, SLUICE_CHECK_LISTEN), std::vector<std::string>{});
}

TEST(OptionCheckTest, MissingPluginsAreSkipped) {
  PluginCatalog catalog;
  Config c = Parse("api:\n  rest: { port: eighty }\n");
  EXPECT_EQ(CheckConfigOptions(c, catalog, 0), std::vector<std::string>{});
}

}  // namespace
}  // namespace sluice::host::plugin_test
