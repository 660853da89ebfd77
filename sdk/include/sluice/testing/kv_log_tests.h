// The chunk log's test suite: GoogleTest cases for sluice::KvLog
// (sluice/kv_log.h) as a storage plugin serves it: its key layout, split
// chunks, corruption detection, truncation, concurrent readers, the legacy
// layouts, and legacy streams written by earlier plugin versions
// (fixtures). Header-only; runs on any StoragePlugin whose OpenLog returns
// KvLogs and whose OpenKv opens the same store of a closed log's directory
// (the tests read and damage the keys through it).
//
// In ONE .cc file of a test binary linked with GTest::gtest_main:
//
//   #include "sluice/testing/kv_log_tests.h"
//   SLUICE_KV_LOG_TESTS(MyStore, MyFactory, {"/path/to/fixture", ...});
//
// The factory is a sluice::testing::StorageFactory (called once per test).
// A fixture is a directory holding `log/` (a stream's store, copied before
// it is opened) and `expected.txt` ("end N", "checkpoint HEX", then one
// "record HEX" line per record; tests/tools/kvlog_fixtures/generate.sh
// writes them). Each test works in its own temporary directory.
#ifndef SLUICE_TESTING_KV_LOG_TESTS_H_
#define SLUICE_TESTING_KV_LOG_TESTS_H_

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "sluice/kv_log.h"
#include "sluice/testing/status_macros.h"

namespace sluice::testing {

// The suite's parameter: how to make the plugin, and legacy fixtures.
struct KvLogCase {
  std::string name;
  std::function<Status(std::unique_ptr<StoragePlugin>*)> factory;
  std::vector<std::string> fixtures;
};
inline void PrintTo(const KvLogCase& c, std::ostream* os) { *os << c.name; }

class KvLogTest : public ::testing::TestWithParam<KvLogCase> {
 protected:
  using Strings = std::vector<std::string>;

  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "sluice-kvlog-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr) << "cannot create a temporary directory";
    root_ = tmpl;
    dir_ = root_ + "/trips/v0001/log";
    Status s = GetParam().factory(&storage_);
    ASSERT_TRUE(s.ok()) << "storage factory failed: " << s.ToString();
  }
  void TearDown() override {
    storage_.reset();
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }

  std::unique_ptr<Log> Open(bool create = true) {
    std::unique_ptr<Log> log;
    Status s = storage_->OpenLog("trips/v0001", dir_, create, &log);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return log;
  }
  // What opening the closed stream again says.
  Status Reopen() {
    std::unique_ptr<Log> log;
    return storage_->OpenLog("trips/v0001", dir_, /*create=*/false, &log);
  }
  static Strings Numbered(const std::string& prefix, int n) {
    Strings out;
    for (int i = 0; i < n; ++i) out.push_back(prefix + std::to_string(i));
    return out;
  }
  static Status Append(Log* log, const Strings& recs, std::string_view checkpoint) {
    std::vector<std::string_view> views(recs.begin(), recs.end());
    uint64_t first = 0;
    return log->Append(views.data(), views.size(), checkpoint, /*sync=*/true, &first);
  }
  static Status Append(Log* log, const std::string& prefix, int n) {
    return Append(log, Numbered(prefix, n), prefix);
  }
  // Records from `from` on; *s receives the status of the read.
  static Strings Records(Log* log, uint64_t from, Status* s, size_t max = SIZE_MAX) {
    Strings out;
    uint64_t next = from;
    *s = log->Read(from, max, [&](uint64_t offset, std::string_view r) {
      EXPECT_EQ(offset, next++);
      out.emplace_back(r);
      return true;
    });
    return out;
  }
  static Strings All(Log* log) {
    Status s;
    Strings out = Records(log, 0, &s);
    SLUICE_EXPECT_OK(s);
    uint64_t end = 0;
    SLUICE_EXPECT_OK(log->End(&end));
    EXPECT_EQ(out.size(), end);
    return out;
  }
  static std::string CheckpointOf(Log* log) {
    std::string cp = "unset";
    SLUICE_EXPECT_OK(log->Checkpoint(&cp));
    return cp;
  }

  // The closed stream's store, through the plugin's key/value facet.
  std::unique_ptr<KvStore> Raw() {
    std::unique_ptr<KvStore> kv;
    Status s = storage_->OpenKv(dir_, /*create=*/false, &kv);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return kv;
  }
  std::vector<std::pair<std::string, std::string>> Entries() {
    std::vector<std::pair<std::string, std::string>> out;
    auto kv = Raw();
    std::unique_ptr<KvIterator> it;
    if (kv == nullptr || !kv->NewIterator(nullptr, {}, {}, false, &it).ok()) return out;
    bool exhausted = false;
    SLUICE_EXPECT_OK(it->Read(
        SIZE_MAX,
        [&](std::string_view k, std::string_view v) {
          out.emplace_back(std::string(k), std::string(v));
          return true;
        },
        &exhausted));
    return out;
  }
  Strings Keys() {
    Strings out;
    for (const auto& e : Entries()) out.push_back(e.first);
    return out;
  }
  std::string Get(const std::string& key) {
    std::string v;
    auto kv = Raw();
    if (kv != nullptr) SLUICE_EXPECT_OK(kv->Get(nullptr, key, &v));
    return v;
  }
  void Put(const std::string& key, const std::string& value) {
    KvOp op{KvOp::kPut, key, value};
    auto kv = Raw();
    if (kv != nullptr) SLUICE_EXPECT_OK(kv->Write(&op, 1, true));
  }
  void Delete(const std::string& key) {
    KvOp op{KvOp::kDelete, key, {}};
    auto kv = Raw();
    if (kv != nullptr) SLUICE_EXPECT_OK(kv->Write(&op, 1, true));
  }
  // Writes a stream of `layout` directly: `appends` records per append.
  void WriteLegacy(const kvlog::Layout& layout, const std::vector<Strings>& appends,
                   const std::string& checkpoint) {
    { auto log = Open(); }  // creates the store
    uint64_t first = 0;
    for (const Strings& recs : appends) {
      std::vector<std::string_view> views(recs.begin(), recs.end());
      std::string chunk;
      kvlog::EncodeChunk(views.data(), views.size(), layout.masked, &chunk);
      Put(kvlog::ChunkKey(first), chunk);
      Put(kvlog::MetaKey(layout, first),
          kvlog::EncodeMeta(layout.format, layout.masked, first + recs.size(), checkpoint));
      first += recs.size();
    }
  }
  static kvlog::Meta DecodeMetaOrFail(const std::string& value) {
    kvlog::Meta meta;
    SLUICE_EXPECT_OK(kvlog::DecodeMeta(value, &meta));
    return meta;
  }

  std::string root_, dir_;
  std::unique_ptr<StoragePlugin> storage_;
};

#include "sluice/testing/kv_log_tests_cases.inc"

}  // namespace sluice::testing

// Runs the suite on the plugins `factory` makes; the third argument lists
// fixture directories (braces: {"a", "b"}; {} for none).
#define SLUICE_KV_LOG_TESTS(Prefix, factory, ...)                                             \
  namespace sluice_kv_log_tests_##Prefix {                                                    \
    using KvLogTest = ::sluice::testing::KvLogTest;                                           \
    INSTANTIATE_TEST_SUITE_P(Prefix, KvLogTest,                                               \
                             ::testing::Values(::sluice::testing::KvLogCase{                  \
                                 #Prefix, (factory), std::vector<std::string> __VA_ARGS__})); \
  } /* namespace */                                                                           \
  static_assert(true, "")

#endif  // SLUICE_TESTING_KV_LOG_TESTS_H_
