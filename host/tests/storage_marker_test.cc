// The home's storage marker: its format, and what EnsureStorageMarker
// allows, refuses and rebuilds when the configured backends change.
#include "core/storage_marker.h"

#include <gtest/gtest.h>

#include <fstream>

#include "test_util.h"

namespace sluice::host {
namespace {

using testing::TempDir;

class StorageMarkerTest : public ::testing::Test {
 protected:
  StorageMarkerTest() : home_(dir_.path() / "home") {}

  // Gives endpoint `e` a version (schema.json is what makes one exist).
  void AddVersion(const std::string& e) {
    fs::create_directories(home_.LogDir(e, 1));
    std::ofstream(home_.SchemaFile(e, 1)) << "{}";
  }
  void AddCache(const std::string& e) {
    fs::create_directories(home_.CacheDir(e, 1));
    std::ofstream(home_.CacheDir(e, 1) / "CURRENT") << "MANIFEST-000001\n";
  }
  Status Ensure(const StorageBackends& b, bool rebuild, MarkerCheck* check) {
    return EnsureStorageMarker(home_, b, rebuild, check);
  }
  StorageBackends Read() {
    StorageBackends b;
    Status s = ReadStorageMarker(home_, &b);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return b;
  }

  TempDir dir_;
  Home home_;
};

TEST_F(StorageMarkerTest, FormatRoundTripsAndBadMarkersSayWhy) {
  StorageBackends b{"leveldb", "rocksdb"};
  std::string text = FormatStorageMarker(b);
  EXPECT_NE(text.find("\"format\": 1"), std::string::npos) << text;
  StorageBackends back;
  ASSERT_TRUE(ParseStorageMarker(text, &back).ok());
  EXPECT_EQ(back, b);
  EXPECT_EQ(ParseStorageMarker("{", &back).code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseStorageMarker(R"({"format": 2, "log": {"plugin": "a"}, "cache": {"plugin": "b"}})",
                               &back)
                .message(),
            "unsupported storage marker format (expected \"format\": 1)");
  EXPECT_EQ(ParseStorageMarker(R"({"format": 1, "log": {"plugin": "a"}})", &back).message(),
            "missing \"cache\": { \"plugin\": ... }");
}

TEST_F(StorageMarkerTest, FirstUseRecordsTheBackendsAndTheSameOnesPass) {
  MarkerCheck check;
  ASSERT_TRUE(Ensure({"leveldb", "rocksdb"}, false, &check).ok());
  EXPECT_EQ(check.outcome, MarkerCheck::kRecorded);
  EXPECT_EQ(Read(), (StorageBackends{"leveldb", "rocksdb"}));
  AddVersion("trips");
  AddCache("trips");
  ASSERT_TRUE(Ensure({"leveldb", "rocksdb"}, false, &check).ok());
  EXPECT_EQ(check.outcome, MarkerCheck::kUnchanged);
}

TEST_F(StorageMarkerTest, AnotherLogBackendIsRefusedEvenWithRebuild) {
  MarkerCheck check;
  ASSERT_TRUE(Ensure({"leveldb", "leveldb"}, false, &check).ok());
  AddVersion("trips");
  Status s = Ensure({"rocksdb", "leveldb"}, /*rebuild=*/true, &check);
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_EQ(
      s.message(),
      "this home (" + home_.root().string() +
          ") was written by log storage \"leveldb\", but the config names \"rocksdb\"; its log is "
          "in leveldb's format and is the source of truth, so it cannot be rebuilt — set the "
          "storage log plugin back to \"leveldb\", or use a new home_dir and ingest again");
  EXPECT_EQ(Read(), (StorageBackends{"leveldb", "leveldb"})) << "a refusal changes nothing";
}

TEST_F(StorageMarkerTest, AnotherCacheBackendIsRefusedUnlessRebuilt) {
  MarkerCheck check;
  ASSERT_TRUE(Ensure({"leveldb", "leveldb"}, false, &check).ok());
  AddVersion("trips");
  AddCache("trips");
  Status s = Ensure({"leveldb", "rocksdb"}, false, &check);
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_NE(s.message().find("has caches written by storage \"leveldb\", but the config names "
                             "\"rocksdb\" for the cache"),
            std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("set storage.rebuild_cache: true (or remove " +
                             (home_.root() / "cache").string() + ")"),
            std::string::npos)
      << s.message();
  EXPECT_TRUE(fs::exists(home_.CacheDir("trips", 1)));
  ASSERT_TRUE(Ensure({"leveldb", "rocksdb"}, /*rebuild=*/true, &check).ok());
  EXPECT_EQ(check.outcome, MarkerCheck::kCacheRebuilt);
  EXPECT_EQ(check.previous, (StorageBackends{"leveldb", "leveldb"}));
  EXPECT_FALSE(fs::exists(home_.root() / "cache"));
  EXPECT_TRUE(fs::exists(home_.SchemaFile("trips", 1))) << "the log is untouched";
  EXPECT_EQ(Read(), (StorageBackends{"leveldb", "rocksdb"}));
}

TEST_F(StorageMarkerTest, BackendsWithoutDataInTheHomeAreAdopted) {
  MarkerCheck check;
  ASSERT_TRUE(Ensure({"leveldb", "leveldb"}, false, &check).ok());
  ASSERT_TRUE(Ensure({"rocksdb", "rocksdb"}, false, &check).ok()) << "no version, no cache yet";
  EXPECT_EQ(check.outcome, MarkerCheck::kAdopted);
  EXPECT_EQ(Read(), (StorageBackends{"rocksdb", "rocksdb"}));
  AddVersion("trips");  // a log but no cache (removed by hand, say)
  ASSERT_TRUE(Ensure({"rocksdb", "leveldb"}, false, &check).ok());
  EXPECT_EQ(check.outcome, MarkerCheck::kAdopted);
  EXPECT_EQ(Read(), (StorageBackends{"rocksdb", "leveldb"}));
}

TEST_F(StorageMarkerTest, UnreadableMarkerIsRefusedNamingTheFile) {
  fs::create_directories(home_.root());
  std::ofstream(StorageMarkerFile(home_)) << "not json";
  MarkerCheck check;
  Status s = Ensure({"leveldb", "leveldb"}, false, &check);
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_NE(s.message().find(StorageMarkerFile(home_).string() + " is unreadable: not valid JSON"),
            std::string::npos)
      << s.message();
}

}  // namespace
}  // namespace sluice::host
