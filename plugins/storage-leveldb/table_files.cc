#include "table_files.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sluice::storage_leveldb {
namespace {

leveldb::Status Error(const std::string& context, int err) {
  return leveldb::Status::IOError(context, std::strerror(err));
}

// A table file read through a read-only mapping of all of it.
class MappedFile final : public leveldb::RandomAccessFile {
 public:
  MappedFile(std::string name, char* base, size_t size, TableFilesEnv* env)
      : name_(std::move(name)), base_(base), size_(size), env_(env) {}
  ~MappedFile() override {
    ::munmap(base_, size_);
    env_->Release(size_);
  }
  leveldb::Status Read(uint64_t offset, size_t n, leveldb::Slice* result, char*) const override {
    if (offset + n > size_) {
      *result = leveldb::Slice();
      return Error(name_, EINVAL);
    }
    *result = leveldb::Slice(base_ + offset, n);
    return leveldb::Status::OK();
  }

 private:
  const std::string name_;
  char* const base_;
  const size_t size_;
  TableFilesEnv* const env_;
};

// A table file read with pread; it keeps its descriptor open when one was
// left (fds), else opens the file for each read.
class PreadFile final : public leveldb::RandomAccessFile {
 public:
  PreadFile(std::string name, int fd, std::atomic<int>* fds)
      : name_(std::move(name)), fd_(fd), fds_(fds) {}
  ~PreadFile() override {
    if (fd_ >= 0) {
      ::close(fd_);
      fds_->fetch_add(1, std::memory_order_relaxed);
    }
  }
  leveldb::Status Read(uint64_t offset, size_t n, leveldb::Slice* result,
                       char* scratch) const override {
    int fd = fd_;
    if (fd < 0 && (fd = ::open(name_.c_str(), O_RDONLY | O_CLOEXEC)) < 0) {
      *result = leveldb::Slice();
      return Error(name_, errno);
    }
    size_t got = 0;
    int err = 0;
    while (got < n) {
      ssize_t r = ::pread(fd, scratch + got, n - got, static_cast<off_t>(offset + got));
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) err = errno;
      if (r <= 0) break;
      got += static_cast<size_t>(r);
    }
    if (fd_ < 0) ::close(fd);
    *result = leveldb::Slice(scratch, got);
    return err != 0 ? Error(name_, err) : leveldb::Status::OK();
  }

 private:
  const std::string name_;
  const int fd_;  // -1: opened per read
  std::atomic<int>* const fds_;
};

// Descriptors pread files may hold open: a fifth of the process's limit,
// as LevelDB's own Env allows.
int DescriptorAllowance() {
  struct rlimit rl;
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return 50;
  if (rl.rlim_cur == RLIM_INFINITY) return 1 << 16;
  return static_cast<int>(rl.rlim_cur / 5);
}

}  // namespace

TableFilesEnv::TableFilesEnv(uint64_t budget_bytes)
    : EnvWrapper(leveldb::Env::Default()),
      budget_(budget_bytes),
      fds_left_(DescriptorAllowance()) {}

bool TableFilesEnv::Reserve(uint64_t bytes) {
  uint64_t now = mapped_.load(std::memory_order_relaxed);
  do {
    if (now + bytes > budget_) return false;
  } while (!mapped_.compare_exchange_weak(now, now + bytes, std::memory_order_relaxed));
  return true;
}

leveldb::Status TableFilesEnv::NewRandomAccessFile(const std::string& name,
                                                   leveldb::RandomAccessFile** out) {
  *out = nullptr;
  int fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error(name, errno);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return Error(name, err);
  }
  uint64_t size = static_cast<uint64_t>(st.st_size);
  if (size > 0 && Reserve(size)) {
    void* base = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
    ::close(fd);
    if (base != MAP_FAILED) {
      *out = new MappedFile(name, static_cast<char*>(base), size, this);
      return leveldb::Status::OK();
    }
    Release(size);
    fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC);  // read it with pread instead
    if (fd < 0) return Error(name, errno);
  }
  if (fds_left_.fetch_sub(1, std::memory_order_relaxed) <= 0) {
    fds_left_.fetch_add(1, std::memory_order_relaxed);
    ::close(fd);
    fd = -1;
  }
  *out = new PreadFile(name, fd, &fds_left_);
  return leveldb::Status::OK();
}

}  // namespace sluice::storage_leveldb
