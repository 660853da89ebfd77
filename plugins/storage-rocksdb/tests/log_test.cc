// Behaviour specific to the rocksdb backend: corruption detection, chunk
// splitting, truncation by range deletion, whole-append visibility,
// locking, directory contents and error messages.
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "log_format.h"
#include "rocksdb_storage.h"
#include "sluice/testing/status_macros.h"

namespace sluice::storage_rocksdb {
namespace {

class RocksDbLogTest : public ::testing::Test {
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
  static Status Append(Log* log, const std::string& prefix, int n, uint64_t* first = nullptr) {
    std::vector<std::string> recs;
    for (int i = 0; i < n; ++i) recs.push_back(prefix + std::to_string(i));
    std::vector<std::string_view> views(recs.begin(), recs.end());
    uint64_t f = 0;
    Status s = log->Append(views.data(), views.size(), prefix, true, &f);
    if (first) *first = f;
    return s;
  }
  // Opens the stream's database directly (the log must be closed).
  std::unique_ptr<rocksdb::DB> Raw() {
    rocksdb::DB* db = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(rocksdb::Options(), dir_, &db);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return std::unique_ptr<rocksdb::DB>(db);
  }
  std::vector<uint64_t> ChunkFirsts() {
    auto db = Raw();
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
    std::vector<uint64_t> out;
    uint64_t first = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next())
      if (ParseChunkKey(std::string_view(it->key().data(), it->key().size()), &first))
        out.push_back(first);
    return out;
  }
  static size_t Count(Log* log, uint64_t from, Status* s) {
    size_t n = 0;
    *s = log->Read(from, SIZE_MAX, [&](uint64_t, std::string_view) { return ++n, true; });
    return n;
  }

  std::string root_, dir_;
  std::unique_ptr<RocksDbStorage> storage_;
};

TEST_F(RocksDbLogTest, CorruptChunkIsDataLossNamingStreamAndOffset) {
  auto log = Open();
  SLUICE_ASSERT_OK(Append(log.get(), "a", 3));
  SLUICE_ASSERT_OK(Append(log.get(), "b", 4));
  log.reset();
  {
    auto db = Raw();
    std::string value;
    ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), ChunkKey(3), &value).ok());
    value[value.size() / 2] ^= 0x40;
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), ChunkKey(3), value).ok());
  }
  log = Open(false);
  Status s;
  EXPECT_EQ(Count(log.get(), 0, &s), 3u) << "records before the bad chunk are delivered";
  EXPECT_EQ(s.code(), Code::kDataLoss);
  EXPECT_NE(s.message().find("log 'trips/v0001'"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("offset 3"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("checksum mismatch"), std::string::npos) << s.message();
  Count(log.get(), 5, &s);
  EXPECT_EQ(s.code(), Code::kDataLoss);
  // Cutting at the bad chunk's first offset recovers the stream.
  SLUICE_ASSERT_OK(log->Truncate(3, "recovered"));
  EXPECT_EQ(Count(log.get(), 0, &s), 3u);
  SLUICE_EXPECT_OK(s);
  SLUICE_ASSERT_OK(Append(log.get(), "c", 2));
  EXPECT_EQ(Count(log.get(), 0, &s), 5u);
  SLUICE_EXPECT_OK(s);
}

TEST_F(RocksDbLogTest, MissingChunkIsDataLoss) {
  auto log = Open();
  SLUICE_ASSERT_OK(Append(log.get(), "a", 2));
  SLUICE_ASSERT_OK(Append(log.get(), "b", 2));
  SLUICE_ASSERT_OK(Append(log.get(), "c", 2));
  log.reset();
  ASSERT_TRUE(Raw()->Delete(rocksdb::WriteOptions(), ChunkKey(2)).ok());
  log = Open(false);
  Status s;
  EXPECT_EQ(Count(log.get(), 0, &s), 2u);
  EXPECT_EQ(s.code(), Code::kDataLoss);
  EXPECT_NE(s.message().find("offset 2: records are missing"), std::string::npos) << s.message();
  log.reset();
  ASSERT_TRUE(Raw()->Delete(rocksdb::WriteOptions(), ChunkKey(4)).ok());  // the tail too
  log = Open(false);
  EXPECT_EQ(Count(log.get(), 0, &s), 2u);
  EXPECT_EQ(s.code(), Code::kDataLoss);
  EXPECT_NE(s.message().find("the stream ends at 6"), std::string::npos) << s.message();
}

TEST_F(RocksDbLogTest, CorruptOrMissingMetaFailsOpen) {
  auto log = Open();
  SLUICE_ASSERT_OK(Append(log.get(), "a", 2));
  log.reset();
  ASSERT_TRUE(
      Raw()->Put(rocksdb::WriteOptions(), std::string(kMetaKey), "garbage-meta-value").ok());
  std::unique_ptr<Log> again;
  Status s = storage_->OpenLog("trips/v0001", dir_, false, &again);
  EXPECT_EQ(s.code(), Code::kDataLoss) << s.ToString();
  EXPECT_NE(s.message().find("meta checksum mismatch"), std::string::npos) << s.message();
  ASSERT_TRUE(Raw()->Delete(rocksdb::WriteOptions(), std::string(kMetaKey)).ok());
  s = storage_->OpenLog("trips/v0001", dir_, false, &again);
  EXPECT_EQ(s.code(), Code::kDataLoss) << s.ToString();
  EXPECT_NE(s.message().find("the meta key is missing"), std::string::npos) << s.message();
}

TEST_F(RocksDbLogTest, TruncateBeyondEndIsOutOfRangeAndChangesNothing) {
  auto log = Open();
  SLUICE_ASSERT_OK(Append(log.get(), "a", 2));
  Status s = log->Truncate(3, "x");
  EXPECT_EQ(s.code(), Code::kOutOfRange) << s.ToString();
  std::string cp;
  SLUICE_ASSERT_OK(log->Checkpoint(&cp));
  EXPECT_EQ(cp, "a");
}

TEST_F(RocksDbLogTest, LargeAppendIsSplitAndTruncateDropsWholeChunksByRange) {
  auto log = Open();
  std::vector<std::string> recs;
  for (int i = 0; i < 10; ++i) recs.push_back(std::string(1 << 20, static_cast<char>('a' + i)));
  std::vector<std::string_view> views(recs.begin(), recs.end());
  uint64_t first = 0;
  SLUICE_ASSERT_OK(log->Append(views.data(), views.size(), "big", true, &first));
  log.reset();
  EXPECT_EQ(ChunkFirsts(), (std::vector<uint64_t>{0, 4, 8}));  // at most 4 MiB per chunk
  log = Open(false);
  SLUICE_ASSERT_OK(log->Truncate(6, "cut"));  // cuts inside the second chunk, drops the third
  log.reset();
  EXPECT_EQ(ChunkFirsts(), (std::vector<uint64_t>{0, 4}));
  log = Open(false);
  std::vector<char> firsts;
  Status s =
      log->Read(0, 100, [&](uint64_t, std::string_view r) { return firsts.push_back(r[0]), true; });
  SLUICE_EXPECT_OK(s);
  EXPECT_EQ(std::string(firsts.begin(), firsts.end()), "abcdef");
  std::string cp;
  SLUICE_ASSERT_OK(log->Checkpoint(&cp));
  EXPECT_EQ(cp, "cut");
}

TEST_F(RocksDbLogTest, ConcurrentReaderOnlySeesWholeAppends) {
  auto log = Open();
  constexpr size_t kBatch = 50;
  std::atomic<bool> done{false}, torn{false};
  std::thread reader([&] {
    while (!done) {
      Status s;
      size_t n = Count(log.get(), 0, &s);
      if (!s.ok() || n % kBatch != 0) torn = true;
    }
  });
  for (int b = 0; b < 100; ++b) {
    std::vector<std::string> recs(kBatch, std::string(100, 'x'));
    std::vector<std::string_view> views(recs.begin(), recs.end());
    uint64_t first = 0;
    SLUICE_EXPECT_OK(log->Append(views.data(), views.size(), "cp", false, &first));
  }
  done = true;
  reader.join();
  EXPECT_FALSE(torn.load());
}

TEST_F(RocksDbLogTest, SecondOpenOfTheSameStreamFailsNamingThePath) {
  auto log = Open();
  std::unique_ptr<Log> second;
  Status s = storage_->OpenLog("trips/v0001", dir_, true, &second);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find(dir_), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("log 'trips/v0001'"), std::string::npos) << s.message();
}

TEST_F(RocksDbLogTest, DirectoryThatIsAFileIsAnError) {
  std::ofstream(root_ + "/file") << "x";
  std::unique_ptr<Log> log;
  Status s = storage_->OpenLog("x", root_ + "/file/log", true, &log);
  EXPECT_EQ(s.code(), Code::kInternal) << s.ToString();
  EXPECT_NE(s.message().find(root_ + "/file/log"), std::string::npos) << s.message();
}

TEST_F(RocksDbLogTest, NoRocksDbLogFilesInTheDatabaseDirectory) {
  auto log = Open();
  SLUICE_ASSERT_OK(Append(log.get(), "a", 2));
  log.reset();
  bool options_file = false;
  for (const auto& e : std::filesystem::directory_iterator(dir_)) {
    std::string name = e.path().filename().string();
    EXPECT_NE(name.rfind("LOG", 0), 0u) << "diagnostics go to the host, found " << name;
    options_file = options_file || name.rfind("OPTIONS-", 0) == 0;
  }
  EXPECT_TRUE(options_file) << "a RocksDB database keeps an OPTIONS file";
}

TEST_F(RocksDbLogTest, CurrentNamingAMissingManifestIsDataLoss) {
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

TEST_F(RocksDbLogTest, RemovingWhatDoesNotExistIsOkAndOpenStreamsCannotBeRemoved) {
  SLUICE_EXPECT_OK(storage_->RemoveLog("nothing", root_ + "/nothing"));
  SLUICE_EXPECT_OK(storage_->RemoveKv(root_ + "/nothing"));
  auto log = Open();
  Status s = storage_->RemoveLog("trips/v0001", dir_);
  EXPECT_FALSE(s.ok()) << "removing an open stream must fail";
  log.reset();
  SLUICE_EXPECT_OK(storage_->RemoveLog("trips/v0001", dir_));
  EXPECT_FALSE(std::filesystem::exists(dir_));
}

TEST_F(RocksDbLogTest, KvRejectsForeignSnapshotsAndBadOps) {
  std::unique_ptr<KvStore> a, b;
  SLUICE_ASSERT_OK(storage_->OpenKv(root_ + "/a", true, &a));
  SLUICE_ASSERT_OK(storage_->OpenKv(root_ + "/b", true, &b));
  std::unique_ptr<KvSnapshot> snap;
  SLUICE_ASSERT_OK(a->NewSnapshot(&snap));
  std::string v;
  EXPECT_EQ(b->Get(snap.get(), "k", &v).code(), Code::kInvalidArgument);
  std::unique_ptr<KvIterator> it;
  EXPECT_EQ(b->NewIterator(snap.get(), "", "", false, &it).code(), Code::kInvalidArgument);
  KvOp bad{static_cast<KvOp::Kind>(7), "k", "v"};
  Status s = a->Write(&bad, 1, false);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("op 0 has kind 7"), std::string::npos) << s.message();
}

TEST_F(RocksDbLogTest, KvIteratorsNeverLeaveTheirBounds) {
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
    EXPECT_TRUE(
        it->Read(
              10, [&](std::string_view k, std::string_view) { return got += k, true; }, &exhausted)
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
