#include "service/notify.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>

#include "util/log.h"

namespace sluice::host {
namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

// Parses a positive decimal integer; false for anything else.
bool ParsePositive(std::string_view text, uint64_t* out) {
  if (text.empty() || text.size() > 19) return false;
  uint64_t n = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  *out = n;
  return n > 0;
}

// Fills *addr for `socket` ("/path" or "@abstract"); false with *why when
// the name cannot be used.
bool SocketAddress(const std::string& socket, sockaddr_un* addr, socklen_t* len, std::string* why) {
  std::memset(addr, 0, sizeof *addr);
  addr->sun_family = AF_UNIX;
  if (socket[0] != '/' && socket[0] != '@') {
    *why = "expected an absolute path or @name, found \"" + socket + "\"";
    return false;
  }
  if (socket.size() >= sizeof addr->sun_path) {
    *why = "socket name of " + std::to_string(socket.size()) + " bytes exceeds the limit of " +
           std::to_string(sizeof addr->sun_path - 1);
    return false;
  }
  std::memcpy(addr->sun_path, socket.data(), socket.size());
  if (socket[0] == '@') addr->sun_path[0] = '\0';  // abstract namespace: no terminator counted
  *len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket.size() +
                                (socket[0] == '@' ? 0 : 1));
  return true;
}

}  // namespace

std::string MonotonicUsecField() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  uint64_t usec =
      static_cast<uint64_t>(ts.tv_sec) * 1000000u + static_cast<uint64_t>(ts.tv_nsec) / 1000u;
  return "MONOTONIC_USEC=" + std::to_string(usec);
}

ServiceNotifier::ServiceNotifier()
    : ServiceNotifier(Env("NOTIFY_SOCKET"), Env("WATCHDOG_USEC"), Env("WATCHDOG_PID")) {}

ServiceNotifier::ServiceNotifier(std::string socket, std::string_view watchdog_usec,
                                 std::string_view watchdog_pid)
    : socket_(std::move(socket)) {
  if (socket_.empty()) return;
  sockaddr_un addr;
  socklen_t len = 0;
  std::string why;
  if (!SocketAddress(socket_, &addr, &len, &why)) {
    log::Warn("service", "NOTIFY_SOCKET ignored", {{"reason", why}});
    socket_.clear();
    return;
  }
  if (watchdog_usec.empty()) return;
  uint64_t usec = 0, pid = 0;
  if (!ParsePositive(watchdog_usec, &usec)) {
    log::Warn("service", "WATCHDOG_USEC ignored: expected a positive integer (microseconds)",
              {{"found", watchdog_usec}});
    return;
  }
  if (!watchdog_pid.empty()) {
    if (!ParsePositive(watchdog_pid, &pid)) {
      log::Warn("service", "WATCHDOG_PID ignored: expected a process id",
                {{"found", watchdog_pid}});
      return;
    }
    if (pid != static_cast<uint64_t>(getpid())) return;  // the watchdog is another process's
  }
  watchdog_ = std::chrono::microseconds(usec);
}

ServiceNotifier::~ServiceNotifier() { StopWatchdog(); }

Status ServiceNotifier::Send(std::string_view state) const {
  if (socket_.empty()) return Status();
  sockaddr_un addr;
  socklen_t len = 0;
  std::string why;
  if (!SocketAddress(socket_, &addr, &len, &why)) return Unavailable("NOTIFY_SOCKET: " + why);
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return IoError("notify: socket(AF_UNIX, SOCK_DGRAM)", errno);
  ssize_t n = ::sendto(fd, state.data(), state.size(), MSG_NOSIGNAL,
                       reinterpret_cast<const sockaddr*>(&addr), len);
  int err = errno;
  ::close(fd);
  if (n < 0) return Unavailable("notify: sending to " + socket_ + ": " + std::strerror(err));
  return Status();
}

void ServiceNotifier::Notify(std::string_view state) const {
  Status s = Send(state);
  if (!s.ok()) log::Warn("service", "cannot notify the service manager", {{"error", s.message()}});
}

void ServiceNotifier::StartWatchdog() {
  if (watchdog_.count() == 0 || thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = false;
  }
  log::Info("service", "watchdog enabled",
            {{"interval_ms", std::to_string(watchdog_.count() / 2000)}});
  thread_ = std::thread([this] { WatchdogLoop(); });
}

void ServiceNotifier::SetHealthCheck(HealthCheck check) {
  std::lock_guard<std::mutex> lock(mu_);
  check_ = std::move(check);
}

void ServiceNotifier::StopWatchdog() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ServiceNotifier::WatchdogLoop() {
  bool healthy = true;
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    std::string why;
    HealthCheck check = check_;
    lock.unlock();
    bool ok = !check || check(&why);
    if (ok) {
      Notify("WATCHDOG=1");
      if (!healthy) log::Info("service", "healthy again; watchdog pings resume");
    } else if (healthy) {
      log::Error("service", "unhealthy: watchdog pings stop", {{"reason", why}});
      Notify("STATUS=unhealthy: " + why);
    }
    healthy = ok;
    lock.lock();
    cv_.wait_for(lock, watchdog_ / 2, [this] { return stop_; });
  }
}

}  // namespace sluice::host
