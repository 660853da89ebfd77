// The test kit of a storage plugin built on sluice::KvStorage (an embedded
// key/value engine, one database per directory; sluice/kv_storage.h): one
// macro runs on it
//   - the storage conformance suite (sluice/testing/storage_conformance.h)
//     twice, on the plugin's class and through its built module's C ABI;
//   - the chunk log's suite (sluice/testing/kv_log_tests.h), with the
//     plugin's legacy fixtures;
//   - the cases below: a database open twice, a directory that is a file,
//     removal, foreign snapshots and bad ops, and the module's descriptor,
//     option errors and proxies across the C ABI.
// Header-only. In ONE .cc file of a test binary linked with
// GTest::gtest_main and ${CMAKE_DL_LIBS}:
//
//   #include "sluice/testing/kv_storage_tests.h"
//   SLUICE_KV_STORAGE_TESTS(MyStore, MyStorage, "mystore", MY_PLUGIN_SO,
//                           {"/path/to/legacy/fixture"});   // or {} for none
//
// The class is made with a small cache and memtable (block_cache_mb 8,
// write_buffer_mb 4) and paranoid checks; the module's instance with
// compression none and no paranoid checks (sluice::KvStorageOptions).
#ifndef SLUICE_TESTING_KV_STORAGE_TESTS_H_
#define SLUICE_TESTING_KV_STORAGE_TESTS_H_

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "sluice/testing/kv_log_tests.h"
#include "sluice/testing/plugin_module.h"
#include "sluice/testing/status_macros.h"
#include "sluice/testing/storage_conformance.h"

namespace sluice::testing {

struct KvStorageCase {
  std::string plugin;                 // its name
  std::string module;                 // the built shared object
  StorageFactory direct;              // makes the plugin's class
  std::vector<std::string> fixtures;  // legacy log streams (kv_log_tests.h)

  // The plugin through its module's C ABI.
  StorageFactory ThroughAbi() const {
    return ModuleStorageFactory(module, plugin,
                                {{"compression", "none"}, {"paranoid_checks", "false"}});
  }
  // The case of plugin class T.
  template <class T>
  static KvStorageCase Of(std::string plugin, std::string module,
                          std::vector<std::string> fixtures) {
    return {std::move(plugin), std::move(module),
            DirectStorageFactory<T>(
                {{"block_cache_mb", "8"}, {"write_buffer_mb", "4"}, {"paranoid_checks", "true"}}),
            std::move(fixtures)};
  }
};
inline void PrintTo(const KvStorageCase& c, std::ostream* os) { *os << c.plugin; }

class KvStorageTest : public ::testing::TestWithParam<KvStorageCase> {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "sluice-kvstore-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr) << "cannot create a temporary directory";
    root_ = tmpl;
    dir_ = root_ + "/trips/v0001/log";
    SLUICE_ASSERT_OK(GetParam().direct(&storage_));
  }
  void TearDown() override {
    storage_.reset();
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  std::unique_ptr<Log> Open(StoragePlugin* storage, const std::string& dir) {
    std::unique_ptr<Log> log;
    Status s = storage->OpenLog("trips/v0001", dir, /*create=*/true, &log);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return log;
  }

  std::string root_, dir_;
  std::unique_ptr<StoragePlugin> storage_;
};

TEST_P(KvStorageTest, SecondOpenOfTheSameStreamFailsNamingThePath) {
  auto log = Open(storage_.get(), dir_);
  std::unique_ptr<Log> second;
  Status s = storage_->OpenLog("trips/v0001", dir_, true, &second);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find(dir_), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("log 'trips/v0001'"), std::string::npos) << s.message();
}

TEST_P(KvStorageTest, DirectoryThatIsAFileIsAnError) {
  std::ofstream(root_ + "/file") << "x";
  std::unique_ptr<Log> log;
  Status s = storage_->OpenLog("x", root_ + "/file/log", true, &log);
  EXPECT_EQ(s.code(), Code::kInternal) << s.ToString();
  EXPECT_NE(s.message().find(root_ + "/file/log"), std::string::npos) << s.message();
}

TEST_P(KvStorageTest, RemovingWhatDoesNotExistIsOkAndOpenStreamsCannotBeRemoved) {
  SLUICE_EXPECT_OK(storage_->RemoveLog("nothing", root_ + "/nothing"));
  SLUICE_EXPECT_OK(storage_->RemoveKv(root_ + "/nothing"));
  auto log = Open(storage_.get(), dir_);
  EXPECT_FALSE(storage_->RemoveLog("trips/v0001", dir_).ok()) << "removing an open stream";
  log.reset();
  SLUICE_EXPECT_OK(storage_->RemoveLog("trips/v0001", dir_));
  EXPECT_FALSE(std::filesystem::exists(dir_));
}

TEST_P(KvStorageTest, KvRejectsForeignSnapshotsAndBadOps) {
  std::unique_ptr<KvStore> a, b;
  SLUICE_ASSERT_OK(storage_->OpenKv(root_ + "/a", true, &a));
  SLUICE_ASSERT_OK(storage_->OpenKv(root_ + "/b", true, &b));
  std::unique_ptr<KvSnapshot> snap;
  SLUICE_ASSERT_OK(a->NewSnapshot(&snap));
  std::string v;
  EXPECT_EQ(b->Get(snap.get(), "k", &v).code(), Code::kInvalidArgument);
  std::unique_ptr<KvIterator> it;
  EXPECT_EQ(b->NewIterator(snap.get(), "", "", false, &it).code(), Code::kInvalidArgument);
  struct Alien : KvSnapshot {
  } alien;  // not made by any store
  EXPECT_EQ(a->Get(&alien, "k", &v).code(), Code::kInvalidArgument);
  KvOp bad{static_cast<KvOp::Kind>(7), "k", "v"};
  Status s = a->Write(&bad, 1, false);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("op 0 has kind 7"), std::string::npos) << s.message();
}

TEST_P(KvStorageTest, ModuleDescriptorAndOptionErrorsCrossTheAbi) {
  const sluice_plugin_descriptor* d = nullptr;
  SLUICE_ASSERT_OK(LoadPluginModule(GetParam().module, &d));
  EXPECT_EQ(d->abi_major, SLUICE_ABI_MAJOR);
  EXPECT_EQ(d->kind, static_cast<uint32_t>(SLUICE_KIND_STORAGE));
  EXPECT_EQ(std::string(d->name), GetParam().plugin);
  std::unique_ptr<StoragePlugin> storage;
  Status s = ModuleStorageFactory(GetParam().module, GetParam().plugin, {{"cache", "1"}})(&storage);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("option 'cache': unknown option"), std::string::npos) << s.message();
  EXPECT_EQ(storage, nullptr);
  s = ModuleStorageFactory(GetParam().module, GetParam().plugin,
                           {{"compression", "gzip"}})(&storage);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("found 'gzip'"), std::string::npos) << s.message();
  // The host's check before anything runs names the key of a codec the
  // engine lacks (the descriptor's check_options).
  ASSERT_NE(d->check_options, nullptr);
  std::vector<std::string> got;
  Options bad(std::vector<std::pair<std::string, std::string>>{{"compression", "gzip"}});
  OptionsView view(bad);
  uint32_t rc =
      d->check_options(SLUICE_OPTION_SCOPE_INSTANCE, 0, view.get(), &got,
                       [](void* ctx, uint32_t kind, const char* key, const char* message) {
                         static_cast<std::vector<std::string>*>(ctx)->push_back(
                             std::to_string(kind) + " " + key + ": " + message);
                       });
  EXPECT_EQ(rc, static_cast<uint32_t>(SLUICE_INVALID_ARGUMENT));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].rfind("0 compression: expected ", 0), 0u) << got[0];
}

TEST_P(KvStorageTest, ClientRejectsShortVtable) {
  const sluice_storage_vtable* module = nullptr;
  SLUICE_ASSERT_OK(LoadStorageModule(GetParam().module, GetParam().plugin, &module));
  sluice_storage_vtable vt = *module;
  vt.struct_size = offsetof(sluice_storage_vtable, kv_open);
  std::unique_ptr<StoragePlugin> storage;
  Status s = client::CreateStorage(&vt, nullptr, Options(), &storage);
  EXPECT_EQ(s.code(), Code::kFailedPrecondition) << s.ToString();
  vt.struct_size = sizeof(vt);
  vt.kv_iter_seek = nullptr;
  s = client::CreateStorage(&vt, nullptr, Options(), &storage);
  EXPECT_EQ(s.code(), Code::kFailedPrecondition) << s.ToString();
  EXPECT_NE(s.message().find("kv_iter_seek"), std::string::npos) << s.message();
}

TEST_P(KvStorageTest, ClientProxiesMayBeDestroyedInAnyOrder) {
  std::unique_ptr<StoragePlugin> storage;
  SLUICE_ASSERT_OK(GetParam().ThroughAbi()(&storage));
  auto log = Open(storage.get(), root_ + "/log");
  std::unique_ptr<KvStore> kv;
  SLUICE_ASSERT_OK(storage->OpenKv(root_ + "/kv", true, &kv));
  KvOp op{KvOp::kPut, "k", "v"};
  SLUICE_ASSERT_OK(kv->Write(&op, 1, false));
  std::unique_ptr<KvSnapshot> snap;
  std::unique_ptr<KvIterator> it;
  SLUICE_ASSERT_OK(kv->NewSnapshot(&snap));
  SLUICE_ASSERT_OK(kv->NewIterator(snap.get(), "", "", false, &it));
  storage.reset();  // the instance lives on while its logs and stores do
  kv.reset();       // the store lives on while its snapshot and iterator do
  std::string key;
  bool exhausted = false;
  SLUICE_ASSERT_OK(it->Read(
      10,
      [&](std::string_view k, std::string_view) {
        key = std::string(k);
        return true;
      },
      &exhausted));
  EXPECT_EQ(key, "k");
  EXPECT_TRUE(exhausted);
  uint64_t first = 1;
  std::string_view rec = "r";
  SLUICE_ASSERT_OK(log->Append(&rec, 1, "cp", false, &first));
  EXPECT_EQ(first, 0u);
}

}  // namespace sluice::testing

// Runs the kit on plugin class `Class` named `plugin`, built as `module`;
// the last argument lists fixture directories in braces. Test names:
// Prefix/KvStorageTest.*, Prefix/KvLogTest.*, PrefixDirect/ and
// PrefixCAbi/StorageConformanceTest.*.
#define SLUICE_KV_STORAGE_TESTS(Prefix, Class, plugin, module, ...)                                \
  namespace sluice_kv_storage_tests_##Prefix {                                                     \
    using ::sluice::testing::KvLogTest;                                                            \
    using ::sluice::testing::KvStorageTest;                                                        \
    using ::sluice::testing::StorageConformanceTest;                                               \
    inline const ::sluice::testing::KvStorageCase& Case() {                                        \
      static const ::sluice::testing::KvStorageCase c =                                            \
          ::sluice::testing::KvStorageCase::Of<Class>(plugin, module, __VA_ARGS__);                \
      return c;                                                                                    \
    }                                                                                              \
    INSTANTIATE_TEST_SUITE_P(Prefix, KvStorageTest, ::testing::Values(Case()));                    \
    INSTANTIATE_TEST_SUITE_P(                                                                      \
        Prefix, KvLogTest,                                                                         \
        ::testing::Values(::sluice::testing::KvLogCase{#Prefix, Case().direct, Case().fixtures})); \
    INSTANTIATE_TEST_SUITE_P(                                                                      \
        Prefix##Direct, StorageConformanceTest,                                                    \
        ::testing::Values(::sluice::testing::StorageCase{#Prefix "Direct", Case().direct}));       \
    INSTANTIATE_TEST_SUITE_P(                                                                      \
        Prefix##CAbi, StorageConformanceTest,                                                      \
        ::testing::Values(::sluice::testing::StorageCase{#Prefix "CAbi", Case().ThroughAbi()}));   \
  } /* namespace */                                                                                \
  static_assert(true, "")

#endif  // SLUICE_TESTING_KV_STORAGE_TESTS_H_
