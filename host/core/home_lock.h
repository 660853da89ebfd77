// HomeLock: one process at a time works on a home directory (the embedded
// storage keeps files open exclusively anyway; the lock turns that into a
// clear message naming the process that holds it). An advisory flock on
// {home}/LOCK, released when the process exits, however it exits.
#ifndef SLUICE_HOST_CORE_HOME_LOCK_H_
#define SLUICE_HOST_CORE_HOME_LOCK_H_

#include <filesystem>
#include <memory>
#include <string>

#include "sluice/status.h"

namespace sluice::host {

class HomeLock {
 public:
  // Takes the lock of `home` (created if needed) for `command`.
  // FAILED_PRECONDITION naming the holder's pid and command when another
  // process has it.
  static Status Acquire(const std::filesystem::path& home, const std::string& command,
                        std::unique_ptr<HomeLock>* out);
  ~HomeLock();
  HomeLock(const HomeLock&) = delete;
  HomeLock& operator=(const HomeLock&) = delete;

 private:
  explicit HomeLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace sluice::host

#endif  // SLUICE_HOST_CORE_HOME_LOCK_H_
