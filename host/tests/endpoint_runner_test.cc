// EndpointRunner (service/endpoint_runner.h) on a real home with the
// fixture source: `run` creates the first version and ingests into it, an
// endpoint without a version is told to migrate, and a source whose schema
// changed stops the ingest saying a new version is needed. With
// ingest.once the runner finishes after one attempt, so each case ends by
// itself.
#include "service/endpoint_runner.h"

#include <gtest/gtest.h>

#include <future>

#include "tests/home_fixture.h"

namespace sluice::host {
namespace {

using testing::FixtureEndpoint;

const FixtureEndpoint kPeople{"people", {"id:int64", "name:string"}, {"1,ann", "2,bob", "3,cy"}};

class EndpointRunnerTest : public ::testing::Test {
 protected:
  // Runs the runner of `people` once; returns its result.
  Status RunOnce(bool create_first_version) {
    RunnerOptions ro;
    ro.ingest.once = true;
    ro.create_first_version = create_first_version;
    ro.create_version = [this](const PlanEntry& e) {
      std::vector<ApiInstance> apis;
      return CreatePlannedVersion(home_.rt(), apis, e);
    };
    std::promise<Status> done;
    ro.on_finished = [&](const Status& s) { done.set_value(s); };
    EndpointRunner runner(home_.rt(), *home_.rt().FindEndpoint("people"), &board_, ro);
    runner.Start();
    std::future<Status> result = done.get_future();
    EXPECT_EQ(result.wait_for(std::chrono::seconds(60)), std::future_status::ready);
    runner.Stop();
    return result.get();
  }

  testing::TempDir tmp_;
  testing::HomeFixture home_{tmp_.path()};
  IngestBoard board_;
};

TEST_F(EndpointRunnerTest, WithoutAVersionMigrateComesFirst) {
  ASSERT_TRUE(home_.Load({kPeople}).ok());
  Status s = RunOnce(/*create_first_version=*/false);
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_EQ(s.message(),
            "endpoint people: the endpoint has no version yet: run `sluice migrate` first "
            "(`sluice run` migrates by itself)");
  EXPECT_EQ(board_.Get("people").phase, IngestPhase::kFailed);
  EXPECT_TRUE(home_.home().ListVersions("people").empty());
}

TEST_F(EndpointRunnerTest, RunCreatesTheFirstVersionAndIngestsIt) {
  ASSERT_TRUE(home_.Load({kPeople}).ok());
  Status s = RunOnce(/*create_first_version=*/true);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(home_.home().ListVersions("people"), std::vector<uint32_t>{1});
  IngestStatus st = board_.Get("people");
  EXPECT_EQ(st.phase, IngestPhase::kCaughtUp);
  EXPECT_EQ(st.version, 1u);
  std::shared_ptr<VersionLog> log;
  ASSERT_TRUE(home_.rt().OpenLog("people", 1, false, &log).ok());
  EXPECT_EQ(log->checkpoint().source_offset, "3");
  EXPECT_EQ(log->checkpoint().flags & kCommitSourceAtEnd, kCommitSourceAtEnd);
}

TEST_F(EndpointRunnerTest, AChangedSourceSchemaNeedsANewVersion) {
  ASSERT_TRUE(home_.Load({kPeople}).ok());
  ASSERT_TRUE(home_.Migrate().ok());
  FixtureEndpoint wider = kPeople;
  wider.columns.push_back("score:float64");
  wider.rows = {"1,ann,2.5"};
  ASSERT_TRUE(home_.Load({wider}).ok());
  Status s = RunOnce(/*create_first_version=*/false);
  EXPECT_EQ(s.code(), Code::kAborted);
  EXPECT_EQ(s.message().rfind("endpoint people: the source's schema differs from v1 (", 0), 0u)
      << s.message();
  EXPECT_NE(s.message().find("score"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("): a new version is needed: run `sluice migrate`, or reload the "
                             "running server (SIGHUP, `systemctl reload sluice`), which plans it"),
            std::string::npos)
      << s.message();
  EXPECT_EQ(home_.home().ListVersions("people"), std::vector<uint32_t>{1});  // nothing planned
}

}  // namespace
}  // namespace sluice::host
