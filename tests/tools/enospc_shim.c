/* A full disk on demand, for tests only (LD_PRELOAD; built by
 * tests/CMakeLists.txt, never installed).
 *
 *   SLUICE_ENOSPC_DIR=/abs/dir      files under this directory "live on the full disk"
 *   SLUICE_ENOSPC_CONTROL=/abs/file while this file exists the disk is full
 *
 * The control file's first word says how writes to files under the
 * directory fail while it exists:
 *   full (or empty)  as a filling disk does: a write of two bytes or more
 *                    writes half of them and returns that short count, the
 *                    next write on that descriptor fails with ENOSPC (so a
 *                    large batch is cut in its middle); fsync, fdatasync,
 *                    fallocate and posix_fallocate fail with ENOSPC;
 *   eio              every write and sync fails with EIO at once;
 *   sync             writes succeed, fsync and fdatasync fail with EIO (what
 *                    a disk that fills up while the page cache is flushed
 *                    looks like to an engine).
 * Removing the file gives the space back. Each failure is counted in the
 * control file's sibling `<control>.count` (one byte per failure), so a
 * test can wait until the server has met the full disk.
 *
 * Intercepts write, pwrite, pwrite64, writev, pwritev, fsync, fdatasync,
 * fallocate, posix_fallocate (what LevelDB's and RocksDB's POSIX
 * environments call). A descriptor's path is read from /proc/self/fd only
 * while the control file exists, so the cost is one access() per call
 * otherwise. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

enum mode { kNone, kFull, kEio, kSync };

#define kMaxFds 65536
static unsigned char partial_done[kMaxFds]; /* a short write was given on this fd */

static const char* env_or_null(const char* name) {
  const char* v = getenv(name);
  return v != NULL && v[0] != '\0' ? v : NULL;
}

static void* next_symbol(const char* name) { return dlsym(RTLD_NEXT, name); }

static ssize_t raw_write(int fd, const void* buf, size_t n) {
  static ssize_t (*real)(int, const void*, size_t);
  if (real == NULL) real = (ssize_t(*)(int, const void*, size_t))next_symbol("write");
  return real(fd, buf, n);
}

/* The mode in force (kNone when the control file is absent). */
static enum mode current_mode(void) {
  const char* control = env_or_null("SLUICE_ENOSPC_CONTROL");
  if (control == NULL || env_or_null("SLUICE_ENOSPC_DIR") == NULL) return kNone;
  int fd = open(control, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return kNone;
  char word[16] = {0};
  ssize_t n = read(fd, word, sizeof word - 1);
  close(fd);
  if (n > 0 && strncmp(word, "eio", 3) == 0) return kEio;
  if (n > 0 && strncmp(word, "sync", 4) == 0) return kSync;
  return kFull;
}

/* Whether `fd` is a file under SLUICE_ENOSPC_DIR. */
static int under_dir(int fd) {
  const char* dir = env_or_null("SLUICE_ENOSPC_DIR");
  char link[64], path[4096];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, path, sizeof path - 1);
  if (n <= 0) return 0;
  path[n] = '\0';
  size_t len = strlen(dir);
  return strncmp(path, dir, len) == 0 && (path[len] == '/' || path[len] == '\0');
}

static void count_failure(void) {
  const char* control = env_or_null("SLUICE_ENOSPC_CONTROL");
  char path[4096];
  snprintf(path, sizeof path, "%s.count", control);
  int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return;
  (void)raw_write(fd, "x", 1);
  close(fd);
}

/* For a write of `n` bytes on `fd`: -1 to go on normally, else the number of
 * bytes to write before returning (0: fail with *err). */
static long write_verdict(int fd, size_t n, int* err) {
  enum mode m = current_mode();
  if (m == kNone) {
    if (fd >= 0 && fd < kMaxFds) partial_done[fd] = 0;
    return -1;
  }
  if (m == kSync || !under_dir(fd)) return -1;
  if (m == kFull && n >= 2 && fd >= 0 && fd < kMaxFds && !partial_done[fd]) {
    partial_done[fd] = 1;
    return (long)(n / 2);
  }
  *err = m == kEio ? EIO : ENOSPC;
  count_failure();
  return 0;
}

/* For a sync or allocation on `fd`: 0 to go on, else the errno to fail with. */
static int sync_verdict(int fd, int is_sync) {
  enum mode m = current_mode();
  if (m == kNone || !under_dir(fd)) return 0;
  if (m == kSync && !is_sync) return 0;
  count_failure();
  return m == kFull ? ENOSPC : EIO;
}

ssize_t write(int fd, const void* buf, size_t n) {
  int err = 0;
  long v = write_verdict(fd, n, &err);
  if (v < 0) return raw_write(fd, buf, n);
  if (v == 0) return errno = err, -1;
  return raw_write(fd, buf, (size_t)v);
}

ssize_t pwrite(int fd, const void* buf, size_t n, off_t off) {
  static ssize_t (*real)(int, const void*, size_t, off_t);
  if (real == NULL) real = (ssize_t(*)(int, const void*, size_t, off_t))next_symbol("pwrite");
  int err = 0;
  long v = write_verdict(fd, n, &err);
  if (v < 0) return real(fd, buf, n, off);
  if (v == 0) return errno = err, -1;
  return real(fd, buf, (size_t)v, off);
}

ssize_t pwrite64(int fd, const void* buf, size_t n, off_t off) {
  static ssize_t (*real)(int, const void*, size_t, off_t);
  if (real == NULL) real = (ssize_t(*)(int, const void*, size_t, off_t))next_symbol("pwrite64");
  int err = 0;
  long v = write_verdict(fd, n, &err);
  if (v < 0) return real(fd, buf, n, off);
  if (v == 0) return errno = err, -1;
  return real(fd, buf, (size_t)v, off);
}

static size_t iov_bytes(const struct iovec* iov, int count) {
  size_t n = 0;
  for (int i = 0; i < count; ++i) n += iov[i].iov_len;
  return n;
}

/* Vectored writes fail whole while full (no short count). */
ssize_t writev(int fd, const struct iovec* iov, int count) {
  static ssize_t (*real)(int, const struct iovec*, int);
  if (real == NULL) real = (ssize_t(*)(int, const struct iovec*, int))next_symbol("writev");
  int err = 0;
  if (write_verdict(fd, 0, &err) >= 0 && iov_bytes(iov, count) > 0) return errno = err, -1;
  return real(fd, iov, count);
}

ssize_t pwritev(int fd, const struct iovec* iov, int count, off_t off) {
  static ssize_t (*real)(int, const struct iovec*, int, off_t);
  if (real == NULL) real = (ssize_t(*)(int, const struct iovec*, int, off_t))next_symbol("pwritev");
  int err = 0;
  if (write_verdict(fd, 0, &err) >= 0 && iov_bytes(iov, count) > 0) return errno = err, -1;
  return real(fd, iov, count, off);
}

int fsync(int fd) {
  static int (*real)(int);
  if (real == NULL) real = (int (*)(int))next_symbol("fsync");
  int err = sync_verdict(fd, 1);
  if (err != 0) return errno = err, -1;
  return real(fd);
}

int fdatasync(int fd) {
  static int (*real)(int);
  if (real == NULL) real = (int (*)(int))next_symbol("fdatasync");
  int err = sync_verdict(fd, 1);
  if (err != 0) return errno = err, -1;
  return real(fd);
}

int fallocate(int fd, int mode, off_t off, off_t len) {
  static int (*real)(int, int, off_t, off_t);
  if (real == NULL) real = (int (*)(int, int, off_t, off_t))next_symbol("fallocate");
  int err = sync_verdict(fd, 0);
  if (err != 0) return errno = err, -1;
  return real(fd, mode, off, len);
}

int posix_fallocate(int fd, off_t off, off_t len) {
  static int (*real)(int, off_t, off_t);
  if (real == NULL) real = (int (*)(int, off_t, off_t))next_symbol("posix_fallocate");
  int err = sync_verdict(fd, 0);
  return err != 0 ? err : real(fd, off, len);
}
