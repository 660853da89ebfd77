// VersionCatalog on the real LevelDB storage plugin: recording versions and
// prunes, agreement checks, and records that do not parse.
#include "storage/version_catalog.h"

#include <gtest/gtest.h>

#include "core/home.h"
#include "tests/test_util.h"

namespace sluice::host {
namespace {

class VersionCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(testing::OpenLevelDbPlugin(&storage_).ok()); }
  std::unique_ptr<VersionCatalog> Open() {
    std::unique_ptr<VersionCatalog> c;
    Status s = VersionCatalog::Open(*storage_, home_, "trips", /*create=*/true, &c);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return c;
  }
  static VersionMeta Meta(uint32_t v, bool with_zone) {
    VersionMeta m;
    m.endpoint = "trips";
    m.version = v;
    m.table_schema.schema.fields = {{"id", Type::kInt64, false}, {"zone", Type::kInt64, true}};
    m.table_schema.schema.primary_key = {0};
    if (with_zone) m.table_schema.indexes = {{1}};
    return m;
  }

  testing::TempDir tmp_;
  Home home_{tmp_.path()};
  std::unique_ptr<StoragePlugin> storage_;
};

TEST_F(VersionCatalogTest, RecordsVersionsAndPrunesAcrossReopen) {
  {
    auto c = Open();
    ASSERT_TRUE(c->PublishCreated(Meta(1, false), VersionMetaToJson(Meta(1, false))).ok());
    ASSERT_TRUE(c->PublishCreated(Meta(2, true), VersionMetaToJson(Meta(2, true))).ok());
    ASSERT_TRUE(
        c->PublishCreated(Meta(2, true), VersionMetaToJson(Meta(2, true))).ok());  // again: no-op
    ASSERT_TRUE(c->PublishPruned(1).ok());
    ASSERT_TRUE(c->PublishPruned(1).ok());
  }
  auto c = Open();
  CatalogState st;
  ASSERT_TRUE(c->Update(&st).ok());
  EXPECT_EQ(st.latest(), 2u);
  EXPECT_EQ(st.created.size(), 2u);
  EXPECT_EQ(st.pruned, std::set<uint32_t>{1});
  EXPECT_EQ(st.documents.at(2), VersionMetaToJson(Meta(2, true)));
  EXPECT_EQ(st.created.at(2).table_schema.indexes.size(), 1u);
}

TEST_F(VersionCatalogTest, AnotherSchemaForARecordedVersionIsRefused) {
  auto c = Open();
  ASSERT_TRUE(c->PublishCreated(Meta(1, false), VersionMetaToJson(Meta(1, false))).ok());
  Status s = c->PublishCreated(Meta(1, true), VersionMetaToJson(Meta(1, true)));
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_NE(s.message().find("trips v1: the shared version catalog records another schema"),
            std::string::npos)
      << s.message();
  ASSERT_TRUE(c->PublishCreated(Meta(3, false), VersionMetaToJson(Meta(3, false))).ok());
  s = c->PublishCreated(Meta(2, false), VersionMetaToJson(Meta(2, false)));  // below the latest
  EXPECT_EQ(s.code(), Code::kFailedPrecondition) << s.ToString();
}

TEST_F(VersionCatalogTest, ARecordThatDoesNotParseIsDataLossNamingIt) {
  {
    std::unique_ptr<Log> raw;
    ASSERT_TRUE(storage_
                    ->OpenLog(VersionCatalog::StreamName("trips"),
                              home_.CatalogDir("trips").string(), true, &raw)
                    .ok());
    std::string_view recs[] = {"{\"event\": \"renamed\", \"version\": 1}"};
    uint64_t first = 0;
    ASSERT_TRUE(raw->Append(recs, 1, "1", true, &first).ok());
  }
  auto c = Open();
  CatalogState st;
  Status s = c->Update(&st);
  EXPECT_EQ(s.code(), Code::kDataLoss);
  EXPECT_NE(s.message().find("version catalog trips/versions record 0: unknown event \"renamed\""),
            std::string::npos)
      << s.message();
}

}  // namespace
}  // namespace sluice::host
