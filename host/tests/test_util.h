// Helpers shared by host tests: temporary directories and the real LevelDB
// storage plugin loaded through its C ABI.
#ifndef SLUICE_HOST_TESTS_TEST_UTIL_H_
#define SLUICE_HOST_TESTS_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "sluice/client/storage_client.h"
#include "sluice/testing/plugin_module.h"
#include "storage/log_format.h"
#include "util/log.h"

namespace sluice::host::testing {

// A fresh directory removed at destruction.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("sluice-test-" + std::to_string(getpid()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// The storage_leveldb plugin from the build tree, through its C table.
inline Status OpenLevelDbPlugin(std::unique_ptr<StoragePlugin>* out) {
  const sluice_storage_vtable* vt = nullptr;
  SLUICE_RETURN_IF_ERROR(sluice::testing::LoadStorageModule(
      std::string(SLUICE_TEST_PLUGIN_DIR) + "/storage_leveldb.so", "leveldb", &vt));
  return client::CreateStorage(vt, log::HostServicesTable(), Options(), out);
}

// One append to a log's backend, written as a crash or damage may leave it.
struct RawAppend {
  std::vector<std::string> records;
  std::string checkpoint;
};

// Two appends after a log of records 0..2 whose last commit is "off-2":
// records 3..4 (commit "off-3"), whose row record 3 does not read back,
// then records 5..6 (commit "off-4"), whole.
inline std::vector<RawAppend> AppendsDamagedAtRecord3() {
  std::string bad, good, c1, c2;
  EncodeRowRecord(SLUICE_OP_INSERT, "damaged", &bad);
  bad[6] ^= 1;
  EncodeRowRecord(SLUICE_OP_INSERT, "fine", &good);
  EncodeCommitRecord(CommitInfo{0, 1, 0, "off-3"}, &c1);
  EncodeCommitRecord(CommitInfo{0, 1, 0, "off-4"}, &c2);
  return {{{bad, c1}, EncodeCheckpoint(Checkpoint{5, 0, "off-3"})},
          {{good, c2}, EncodeCheckpoint(Checkpoint{7, 0, "off-4"})}};
}

}  // namespace sluice::host::testing

#endif  // SLUICE_HOST_TESTS_TEST_UTIL_H_
