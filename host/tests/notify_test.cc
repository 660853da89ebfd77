// ServiceNotifier (service/notify.h) against a real datagram socket: what
// the service manager receives, when the watchdog runs and for whom, the
// unhealthy stop, and a socket that is gone. test_service.py checks the
// same through the binary; these check the rules themselves.
#include "service/notify.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>

#include "tests/test_util.h"

namespace sluice::host {
namespace {

// A bound AF_UNIX datagram socket in a temporary directory.
class Listener {
 public:
  explicit Listener(const std::filesystem::path& dir) : path_((dir / "notify.sock").string()) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path_.c_str());
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  }
  ~Listener() { ::close(fd_); }
  const std::string& path() const { return path_; }
  // The next datagram, waiting up to 30 s ("" when none came).
  std::string Receive() {
    timeval tv{30, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[4096];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
  }

 private:
  std::string path_;
  int fd_ = -1;
};

TEST(NotifyTest, StatesArriveAsOneDatagram) {
  testing::TempDir tmp;
  Listener l(tmp.path());
  ServiceNotifier n(l.path(), "", "");
  EXPECT_TRUE(n.enabled());
  EXPECT_EQ(n.watchdog_interval().count(), 0);
  ASSERT_TRUE(n.Send("READY=1\nSTATUS=serving").ok());
  EXPECT_EQ(l.Receive(), "READY=1\nSTATUS=serving");
  EXPECT_EQ(MonotonicUsecField().rfind("MONOTONIC_USEC=", 0), 0u);
}

TEST(NotifyTest, WithoutASocketNothingIsSent) {
  ServiceNotifier n("", "100000", "");
  EXPECT_FALSE(n.enabled());
  EXPECT_EQ(n.watchdog_interval().count(), 0);
  EXPECT_TRUE(n.Send("READY=1").ok());
  n.StartWatchdog();  // does nothing
}

TEST(NotifyTest, TheWatchdogIsOursOnlyForOurPidAndAPositiveInterval) {
  testing::TempDir tmp;
  Listener l(tmp.path());
  const std::string me = std::to_string(::getpid());
  EXPECT_EQ(ServiceNotifier(l.path(), "200000", "").watchdog_interval().count(), 200000);
  EXPECT_EQ(ServiceNotifier(l.path(), "200000", me).watchdog_interval().count(), 200000);
  EXPECT_EQ(ServiceNotifier(l.path(), "200000", "1").watchdog_interval().count(), 0);
  EXPECT_EQ(ServiceNotifier(l.path(), "200000", "pid").watchdog_interval().count(), 0);
  EXPECT_EQ(ServiceNotifier(l.path(), "0", "").watchdog_interval().count(), 0);
  EXPECT_EQ(ServiceNotifier(l.path(), "-5", "").watchdog_interval().count(), 0);
  EXPECT_EQ(ServiceNotifier(l.path(), "10ms", "").watchdog_interval().count(), 0);
  // A relative path is no notification socket: ignored, nothing enabled.
  EXPECT_FALSE(ServiceNotifier("relative.sock", "", "").enabled());
}

TEST(NotifyTest, WatchdogPingsUntilUnhealthyThenSaysWhy) {
  testing::TempDir tmp;
  Listener l(tmp.path());
  ServiceNotifier n(l.path(), "2000", "");  // a ping every millisecond
  std::atomic<int> checks{0};
  n.SetHealthCheck([&](std::string* why) {
    if (++checks <= 3) return true;
    *why = "the cache builder stopped";
    return false;
  });
  n.StartWatchdog();
  // In order: pings while healthy, then the reason, then nothing more.
  std::vector<std::string> got;
  for (std::string m = l.Receive(); !m.empty(); m = l.Receive()) {
    got.push_back(m);
    if (m.rfind("STATUS=", 0) == 0) break;
  }
  n.StopWatchdog();
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got.back(), "STATUS=unhealthy: the cache builder stopped");
  got.pop_back();
  EXPECT_EQ(got, std::vector<std::string>(3, "WATCHDOG=1"));
}

TEST(NotifyTest, ASocketThatIsGoneIsUnavailableNamingIt) {
  testing::TempDir tmp;
  std::string path;
  {
    Listener l(tmp.path());
    path = l.path();
  }
  std::filesystem::remove(path);
  ServiceNotifier n(path, "", "");
  Status s = n.Send("READY=1");
  EXPECT_EQ(s.code(), Code::kUnavailable);
  EXPECT_EQ(s.message().rfind("notify: sending to " + path + ": ", 0), 0u) << s.message();
  n.Notify("READY=1");  // logged, never fatal
}

}  // namespace
}  // namespace sluice::host
