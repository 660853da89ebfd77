// A home for host tests that need a Runtime: a temporary directory with a
// config whose endpoints read the fixture source (tests/fixtures/
// fixture_source.cc: rows written in the config itself), the real LevelDB
// storage plugin, and helpers to create versions and fill their logs the way
// `migrate` and the app do.
#ifndef SLUICE_HOST_TESTS_HOME_FIXTURE_H_
#define SLUICE_HOST_TESTS_HOME_FIXTURE_H_

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "migrate/migrate.h"
#include "runtime/runtime.h"
#include "tests/test_util.h"

namespace sluice::host::testing {

// One endpoint of the config: `name` reads table `name` of the fixture
// source, with these columns ("id:int64") and rows ("1,ann"), keyed by `key`.
struct FixtureEndpoint {
  std::string name;
  std::vector<std::string> columns;
  std::vector<std::string> rows;
  std::string key = "id";
  uint32_t version = 0;  // the config's `version:` (0: latest)
};

inline std::string YamlList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (const std::string& i : items) out += (out.size() > 1 ? ", " : "") + ("\"" + i + "\"");
  return out + "]";
}

class HomeFixture {
 public:
  explicit HomeFixture(std::filesystem::path dir) : dir_(std::move(dir)) {}

  // Writes the config for `endpoints` and makes a fresh Runtime on it
  // (Init()ed). Earlier runtimes are closed first.
  Status Load(const std::vector<FixtureEndpoint>& endpoints) {
    rt_.reset();
    std::string yaml = "home_dir: ./home\nplugin_dirs: [\"" + std::string(SLUICE_TEST_PLUGIN_DIR) +
                       "\", \"" + std::string(SLUICE_TEST_FIXTURE_DIR) +
                       "\"]\nstorage: { plugin: leveldb }\nconnections:\n"
                       "  - name: inline\n    plugin: fixture_rows\n    options:\n      tables:\n";
    for (const FixtureEndpoint& e : endpoints) {
      if (e.columns.empty()) continue;  // a table the source does not know
      yaml += "        " + e.name + ":\n          columns: " + YamlList(e.columns) + "\n";
      if (!e.rows.empty()) yaml += "          rows: " + YamlList(e.rows) + "\n";
    }
    yaml += "endpoints:\n";
    for (const FixtureEndpoint& e : endpoints) {
      yaml += "  - name: " + e.name + "\n    connection: inline\n    index: { primary_key: [" +
              e.key + "] }\n";
      if (e.version != 0) yaml += "    version: " + std::to_string(e.version) + "\n";
    }
    std::filesystem::path file = dir_ / "sluice.yaml";
    std::ofstream(file) << yaml;
    Config config;
    SLUICE_RETURN_IF_ERROR(LoadConfig(file, &config));
    rt_ = std::make_unique<Runtime>(std::move(config));
    return rt_->Init();
  }

  Runtime& rt() { return *rt_; }
  const Home& home() { return rt_->home(); }

  // Plans every endpoint (forcing `force`) and creates what the plan asks
  // for, as `sluice migrate` does (no API plugins).
  Status Migrate(const std::set<std::string>& force = {}, MigrationPlan* out = nullptr) {
    MigrationPlan plan;
    SLUICE_RETURN_IF_ERROR(PlanMigrations(*rt_, force, false, &plan));
    std::vector<ApiInstance> apis;
    SLUICE_RETURN_IF_ERROR(ApplyMigrations(*rt_, apis, plan));
    if (out != nullptr) *out = std::move(plan);
    return Status();
  }

  // Appends one commit of rows (id, name) to version v's log; `at_end`
  // marks the source's end, which makes the version complete.
  Status Commit(const std::string& endpoint, uint32_t v,
                const std::vector<std::pair<int64_t, std::string>>& rows, bool at_end) {
    std::shared_ptr<VersionLog> log;
    SLUICE_RETURN_IF_ERROR(rt_->OpenLog(endpoint, v, /*create=*/true, &log));
    CommitBuilder b;
    for (const auto& [id, name] : rows) {
      std::string row;
      RowWriter w(&row, 2);
      w.Int64(id);
      w.String(name);
      b.AddRow(SLUICE_OP_INSERT, row);
    }
    return log->Commit(b, std::to_string(++offset_), at_end ? kCommitSourceAtEnd : 0);
  }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<Runtime> rt_;
  uint64_t offset_ = 0;
};

// Waits up to 30 s for `done`; false when it never held.
inline bool WaitFor(const std::function<bool()>& done) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

}  // namespace sluice::host::testing

#endif  // SLUICE_HOST_TESTS_HOME_FIXTURE_H_
