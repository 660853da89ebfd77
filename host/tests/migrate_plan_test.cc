// Migration planning (migrate/migrate.h) on a real home: when the latest
// version is reused and why a new one is made, forced versions, endpoints
// that cannot be planned, and the messages of each. What e2e tests
// (test_migrations.py) check through the CLI, here in milliseconds.
#include <gtest/gtest.h>

#include <fstream>

#include "tests/home_fixture.h"

namespace sluice::host {
namespace {

using testing::FixtureEndpoint;

const FixtureEndpoint kPeople{"people", {"id:int64", "name:string"}, {"1,ann", "2,bob"}};

class MigratePlanTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(home_.Load({kPeople}).ok()); }

  PlanEntry Plan(bool forced = false, bool inspect_only = false) {
    PlanEntry e;
    PlanEndpoint(home_.rt(), *home_.rt().FindEndpoint("people"), forced, inspect_only, &e);
    EXPECT_TRUE(e.error.ok()) << e.error.ToString();
    return e;
  }

  testing::TempDir tmp_;
  testing::HomeFixture home_{tmp_.path()};
};

TEST_F(MigratePlanTest, FirstVersionThenUnchanged) {
  PlanEntry e = Plan();
  EXPECT_TRUE(e.create);
  EXPECT_EQ(e.latest, 0u);
  EXPECT_EQ(e.new_version, 1u);
  EXPECT_EQ(e.reason, "no version yet");
  EXPECT_EQ(e.plugin, "fixture_rows");
  MigrationPlan plan;
  ASSERT_TRUE(home_.Migrate({}, &plan).ok());
  EXPECT_EQ(FormatPlan(plan, false),
            "people: new version v1 (no version yet)\n  schema: *id int64!, name string\n");
  EXPECT_EQ(home_.home().ListVersions("people"), std::vector<uint32_t>{1});
  EXPECT_TRUE(std::filesystem::is_directory(home_.home().ApiDir("people", 1)));

  e = Plan();
  EXPECT_FALSE(e.create);
  EXPECT_EQ(e.latest, 1u);
  EXPECT_EQ(e.reason, "schema unchanged");
  ASSERT_TRUE(PlanMigrations(home_.rt(), {}, false, &plan).ok());
  EXPECT_FALSE(plan.any_new());
  EXPECT_EQ(FormatPlan(plan, false), "people: unchanged (v1)\n");
}

TEST_F(MigratePlanTest, ALogWithCommitsIsResumed) {
  ASSERT_TRUE(home_.Migrate().ok());
  ASSERT_TRUE(home_.Commit("people", 1, {{1, "ann"}}, false).ok());
  EXPECT_EQ(Plan().reason, "schema unchanged");
  // --dry-run opens the log itself, read-only: in a process that holds none.
  ASSERT_TRUE(home_.Load({kPeople}).ok());
  EXPECT_EQ(Plan(false, /*inspect_only=*/true).reason, "schema unchanged");
}

// A new version's log exists, empty, the moment its directory does: a kill
// before anything is ingested leaves a version the next start reuses (it
// used to leave a half-made database there, and the next start planned v2
// for "log cannot be resumed").
TEST_F(MigratePlanTest, ANewVersionHasItsEmptyLogAtOnce) {
  ASSERT_TRUE(home_.Migrate().ok());
  std::unique_ptr<VersionLog> log;
  ASSERT_TRUE(VersionLog::Open(home_.rt().log_storage(), Home::LogStreamName("people", 1),
                               home_.home().LogDir("people", 1), /*create=*/false, &log)
                  .ok());
  EXPECT_EQ(log->end(), 0u);
  log.reset();
  ASSERT_TRUE(home_.Load({kPeople}).ok());  // the next start
  PlanEntry e = Plan();
  EXPECT_FALSE(e.create) << e.reason;
  EXPECT_EQ(e.reason, "schema unchanged");
}

TEST_F(MigratePlanTest, ASchemaChangeMakesANewVersionListingTheChanges) {
  ASSERT_TRUE(home_.Migrate().ok());
  FixtureEndpoint wider = kPeople;
  wider.columns.push_back("score:float64");
  wider.rows = {"1,ann,2.5"};
  ASSERT_TRUE(home_.Load({wider}).ok());
  PlanEntry e = Plan();
  EXPECT_TRUE(e.create);
  EXPECT_EQ(e.reason, "schema changed");
  EXPECT_EQ(e.new_version, 2u);
  ASSERT_EQ(e.changes.size(), 1u);
  EXPECT_NE(e.changes[0].find("score"), std::string::npos) << e.changes[0];
  MigrationPlan plan;
  plan.entries.push_back(e);
  std::string text = FormatPlan(plan, /*dry_run=*/true);
  EXPECT_EQ(text.rfind("people: would create v2 (schema changed)\n  - ", 0), 0u) << text;
  EXPECT_EQ(home_.home().ListVersions("people"),
            std::vector<uint32_t>{1});  // a plan writes nothing
}

TEST_F(MigratePlanTest, ForcedMissingArtifactsAndAnUnreadableSchema) {
  ASSERT_TRUE(home_.Migrate().ok());
  EXPECT_EQ(Plan(/*forced=*/true).reason, "forced with --new");

  std::filesystem::remove_all(home_.home().ApiDir("people", 1));
  PlanEntry e = Plan();
  EXPECT_TRUE(e.create);
  EXPECT_EQ(e.reason, "API artifacts missing");

  std::ofstream(home_.home().SchemaFile("people", 1)) << "{ not json";
  e = Plan();
  EXPECT_TRUE(e.create);
  EXPECT_EQ(e.reason.rfind("schema.json unreadable: ", 0), 0u) << e.reason;
  EXPECT_EQ(e.new_version, 2u);
}

TEST_F(MigratePlanTest, ForcingAnUnknownEndpointIsRefused) {
  MigrationPlan plan;
  Status s = PlanMigrations(home_.rt(), {"nope"}, false, &plan);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(), "--new nope: no such endpoint in the config");
  EXPECT_TRUE(home_.Migrate({"people"}).ok());
  EXPECT_TRUE(home_.Migrate({"people"}).ok());
  EXPECT_EQ(home_.home().ListVersions("people"), (std::vector<uint32_t>{1, 2}));
}

TEST_F(MigratePlanTest, AnEndpointThatCannotBeDescribedDoesNotStopTheOthers) {
  // "ghost" has no table in the fixture source: its entry carries the error.
  ASSERT_TRUE(home_.Load({kPeople, {"ghost", {}, {}}}).ok());
  MigrationPlan plan;
  ASSERT_TRUE(PlanMigrations(home_.rt(), {}, false, &plan).ok());
  ASSERT_EQ(plan.entries.size(), 2u);
  EXPECT_TRUE(plan.any_failed());
  EXPECT_TRUE(plan.any_new());
  EXPECT_EQ(plan.entries[1].error.code(), Code::kNotFound);
  EXPECT_EQ(FormatPlanErrors(plan),
            "ghost: cannot plan: table ghost is not defined (no option tables.ghost.columns.0)\n");
  std::vector<ApiInstance> apis;
  ASSERT_TRUE(ApplyMigrations(home_.rt(), apis, plan).ok());
  EXPECT_EQ(home_.home().ListVersions("people"), std::vector<uint32_t>{1});
  EXPECT_TRUE(home_.home().ListVersions("ghost").empty());
}

TEST_F(MigratePlanTest, VersionsOfEndpointsNotInTheConfigAreRefused) {
  PlanEntry e = Plan();
  e.endpoint = "gone";
  std::vector<ApiInstance> apis;
  Status s = CreatePlannedVersion(home_.rt(), apis, e);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(), "endpoint gone is not in the config");
  VersionMeta meta;
  meta.endpoint = "gone";
  meta.version = 1;
  s = WriteVersion(home_.rt(), apis, meta, VersionMetaToJson(meta));
  EXPECT_EQ(s.message(), "endpoint gone is not in the config");
  EXPECT_FALSE(std::filesystem::exists(home_.home().PipelineDir("gone", 1)));
}

}  // namespace
}  // namespace sluice::host
