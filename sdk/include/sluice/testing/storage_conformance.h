// The storage conformance suite: GoogleTest cases that check every promise
// of sluice/storage.h against any storage plugin. Header-only.
//
// How a plugin runs it: in ONE .cc file of a test binary linked with
// GTest::gtest_main (the TEST_P bodies are defined in this header),
//
//   #include "sluice/testing/storage_conformance.h"
//
//   SLUICE_STORAGE_CONFORMANCE_TESTS(MyStore, [](std::unique_ptr<sluice::StoragePlugin>* out) {
//     std::unique_ptr<MyStorage> s;
//     sluice::Status st = MyStorage::Create(sluice::HostServices(), sluice::Options(), &s);
//     if (st.ok()) *out = std::move(s);
//     return st;
//   });
//
// A plugin that provides only a log backend (its OpenKv is UNIMPLEMENTED)
// uses SLUICE_LOG_CONFORMANCE_TESTS(Prefix, factory) instead: same suite,
// with every key/value test reported as skipped.
//
// The factory is called once per test and must return a fresh instance.
// To test the plugin through its C ABI, load the built module, take the
// vtable from its descriptor and return sluice::client::CreateStorage(...)
// (sluice/client/storage_client.h). Each test works in its own temporary
// directory, removed afterwards. The macro may be used several times with
// different prefixes in the same file.
#ifndef SLUICE_TESTING_STORAGE_CONFORMANCE_H_
#define SLUICE_TESTING_STORAGE_CONFORMANCE_H_

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "sluice/storage.h"
#include "sluice/testing/status_macros.h"

namespace sluice::testing {

using StorageFactory = std::function<Status(std::unique_ptr<StoragePlugin>*)>;

// The suite's parameter: a factory and the name it is reported under.
struct StorageCase {
  std::string name;
  StorageFactory factory;
  bool log_only = false;  // skip the key/value tests (Kv*)
};
inline void PrintTo(const StorageCase& c, std::ostream* os) { *os << c.name; }
using Records = std::vector<std::pair<uint64_t, std::string>>;
using Entries = std::vector<std::pair<std::string, std::string>>;

class StorageConformanceTest : public ::testing::TestWithParam<StorageCase> {
 protected:
  void SetUp() override {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "sluice-storage-conformance-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr) << "cannot create a temporary directory";
    root_ = tmpl;
    const char* test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    if (GetParam().log_only && std::string_view(test).substr(0, 2) == "Kv")
      GTEST_SKIP() << GetParam().name << " provides a log only; key/value tests do not apply";
    Status s = GetParam().factory(&storage_);
    ASSERT_TRUE(s.ok()) << "storage factory failed: " << s.ToString();
    ASSERT_NE(storage_, nullptr) << "storage factory returned OK but no instance";
  }
  void TearDown() override {
    storage_.reset();
    std::error_code ec;
    if (!root_.empty()) std::filesystem::remove_all(root_, ec);
  }

  std::string Dir(const std::string& leaf) const { return root_ + "/" + leaf; }

  // Opens stream `name` in Dir(name); null (with a test failure) on error.
  std::unique_ptr<Log> OpenLog(const std::string& name = "t/v0001", bool create = true) {
    std::unique_ptr<Log> log;
    Status s = storage_->OpenLog(name, Dir(name), create, &log);
    EXPECT_TRUE(s.ok()) << "OpenLog(" << name << "): " << s.ToString();
    return log;
  }
  std::unique_ptr<KvStore> OpenKv(const std::string& leaf = "kv", bool create = true) {
    std::unique_ptr<KvStore> kv;
    Status s = storage_->OpenKv(Dir(leaf), create, &kv);
    EXPECT_TRUE(s.ok()) << "OpenKv(" << leaf << "): " << s.ToString();
    return kv;
  }

  static std::vector<std::string> Make(const std::string& prefix, int n) {
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i) out.push_back(prefix + std::to_string(i));
    return out;
  }
  static Status Append(Log* log, const std::vector<std::string>& recs, std::string_view cp,
                       uint64_t* first = nullptr) {
    std::vector<std::string_view> views(recs.begin(), recs.end());
    uint64_t f = 0;
    Status s = log->Append(views.data(), views.size(), cp, /*sync=*/true, &f);
    if (first != nullptr) *first = f;
    return s;
  }
  static Records Read(Log* log, uint64_t from, size_t max, Status* status,
                      size_t stop_after = SIZE_MAX) {
    Records out;
    *status = log->Read(from, max, [&](uint64_t off, std::string_view rec) {
      out.emplace_back(off, std::string(rec));
      return out.size() < stop_after;
    });
    return out;
  }
  static Records Expected(uint64_t first, const std::vector<std::string>& recs) {
    Records out;
    for (const auto& r : recs) out.emplace_back(first++, r);
    return out;
  }
  static uint64_t EndOf(Log* log) {
    uint64_t end = ~0ull;
    SLUICE_EXPECT_OK(log->End(&end));
    return end;
  }
  static std::string CheckpointOf(Log* log) {
    std::string cp = "unset";
    SLUICE_EXPECT_OK(log->Checkpoint(&cp));
    return cp;
  }

  static Status Put(KvStore* kv, std::string_view k, std::string_view v) {
    KvOp op{KvOp::kPut, k, v};
    return kv->Write(&op, 1, /*sync=*/false);
  }
  static std::string GetOr(KvStore* kv, std::string_view key, const KvSnapshot* snap = nullptr) {
    std::string v;
    Status s = kv->Get(snap, key, &v);
    if (s.code() == Code::kNotFound) return "<absent>";
    EXPECT_TRUE(s.ok()) << s.ToString();
    return v;
  }
  // Reads `it` to the end in batches of `batch`; checks the exhausted flag
  // is set exactly on the read that returns the last entry.
  static Entries Drain(KvIterator* it, size_t batch = 1000) {
    Entries out;
    for (int guard = 0; guard < 100000; ++guard) {
      bool exhausted = false;
      size_t before = out.size();
      Status s = it->Read(
          batch,
          [&](std::string_view k, std::string_view v) {
            out.emplace_back(std::string(k), std::string(v));
            return true;
          },
          &exhausted);
      EXPECT_TRUE(s.ok()) << s.ToString();
      EXPECT_LE(out.size() - before, batch);
      if (!s.ok() || exhausted) return out;
      EXPECT_EQ(out.size() - before, batch) << "a read that is not exhausted must fill its batch";
    }
    ADD_FAILURE() << "iterator never reported exhausted";
    return out;
  }
  Entries Scan(KvStore* kv, std::string_view lo, std::string_view hi, bool reverse,
               const KvSnapshot* snap = nullptr) {
    std::unique_ptr<KvIterator> it;
    Status s = kv->NewIterator(snap, lo, hi, reverse, &it);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return s.ok() ? Drain(it.get()) : Entries();
  }
  static Entries Keys(std::initializer_list<const char*> keys) {
    Entries out;
    for (const char* k : keys) out.emplace_back(k, std::string("v-") + k);
    return out;
  }
  static void PutAll(KvStore* kv, const Entries& entries) {
    std::vector<KvOp> ops;
    for (const auto& e : entries) ops.push_back(KvOp{KvOp::kPut, e.first, e.second});
    SLUICE_EXPECT_OK(kv->Write(ops.data(), ops.size(), /*sync=*/false));
  }

  std::string root_;
  std::unique_ptr<StoragePlugin> storage_;
};

// ---------------------------------------------------------------- log facet

TEST_P(StorageConformanceTest, LogNewStreamIsEmpty) {
  auto log = OpenLog();
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(EndOf(log.get()), 0u);
  EXPECT_EQ(CheckpointOf(log.get()), "");
  Status s;
  EXPECT_TRUE(Read(log.get(), 0, 10, &s).empty());
  SLUICE_EXPECT_OK(s);
  Read(log.get(), 1, 10, &s);
  EXPECT_EQ(s.code(), Code::kOutOfRange) << s.ToString();
}

TEST_P(StorageConformanceTest, LogOpenMissingWithoutCreateIsNotFound) {
  std::unique_ptr<Log> log;
  Status s = storage_->OpenLog("missing/v0001", Dir("missing"), /*create=*/false, &log);
  EXPECT_EQ(s.code(), Code::kNotFound) << s.ToString();
  EXPECT_FALSE(s.message().empty());
}

TEST_P(StorageConformanceTest, LogOffsetsAreDenseAcrossAppends) {
  auto log = OpenLog();
  ASSERT_NE(log, nullptr);
  uint64_t first = 99;
  SLUICE_ASSERT_OK(Append(log.get(), Make("a", 3), "cp1", &first));
  EXPECT_EQ(first, 0u);
  SLUICE_ASSERT_OK(Append(log.get(), Make("b", 1), "cp2", &first));
  EXPECT_EQ(first, 3u);
  SLUICE_ASSERT_OK(Append(log.get(), {}, "cp3", &first));  // checkpoint only
  EXPECT_EQ(first, 4u);
  EXPECT_EQ(CheckpointOf(log.get()), "cp3");
  SLUICE_ASSERT_OK(Append(log.get(), Make("c", 5), "cp4", &first));
  EXPECT_EQ(first, 4u);
  EXPECT_EQ(EndOf(log.get()), 9u);
  EXPECT_EQ(CheckpointOf(log.get()), "cp4");
  Records want = Expected(0, Make("a", 3));
  for (auto& r : Expected(3, Make("b", 1))) want.push_back(r);
  for (auto& r : Expected(4, Make("c", 5))) want.push_back(r);
  Status s;
  EXPECT_EQ(Read(log.get(), 0, 100, &s), want);
  SLUICE_EXPECT_OK(s);
}

TEST_P(StorageConformanceTest, LogAppendAndCheckpointSurviveReopen) {
  auto log = OpenLog();
  ASSERT_NE(log, nullptr);
  SLUICE_ASSERT_OK(Append(log.get(), Make("r", 4), std::string("cp\0bin", 6)));
  SLUICE_ASSERT_OK(Append(log.get(), Make("s", 2), "cp-2"));
  log.reset();
  log = OpenLog("t/v0001", /*create=*/false);
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(EndOf(log.get()), 6u);
  EXPECT_EQ(CheckpointOf(log.get()), "cp-2");
  Status s;
  Records got = Read(log.get(), 0, 100, &s);
  SLUICE_EXPECT_OK(s);
  ASSERT_EQ(got.size(), 6u);
  EXPECT_EQ(got[5], (std::pair<uint64_t, std::string>(5, "s1")));
  uint64_t first = 0;
  SLUICE_ASSERT_OK(Append(log.get(), Make("t", 1), "cp-3", &first));
  EXPECT_EQ(first, 6u);
}

TEST_P(StorageConformanceTest, LogReadFromMiddleEndAndBeyond) {
  auto log = OpenLog();
  ASSERT_NE(log, nullptr);
  SLUICE_ASSERT_OK(Append(log.get(), Make("a", 10), "x"));
  SLUICE_ASSERT_OK(Append(log.get(), Make("b", 10), "y"));
  Status s;
  Records got = Read(log.get(), 7, 5, &s);
  SLUICE_EXPECT_OK(s);
  Records want = {{7, "a7"}, {8, "a8"}, {9, "a9"}, {10, "b0"}, {11, "b1"}};
  EXPECT_EQ(got, want);
  EXPECT_EQ(Read(log.get(), 19, 5, &s), (Records{{19, "b9"}}));
  SLUICE_EXPECT_OK(s);
  EXPECT_TRUE(Read(log.get(), 20, 5, &s).empty());
  SLUICE_EXPECT_OK(s);
  EXPECT_TRUE(Read(log.get(), 21, 5, &s).empty());
  EXPECT_EQ(s.code(), Code::kOutOfRange) << s.ToString();
}

TEST_P(StorageConformanceTest, LogReadStopsAtMaxAndWhenCallbackSaysStop) {
  auto log = OpenLog();
  ASSERT_NE(log, nullptr);
  SLUICE_ASSERT_OK(Append(log.get(), Make("a", 10), "x"));
  Status s;
  EXPECT_EQ(Read(log.get(), 2, 3, &s), (Records{{2, "a2"}, {3, "a3"}, {4, "a4"}}));
  SLUICE_EXPECT_OK(s);
  EXPECT_EQ(Read(log.get(), 0, 100, &s, /*stop_after=*/2), (Records{{0, "a0"}, {1, "a1"}}));
  SLUICE_EXPECT_OK(s);
}

TEST_P(StorageConformanceTest, LogKeepsBinaryEmptyAndLargeRecords) {
  auto log = OpenLog();
  ASSERT_NE(log, nullptr);
  std::string big(1 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 131 + 7);
  std::vector<std::string> recs = {std::string("\0\xff\0", 3), "", big, "tail"};
  SLUICE_ASSERT_OK(Append(log.get(), recs, "cp"));
  Status s;
  EXPECT_EQ(Read(log.get(), 0, 10, &s), Expected(0, recs));
  SLUICE_EXPECT_OK(s);
}

TEST_P(StorageConformanceTest, LogTruncateMidAppendThenAppendContinues) {
  auto log = OpenLog();
  ASSERT_NE(log, nullptr);
  SLUICE_ASSERT_OK(Append(log.get(), Make("a", 5), "a"));
  SLUICE_ASSERT_OK(Append(log.get(), Make("b", 5), "b"));
  SLUICE_ASSERT_OK(Append(log.get(), Make("c", 5), "c"));
  SLUICE_ASSERT_OK(log->Truncate(7, "cut"));
  EXPECT_EQ(EndOf(log.get()), 7u);
  EXPECT_EQ(CheckpointOf(log.get()), "cut");
  Status s;
  Records want = Expected(0, Make("a", 5));
  want.emplace_back(5, "b0");
  want.emplace_back(6, "b1");
  EXPECT_EQ(Read(log.get(), 0, 100, &s), want);
  SLUICE_EXPECT_OK(s);
  Read(log.get(), 8, 1, &s);
  EXPECT_EQ(s.code(), Code::kOutOfRange) << s.ToString();
  uint64_t first = 0;
  SLUICE_ASSERT_OK(Append(log.get(), Make("d", 2), "d", &first));
  EXPECT_EQ(first, 7u);
  want.emplace_back(7, "d0");
  want.emplace_back(8, "d1");
  log.reset();
  log = OpenLog("t/v0001", /*create=*/false);
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(Read(log.get(), 0, 100, &s), want);
  SLUICE_EXPECT_OK(s);
  EXPECT_EQ(CheckpointOf(log.get()), "d");
}

TEST_P(StorageConformanceTest, LogTruncateAtAppendBoundaryAndToZero) {
  auto log = OpenLog();
  ASSERT_NE(log, nullptr);
  SLUICE_ASSERT_OK(Append(log.get(), Make("a", 3), "a"));
  SLUICE_ASSERT_OK(Append(log.get(), Make("b", 3), "b"));
  SLUICE_ASSERT_OK(log->Truncate(3, "at-3"));
  Status s;
  EXPECT_EQ(Read(log.get(), 0, 100, &s), Expected(0, Make("a", 3)));
  SLUICE_ASSERT_OK(log->Truncate(3, "same-end"));  // nothing dropped, checkpoint set
  EXPECT_EQ(CheckpointOf(log.get()), "same-end");
  SLUICE_ASSERT_OK(log->Truncate(0, ""));
  EXPECT_EQ(EndOf(log.get()), 0u);
  EXPECT_EQ(CheckpointOf(log.get()), "");
  EXPECT_TRUE(Read(log.get(), 0, 100, &s).empty());
  SLUICE_EXPECT_OK(s);
  uint64_t first = 9;
  SLUICE_ASSERT_OK(Append(log.get(), Make("z", 2), "z", &first));
  EXPECT_EQ(first, 0u);
  EXPECT_EQ(Read(log.get(), 0, 100, &s), Expected(0, Make("z", 2)));
}

TEST_P(StorageConformanceTest, LogStreamsAreIndependent) {
  auto a = OpenLog("a/v0001");
  auto b = OpenLog("b/v0001");
  ASSERT_TRUE(a && b);
  SLUICE_ASSERT_OK(Append(a.get(), Make("a", 2), "ca"));
  SLUICE_ASSERT_OK(Append(b.get(), Make("b", 5), "cb"));
  EXPECT_EQ(EndOf(a.get()), 2u);
  EXPECT_EQ(EndOf(b.get()), 5u);
  EXPECT_EQ(CheckpointOf(a.get()), "ca");
  Status s;
  EXPECT_EQ(Read(a.get(), 0, 10, &s), Expected(0, Make("a", 2)));
}

TEST_P(StorageConformanceTest, LogRemoveDeletesEverything) {
  auto log = OpenLog();
  ASSERT_NE(log, nullptr);
  SLUICE_ASSERT_OK(Append(log.get(), Make("a", 3), "a"));
  log.reset();
  SLUICE_ASSERT_OK(storage_->RemoveLog("t/v0001", Dir("t/v0001")));
  std::unique_ptr<Log> missing;
  Status s = storage_->OpenLog("t/v0001", Dir("t/v0001"), /*create=*/false, &missing);
  EXPECT_EQ(s.code(), Code::kNotFound) << s.ToString();
  log = OpenLog();
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(EndOf(log.get()), 0u);
  EXPECT_EQ(CheckpointOf(log.get()), "");
}

TEST_P(StorageConformanceTest, LogConcurrentReaderSeesEveryAppendedRecord) {
  auto log = OpenLog();
  ASSERT_NE(log, nullptr);
  constexpr int kBatches = 200, kPerBatch = 10;
  std::atomic<bool> failed{false};
  std::thread reader([&] {
    uint64_t next = 0;
    while (next < uint64_t{kBatches} * kPerBatch && !failed) {
      Status s = log->Read(next, 64, [&](uint64_t off, std::string_view rec) {
        std::string want = "r" + std::to_string(off);
        if (off != next || rec != want) failed = true;
        ++next;
        return !failed.load();
      });
      if (!s.ok()) failed = true;
    }
  });
  for (int b = 0; b < kBatches && !failed; ++b) {
    std::vector<std::string> recs;
    for (int i = 0; i < kPerBatch; ++i) recs.push_back("r" + std::to_string(b * kPerBatch + i));
    std::vector<std::string_view> views(recs.begin(), recs.end());
    uint64_t first = 0;
    Status s = log->Append(views.data(), views.size(), std::to_string(b), /*sync=*/false, &first);
    if (!s.ok() || first != uint64_t(b) * kPerBatch) failed = true;
  }
  reader.join();
  EXPECT_FALSE(failed.load()) << "reader saw a wrong, missing or failed record";
}

// ---------------------------------------------------------- key/value facet

#include "sluice/testing/storage_conformance_kv.inc"

}  // namespace sluice::testing

// Runs the whole suite against the plugins `factory` creates (a callable
// convertible to sluice::testing::StorageFactory). `Prefix` names this
// instantiation in test names: Prefix/StorageConformanceTest.LogTruncate.../0.
#define SLUICE_STORAGE_CONFORMANCE_TESTS(Prefix, factory)                       \
  namespace sluice_storage_conformance_##Prefix {                               \
    using StorageConformanceTest = ::sluice::testing::StorageConformanceTest;   \
    INSTANTIATE_TEST_SUITE_P(                                                   \
        Prefix, StorageConformanceTest,                                         \
        ::testing::Values(::sluice::testing::StorageCase{#Prefix, (factory)})); \
  } /* namespace */                                                             \
  static_assert(true, "")

// Runs the log tests of the suite against a plugin that provides a log
// backend only; the key/value tests are instantiated too but skipped.
#define SLUICE_LOG_CONFORMANCE_TESTS(Prefix, factory)                                              \
  namespace sluice_log_conformance_##Prefix {                                                      \
    using StorageConformanceTest = ::sluice::testing::StorageConformanceTest;                      \
    INSTANTIATE_TEST_SUITE_P(                                                                      \
        Prefix, StorageConformanceTest,                                                            \
        ::testing::Values(::sluice::testing::StorageCase{#Prefix, (factory), /*log_only=*/true})); \
  } /* namespace */                                                                                \
  static_assert(true, "")

#endif  // SLUICE_TESTING_STORAGE_CONFORMANCE_H_
