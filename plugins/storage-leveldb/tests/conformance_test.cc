// Runs the SDK's storage conformance suite against the leveldb plugin twice:
// on the C++ object directly, and through the C ABI of the built module
// (dlopen + sluice_plugin_entry + client::CreateStorage), as the host does;
// and the chunk log's suite, with streams the plugin's earlier versions
// wrote (fixtures/).
#include <dlfcn.h>

#include <cstring>
#include <filesystem>

#include "leveldb_storage.h"
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
  std::unique_ptr<sluice::storage_leveldb::LevelDbStorage> s;
  sluice::Options options = Opts({{"block_cache_mb", "8"}, {"write_buffer_mb", "4"}});
  Status st = sluice::storage_leveldb::LevelDbStorage::Create(sluice::HostServices(), options, &s);
  if (st.ok()) *out = std::move(s);
  return st;
}

// The module's descriptor; loaded once and never unloaded.
Status LoadModule(const sluice_plugin_descriptor** out) {
  static void* handle = dlopen(SLUICE_STORAGE_LEVELDB_MODULE, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr)
    return sluice::Internal(std::string("dlopen ") + SLUICE_STORAGE_LEVELDB_MODULE + ": " +
                            dlerror());
  auto entry = reinterpret_cast<sluice_plugin_entry_fn>(dlsym(handle, SLUICE_ENTRY_SYMBOL));
  if (entry == nullptr) return sluice::Internal("module lacks " SLUICE_ENTRY_SYMBOL);
  *out = entry();
  return Status();
}

Status CreateThroughAbi(std::unique_ptr<StoragePlugin>* out) {
  const sluice_plugin_descriptor* d = nullptr;
  SLUICE_RETURN_IF_ERROR(LoadModule(&d));
  if (d->kind != SLUICE_KIND_STORAGE || std::strcmp(d->name, "leveldb") != 0)
    return sluice::Internal(std::string("unexpected descriptor: ") + d->name);
  sluice::Options options = Opts({{"compression", "none"}, {"paranoid_checks", "true"}});
  return sluice::client::CreateStorage(static_cast<const sluice_storage_vtable*>(d->vtable),
                                       nullptr, options, out);
}

}  // namespace

SLUICE_STORAGE_CONFORMANCE_TESTS(Direct, CreateDirect);
SLUICE_STORAGE_CONFORMANCE_TESTS(CAbi, CreateThroughAbi);
SLUICE_KV_LOG_TESTS(LevelDb, CreateDirect,
                    {SLUICE_STORAGE_LEVELDB_FIXTURES "/single-meta",
                     SLUICE_STORAGE_LEVELDB_FIXTURES "/tail-meta"});

TEST(LevelDbModuleTest, DescriptorAndOptionErrorsCrossTheAbi) {
  const sluice_plugin_descriptor* d = nullptr;
  SLUICE_ASSERT_OK(LoadModule(&d));
  EXPECT_EQ(d->abi_major, SLUICE_ABI_MAJOR);
  EXPECT_STREQ(d->name, "leveldb");
  std::unique_ptr<StoragePlugin> storage;
  Status s = sluice::client::CreateStorage(static_cast<const sluice_storage_vtable*>(d->vtable),
                                           nullptr, Opts({{"cache", "1"}}), &storage);
  EXPECT_EQ(s.code(), sluice::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("'cache' is unknown"), std::string::npos) << s.message();
  EXPECT_EQ(storage, nullptr);
}

TEST(LevelDbModuleTest, ClientRejectsShortVtable) {
  const sluice_plugin_descriptor* d = nullptr;
  SLUICE_ASSERT_OK(LoadModule(&d));
  sluice_storage_vtable vt = *static_cast<const sluice_storage_vtable*>(d->vtable);
  vt.struct_size = offsetof(sluice_storage_vtable, kv_open);
  std::unique_ptr<StoragePlugin> storage;
  Status s = sluice::client::CreateStorage(&vt, nullptr, sluice::Options(), &storage);
  EXPECT_EQ(s.code(), sluice::Code::kFailedPrecondition) << s.ToString();
  vt.struct_size = sizeof(vt);
  vt.kv_iter_seek = nullptr;
  s = sluice::client::CreateStorage(&vt, nullptr, sluice::Options(), &storage);
  EXPECT_EQ(s.code(), sluice::Code::kFailedPrecondition) << s.ToString();
  EXPECT_NE(s.message().find("kv_iter_seek"), std::string::npos) << s.message();
}

TEST(LevelDbModuleTest, ClientProxiesMayBeDestroyedInAnyOrder) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "sluice-leveldb-XXXXXX").string();
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
