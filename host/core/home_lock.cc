#include "core/home_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace sluice::host {

Status HomeLock::Acquire(const std::filesystem::path& home, const std::string& command,
                         std::unique_ptr<HomeLock>* out) {
  std::error_code ec;
  std::filesystem::create_directories(home, ec);
  if (ec) return IoError("create " + home.string(), ec.value());
  std::filesystem::path file = home / "LOCK";
  int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return IoError("open " + file.string(), errno);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    char buf[256] = {};
    ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    ::close(fd);
    std::string holder = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "another process";
    while (!holder.empty() && holder.back() == '\n') holder.pop_back();
    return FailedPrecondition(
        "home directory " + home.string() + " is in use by " + holder +
        "; stop it first, or use `sluice run` to ingest and serve in one process");
  }
  std::string who = "sluice " + command + " (pid " + std::to_string(::getpid()) + ")\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, who.data(), who.size(), 0) < 0) {
    // The lock itself is held; the note is only for messages.
  }
  out->reset(new HomeLock(fd));
  return Status();
}

HomeLock::~HomeLock() { ::close(fd_); }

}  // namespace sluice::host
