// What RocksDB does its own way: the contents of a database directory (no
// LOG files), a damaged CURRENT, iterators bounded inside the engine. The
// rest is the SDK's test kit (storage_test.cc).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "rocksdb_engine.h"
#include "sluice/testing/status_macros.h"

namespace sluice::storage_rocksdb {
namespace {

class RocksDbEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "sluice-rocksdb-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    dir_ = root_ + "/trips/v0001/log";
    SLUICE_ASSERT_OK(RocksDbStorage::Create(HostServices(), Options(), &storage_));
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  std::unique_ptr<Log> Open(bool create = true) {
    std::unique_ptr<Log> log;
    Status s = storage_->OpenLog("trips/v0001", dir_, create, &log);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return log;
  }

  std::string root_, dir_;
  std::unique_ptr<RocksDbStorage> storage_;
};

TEST_F(RocksDbEngineTest, NoRocksDbLogFilesInTheDatabaseDirectory) {
  auto log = Open();
  std::string_view records[] = {"a0", "a1"};
  uint64_t first = 0;
  SLUICE_ASSERT_OK(log->Append(records, 2, "cp", /*sync=*/true, &first));
  log.reset();
  bool options_file = false;
  for (const auto& e : std::filesystem::directory_iterator(dir_)) {
    std::string name = e.path().filename().string();
    EXPECT_NE(name.rfind("LOG", 0), 0u) << "diagnostics go to the host, found " << name;
    options_file = options_file || name.rfind("OPTIONS-", 0) == 0;
  }
  EXPECT_TRUE(options_file) << "a RocksDB database keeps an OPTIONS file";
}

TEST_F(RocksDbEngineTest, CurrentNamingAMissingManifestIsDataLoss) {
  // LevelDB calls this corruption; the host rebuilds a cache on DATA_LOSS.
  std::string kv_dir = root_ + "/cache/trips/v0001";
  std::unique_ptr<KvStore> kv;
  SLUICE_ASSERT_OK(storage_->OpenKv(kv_dir, true, &kv));
  kv.reset();
  std::ofstream(kv_dir + "/CURRENT", std::ios::trunc) << "MANIFEST-999999\n";
  for (bool create : {false, true}) {
    Status s = storage_->OpenKv(kv_dir, create, &kv);
    EXPECT_EQ(s.code(), Code::kDataLoss) << s.ToString();
    EXPECT_NE(s.message().find(kv_dir), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("MANIFEST-999999"), std::string::npos) << s.message();
  }
  auto log = Open();
  log.reset();
  std::ofstream(dir_ + "/CURRENT", std::ios::trunc) << "MANIFEST-999999\n";
  std::unique_ptr<Log> reopened;
  EXPECT_EQ(storage_->OpenLog("trips/v0001", dir_, false, &reopened).code(), Code::kDataLoss);
}

TEST_F(RocksDbEngineTest, KvIteratorsNeverLeaveTheirBounds) {
  std::unique_ptr<KvStore> kv;
  SLUICE_ASSERT_OK(storage_->OpenKv(root_ + "/kv", true, &kv));
  std::vector<KvOp> ops;
  std::vector<std::string> keys = {"a", "b", "c", "d", "e"};
  for (const auto& k : keys) ops.push_back({KvOp::kPut, k, k + "!"});
  SLUICE_ASSERT_OK(kv->Write(ops.data(), ops.size(), false));
  auto scan = [&](bool reverse, std::string_view seek) {
    std::unique_ptr<KvIterator> it;
    EXPECT_TRUE(kv->NewIterator(nullptr, "b", "d", reverse, &it).ok());
    if (!seek.empty()) { EXPECT_TRUE(it->Seek(seek).ok()); }
    std::string got;
    bool exhausted = false;
    EXPECT_TRUE(it->Read(
                      10,
                      [&](std::string_view k, std::string_view) {
                        got += k;
                        return true;
                      },
                      &exhausted)
                    .ok());
    EXPECT_TRUE(exhausted);
    return got;
  };
  EXPECT_EQ(scan(false, ""), "bc");
  EXPECT_EQ(scan(true, ""), "cb");
  EXPECT_EQ(scan(false, "a"), "bc") << "a forward seek below lower starts at lower";
  EXPECT_EQ(scan(false, "c"), "c");
  EXPECT_EQ(scan(true, "z"), "cb") << "a reverse seek above upper starts below upper";
  EXPECT_EQ(scan(true, "bb"), "b");
  EXPECT_EQ(scan(true, "a"), "") << "a reverse seek below lower finds nothing";
}

}  // namespace
}  // namespace sluice::storage_rocksdb
