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

#include "sluice/client/storage_client.h"
#include "sluice/testing/plugin_module.h"
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

}  // namespace sluice::host::testing

#endif  // SLUICE_HOST_TESTS_TEST_UTIL_H_
