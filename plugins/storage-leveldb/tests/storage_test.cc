// The leveldb plugin on the SDK's test kit for key/value engine plugins
// (sluice/testing/kv_storage_tests.h): the storage conformance suite on the
// class and through the built module's C ABI, the chunk log's suite with
// the streams earlier versions of the plugin wrote (fixtures/: single-meta,
// tail-meta), and the engine cases.
#include "leveldb_engine.h"
#include "sluice/testing/kv_storage_tests.h"

SLUICE_KV_STORAGE_TESTS(LevelDb, sluice::storage_leveldb::LevelDbStorage, "leveldb",
                        SLUICE_TEST_PLUGIN_MODULE,
                        {SLUICE_TEST_FIXTURES "/single-meta", SLUICE_TEST_FIXTURES "/tail-meta"});
