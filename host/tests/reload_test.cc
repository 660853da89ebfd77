// What a SIGHUP reload reports as needing a restart (service/reload.h).
#include "service/reload.h"

#include <gtest/gtest.h>

namespace sluice::host {
namespace {

const char* const kBase = R"(home_dir: ./home
connections:
  - { name: files, plugin: csv, options: { path: ./data } }
endpoints:
  - name: trips
    connection: files
    index: { primary_key: [trip_id] }
api:
  rest: { port: 8080, api_keys: [secret-one] }
ingest: { batch_rows: 100 }
)";

Config Parse(const std::string& yaml) {
  Config c;
  Status s = ParseConfig(yaml, "/srv/taxi/sluice.yaml", &c);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return c;
}

// "part: change" lines of what changing kBase into `yaml` reports.
std::vector<std::string> Changes(const std::string& yaml) {
  std::vector<std::string> out;
  for (const ConfigChange& c : ChangesNeedingRestart(Parse(kBase), Parse(yaml)))
    out.push_back(c.part + ": " + c.change);
  return out;
}

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return s.replace(at, from.size(), to);
}

using Lines = std::vector<std::string>;

TEST(Reload, SameConfigNeedsNothing) { EXPECT_EQ(Changes(kBase), Lines{}); }

TEST(Reload, LiveChangesAreNotReported) {
  std::string yaml = Replace(kBase, "    index:", "    version: 3\n    index:");
  EXPECT_EQ(Changes("log_level: debug\n" + yaml), Lines{});
}

TEST(Reload, EndpointsAddedRemovedAndChanged) {
  std::string yaml =
      Replace(kBase, "  - name: trips\n    connection: files",
              "  - name: trips\n    path: /rides\n    table: rides\n    connection: files");
  yaml = Replace(yaml, "primary_key: [trip_id] }", "primary_key: [id], secondary: [[zone]] }");
  yaml = Replace(
      yaml, "api:", "  - { name: zones, connection: files, index: { primary_key: [z] } }\napi:");
  EXPECT_EQ(
      Changes(yaml),
      (Lines{"endpoints.trips: path /trips -> /rides", "endpoints.trips: table trips -> rides",
             "endpoints.trips: primary_key [trip_id] -> [id]",
             "endpoints.trips: secondary [] -> [[zone]]", "endpoints.zones: added"}));
  std::string removed = Replace(kBase,
                                "endpoints:\n  - name: trips\n    connection: files\n"
                                "    index: { primary_key: [trip_id] }\n",
                                "");
  EXPECT_EQ(Changes(removed), Lines{"endpoints.trips: removed"});
}

TEST(Reload, OptionsNameKeysNeverValues) {
  std::string yaml = Replace(kBase, "{ port: 8080, api_keys: [secret-one] }",
                             "{ port: 8081, api_keys: [secret-two], threads: 4 }");
  Lines got = Changes(yaml);
  // api_keys are credentials of the host's access model, applied live.
  EXPECT_EQ(got, Lines{"api.rest: options changed: port, threads"});
  for (const std::string& l : got) EXPECT_EQ(l.find("secret"), std::string::npos) << l;
  yaml = Replace(kBase, "options: { path: ./data }", "options: { path: ./other }");
  EXPECT_EQ(Changes(yaml), Lines{"connections.files: options changed: path"});
}

TEST(Reload, TopLevelStorageApiAndIngest) {
  std::string yaml =
      Replace(kBase, "home_dir: ./home", "home_dir: ./elsewhere\nstorage: { plugin: rocksdb }");
  yaml = Replace(yaml, "batch_rows: 100", "batch_rows: 200, poll_interval_ms: 10");
  yaml += "query: { max_limit: 500 }\n";
  yaml = Replace(yaml, "  rest: { port: 8080, api_keys: [secret-one] }",
                 "  rest: { port: 8080, api_keys: [secret-one], enabled: false }\n  grpc: {}");
  EXPECT_EQ(
      Changes(yaml),
      (Lines{"home_dir: home_dir /srv/taxi/home -> /srv/taxi/elsewhere",
             "storage.log: plugin leveldb -> rocksdb", "storage.cache: plugin leveldb -> rocksdb",
             "api.rest: enabled true -> false", "api.grpc: added", "ingest: batch_rows 100 -> 200",
             "ingest: poll_interval_ms 500 -> 10", "query: max_limit 10000 -> 500"}));
}

}  // namespace
}  // namespace sluice::host
