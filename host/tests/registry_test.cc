// Registry (registry/registry.h) on a real home: which version is current,
// `latest` promotion once a newer version's cache has caught up with a
// complete log, admin and config pins (kept in pins.json), and the answers
// given while nothing is ready. What test_migrations.py and
// test_operators.py check by starting servers, here without one.
#include "registry/registry.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "registry/serving_state.h"
#include "tests/home_fixture.h"

namespace sluice::host {
namespace {

using testing::FixtureEndpoint;
using testing::WaitFor;

const FixtureEndpoint kPeople{"people", {"id:int64", "name:string"}, {"1,ann", "2,bob"}};

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(home_.Load({kPeople}).ok()); }

  uint32_t Current(const Registry& r) { return r.Snapshot().at(0).current; }
  bool Ready(const Registry& r, uint32_t v) {
    auto eps = r.Snapshot();
    auto it = eps.at(0).versions.find(v);
    return it != eps.at(0).versions.end() && it->second->ready;
  }
  // Version v, created and filled with `rows` rows in one complete commit.
  void CompleteVersion(uint32_t v, int rows) {
    ASSERT_TRUE(home_.Migrate({"people"}).ok());
    ASSERT_EQ(home_.home().ListVersions("people").back(), v);
    std::vector<std::pair<int64_t, std::string>> r;
    for (int i = 1; i <= rows; ++i) r.push_back({i, "v" + std::to_string(v)});
    ASSERT_TRUE(home_.Commit("people", v, r, /*at_end=*/true).ok());
  }
  std::string AcquireError(const Registry& r, uint32_t v) {
    std::shared_ptr<ServedVersion> sv;
    Status s = r.Acquire("people", v, &sv);
    EXPECT_EQ(s.code(), Code::kUnavailable) << s.ToString();
    return s.message();
  }

  testing::TempDir tmp_;
  testing::HomeFixture home_{tmp_.path()};
};

TEST_F(RegistryTest, LatestFollowsTheNewestVersionOnceItsCacheCaughtUpWithACompleteLog) {
  CompleteVersion(1, 3);
  Registry reg(home_.rt());
  ASSERT_TRUE(reg.Start().ok());
  ASSERT_TRUE(WaitFor([&] { return Current(reg) == 1; }));
  std::shared_ptr<ServedVersion> sv;
  Registry::EndpointState st;
  ASSERT_TRUE(reg.Acquire("/people", 0, &sv, &st).ok());
  EXPECT_EQ(sv->meta.version, 1u);
  EXPECT_EQ(sv->cache->rows(), 3u);
  EXPECT_EQ(st.current, 1u);
  EXPECT_FALSE(st.pinned);

  // v2 with a commit that does not end the input: not complete, so never
  // current, however caught up its cache is.
  ASSERT_TRUE(home_.Migrate({"people"}).ok());
  ASSERT_TRUE(home_.Commit("people", 2, {{1, "v2"}}, /*at_end=*/false).ok());
  ASSERT_TRUE(reg.Refresh().ok());
  ASSERT_TRUE(WaitFor([&] { return reg.Snapshot()[0].versions.at(2)->lag() == 0; }));
  EXPECT_EQ(AcquireError(reg, 2),
            "endpoint people version 2 is not ready: its cache is 0 log records behind");
  EXPECT_EQ(Current(reg), 1u);
  ASSERT_TRUE(reg.Acquire("people", 0, &sv).ok());
  EXPECT_EQ(sv->meta.version, 1u);
  // v1 is frozen now (a newer version exists) and stays ready and current.
  EXPECT_TRUE(reg.Snapshot()[0].versions.at(1)->frozen);

  // The end of the input arrives: v2 becomes ready and, in latest mode, current.
  ASSERT_TRUE(home_.Commit("people", 2, {{2, "v2"}}, /*at_end=*/true).ok());
  ASSERT_TRUE(WaitFor([&] { return Current(reg) == 2; }));
  ASSERT_TRUE(reg.Acquire("people", 0, &sv).ok());
  EXPECT_EQ(sv->meta.version, 2u);
  EXPECT_EQ(sv->cache->rows(), 2u);
  // A request that pinned v1 before keeps it; v1 is still served by number.
  ASSERT_TRUE(reg.Acquire("people", 1, &sv).ok());
  EXPECT_EQ(sv->meta.version, 1u);
  reg.Stop();
}

TEST_F(RegistryTest, AnAdminPinHoldsUntilLatestAndSurvivesARestart) {
  CompleteVersion(1, 1);
  CompleteVersion(2, 2);
  {
    Registry reg(home_.rt());
    int notified = 0;
    reg.AddListener([&] { ++notified; });
    ASSERT_TRUE(reg.Start().ok());
    ASSERT_TRUE(WaitFor([&] { return Current(reg) == 2 && Ready(reg, 1); }));
    ASSERT_TRUE(reg.SetCurrent("people", 1).ok());
    EXPECT_EQ(Current(reg), 1u);
    EXPECT_EQ(reg.Snapshot()[0].pin_source, "admin");
    EXPECT_GT(notified, 0);
    // A newer ready version does not move a pinned endpoint.
    CompleteVersion(3, 3);
    ASSERT_TRUE(reg.Refresh().ok());
    ASSERT_TRUE(WaitFor([&] { return Ready(reg, 3); }));
    EXPECT_EQ(Current(reg), 1u);

    Status s = reg.SetCurrent("people", 9);
    EXPECT_EQ(s.code(), Code::kNotFound);
    EXPECT_EQ(s.message(), "endpoint people has no version 9");
    s = reg.SetCurrent("nobody", 1);
    EXPECT_EQ(s.code(), Code::kNotFound);
    EXPECT_EQ(s.message(), "no endpoint \"nobody\"");
    EXPECT_EQ(Current(reg), 1u);
    reg.Stop();
  }
  {
    // The pin is in the home: a restarted registry keeps it.
    Registry reg(home_.rt());
    ASSERT_TRUE(reg.Start().ok());
    ASSERT_TRUE(WaitFor([&] { return Current(reg) == 1; }));
    EXPECT_EQ(reg.Snapshot()[0].pinned, 1u);
    EXPECT_EQ(reg.Snapshot()[0].pin_source, "admin");
    ASSERT_TRUE(WaitFor([&] { return Ready(reg, 3); }));
    EXPECT_EQ(Current(reg), 1u);
    // `latest` unpins: the newest ready version takes over at once.
    ASSERT_TRUE(reg.SetCurrent("people", 0).ok());
    EXPECT_EQ(Current(reg), 3u);
    EXPECT_EQ(reg.Snapshot()[0].pinned, 0u);
    reg.Stop();
  }
}

TEST_F(RegistryTest, AVersionNotReadyCannotBePinned) {
  CompleteVersion(1, 1);
  ASSERT_TRUE(home_.Migrate({"people"}).ok());
  ASSERT_TRUE(home_.Commit("people", 2, {{1, "x"}}, /*at_end=*/false).ok());
  Registry reg(home_.rt());
  ASSERT_TRUE(reg.Start().ok());
  ASSERT_TRUE(WaitFor([&] { return Current(reg) == 1; }));
  Status s = reg.SetPinned("people", 2);
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_NE(s.message().find("version 2 is not ready"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("try again once it has caught up"), std::string::npos);
  EXPECT_EQ(reg.Snapshot()[0].config.version, 0u);  // the refused pin left nothing behind
  ASSERT_TRUE(reg.SetPinned("people", 1).ok());
  EXPECT_EQ(reg.Snapshot()[0].pin_source, "config");
  reg.Stop();
}

TEST_F(RegistryTest, AConfigPinOfAMissingVersionFailsTheStartListingTheVersions) {
  CompleteVersion(1, 1);
  FixtureEndpoint pinned = kPeople;
  pinned.version = 7;
  ASSERT_TRUE(home_.Load({pinned}).ok());
  Status s;
  {
    Registry reg(home_.rt());
    s = reg.Start();
  }
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_EQ(s.message(),
            "endpoint people: config pins version 7, which does not exist; existing versions: 1");

  std::filesystem::remove_all(home_.home().PipelineDir("people", 1).parent_path());
  ASSERT_TRUE(home_.Load({pinned}).ok());
  Registry empty(home_.rt());
  s = empty.Start();
  EXPECT_EQ(s.message(),
            "endpoint people: config pins version 7, which does not exist; existing versions: "
            "none (run `sluice migrate`)");
}

TEST_F(RegistryTest, NothingReadyYetSaysWhy) {
  {
    // No version at all; nothing ingests in this process.
    Registry reg(home_.rt());
    ASSERT_TRUE(reg.Start().ok());
    EXPECT_EQ(AcquireError(reg, 0),
              "endpoint people has no version ready yet (its cache is still catching up with its "
              "log, or nothing was ingested: run `sluice app run` or `sluice run`)");
    reg.Stop();
  }
  {
    // No version, and the ingest says why.
    IngestBoard board;
    board.Set("people", 0, IngestPhase::kFailed, "table people row 3: bad");
    Registry reg(home_.rt());
    reg.SetIngestBoard(&board);
    ASSERT_TRUE(reg.Start().ok());
    EXPECT_EQ(AcquireError(reg, 0),
              "endpoint people has no version yet: its ingest is failed: table people row 3: bad");
    reg.Stop();
  }
  {
    // A version whose input has not ended: the newest version's reason.
    ASSERT_TRUE(home_.Migrate().ok());
    ASSERT_TRUE(home_.Commit("people", 1, {{1, "a"}}, /*at_end=*/false).ok());
    IngestBoard board;
    board.Set("people", 1, IngestPhase::kWaiting, "waiting for the file to end");
    Registry reg(home_.rt());
    reg.SetIngestBoard(&board);
    ASSERT_TRUE(reg.Start().ok());
    EXPECT_EQ(AcquireError(reg, 0),
              "endpoint people version 1 is not ready: its source is waiting: waiting for the "
              "file to end, and no version of the endpoint is ready yet");
    board.Set("people", 1, IngestPhase::kFailed, "boom");
    ASSERT_TRUE(WaitFor([&] { return reg.Snapshot()[0].versions.at(1)->lag() == 0; }));
    EXPECT_EQ(AcquireError(reg, 1),
              "endpoint people version 1 is not ready: its ingest failed: boom");
    // Stuck with everything it holds applied: an admin may serve it.
    ASSERT_TRUE(reg.SetCurrent("people", 1).ok());
    std::shared_ptr<ServedVersion> sv;
    ASSERT_TRUE(reg.Acquire("people", 0, &sv).ok());
    EXPECT_EQ(sv->cache->rows(), 1u);
    reg.Stop();
  }
}

TEST_F(RegistryTest, ACorruptCacheIsNotServedUntilRebuiltFromTheLog) {
  CompleteVersion(1, 3);
  Registry reg(home_.rt());
  ASSERT_TRUE(reg.Start().ok());
  ASSERT_TRUE(WaitFor([&] { return Current(reg) == 1; }));
  std::shared_ptr<ServedVersion> held;
  ASSERT_TRUE(reg.Acquire("people", 1, &held).ok());
  // While a request holds the old cache, the rebuild waits for it (up to
  // 10 s), and the version answers why it is not served.
  reg.ReportCorruptCache("people", 1, "cache row does not match the schema");
  const std::string why =
      "endpoint people version 1 is not ready: its cache was found corrupt and is being rebuilt "
      "from its log";
  EXPECT_EQ(AcquireError(reg, 1), why);
  EXPECT_EQ(AcquireError(reg, 0), why);
  std::weak_ptr<ServedVersion> old = held;
  held.reset();
  std::shared_ptr<ServedVersion> sv;
  ASSERT_TRUE(WaitFor([&] { return reg.Acquire("people", 0, &sv).ok(); }));
  EXPECT_TRUE(old.expired());  // replaced by a new cache, built from the log
  EXPECT_EQ(sv->cache->rows(), 3u);
  EXPECT_EQ(sv->cache->applied(), sv->log->end());
  sv.reset();
  reg.Stop();
}

TEST_F(RegistryTest, TheServingStateReadsBackAndRefusesOtherFiles) {
  CompleteVersion(1, 2);
  Registry reg(home_.rt());
  ASSERT_TRUE(reg.Start().ok());
  ASSERT_TRUE(WaitFor([&] { return Current(reg) == 1; }));
  const std::filesystem::path root = home_.home().root();
  ServingState st;
  EXPECT_EQ(ReadServingState(root, &st).code(), Code::kNotFound);
  ASSERT_TRUE(WriteServingState(root, ServingStateJson(reg)).ok());
  ASSERT_TRUE(ReadServingState(root, &st).ok());
  EXPECT_EQ(st.pid, static_cast<int64_t>(::getpid()));
  const ServingEndpoint& ep = st.endpoints.at("people");
  EXPECT_EQ(ep.current, 1u);
  ASSERT_EQ(ep.versions.size(), 1u);
  EXPECT_TRUE(ep.versions[0].ready);
  EXPECT_EQ(ep.versions[0].rows, 2u);
  EXPECT_EQ(ep.versions[0].log_end, ep.versions[0].cache_offset);
  std::ofstream(ServingStateFile(root)) << "{\"pid\": 1}";
  Status s = ReadServingState(root, &st);
  EXPECT_EQ(s.code(), Code::kDataLoss);
  EXPECT_EQ(s.message(), ServingStateFile(root).string() + " is not a serving state");
  reg.Stop();
}

TEST(PinStoreTest, PinsPersistAndABadFileIsNamed) {
  testing::TempDir tmp;
  const std::filesystem::path file = tmp.path() / "pins.json";
  {
    PinStore pins(file);
    ASSERT_TRUE(pins.Load().ok());  // missing: no pins
    ASSERT_TRUE(pins.Set("a", AdminPin{3, 0, 1000}).ok());
    ASSERT_TRUE(pins.Set("b", AdminPin{0, 2, 2000}).ok());  // an explicit "latest"
  }
  PinStore pins(file);
  ASSERT_TRUE(pins.Load().ok());
  AdminPin p;
  ASSERT_TRUE(pins.Get("a", &p));
  EXPECT_EQ(p.version, 3u);
  EXPECT_EQ(p.at_ms, 1000);
  ASSERT_TRUE(pins.Get("b", &p));
  EXPECT_EQ(p.version, 0u);
  EXPECT_EQ(p.config_version, 2u);
  ASSERT_TRUE(pins.Clear("a").ok());
  EXPECT_FALSE(pins.Get("a", &p));

  std::ofstream(file) << "[1, 2]";
  Status s = pins.Load();
  EXPECT_EQ(s.code(), Code::kDataLoss);
  EXPECT_EQ(s.message(), file.string() + ": not a pins file (expected {\"pins\": {...}})");
  std::ofstream(file) << R"({"pins": {"trips": {"version": "newest"}}})";
  s = pins.Load();
  EXPECT_EQ(s.code(), Code::kDataLoss);
  EXPECT_EQ(s.message(), file.string() + ": pin of trips: version must be a number or \"latest\"");
  EXPECT_TRUE(pins.Get("b", &p));  // a refused file changes nothing
}

}  // namespace
}  // namespace sluice::host
