// VersionSync (migrate/version_sync.h) between homes that share a version
// catalog: versions another host recorded are written into this home, this
// home's are published in order, and a home whose copy of a version differs
// from the catalog's is refused naming both. test_shared_versions.py checks
// it with servers on log-nats; here the catalog (on LevelDB) is copied from
// one home to the next, as a shared log backend would show it.
#include "migrate/version_sync.h"

#include <gtest/gtest.h>

#include "tests/home_fixture.h"

namespace sluice::host {
namespace {

using testing::FixtureEndpoint;

const FixtureEndpoint kPeople{"people", {"id:int64", "name:string"}, {"1,ann"}};

class VersionSyncTest : public ::testing::Test {
 protected:
  // Syncs `home`'s runtime; returns the status and fills *lines.
  Status Sync(testing::HomeFixture& home, bool publish, std::vector<std::string>* lines) {
    VersionSync sync(home.rt());
    return sync.Sync(
        [&](std::vector<ApiInstance>** out) {
          *out = &apis_;
          return Status();
        },
        publish, lines);
  }
  // Copies `from`'s version catalog of people into `to`'s home (closed).
  void ShareCatalog(testing::HomeFixture& from, testing::HomeFixture& to) {
    std::filesystem::path src = from.home().CatalogDir("people");
    std::filesystem::path dst = to.home().CatalogDir("people");
    std::filesystem::remove_all(dst);
    std::filesystem::create_directories(dst.parent_path());
    std::filesystem::copy(src, dst, std::filesystem::copy_options::recursive);
  }

  std::vector<ApiInstance> apis_;
  testing::TempDir tmp_a_, tmp_b_;
  testing::HomeFixture a_{tmp_a_.path()}, b_{tmp_b_.path()};
};

TEST_F(VersionSyncTest, VersionsTravelThroughTheCatalogAndConflictsAreRefused) {
  ASSERT_TRUE(a_.Load({kPeople}).ok());
  ASSERT_TRUE(b_.Load({kPeople}).ok());
  std::vector<std::string> lines;
  // Without publish, a missing catalog is no error: nothing recorded yet.
  ASSERT_TRUE(Sync(b_, false, &lines).ok());
  EXPECT_TRUE(lines.empty());

  ASSERT_TRUE(a_.Migrate().ok());
  ASSERT_TRUE(a_.Migrate({"people"}).ok());
  ASSERT_TRUE(Sync(a_, true, &lines).ok());  // records v1 and v2, in order
  EXPECT_TRUE(lines.empty());
  ASSERT_TRUE(a_.Load({kPeople}).ok());  // reopened: the catalog is closed meanwhile

  ASSERT_TRUE(b_.Load({kPeople}).ok());
  ShareCatalog(a_, b_);
  ASSERT_TRUE(b_.Load({kPeople}).ok());
  ASSERT_TRUE(Sync(b_, false, &lines).ok());
  EXPECT_EQ(lines, (std::vector<std::string>{"people: v1 from the version catalog",
                                             "people: v2 from the version catalog"}));
  EXPECT_EQ(b_.home().ListVersions("people"), (std::vector<uint32_t>{1, 2}));
  VersionMeta va, vb;
  ASSERT_TRUE(ReadVersionMeta(a_.home().SchemaFile("people", 2).string(), &va).ok());
  ASSERT_TRUE(ReadVersionMeta(b_.home().SchemaFile("people", 2).string(), &vb).ok());
  EXPECT_EQ(va.table_schema, vb.table_schema);
  EXPECT_EQ(va.created_at, vb.created_at);
  lines.clear();
  ASSERT_TRUE(Sync(b_, false, &lines).ok());  // nothing new
  EXPECT_TRUE(lines.empty());
}

TEST_F(VersionSyncTest, AHomeWhoseVersionDiffersFromTheCatalogIsRefused) {
  ASSERT_TRUE(a_.Load({kPeople}).ok());
  ASSERT_TRUE(a_.Migrate().ok());
  std::vector<std::string> lines;
  ASSERT_TRUE(Sync(a_, true, &lines).ok());
  ASSERT_TRUE(a_.Load({kPeople}).ok());

  // B made its own v1 from a source with another column.
  FixtureEndpoint wider = kPeople;
  wider.columns.push_back("score:float64");
  wider.rows = {"1,ann,1.5"};
  ASSERT_TRUE(b_.Load({wider}).ok());
  ASSERT_TRUE(b_.Migrate().ok());
  ShareCatalog(a_, b_);
  ASSERT_TRUE(b_.Load({wider}).ok());
  std::string before;
  ASSERT_TRUE(ReadSmallFile(b_.home().SchemaFile("people", 1), &before).ok());
  Status s = Sync(b_, true, &lines);
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_EQ(s.message().rfind("endpoint people v1: this home's schema.json (" +
                                  b_.home().SchemaFile("people", 1).string() +
                                  ") differs from the version the shared catalog records",
                              0),
            0u)
      << s.message();
  EXPECT_NE(s.message().find("Differences:\n  - "), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("score"), std::string::npos) << s.message();
  std::string after;
  ASSERT_TRUE(ReadSmallFile(b_.home().SchemaFile("people", 1), &after).ok());
  EXPECT_EQ(before, after);  // nothing of the endpoint changed
  EXPECT_TRUE(lines.empty());
}

}  // namespace
}  // namespace sluice::host
