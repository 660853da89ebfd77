// The YAML config loader: every key of docs/config.md, its defaults, path
// resolution, option flattening, reading files, and the name helpers.
// Problems: config_problem_test.cc; access and auth: config_auth_test.cc.
#include "config/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tests/config_test_util.h"
#include "util/suggest.h"

namespace sluice::host::config_test {
namespace {

namespace fs = std::filesystem;

TEST(ConfigTest, FullExample) {
  Config c;
  ASSERT_TRUE(Parse(R"(app_name: taxi
home_dir: ./state
log_level: debug
plugin_dirs: [./plugins, /opt/sluice/plugins]
storage: { plugin: leveldb, options: { block_cache_mb: 64 } }
connections:
  - name: taxi_files
    plugin: csv
    options: { path: ./data }
endpoints:
  - name: trips
    path: /taxi/trips
    connection: taxi_files
    table: yellow_trips
    options: { on_error: skip, types: { zip: string } }
    index:
      primary_key: [trip_id]
      secondary: [[pickup_zone_id], [payment_type, fare_amount]]
      covering: true
    version: 3
  - name: zones
    connection: taxi_files
    index: { primary_key: zone_id }
    version: latest
ingest: { batch_rows: 5000, commit_rows: 20000, commit_interval_ms: 250, poll_interval_ms: 100 }
shutdown_grace_ms: 2500
api:
  rest: { host: 127.0.0.1, port: 8080 }
  grpc: { host: 127.0.0.1, port: 50051, enabled: false }
)",
                    &c)
                  .ok());
  EXPECT_EQ(c.config_file, "/srv/taxi/sluice.yaml");
  EXPECT_EQ(c.config_dir, "/srv/taxi");
  EXPECT_EQ(c.home_dir, "/srv/taxi/state");
  EXPECT_EQ(c.app_name, "taxi");
  EXPECT_EQ(c.log_level, "debug");
  EXPECT_EQ(c.plugin_dirs, (std::vector<fs::path>{"/srv/taxi/plugins", "/opt/sluice/plugins"}));
  EXPECT_EQ(c.storage.log.name, "storage");
  EXPECT_EQ(c.storage.log.plugin, "leveldb");
  EXPECT_EQ(Opt(c.storage.log.options, "block_cache_mb"), "64");
  EXPECT_EQ(c.storage.cache.name, "storage");
  EXPECT_EQ(c.storage.cache.plugin, "leveldb");
  EXPECT_EQ(Opt(c.storage.cache.options, "block_cache_mb"), "64");
  EXPECT_TRUE(c.storage.Shared());
  EXPECT_FALSE(c.storage.rebuild_cache);
  ASSERT_EQ(c.connections.size(), 1u);
  EXPECT_EQ(c.connections[0].name, "taxi_files");
  EXPECT_EQ(c.connections[0].plugin, "csv");
  EXPECT_EQ(Opt(c.connections[0].options, "path"), "/srv/taxi/data");
  ASSERT_EQ(c.endpoints.size(), 2u);
  const EndpointConfig& t = c.endpoints[0];
  EXPECT_EQ(t.name, "trips");
  EXPECT_EQ(t.path, "/taxi/trips");
  EXPECT_EQ(t.connection, "taxi_files");
  EXPECT_EQ(t.table, "yellow_trips");
  EXPECT_EQ(Opt(t.options, "on_error"), "skip");
  EXPECT_EQ(Opt(t.options, "types.zip"), "string");
  EXPECT_EQ(t.primary_key, std::vector<std::string>{"trip_id"});
  EXPECT_EQ(t.secondary, (std::vector<std::vector<std::string>>{{"pickup_zone_id"},
                                                                {"payment_type", "fare_amount"}}));
  EXPECT_TRUE(t.covering);
  EXPECT_EQ(t.version, 3u);
  const EndpointConfig& z = c.endpoints[1];
  EXPECT_EQ(z.path, "/zones");
  EXPECT_EQ(z.table, "zones");
  EXPECT_EQ(z.primary_key, std::vector<std::string>{"zone_id"});
  EXPECT_TRUE(z.secondary.empty());
  EXPECT_FALSE(z.covering);
  EXPECT_EQ(z.version, 0u);
  EXPECT_EQ(c.ingest.batch_rows, 5000u);
  EXPECT_EQ(c.ingest.commit_rows, 20000u);
  EXPECT_EQ(c.ingest.commit_interval_ms, 250u);
  EXPECT_EQ(c.ingest.poll_interval_ms, 100u);
  EXPECT_EQ(c.shutdown_grace_ms, 2500u);
  ASSERT_EQ(c.apis.size(), 2u);
  EXPECT_EQ(c.apis[0].name, "rest");
  EXPECT_EQ(c.apis[0].plugin, "rest");
  EXPECT_TRUE(c.apis[0].enabled);
  EXPECT_EQ(c.apis[0].options.items(), (std::vector<std::pair<std::string, std::string>>{
                                           {"host", "127.0.0.1"}, {"port", "8080"}}));
  EXPECT_EQ(c.apis[1].name, "grpc");
  EXPECT_FALSE(c.apis[1].enabled);
  EXPECT_FALSE(c.apis[1].options.Has("enabled"));
}

TEST(ConfigTest, Defaults) {
  Config c;
  ASSERT_TRUE(Parse(kBase, &c).ok());
  EXPECT_EQ(c.app_name, "sluice");
  EXPECT_EQ(c.home_dir, "/srv/taxi/.sluice");
  EXPECT_EQ(c.log_level, "info");
  EXPECT_TRUE(c.plugin_dirs.empty());
  EXPECT_EQ(c.storage.log.plugin, "leveldb");
  EXPECT_TRUE(c.storage.log.options.items().empty());
  EXPECT_EQ(c.storage.cache.plugin, "leveldb");
  EXPECT_TRUE(c.storage.cache.options.items().empty());
  EXPECT_FALSE(c.storage.rebuild_cache);
  EXPECT_EQ(c.endpoints[0].path, "/trips");
  EXPECT_EQ(c.endpoints[0].table, "trips");
  EXPECT_EQ(c.endpoints[0].version, 0u);
  EXPECT_EQ(c.ingest.batch_rows, 10000u);
  EXPECT_EQ(c.ingest.commit_rows, 100000u);
  EXPECT_EQ(c.ingest.commit_interval_ms, 1000u);
  EXPECT_EQ(c.ingest.poll_interval_ms, 500u);
  EXPECT_EQ(c.shutdown_grace_ms, 10000u);
  EXPECT_TRUE(c.apis.empty());
}

TEST(ConfigTest, OptionsFlattenMapsAndLists) {
  Config c;
  ASSERT_TRUE(Parse(R"(connections:
  - name: files
    plugin: csv
    options:
      delimiter: ";"
      header: true
      empty:
      columns: [a, b]
      nested: { deep: { x: 1 }, list: [{ k: v }] }
endpoints: []
)",
                    &c)
                  .ok());
  EXPECT_EQ(c.connections[0].options.items(),
            (std::vector<std::pair<std::string, std::string>>{{"delimiter", ";"},
                                                              {"header", "true"},
                                                              {"empty", ""},
                                                              {"columns.0", "a"},
                                                              {"columns.1", "b"},
                                                              {"nested.deep.x", "1"},
                                                              {"nested.list.0.k", "v"}}));
}

TEST(ConfigTest, PathLikeOptionsResolveAgainstTheConfigDir) {
  Config c;
  ASSERT_TRUE(
      Parse(R"(storage: { options: { cache_dir: cache, wal_path: /var/wal, dir_mode: "0700" } }
connections:
  - name: files
    plugin: csv
    options: { path: ../shared/./data/, url: ./x, extra_dir: [a, /b], files: { path: in } }
endpoints:
  - name: trips
    connection: files
    options: { path: sub/dir }
    index: { primary_key: [id] }
api:
  rest: { port: 8080, tls_cert_path: certs/server.pem, base_path: /api }
)",
            &c)
          .ok());
  const Options& conn = c.connections[0].options;
  EXPECT_EQ(Opt(conn, "path"), "/srv/shared/data");
  EXPECT_EQ(Opt(conn, "url"), "./x");
  EXPECT_EQ(Opt(conn, "extra_dir.0"), "/srv/taxi/a");
  EXPECT_EQ(Opt(conn, "extra_dir.1"), "/b");
  EXPECT_EQ(Opt(conn, "files.path"), "/srv/taxi/in");
  EXPECT_EQ(Opt(c.storage.log.options, "cache_dir"), "/srv/taxi/cache");
  EXPECT_EQ(Opt(c.storage.log.options, "wal_path"), "/var/wal");
  EXPECT_EQ(Opt(c.storage.log.options, "dir_mode"), "0700");
  EXPECT_EQ(c.storage.cache.options.items(), c.storage.log.options.items());
  EXPECT_EQ(Opt(c.endpoints[0].options, "path"),
            "sub/dir");  // table options: the source's business
  EXPECT_EQ(Opt(c.apis[0].options, "tls_cert_path"), "/srv/taxi/certs/server.pem");
  EXPECT_EQ(Opt(c.apis[0].options, "base_path"), "/api");
  EXPECT_EQ(Opt(c.apis[0].options, "port"), "8080");
}

TEST(ConfigTest, ShorthandsAndApiPluginOverride) {
  Config c;
  ASSERT_TRUE(Parse(std::string(kBase) + R"(storage: memkv
plugin_dirs: ./more
api:
  public: { plugin: rest, port: 80 }
  rest:
)",
                    &c)
                  .ok());
  EXPECT_EQ(c.storage.log.plugin, "memkv");
  EXPECT_EQ(c.storage.cache.plugin, "memkv");
  EXPECT_EQ(c.plugin_dirs, std::vector<fs::path>{"/srv/taxi/more"});
  ASSERT_EQ(c.apis.size(), 2u);
  EXPECT_EQ(c.apis[0].name, "public");
  EXPECT_EQ(c.apis[0].plugin, "rest");
  EXPECT_EQ(Opt(c.apis[0].options, "port"), "80");
  EXPECT_EQ(c.apis[1].name, "rest");
  EXPECT_EQ(c.apis[1].plugin, "rest");
  EXPECT_TRUE(c.apis[1].options.items().empty());
}

TEST(ConfigTest, SeparateLogAndCacheStorage) {
  Config c;
  ASSERT_TRUE(Parse(std::string(kBase) + R"(storage:
  log: { plugin: leveldb, options: { write_buffer_mb: 8, wal_dir: wal } }
  cache:
    plugin: rocksdb
    options: { compression: zstd }
  rebuild_cache: true
)",
                    &c)
                  .ok());
  EXPECT_EQ(c.storage.log.name, "storage.log");
  EXPECT_EQ(c.storage.log.plugin, "leveldb");
  EXPECT_EQ(Opt(c.storage.log.options, "write_buffer_mb"), "8");
  EXPECT_EQ(Opt(c.storage.log.options, "wal_dir"), "/srv/taxi/wal");
  EXPECT_EQ(c.storage.cache.name, "storage.cache");
  EXPECT_EQ(c.storage.cache.plugin, "rocksdb");
  EXPECT_EQ(Opt(c.storage.cache.options, "compression"), "zstd");
  EXPECT_EQ(Opt(c.storage.cache.options, "write_buffer_mb"), "<missing>");
  EXPECT_TRUE(c.storage.rebuild_cache);
  EXPECT_FALSE(c.storage.Shared());
  // Shorthands per facet; a facet left out keeps the default backend.
  ASSERT_TRUE(Parse(std::string(kBase) + "storage: { cache: rocksdb }\n", &c).ok());
  EXPECT_EQ(c.storage.log.plugin, "leveldb");
  EXPECT_EQ(c.storage.cache.plugin, "rocksdb");
  ASSERT_TRUE(Parse(std::string(kBase) + "storage: { log: rocksdb, cache: rocksdb }\n", &c).ok());
  EXPECT_TRUE(c.storage.Shared()) << "same plugin, same (no) options: one instance";
}

TEST(ConfigTest, RelativeConfigFileResolvesAgainstTheWorkingDirectory) {
  Config c;
  ASSERT_TRUE(ParseConfig(kBase, "conf/sluice.yaml", &c).ok());
  EXPECT_EQ(c.config_dir, (fs::current_path() / "conf").lexically_normal());
  EXPECT_EQ(c.config_file, c.config_dir / "sluice.yaml");
  EXPECT_EQ(c.home_dir, c.config_dir / ".sluice");
}

TEST(ConfigTest, QueryLimits) {
  Config c;
  ASSERT_TRUE(Parse(std::string(kBase) +
                        "query: { default_limit: 20, max_limit: 500, scan_budget: 250000 }\n",
                    &c)
                  .ok());
  EXPECT_EQ(c.query.default_limit, 20u);
  EXPECT_EQ(c.query.max_limit, 500u);
  EXPECT_EQ(c.query.scan_budget, 250000u);
  Config d;
  ASSERT_TRUE(Parse(kBase, &d).ok());
  EXPECT_EQ(d.query, QueryLimits());
  EXPECT_EQ(d.query.default_limit, 50u);
  EXPECT_EQ(d.query.max_limit, 10000u);
  EXPECT_EQ(d.query.scan_budget, 1000000u);
  Config e;  // `query:` with no value keeps every default
  ASSERT_TRUE(Parse(std::string(kBase) + "query:\n", &e).ok());
  EXPECT_EQ(e.query, QueryLimits());
  // A maximum below the built-in default page size lowers that default too.
  Config f;
  ASSERT_TRUE(Parse(std::string(kBase) + "query: { max_limit: 10 }\n", &f).ok());
  EXPECT_EQ(f.query.default_limit, 10u);
  EXPECT_EQ(f.query.max_limit, 10u);
}

// ---- reading files ----

class ConfigFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("sluice_config_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(ConfigFileTest, LoadsAFile) {
  std::ofstream(dir_ / "sluice.yaml") << kBase << "home_dir: state\n";
  Config c;
  ASSERT_TRUE(LoadConfig(dir_ / "sluice.yaml", &c).ok());
  EXPECT_EQ(c.config_file, dir_ / "sluice.yaml");
  EXPECT_EQ(c.config_dir, dir_);
  EXPECT_EQ(c.home_dir, dir_ / "state");
}

TEST_F(ConfigFileTest, MissingFileIsNotFound) {
  Config c;
  Status s = LoadConfig(dir_ / "nope.yaml", &c);
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_EQ(s.message(), "config file " + (dir_ / "nope.yaml").string() +
                             " not found (looked for " + (dir_ / "nope.yaml").string() +
                             "); create it (see docs/config.md) or pass another one with -c FILE");
}

TEST_F(ConfigFileTest, DirectoryIsRefused) {
  Config c;
  Status s = LoadConfig(dir_, &c);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(), "config file " + dir_.string() +
                             " is a directory; pass the YAML file itself with -c FILE");
}

TEST_F(ConfigFileTest, ProblemsNameTheFileAsGiven) {
  std::ofstream(dir_ / "bad.yaml") << "endpoints: 3\n";
  Config c;
  Status s = LoadConfig(dir_ / "bad.yaml", &c);
  EXPECT_EQ(s.message(),
            (dir_ / "bad.yaml").string() +
                ":1:12: endpoints: expected a list of endpoints (- name: ..., connection: "
                "..., index: ...), found \"3\"");
}

// ---- helpers ----

TEST(ConfigHelpersTest, Names) {
  EXPECT_TRUE(IsValidConfigName("trips_2024-v2"));
  EXPECT_TRUE(IsValidConfigName("_x"));
  EXPECT_FALSE(IsValidConfigName(""));
  EXPECT_FALSE(IsValidConfigName("-x"));
  EXPECT_FALSE(IsValidConfigName(".."));
  EXPECT_FALSE(IsValidConfigName("a/b"));
  EXPECT_FALSE(IsValidConfigName("a b"));
  EXPECT_TRUE(IsValidPluginName("source-csv_2"));
  EXPECT_FALSE(IsValidPluginName("Csv"));
  EXPECT_FALSE(IsValidPluginName(""));
}

TEST(ConfigHelpersTest, Suggestions) {
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(EditDistance("", "abc"), 3u);
  EXPECT_EQ(EditDistance("same", "same"), 0u);
  EXPECT_EQ(DidYouMean("endpont", {"api", "endpoints"}), " (did you mean \"endpoints\"?)");
  EXPECT_EQ(DidYouMean("apx", {"api", "endpoints"}), " (did you mean \"api\"?)");
  EXPECT_EQ(DidYouMean("storage", {"api", "endpoints"}), "");
}

}  // namespace
}  // namespace sluice::host::config_test
