// The in-memory key/value store of the host tests (mem_kv.h) under the
// SDK's suites: the storage conformance suite (sluice/testing/
// storage_conformance.h: logs and key/value stores, every promise of
// sluice/storage.h), so the store other host tests and the query fuzzer
// rely on behaves as the real backends do, and the chunk log's suite
// (sluice/testing/kv_log_tests.h): KvLog's logic, without an engine.
#include "mem_kv.h"
#include "sluice/testing/kv_log_tests.h"
#include "sluice/testing/storage_conformance.h"

namespace {

sluice::Status MakeMemStorage(std::unique_ptr<sluice::StoragePlugin>* out) {
  *out = std::make_unique<sluice::memkv::MemStorage>();
  return sluice::Status();
}

}  // namespace

SLUICE_KV_LOG_TESTS(Mem, MakeMemStorage, {});
SLUICE_STORAGE_CONFORMANCE_TESTS(Mem, MakeMemStorage);
