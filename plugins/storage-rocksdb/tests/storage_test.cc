// The rocksdb plugin on the SDK's test kit for key/value engine plugins
// (sluice/testing/kv_storage_tests.h): the storage conformance suite on the
// class and through the built module's C ABI, the chunk log's suite with
// the stream the plugin's earlier version wrote (fixtures/single-meta), and
// the engine cases; and every codec of this RocksDB through the module.
#include "rocksdb_engine.h"
#include "sluice/testing/kv_storage_tests.h"

SLUICE_KV_STORAGE_TESTS(RocksDb, sluice::storage_rocksdb::RocksDbStorage, "rocksdb",
                        SLUICE_TEST_PLUGIN_MODULE, {SLUICE_TEST_FIXTURES "/single-meta"});

namespace {

TEST(RocksDbModuleTest, EveryCompressionRoundTripsThroughTheModule) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "sluice-rocksdb-XXXXXX").string();
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  for (const char* c : {"none", "snappy", "lz4", "zstd"}) {
    std::unique_ptr<sluice::StoragePlugin> storage;
    sluice::Status s = sluice::testing::ModuleStorageFactory(SLUICE_TEST_PLUGIN_MODULE, "rocksdb",
                                                             {{"compression", c}})(&storage);
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

}  // namespace
