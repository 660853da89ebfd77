// A full disk is its own status code (sluice/status.h, sluice/kv_db.h):
// RESOURCE_EXHAUSTED, which the host retries once space returns, rather
// than INTERNAL.
#include "sluice/kv_db.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace sluice {
namespace {

// An engine status with LevelDB's interface: only its text says what failed.
struct LevelDbLikeStatus {
  std::string text;  // empty: OK
  bool ok() const { return text.empty(); }
  std::string ToString() const { return text; }
  bool IsCorruption() const { return text.rfind("Corruption", 0) == 0; }
  bool IsNotFound() const { return false; }
  bool IsInvalidArgument() const { return false; }
};

// One that says "no space" itself, as RocksDB's does.
struct RocksDbLikeStatus : LevelDbLikeStatus {
  bool no_space = false;
  bool IsNoSpace() const { return no_space; }
};

TEST(KvDbTest, NoSpaceInLevelDbTextIsResourceExhausted) {
  LevelDbLikeStatus s{"IO error: /h/log/000005.log: " + std::string(std::strerror(ENOSPC))};
  EXPECT_TRUE(EngineNoSpace(s));
  Status st = FromEngineStatus(s, "leveldb", "write", "/h/log");
  EXPECT_EQ(st.code(), Code::kResourceExhausted);
  EXPECT_NE(st.message().find("leveldb write /h/log: IO error: /h/log/000005.log"),
            std::string::npos)
      << st.message();
  LevelDbLikeStatus quota{"IO error: /h/x: " + std::string(std::strerror(EDQUOT))};
  EXPECT_EQ(FromEngineStatus(quota, "leveldb", "write", "/h").code(), Code::kResourceExhausted);
}

TEST(KvDbTest, OtherIoErrorsKeepTheirCode) {
  LevelDbLikeStatus eio{"IO error: /h/x: " + std::string(std::strerror(EIO))};
  EXPECT_FALSE(EngineNoSpace(eio));
  EXPECT_EQ(FromEngineStatus(eio, "leveldb", "write", "/h").code(), Code::kInternal);
  LevelDbLikeStatus bad{"Corruption: checksum mismatch"};
  EXPECT_EQ(FromEngineStatus(bad, "leveldb", "read", "/h").code(), Code::kDataLoss);
  EXPECT_TRUE(FromEngineStatus(LevelDbLikeStatus{}, "leveldb", "write", "/h").ok());
}

TEST(KvDbTest, EngineThatSaysNoSpaceItself) {
  RocksDbLikeStatus s;
  s.text = "IO error: While appending to file: /h/000004.log";
  s.no_space = true;
  EXPECT_TRUE(EngineNoSpace(s));
  EXPECT_EQ(FromEngineStatus(s, "rocksdb", "write", "/h").code(), Code::kResourceExhausted);
  s.no_space = false;
  EXPECT_FALSE(EngineNoSpace(s));
}

TEST(KvDbTest, IoErrorOfAFullDisk) {
  EXPECT_EQ(IoError("write /h/pins.json.tmp", ENOSPC).code(), Code::kResourceExhausted);
  EXPECT_EQ(IoError("write /h/pins.json.tmp", EDQUOT).code(), Code::kResourceExhausted);
  EXPECT_EQ(IoError("open /h/x", ENOENT).code(), Code::kNotFound);
  EXPECT_EQ(IoError("fsync /h/x", EIO).code(), Code::kInternal);
  EXPECT_EQ(IoError("write /h/x", ENOSPC).message(),
            "write /h/x: " + std::string(std::strerror(ENOSPC)));
}

}  // namespace
}  // namespace sluice
