// Crash-safe replacement of a small file, for what API plugins write in
// ApiPlugin::WriteArtifacts (and anything else a plugin keeps on disk).
// Header-only; POSIX.
#ifndef SLUICE_ATOMIC_FILE_H_
#define SLUICE_ATOMIC_FILE_H_

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <string_view>

#include "sluice/status.h"

namespace sluice {

namespace internal {

inline Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return IoError("write " + path, errno);
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status();
}

inline Status WriteAndSync(const std::string& path, std::string_view contents) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return IoError("open " + path, errno);
  Status s = WriteAll(fd, contents, path);
  if (s.ok() && ::fsync(fd) != 0) s = IoError("fsync " + path, errno);
  if (::close(fd) != 0 && s.ok()) s = IoError("close " + path, errno);
  return s;
}

inline Status SyncDirectoryOf(const std::string& path) {
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return IoError("open directory " + dir, errno);
  Status s;
  if (::fsync(fd) != 0) s = IoError("fsync directory " + dir, errno);
  ::close(fd);
  return s;
}

}  // namespace internal

// Replaces `path` with `contents` so that readers see either the old or the
// new file, never a partial one: writes `path`.tmp, fsyncs it, renames it
// over `path`, then fsyncs the directory. On failure the temporary file is
// removed and the error names the file and the failing call.
inline Status WriteFileAtomically(const std::string& path, std::string_view contents) {
  std::string tmp = path + ".tmp";
  Status s = internal::WriteAndSync(tmp, contents);
  if (s.ok() && ::rename(tmp.c_str(), path.c_str()) != 0)
    s = IoError("rename " + tmp + " to " + path, errno);
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }
  return internal::SyncDirectoryOf(path);
}

}  // namespace sluice

#endif  // SLUICE_ATOMIC_FILE_H_
