// How the leveldb plugin reads LevelDB's table files: memory-mapped while
// the instance's mapped bytes stay within a budget (option mmap_mb), read
// with pread into the block cache beyond it. LevelDB's own Env maps up to
// 1,000 table files whatever their size, so the file-backed part of a
// process's RSS grew with the data (every table a cache build or a scan
// touched stayed mapped); with the budget it is bounded by mmap_mb.
#ifndef SLUICE_PLUGINS_STORAGE_LEVELDB_TABLE_FILES_H_
#define SLUICE_PLUGINS_STORAGE_LEVELDB_TABLE_FILES_H_

#include <leveldb/env.h>

#include <atomic>
#include <cstdint>
#include <string>

namespace sluice::storage_leveldb {

// An Env (everything but table reads as leveldb::Env::Default()) whose
// table files are mapped while the bytes mapped through it stay within
// `budget_bytes` (0: none is mapped), and read with pread otherwise.
// Thread-safe; outlives every database opened with it.
class TableFilesEnv final : public leveldb::EnvWrapper {
 public:
  explicit TableFilesEnv(uint64_t budget_bytes);

  // A table file: mapped when it fits the budget, else read with pread.
  // IOError naming the file when it cannot be opened.
  leveldb::Status NewRandomAccessFile(const std::string& name,
                                      leveldb::RandomAccessFile** out) override;

  // Bytes mapped now (for tests and diagnostics).
  uint64_t mapped_bytes() const { return mapped_.load(std::memory_order_relaxed); }

  // Returns `bytes` to the budget (a mapped file was unmapped).
  void Release(uint64_t bytes) { mapped_.fetch_sub(bytes, std::memory_order_relaxed); }

 private:
  bool Reserve(uint64_t bytes);

  const uint64_t budget_;
  std::atomic<uint64_t> mapped_{0};
  std::atomic<int> fds_left_;  // pread files that may keep their descriptor open
};

}  // namespace sluice::storage_leveldb

#endif  // SLUICE_PLUGINS_STORAGE_LEVELDB_TABLE_FILES_H_
