// The YAML config loader: every key of docs/config.md, its defaults, path
// resolution, option flattening, and the exact text of every problem it
// reports.
#include "config/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "util/suggest.h"

namespace sluice::host {
namespace {

namespace fs = std::filesystem;

// The config file these tests pretend to read: relative paths resolve
// against /srv/taxi (which need not exist).
const fs::path kFile = "/srv/taxi/sluice.yaml";

// A valid connection + endpoint to which tests append what they check.
const char* const kBase = R"(connections:
  - name: files
    plugin: csv
endpoints:
  - name: trips
    connection: files
    index: { primary_key: [trip_id] }
)";

Status Parse(const std::string& yaml, Config* out) { return ParseConfig(yaml, kFile, out); }

// The message of the problem(s) `yaml` has; "" when it parses.
std::string Problem(const std::string& yaml) {
  Config c;
  Status s = ParseConfig(yaml, "sluice.yaml", &c);
  if (!s.ok()) { EXPECT_EQ(s.code(), Code::kInvalidArgument) << s.ToString(); }
  return s.message();
}

std::string Opt(const Options& o, const std::string& key) {
  return o.Has(key) ? o.GetString(key) : "<missing>";
}

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

// ---- problems: syntax and document shape ----

TEST(ConfigProblemTest, YamlSyntaxErrorHasLineAndColumn) {
  EXPECT_EQ(Problem("endpoints:\n  - name: [trips\n"),
            "sluice.yaml:3:1: invalid YAML: end of sequence flow not found");
  EXPECT_EQ(Problem("a: *nowhere\n"),
            "sluice.yaml:1:4: invalid YAML: the referenced anchor is not defined");
}

TEST(ConfigProblemTest, DocumentMustBeAMap) {
  EXPECT_EQ(
      Problem(""),
      "sluice.yaml: expected a map of settings (app_name, endpoints, ... — see docs/config.md), "
      "found nothing (the file is empty)");
  EXPECT_EQ(Problem("- a\n- b\n"),
            "sluice.yaml:1:1: expected a map of settings (app_name, endpoints, ... — see "
            "docs/config.md), found a list");
}

TEST(ConfigProblemTest, UnknownTopLevelKeySuggestsTheClosest) {
  EXPECT_EQ(
      Problem("endpoint: []\n"),
      "sluice.yaml:1:1: endpoint: unknown key (did you mean \"endpoints\"?); expected one of: "
      "app_name, home_dir, log_level, plugin_dirs, storage, connections, endpoints, ingest, api, "
      "query, auth, shutdown_grace_ms");
  EXPECT_EQ(Problem("zzz: 1\n"),
            "sluice.yaml:1:1: zzz: unknown key; expected one of: app_name, home_dir, log_level, "
            "plugin_dirs, storage, connections, endpoints, ingest, api, query, auth, "
            "shutdown_grace_ms");
}

TEST(ConfigProblemTest, DuplicateKey) {
  EXPECT_EQ(Problem("app_name: a\napp_name: b\n"),
            "sluice.yaml:2:1: app_name: duplicate key (first given at line 1); keep one of them");
}

TEST(ConfigProblemTest, EveryProblemIsReportedInFileOrder) {
  EXPECT_EQ(Problem("log_level: loud\napp_name: \"my app\"\n"),
            "sluice.yaml:1:12: log_level: expected debug, info, warn or error, found \"loud\"\n"
            "sluice.yaml:2:11: app_name: expected a name of letters, digits, '_' and '-' (not "
            "starting with '-'), found \"my app\"");
}

TEST(ConfigProblemTest, LogLevel) {
  EXPECT_EQ(
      Problem("log_level: inf\n"),
      "sluice.yaml:1:12: log_level: expected debug, info, warn or error, found \"inf\" (did you "
      "mean \"info\"?)");
  EXPECT_EQ(Problem("log_level:\n"),
            "sluice.yaml:1:1: log_level: expected debug, info, warn or error, found nothing (an "
            "empty value)");
}

// ---- problems: endpoints ----

TEST(ConfigProblemTest, PrimaryKeyMustBeAList) {
  EXPECT_EQ(Problem(R"(connections: [{ name: files, plugin: csv }]
endpoints:
  - name: trips
    connection: files
    index:
      primary_key: { trip_id: 1 }
)"),
            "sluice.yaml:6:20: endpoints[0].index.primary_key: expected a list of field names, "
            "found a map");
  EXPECT_EQ(
      Problem(R"(connections: [{ name: files, plugin: csv }]
endpoints:
  - { name: trips, connection: files, index: { primary_key: [] } }
)"),
      "sluice.yaml:3:61: endpoints[0].index.primary_key: expected a list of field names, found an "
      "empty list");
  EXPECT_EQ(
      Problem(R"(connections: [{ name: files, plugin: csv }]
endpoints:
  - { name: trips, connection: files, index: { primary_key: [id, [x], id] } }
)"),
      "sluice.yaml:3:66: endpoints[0].index.primary_key[1]: expected a field name, found a list\n"
      "sluice.yaml:3:71: endpoints[0].index.primary_key[2]: field \"id\" is listed twice");
}

TEST(ConfigProblemTest, WithoutAPrimaryKeyRowsAreKeyedByPosition) {
  Config c;
  ASSERT_TRUE(ParseConfig(R"(connections: [{ name: files, plugin: csv }]
endpoints:
  - name: riots
    connection: files
    on_duplicate: error
)",
                          "/cfg/sluice.yaml", &c)
                  .ok());
  EXPECT_TRUE(c.endpoints[0].primary_key.empty());
  EXPECT_EQ(c.endpoints[0].on_duplicate, OnDuplicate::kError);
  EXPECT_EQ(Problem(R"(connections: [{ name: files, plugin: csv }]
endpoints:
  - { name: t, connection: files, on_duplicate: newest }
)"),
            "sluice.yaml:3:49: endpoints[0].on_duplicate: expected last, first or error, found "
            "\"newest\"");
  EXPECT_EQ(
      Problem(R"(connections: [{ name: files, plugin: csv }]
endpoints:
  - name: trips
    connection: files
    index: [id]
)"),
      "sluice.yaml:5:12: endpoints[0].index: expected a map like { primary_key: [id], secondary: "
      "[[field], ...], covering: false }, found a list");
}

TEST(ConfigProblemTest, CoveringIsTrueOrFalse) {
  EXPECT_EQ(
      Problem(R"(connections: [{ name: files, plugin: csv }]
endpoints:
  - name: trips
    connection: files
    index: { primary_key: [id], covering: often }
)"),
      "sluice.yaml:5:43: endpoints[0].index.covering: expected true or false, found \"often\"");
}

TEST(ConfigProblemTest, SecondaryIndexes) {
  EXPECT_EQ(
      Problem(R"(connections: [{ name: files, plugin: csv }]
endpoints:
  - name: trips
    connection: files
    index: { primary_key: [id], secondary: { a: 1 } }
)"),
      "sluice.yaml:5:44: endpoints[0].index.secondary: expected a list of indexes, each a list of "
      "field names, found a map");
  EXPECT_EQ(Problem(R"(connections: [{ name: files, plugin: csv }]
endpoints:
  - name: trips
    connection: files
    index: { primary_key: [id], secondary: [zone, [a, b], [zone]] }
)"),
            "sluice.yaml:5:59: endpoints[0].index.secondary[2]: duplicate index: same fields as "
            "endpoints[0].index.secondary[0]");
}

TEST(ConfigProblemTest, UnknownEndpointKeySuggestsTheClosest) {
  EXPECT_EQ(Problem(std::string(kBase) + "    conection: files\n"),
            "sluice.yaml:8:5: endpoints[0].conection: unknown key (did you mean \"connection\"?); "
            "expected one of: name, path, connection, table, options, index, version, "
            "on_duplicate, access, aggregates, full_text");
  EXPECT_EQ(Problem(std::string(kBase) + "    primary_key: [id]\n"),
            "sluice.yaml:8:5: endpoints[0].primary_key: unknown key; expected one of: name, path, "
            "connection, table, options, index, version, on_duplicate, access, aggregates, "
            "full_text");
}

TEST(ConfigProblemTest, EndpointNamesAndPathsAreUnique) {
  EXPECT_EQ(Problem(std::string(kBase) + R"(  - name: trips
    connection: files
    index: { primary_key: [id] }
)"),
            "sluice.yaml:8:11: endpoints[1].name: duplicate endpoint name \"trips\" (also used by "
            "endpoints[0]); endpoint names must be unique");
  EXPECT_EQ(Problem(std::string(kBase) + R"(  - name: rides
    path: /trips
    connection: files
    index: { primary_key: [id] }
)"),
            "sluice.yaml:9:11: endpoints[1].path: duplicate endpoint path \"/trips\" (also used by "
            "endpoint \"trips\"); give one of them another path");
}

TEST(ConfigProblemTest, NamesCannotEscapeTheHomeDirectory) {
  EXPECT_EQ(
      Problem(R"(connections: [{ name: files, plugin: csv }]
endpoints:
  - name: ../etc
    connection: files
    index: { primary_key: [id] }
)"),
      "sluice.yaml:3:11: endpoints[0].name: expected a name of letters, digits, '_' and '-' (not "
      "starting with '-'), found \"../etc\"");
  EXPECT_EQ(
      Problem("connections:\n  - { name: -x, plugin: csv }\n"),
      "sluice.yaml:2:13: connections[0].name: expected a name of letters, digits, '_' and '-' "
      "(not starting with '-'), found \"-x\"");
  EXPECT_EQ(
      Problem("api:\n  \"my api\": { plugin: rest }\n"),
      "sluice.yaml:2:3: api.my api: expected an instance name of letters, digits, '_' and '-', "
      "found \"my api\"");
}

TEST(ConfigProblemTest, EndpointPaths) {
  auto with_path = [](const std::string& path) {
    return Problem(std::string(kBase) + "    path: " + path + "\n");
  };
  const std::string at =
      "sluice.yaml:8:11: endpoints[0].path: expected a URL path such as /trips, found ";
  EXPECT_EQ(with_path("trips"), at + "\"trips\": it must start with '/'");
  EXPECT_EQ(with_path("/"), at + "\"/\": it must name something after '/'");
  EXPECT_EQ(with_path("/trips/"), at + "\"/trips/\": it must not end with '/'");
  EXPECT_EQ(with_path("/a//b"), at + "\"/a//b\": it has an empty segment (\"//\")");
  EXPECT_EQ(with_path("/a/../b"), at + "\"/a/../b\": it has a \"..\" segment");
  EXPECT_EQ(with_path("/a/./b"), at + "\"/a/./b\": it has a \".\" segment");
  EXPECT_EQ(with_path("/a?b"), at + "\"/a?b\": segment \"a?b\" has the character '?'; use letters, "
                                    "digits, '_', '-' and '.'");
  EXPECT_EQ(with_path("/v2/trips"), at +
                                        "\"/v2/trips\": /v2 looks like a version prefix (/v1/...), "
                                        "which is reserved");
  EXPECT_EQ(with_path("/admin"), at + "\"/admin\": /admin is reserved for the server itself");
  EXPECT_EQ(with_path("/health/x"),
            at + "\"/health/x\": /health is reserved for the server itself");
  EXPECT_EQ(with_path("/ready"), at + "\"/ready\": /ready is reserved for the server itself");
  EXPECT_EQ(with_path("/metrics"), at + "\"/metrics\": /metrics is reserved for the server itself");
  EXPECT_EQ(with_path("/feeds"), at + "\"/feeds\": /feeds is reserved for the server itself");
  EXPECT_EQ(with_path("/taxi/v2"), "");  // only the first segment is reserved
  EXPECT_EQ(with_path("/version"), "");
  EXPECT_EQ(with_path("/trips.v2-x_y"), "");
}

TEST(ConfigProblemTest, DefaultPathOfAReservedName) {
  EXPECT_EQ(
      Problem(R"(connections: [{ name: files, plugin: csv }]
endpoints:
  - { name: health, connection: files, index: { primary_key: [id] } }
)"),
      "sluice.yaml:3:13: endpoints[0].name: the default path \"/health\" cannot be used (expected "
      "a "
      "URL path such as /trips, found \"/health\": /health is reserved for the server itself); set "
      "path: to another one");
}

TEST(ConfigProblemTest, UnknownConnection) {
  EXPECT_EQ(
      Problem(R"(connections: [{ name: taxi_files, plugin: csv }, { name: other, plugin: csv }]
endpoints:
  - { name: trips, connection: taxi_file, index: { primary_key: [id] } }
)"),
      "sluice.yaml:3:32: endpoints[0].connection: unknown connection \"taxi_file\" (did you mean "
      "\"taxi_files\"?); defined: taxi_files, other");
  EXPECT_EQ(
      Problem("endpoints:\n  - { name: trips, connection: files, index: { primary_key: [id] } }\n"),
      "sluice.yaml:2:32: endpoints[0].connection: unknown connection \"files\"; none is defined "
      "(add a connections: section)");
  EXPECT_EQ(Problem("connections: [{ name: files, plugin: csv }]\n"
                    "endpoints:\n  - { name: trips, index: { primary_key: [id] } }\n"),
            "sluice.yaml:3:5: endpoints[0]: missing required key \"connection\"");
}

TEST(ConfigProblemTest, Version) {
  const std::string at =
      "sluice.yaml:8:14: endpoints[0].version: expected \"latest\" or a version number "
      "(1, 2, ...), found ";
  EXPECT_EQ(Problem(std::string(kBase) + "    version: 0\n"), at + "\"0\"");
  EXPECT_EQ(Problem(std::string(kBase) + "    version: -1\n"), at + "\"-1\"");
  EXPECT_EQ(Problem(std::string(kBase) + "    version: newest\n"), at + "\"newest\"");
  EXPECT_EQ(Problem(std::string(kBase) + "    version: [1]\n"), at + "a list");
  EXPECT_EQ(Problem(std::string(kBase) + "    version: \"7\"\n"), "");
}

// ---- problems: connections, storage, ingest, api ----

TEST(ConfigProblemTest, Connections) {
  EXPECT_EQ(
      Problem("connections: { files: csv }\n"),
      "sluice.yaml:1:14: connections: expected a list of connections (- name: ..., plugin: ...), "
      "found a map");
  EXPECT_EQ(Problem("connections:\n  - name: files\n"),
            "sluice.yaml:2:5: connections[0]: missing required key \"plugin\"");
  EXPECT_EQ(
      Problem("connections:\n  - { name: a, plugin: CSV }\n"),
      "sluice.yaml:2:24: connections[0].plugin: expected a plugin name of lower-case letters, "
      "digits, '_' and '-', found \"CSV\"");
  EXPECT_EQ(Problem("connections:\n  - { name: a, plugin: csv, options: [x] }\n"),
            "sluice.yaml:2:38: connections[0].options: expected a map of options, found a list");
  EXPECT_EQ(
      Problem("connections:\n  - { name: a, plugin: csv }\n  - { name: a, plugin: csv }\n"),
      "sluice.yaml:3:5: connections[1].name: duplicate connection name \"a\"; connection names "
      "must be unique");
}

TEST(ConfigProblemTest, Storage) {
  EXPECT_EQ(Problem("storage: [leveldb]\n"),
            "sluice.yaml:1:10: storage: expected a map like { plugin: leveldb, options: {...} } or "
            "{ log: "
            "{...}, cache: {...} }, found a list");
  EXPECT_EQ(
      Problem("storage: { plugin: leveldb, option: {} }\n"),
      "sluice.yaml:1:29: storage.option: unknown key (did you mean \"options\"?); expected one "
      "of: plugin, options, log, cache, rebuild_cache");
  EXPECT_EQ(Problem("storage: { plugin: leveldb, cache: { plugin: rocksdb } }\n"),
            "sluice.yaml:1:29: storage.cache: cannot be combined with storage.plugin; use either { "
            "plugin, "
            "options } (one backend for log and cache) or { log: {...}, cache: {...} }");
  EXPECT_EQ(Problem("storage:\n  log: [leveldb]\n"),
            "sluice.yaml:2:8: storage.log: expected a map like { plugin: rocksdb, options: {...} "
            "}, found a list");
  EXPECT_EQ(Problem("storage:\n  cache: { plugin: RocksDB, opts: {} }\n"),
            "sluice.yaml:2:20: storage.cache.plugin: expected a plugin name of lower-case letters, "
            "digits, "
            "'_' and '-', found \"RocksDB\"\n"
            "sluice.yaml:2:29: storage.cache.opts: unknown key; expected one of: plugin, options");
  EXPECT_EQ(Problem("storage: { cache: rocksdb, rebuild_cache: sometimes }\n"),
            "sluice.yaml:1:43: storage.rebuild_cache: expected true or false, found \"sometimes\"");
}

TEST(ConfigProblemTest, Ingest) {
  EXPECT_EQ(Problem("ingest: { batch_rows: lots }\n"),
            "sluice.yaml:1:23: ingest.batch_rows: expected a whole number from 1 to 10000000, "
            "found \"lots\"");
  EXPECT_EQ(
      Problem("ingest: { commit_interval_ms: 0 }\n"),
      "sluice.yaml:1:31: ingest.commit_interval_ms: expected a whole number from 1 to 3600000, "
      "found \"0\"");
  EXPECT_EQ(
      Problem("ingest: { commit_rows: 99999999999999999999999 }\n"),
      "sluice.yaml:1:24: ingest.commit_rows: expected a whole number from 1 to 1000000000000, "
      "found \"99999999999999999999999\"");
  EXPECT_EQ(
      Problem("ingest: { poll_ms: 5 }\n"),
      "sluice.yaml:1:11: ingest.poll_ms: unknown key; expected one of: batch_rows, commit_rows, "
      "commit_interval_ms, poll_interval_ms, retry_min_ms, retry_max_ms");
  EXPECT_EQ(Problem("ingest: { retry_min_ms: 500, retry_max_ms: 100 }\n"),
            "sluice.yaml:1:9: ingest.retry_max_ms: must be at least ingest.retry_min_ms (500)");
}

TEST(ConfigProblemTest, ShutdownGrace) {
  EXPECT_EQ(Problem("shutdown_grace_ms: 5\n"),
            "sluice.yaml:1:20: shutdown_grace_ms: expected a whole number from 100 to 3600000, "
            "found \"5\"");
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

TEST(ConfigProblemTest, Query) {
  EXPECT_EQ(Problem("query: 100\n"),
            "sluice.yaml:1:8: query: expected a map like { default_limit: 50, max_limit: 10000, "
            "scan_budget: 1000000 }, found \"100\"");
  EXPECT_EQ(Problem("query: { default_limit: 0 }\n"),
            "sluice.yaml:1:25: query.default_limit: expected a whole number from 1 to 1000000, "
            "found \"0\"");
  EXPECT_EQ(Problem("query: { max_limit: 2000000 }\n"),
            "sluice.yaml:1:21: query.max_limit: expected a whole number from 1 to 1000000, "
            "found \"2000000\"");
  EXPECT_EQ(Problem("query: { scan_budget: -5 }\n"),
            "sluice.yaml:1:23: query.scan_budget: expected a whole number from 1 to 1000000000000, "
            "found \"-5\"");
  EXPECT_EQ(
      Problem("query: { default_limit: 200, max_limit: 100 }\n"),
      "sluice.yaml:1:25: query.default_limit: expected at most query.max_limit (100), found 200; "
      "lower default_limit or raise max_limit");
  EXPECT_EQ(
      Problem("query: { max_limits: 5 }\n"),
      "sluice.yaml:1:10: query.max_limits: unknown key (did you mean \"max_limit\"?); expected one "
      "of: default_limit, max_limit, scan_budget, filter_budget, max_filter_terms, max_skip, "
      "max_query_bytes, timeout_ms");
}

TEST(ConfigProblemTest, Api) {
  EXPECT_EQ(Problem("api: [rest]\n"),
            "sluice.yaml:1:6: api: expected a map of API instances (rest: {...}, grpc: {...}), "
            "found a list");
  EXPECT_EQ(Problem("api:\n  rest: { enabled: maybe }\n"),
            "sluice.yaml:2:20: api.rest.enabled: expected true or false, found \"maybe\"");
  EXPECT_EQ(Problem("api:\n  Public: { port: 80 }\n"),
            "sluice.yaml:2:3: api.Public: the instance name \"Public\" is not a plugin name "
            "([a-z0-9_-]+); "
            "add plugin: <name> to say which plugin it runs");
  EXPECT_EQ(Problem("api:\n  Public: { plugin: rest }\n"), "");
  EXPECT_EQ(
      Problem("api:\n  rest: 8080\n"),
      "sluice.yaml:2:9: api.rest: expected a map of settings (plugin, enabled, and the plugin's "
      "options), found \"8080\"");
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

TEST(ConfigAuthTest, EverySettingIsRead) {
  Config c;
  ASSERT_TRUE(Parse(std::string(kBase) + R"(    access:
      - { roles: [admin] }
      - roles: customer
        row_filter: { customer_id: "$claims.sub", total: { $gte: 10 }, tags: [a, "1"] }
        fields: [trip_id, total]
api:
  rest: { port: 0, api_keys: [data-1], admin_keys: admin-1 }
auth:
  keys:
    - { name: ops, key_file: keys/ops.key, roles: [admin, "sluice:metrics"] }
    - { name: c7, key: key-of-c7, claims: { sub: "7", n: 7 } }
  jwt:
    keys: [{ file: jwt/hs.key, alg: HS256, kid: a }, { jwks_file: /etc/jwks.json }]
    issuer: https://auth.example/
    audience: sluice
    clock_skew_s: 5
    roles_claim: scope
    require_exp: false
  anonymous_roles: [public]
  anonymous_admin: true
  rate_limits:
    - { by: address, per_second: 0.5, burst: 3 }
    - { by: claim.tenant, per_second: 100, burst: 100, endpoint: trips }
)",
                    &c)
                  .ok());
  const AuthConfig& a = c.auth;
  ASSERT_EQ(a.keys.size(), 4u);  // the api instance's keys first (read before auth)
  EXPECT_EQ(a.keys[0].name, "api.rest.api_keys.0");
  EXPECT_EQ(a.keys[0].key, "data-1");
  EXPECT_TRUE(a.keys[0].roles.empty());
  EXPECT_EQ(a.keys[1].name, "api.rest.admin_keys.0");
  EXPECT_EQ(a.keys[1].roles, std::vector<std::string>{"admin"});
  EXPECT_EQ(a.keys[2].key_file, "/srv/taxi/keys/ops.key");
  EXPECT_EQ(a.keys[2].roles, (std::vector<std::string>{"admin", "sluice:metrics"}));
  EXPECT_EQ(a.keys[3].claims_json, R"({"sub":"7","n":7})");
  EXPECT_EQ(a.keys[3].where, "/srv/taxi/sluice.yaml:18:7: auth.keys[1]");
  EXPECT_FALSE(c.apis[0].options.Has("api_keys.0"));  // credentials of the host, not options
  EXPECT_FALSE(c.apis[0].options.Has("admin_keys"));
  ASSERT_EQ(a.jwt.keys.size(), 2u);
  EXPECT_EQ(a.jwt.keys[0].file, "/srv/taxi/jwt/hs.key");
  EXPECT_EQ(a.jwt.keys[0].kid, "a");
  EXPECT_EQ(a.jwt.keys[1].jwks_file, "/etc/jwks.json");
  EXPECT_EQ(a.jwt.issuer, "https://auth.example/");
  EXPECT_EQ(a.jwt.audience, "sluice");
  EXPECT_EQ(a.jwt.clock_skew_s, 5u);
  EXPECT_EQ(a.jwt.roles_claim, "scope");
  EXPECT_FALSE(a.jwt.require_exp);
  EXPECT_EQ(a.anonymous_roles, std::vector<std::string>{"public"});
  EXPECT_TRUE(a.anonymous_admin);
  ASSERT_EQ(a.rate_limits.size(), 2u);
  EXPECT_EQ(a.rate_limits[0].per_second, 0.5);
  EXPECT_EQ(a.rate_limits[1].by, RateLimitConfig::By::kClaim);
  EXPECT_EQ(a.rate_limits[1].claim, "tenant");
  EXPECT_EQ(a.rate_limits[1].endpoint, "trips");
  const auto& rules = c.endpoints[0].access;
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(rules[1].roles, std::vector<std::string>{"customer"});
  EXPECT_EQ(rules[1].row_filter_json,
            R"({"customer_id":"$claims.sub","total":{"$gte":10},"tags":["a","1"]})");
  EXPECT_EQ(rules[1].fields, (std::vector<std::string>{"trip_id", "total"}));
}

TEST(ConfigAuthTest, ProblemsNameTheEntry) {
  EXPECT_EQ(Problem("auth:\n  keys:\n    - { name: a, key: k1, key_file: f }\n"),
            "sluice.yaml:3:7: auth.keys[0]: give either key or key_file, not both");
  EXPECT_EQ(Problem("auth:\n  keys:\n    - { name: a, key: 'has space' }\n"),
            "sluice.yaml:3:23: auth.keys[0].key: expected a key of 1 to 256 printable ASCII "
            "characters without spaces, found 9 characters that do not qualify; generate one "
            "with e.g. `openssl rand -hex 32`");
  EXPECT_EQ(Problem("api:\n  rest: { api_keys: [ok-key, 'bad key'] }\n"),
            "sluice.yaml:2:30: api.rest.api_keys.1: expected a key of 1 to 256 printable ASCII "
            "characters without spaces, found 7 characters that do not qualify; generate one with "
            "e.g. `openssl rand -hex 32`");
  EXPECT_EQ(Problem("api:\n  rest: { api_keys: [same], admin_keys: [same] }\n"),
            "sluice.yaml:2:42: api.rest.admin_keys.0: the same key as api.rest.api_keys.0; every "
            "key must differ");
  EXPECT_EQ(Problem("auth:\n  keys: [{ name: a, key: k, roles: [\"no spaces\"] }]\n"),
            "sluice.yaml:2:36: auth.keys[0].roles[0]: expected a role name of letters, digits "
            "and _ . : / -, found \"no spaces\"");
  EXPECT_EQ(Problem("auth:\n  jwt: { keys: [{ file: k, alg: RS265 }] }\n"),
            "sluice.yaml:2:33: auth.jwt.keys[0].alg: expected HS256, RS256 or ES256, found "
            "\"RS265\" (did you mean \"RS256\"?)");
  EXPECT_EQ(Problem("auth:\n  jwt: { keys: [{ file: k }] }\n"),
            "sluice.yaml:2:17: auth.jwt.keys[0]: missing alg: the algorithm of this key (HS256, "
            "RS256 or ES256)");
  EXPECT_EQ(
      Problem(std::string(kBase) +
              "auth:\n  rate_limits: [{ by: ip, per_second: 0, burst: 1, endpoint: trip }]\n"),
      "sluice.yaml:9:23: auth.rate_limits[0].by: expected address, principal, all or "
      "claim.NAME (e.g. claim.sub), found \"ip\"\n"
      "sluice.yaml:9:39: auth.rate_limits[0].per_second: expected a number of requests per "
      "second from 0.001 to 1000000000, found \"0\"\n"
      "sluice.yaml:9:62: auth.rate_limits[0].endpoint: unknown endpoint \"trip\" (did you "
      "mean \"trips\"?); endpoints: trips");
  EXPECT_EQ(Problem(std::string(kBase) + "    access: [{ roles: [reader] }]\n"),
            "sluice.yaml:8:13: endpoints[0].access: access rules need credentials: configure "
            "auth.keys or auth.jwt (without any, every caller reads everything)");
  EXPECT_EQ(Problem(std::string(kBase) +
                    "    access: { row_filter: [1] }\nauth: { keys: [{ name: a, key: k }] }\n"),
            "sluice.yaml:8:27: endpoints[0].access.row_filter: expected a $filter object like { "
            "customer_id: \"$claims.sub\" }, found a list");
}

}  // namespace
}  // namespace sluice::host
