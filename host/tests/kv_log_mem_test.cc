// The chunk log's suite (sluice/testing/kv_log_tests.h) on the in-memory
// key/value store of the host tests: KvLog's logic, without an engine.
#include "mem_kv.h"
#include "sluice/testing/kv_log_tests.h"

namespace {

sluice::Status MakeMemStorage(std::unique_ptr<sluice::StoragePlugin>* out) {
  *out = std::make_unique<sluice::memkv::MemStorage>();
  return sluice::Status();
}

}  // namespace

SLUICE_KV_LOG_TESTS(Mem, MakeMemStorage, {});
