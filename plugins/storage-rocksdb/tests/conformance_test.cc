// Runs the SDK's storage conformance suite against the rocksdb plugin twice:
// on the C++ object directly, and through the C ABI of the built module
// (dlopen + sluice_plugin_entry + client::CreateStorage), as the host does;
// and the chunk log's suite, with a stream the plugin's earlier version
// wrote (fixtures/).
#include <dlfcn.h>

#include <cstring>
#include <filesystem>

#include "rocksdb_storage.h"
#include "sluice/client/storage_client.h"
#include "sluice/testing/kv_log_tests.h"
#include "sluice/testing/storage_conformance.h"

namespace {

using sluice::Status;
using sluice::StoragePlugin;

sluice::Options Opts(std::vector<std::pair<std::string, std::string>> items) {
  return sluice::Options(std::move(items));
}

Status CreateDirect(std::unique_ptr<StoragePlugin>* out) {
  std::unique_ptr<sluice::storage_rocksdb::RocksDbStorage> s;
  sluice::Options options = Opts({{"block_cache_mb", "8"}, {"write_buffer_mb", "4"}});
  Status st = sluice::storage_rocksdb::RocksDbStorage::Create(sluice::HostServices(), options, &s);
  if (st.ok()) *out = std::move(s);
  return st;
}

// The module's descriptor; loaded once and never unloaded.
Status LoadModule(const sluice_plugin_descriptor** out) {
  static void* handle = dlopen(SLUICE_STORAGE_ROCKSDB_MODULE, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr)
    return sluice::Internal(std::string("dlopen ") + SLUICE_STORAGE_ROCKSDB_MODULE + ": " +
                            dlerror());
  auto entry = reinterpret_cast<sluice_plugin_entry_fn>(dlsym(handle, SLUICE_ENTRY_SYMBOL));
  if (entry == nullptr) return sluice::Internal("module lacks " SLUICE_ENTRY_SYMBOL);
  *out = entry();
  return Status();
}

Status CreateThroughAbi(std::unique_ptr<StoragePlugin>* out) {
  const sluice_plugin_descriptor* d = nullptr;
  SLUICE_RETURN_IF_ERROR(LoadModule(&d));
  if (d->kind != SLUICE_KIND_STORAGE || std::strcmp(d->name, "rocksdb") != 0)
    return sluice::Internal(std::string("unexpected descriptor: ") + d->name);
  sluice::Options options = Opts({{"compression", "none"}, {"paranoid_checks", "false"}});
  return sluice::client::CreateStorage(static_cast<const sluice_storage_vtable*>(d->vtable),
                                       nullptr, options, out);
}

}  // namespace

SLUICE_STORAGE_CONFORMANCE_TESTS(Direct, CreateDirect);
SLUICE_STORAGE_CONFORMANCE_TESTS(CAbi, CreateThroughAbi);
SLUICE_KV_LOG_TESTS(RocksDb, CreateDirect, {SLUICE_STORAGE_ROCKSDB_FIXTURES "/single-meta"});

TEST(RocksDbModuleTest, DescriptorAndOptionErrorsCrossTheAbi) {
  const sluice_plugin_descriptor* d = nullptr;
  SLUICE_ASSERT_OK(LoadModule(&d));
  EXPECT_EQ(d->abi_major, SLUICE_ABI_MAJOR);
  EXPECT_STREQ(d->name, "rocksdb");
  std::unique_ptr<StoragePlugin> storage;
  Status s = sluice::client::CreateStorage(static_cast<const sluice_storage_vtable*>(d->vtable),
                                           nullptr, Opts({{"cache", "1"}}), &storage);
  EXPECT_EQ(s.code(), sluice::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("'cache' is unknown"), std::string::npos) << s.message();
  EXPECT_EQ(storage, nullptr);
  s = sluice::client::CreateStorage(static_cast<const sluice_storage_vtable*>(d->vtable), nullptr,
                                    Opts({{"compression", "gzip"}}), &storage);
  EXPECT_EQ(s.code(), sluice::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("found 'gzip'"), std::string::npos) << s.message();
}

TEST(RocksDbModuleTest, EveryCompressionRoundTripsThroughTheModule) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "sluice-rocksdb-XXXXXX").string();
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  const sluice_plugin_descriptor* d = nullptr;
  SLUICE_ASSERT_OK(LoadModule(&d));
  for (const char* c : {"none", "snappy", "lz4", "zstd"}) {
    std::unique_ptr<StoragePlugin> storage;
    Status s = sluice::client::CreateStorage(static_cast<const sluice_storage_vtable*>(d->vtable),
                                             nullptr, Opts({{"compression", c}}), &storage);
    if (!s.ok()) {  // a build without this codec must say so
      EXPECT_NE(s.message().find("not built into"), std::string::npos) << s.message();
      continue;
    }
    std::unique_ptr<sluice::KvStore> kv;
    SLUICE_ASSERT_OK(storage->OpenKv(tmpl + "/" + c, true, &kv));
    std::string value(100000, 'v');
    sluice::KvOp op{sluice::KvOp::kPut, "k", value};
    SLUICE_ASSERT_OK(kv->Write(&op, 1, true));
    kv.reset();
    SLUICE_ASSERT_OK(storage->OpenKv(tmpl + "/" + c, false, &kv));
    std::string got;
    SLUICE_ASSERT_OK(kv->Get(nullptr, "k", &got));
    EXPECT_EQ(got, value) << c;
  }
  std::filesystem::remove_all(tmpl);
}

TEST(RocksDbModuleTest, ClientProxiesMayBeDestroyedInAnyOrder) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "sluice-rocksdb-XXXXXX").string();
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  std::unique_ptr<StoragePlugin> storage;
  SLUICE_ASSERT_OK(CreateThroughAbi(&storage));
  std::unique_ptr<sluice::Log> log;
  std::unique_ptr<sluice::KvStore> kv;
  SLUICE_ASSERT_OK(storage->OpenLog("l", tmpl + "/log", true, &log));
  SLUICE_ASSERT_OK(storage->OpenKv(tmpl + "/kv", true, &kv));
  sluice::KvOp op{sluice::KvOp::kPut, "k", "v"};
  SLUICE_ASSERT_OK(kv->Write(&op, 1, false));
  std::unique_ptr<sluice::KvSnapshot> snap;
  std::unique_ptr<sluice::KvIterator> it;
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
  it.reset();
  snap.reset();
  log.reset();
  std::filesystem::remove_all(tmpl);
}
