// TableFilesEnv: table files are mapped while they fit the budget and read
// with pread beyond it, with the same bytes either way; unmapping returns
// the budget.
#include "table_files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

namespace sluice::storage_leveldb {
namespace {

class TableFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sluice-table-files-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  // A file of `size` bytes, byte i being i % 251.
  std::string File(const std::string& name, size_t size) {
    std::string path = (dir_ / name).string();
    std::ofstream f(path, std::ios::binary);
    for (size_t i = 0; i < size; ++i) f.put(static_cast<char>(i % 251));
    return path;
  }
  static void ExpectReads(leveldb::RandomAccessFile& f, uint64_t at, size_t n) {
    std::string scratch(n, '\0');
    leveldb::Slice got;
    ASSERT_TRUE(f.Read(at, n, &got, scratch.data()).ok());
    ASSERT_EQ(got.size(), n);
    for (size_t i = 0; i < n; ++i) ASSERT_EQ(got[i], static_cast<char>((at + i) % 251)) << i;
  }
  std::filesystem::path dir_;
};

TEST_F(TableFilesTest, MapsWithinTheBudgetAndReadsBeyondIt) {
  TableFilesEnv env(100000);
  std::string a = File("a.ldb", 60000), b = File("b.ldb", 60000);
  leveldb::RandomAccessFile* fa = nullptr;
  leveldb::RandomAccessFile* fb = nullptr;
  ASSERT_TRUE(env.NewRandomAccessFile(a, &fa).ok());
  std::unique_ptr<leveldb::RandomAccessFile> ua(fa);
  EXPECT_EQ(env.mapped_bytes(), 60000u);
  ASSERT_TRUE(env.NewRandomAccessFile(b, &fb).ok());  // does not fit: pread
  std::unique_ptr<leveldb::RandomAccessFile> ub(fb);
  EXPECT_EQ(env.mapped_bytes(), 60000u);
  ExpectReads(*fa, 0, 100);
  ExpectReads(*fa, 59000, 1000);
  ExpectReads(*fb, 0, 100);
  ExpectReads(*fb, 12345, 4096);
  ua.reset();
  EXPECT_EQ(env.mapped_bytes(), 0u);
  ASSERT_TRUE(env.NewRandomAccessFile(b, &fb).ok());  // fits now
  ub.reset(fb);
  EXPECT_EQ(env.mapped_bytes(), 60000u);
  ExpectReads(*fb, 30000, 30000);
}

TEST_F(TableFilesTest, ABudgetOfZeroMapsNothing) {
  TableFilesEnv env(0);
  leveldb::RandomAccessFile* f = nullptr;
  ASSERT_TRUE(env.NewRandomAccessFile(File("c.ldb", 5000), &f).ok());
  std::unique_ptr<leveldb::RandomAccessFile> u(f);
  EXPECT_EQ(env.mapped_bytes(), 0u);
  ExpectReads(*f, 100, 4900);
}

TEST_F(TableFilesTest, AMissingFileIsAnErrorNamingIt) {
  TableFilesEnv env(1 << 20);
  leveldb::RandomAccessFile* f = nullptr;
  leveldb::Status s = env.NewRandomAccessFile((dir_ / "none.ldb").string(), &f);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_NE(s.ToString().find("none.ldb"), std::string::npos);
  EXPECT_EQ(f, nullptr);
}

}  // namespace
}  // namespace sluice::storage_leveldb
