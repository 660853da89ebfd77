// The key layout of a log stream (log_format.h): every append writes its
// meta right after its last chunk, so keys only grow; streams written with
// the legacy single meta key keep working.
#include <gtest/gtest.h>
#include <leveldb/db.h>
#include <stdlib.h>

#include <filesystem>

#include "leveldb_storage.h"
#include "log_format.h"
#include "sluice/testing/status_macros.h"

namespace sluice::storage_leveldb {
namespace {

class LogLayoutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "sluice-layout-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    dir_ = root_ + "/log";
    SLUICE_ASSERT_OK(LevelDbStorage::Create(HostServices(), Options(), &storage_));
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  std::unique_ptr<Log> Open() {
    std::unique_ptr<Log> log;
    Status s = storage_->OpenLog("t/v0001", dir_, true, &log);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return log;
  }
  static void Append(Log* log, const std::string& prefix, int n) {
    std::vector<std::string> recs;
    for (int i = 0; i < n; ++i) recs.push_back(prefix + std::to_string(i));
    std::vector<std::string_view> views(recs.begin(), recs.end());
    uint64_t first = 0;
    Status s = log->Append(views.data(), views.size(), "cp-" + prefix, true, &first);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  static std::vector<std::string> Records(Log* log) {
    std::vector<std::string> out;
    uint64_t end = 0;
    EXPECT_TRUE(log->End(&end).ok());
    Status s =
        log->Read(0, 1000, [&](uint64_t, std::string_view r) { return out.emplace_back(r), true; });
    EXPECT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(out.size(), end);
    return out;
  }
  // Reopens the stream, checks its end and checkpoint, and returns it.
  std::unique_ptr<Log> Reopen(uint64_t want_end, const std::string& want_checkpoint) {
    auto log = Open();
    uint64_t end = 0;
    std::string cp;
    EXPECT_TRUE(log->End(&end).ok() && log->Checkpoint(&cp).ok());
    EXPECT_EQ(end, want_end);
    EXPECT_EQ(cp, want_checkpoint);
    return log;
  }
  // Every key of the closed stream's database, in order.
  std::vector<std::string> Keys() {
    leveldb::DB* raw = nullptr;
    EXPECT_TRUE(leveldb::DB::Open(leveldb::Options(), dir_, &raw).ok());
    std::unique_ptr<leveldb::DB> db(raw);
    std::vector<std::string> keys;
    std::unique_ptr<leveldb::Iterator> it(db->NewIterator(leveldb::ReadOptions()));
    for (it->SeekToFirst(); it->Valid(); it->Next()) keys.push_back(it->key().ToString());
    return keys;
  }
  void PutRaw(const std::string& key, const std::string& value) {
    leveldb::DB* raw = nullptr;
    leveldb::Options o;
    o.create_if_missing = true;
    ASSERT_TRUE(leveldb::DB::Open(o, dir_, &raw).ok());
    std::unique_ptr<leveldb::DB> db(raw);
    ASSERT_TRUE(db->Put(leveldb::WriteOptions(), key, value).ok());
  }

  std::string root_, dir_;
  std::unique_ptr<LevelDbStorage> storage_;
};

TEST_F(LogLayoutTest, EachAppendEndsWithItsMetaSoKeysOnlyGrow) {
  {
    auto log = Open();
    Append(log.get(), "a", 2);
    Append(log.get(), "b", 2);
    Append(log.get(), "c", 1);
  }
  EXPECT_EQ(Keys(), (std::vector<std::string>{ChunkKey(0), TailMetaKey(0), ChunkKey(2),
                                              TailMetaKey(2), ChunkKey(4), TailMetaKey(4)}));
  auto log = Reopen(5, "cp-c");
  EXPECT_EQ(Records(log.get()), (std::vector<std::string>{"a0", "a1", "b0", "b1", "c0"}));
}

TEST_F(LogLayoutTest, TruncateLeavesTheNewMetaLast) {
  {
    auto log = Open();
    Append(log.get(), "a", 2);
    Append(log.get(), "b", 2);
    Append(log.get(), "c", 2);
    ASSERT_TRUE(log->Truncate(3, "cut").ok());
    EXPECT_EQ(Records(log.get()), (std::vector<std::string>{"a0", "a1", "b0"}));
  }
  EXPECT_EQ(Keys(),
            (std::vector<std::string>{ChunkKey(0), TailMetaKey(0), ChunkKey(2), TailMetaKey(2)}));
  auto log = Reopen(3, "cut");
  Append(log.get(), "d", 1);
  EXPECT_EQ(Records(log.get()), (std::vector<std::string>{"a0", "a1", "b0", "d0"}));
  ASSERT_TRUE(log->Truncate(0, "empty").ok());
  EXPECT_TRUE(Records(log.get()).empty());
  Append(log.get(), "e", 1);
  EXPECT_EQ(Records(log.get()), (std::vector<std::string>{"e0"}));
}

TEST_F(LogLayoutTest, LegacyMetaKeyStreamsKeepTheirLayout) {
  std::string chunk;
  std::string_view recs[] = {"old0", "old1"};
  EncodeChunk(recs, 2, &chunk);
  PutRaw(ChunkKey(0), chunk);
  PutRaw(std::string(kMetaKey), EncodeMeta(2, "cp-old"));
  {
    auto log = Reopen(2, "cp-old");
    Append(log.get(), "new", 2);
    EXPECT_EQ(Records(log.get()), (std::vector<std::string>{"old0", "old1", "new0", "new1"}));
    ASSERT_TRUE(log->Truncate(3, "cut").ok());
  }
  EXPECT_EQ(Keys(), (std::vector<std::string>{ChunkKey(0), ChunkKey(2), std::string(kMetaKey)}));
  auto log = Reopen(3, "cut");
  EXPECT_EQ(Records(log.get()), (std::vector<std::string>{"old0", "old1", "new0"}));
}

}  // namespace
}  // namespace sluice::storage_leveldb
