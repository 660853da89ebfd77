// A TCP port on 127.0.0.1 that a listening socket of the test holds: what
// a port another server listens on looks like to a listen check
// (sluice/listen_check.h). Header-only; POSIX sockets.
//
//   sluice::testing::HeldPort held;
//   ASSERT_NE(held.port(), 0);
//   ... ListenProblem("127.0.0.1", held.port()) says it is in use ...
//   held.Release();   // free again
#ifndef SLUICE_TESTING_HELD_PORT_H_
#define SLUICE_TESTING_HELD_PORT_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>

namespace sluice::testing {

class HeldPort {
 public:
  // Listens on 127.0.0.1 at a free port the system picks; port() is 0 when
  // that failed.
  HeldPort() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd_, 1) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
      Release();
      return;
    }
    port_ = ntohs(a.sin_port);
  }
  ~HeldPort() { Release(); }
  HeldPort(const HeldPort&) = delete;
  HeldPort& operator=(const HeldPort&) = delete;

  // The port held (or held until Release()); 0 when none could be.
  uint16_t port() const { return port_; }
  // Closes the socket: the port is free again. port() still names it.
  void Release() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

}  // namespace sluice::testing

#endif  // SLUICE_TESTING_HELD_PORT_H_
