// The exact text of every problem the YAML config loader reports: syntax
// and document shape, endpoints, connections, storage, ingest, query and api.
#include <gtest/gtest.h>

#include <string>

#include "config/config.h"
#include "tests/config_test_util.h"

namespace sluice::host::config_test {
namespace {

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
      "max_query_bytes, timeout_ms, row_cache_mb");
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

}  // namespace
}  // namespace sluice::host::config_test
