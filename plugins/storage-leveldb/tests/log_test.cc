// Behaviour of the leveldb backend's databases: locking, directories,
// removal, and the key/value facet's checks. The log itself is tested by
// the chunk log's suite (conformance_test.cc).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "leveldb_storage.h"
#include "sluice/testing/status_macros.h"

namespace sluice::storage_leveldb {
namespace {

class LevelDbLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "sluice-leveldb-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    dir_ = root_ + "/trips/v0001/log";
    SLUICE_ASSERT_OK(LevelDbStorage::Create(HostServices(), Options(), &storage_));
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  std::unique_ptr<Log> Open(bool create = true) {
    std::unique_ptr<Log> log;
    Status s = storage_->OpenLog("trips/v0001", dir_, create, &log);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return log;
  }

  std::string root_, dir_;
  std::unique_ptr<LevelDbStorage> storage_;
};

TEST_F(LevelDbLogTest, SecondOpenOfTheSameStreamFailsNamingThePath) {
  auto log = Open();
  std::unique_ptr<Log> second;
  Status s = storage_->OpenLog("trips/v0001", dir_, true, &second);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find(dir_), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("log 'trips/v0001'"), std::string::npos) << s.message();
}

TEST_F(LevelDbLogTest, DirectoryThatIsAFileIsAnError) {
  std::ofstream(root_ + "/file") << "x";
  std::unique_ptr<Log> log;
  Status s = storage_->OpenLog("x", root_ + "/file/log", true, &log);
  EXPECT_EQ(s.code(), Code::kInternal) << s.ToString();
  EXPECT_NE(s.message().find(root_ + "/file/log"), std::string::npos) << s.message();
}

TEST_F(LevelDbLogTest, RemovingWhatDoesNotExistIsOkAndOpenStreamsCannotBeRemoved) {
  SLUICE_EXPECT_OK(storage_->RemoveLog("nothing", root_ + "/nothing"));
  SLUICE_EXPECT_OK(storage_->RemoveKv(root_ + "/nothing"));
  auto log = Open();
  Status s = storage_->RemoveLog("trips/v0001", dir_);
  EXPECT_FALSE(s.ok()) << "removing an open stream must fail";
  log.reset();
  SLUICE_EXPECT_OK(storage_->RemoveLog("trips/v0001", dir_));
  EXPECT_FALSE(std::filesystem::exists(dir_));
}

TEST_F(LevelDbLogTest, KvRejectsForeignSnapshotsAndBadOps) {
  std::unique_ptr<KvStore> a, b;
  SLUICE_ASSERT_OK(storage_->OpenKv(root_ + "/a", true, &a));
  SLUICE_ASSERT_OK(storage_->OpenKv(root_ + "/b", true, &b));
  std::unique_ptr<KvSnapshot> snap;
  SLUICE_ASSERT_OK(a->NewSnapshot(&snap));
  std::string v;
  EXPECT_EQ(b->Get(snap.get(), "k", &v).code(), Code::kInvalidArgument);
  KvOp bad{static_cast<KvOp::Kind>(7), "k", "v"};
  Status s = a->Write(&bad, 1, false);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("op 0 has kind 7"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace sluice::storage_leveldb
