#include "http/listener.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sluice::rest::http {

namespace {

constexpr int kBacklog = 4096;

std::string HostForUrl(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

std::string Errno(int e) { return std::strerror(e); }

}  // namespace

Status OpenTcpListener(const std::string& host, uint16_t port, bool tls, ListenSocket* out) {
  std::string where = HostForUrl(host) + ":" + std::to_string(port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
  if (rc != 0 || found == nullptr)
    return InvalidArgument("rest: cannot listen on " + where + ": " + ::gai_strerror(rc) +
                           "; set the rest option host to an address such as 127.0.0.1");
  int fd = ::socket(found->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int err = errno;
  if (fd >= 0) {
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, found->ai_addr, found->ai_addrlen) != 0 || ::listen(fd, kBacklog) != 0) {
      err = errno;
      ::close(fd);
      fd = -1;
    }
  }
  ::freeaddrinfo(found);
  if (fd < 0)
    return Unavailable("rest: cannot listen on " + where + ": " + Errno(err) +
                       "; free the port or set the rest option port (0 picks a free one)");
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
  uint16_t actual =
      ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                        : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  out->fd = fd;
  out->kind = Listener::kData;
  out->tls = tls;
  out->address =
      std::string(tls ? "https://" : "http://") + HostForUrl(host) + ":" + std::to_string(actual);
  return Status();
}

Status OpenUnixListener(const std::string& path, ListenSocket* out) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof addr.sun_path)
    return InvalidArgument("rest option admin_socket_path: '" + path + "' must be 1 to " +
                           std::to_string(sizeof addr.sun_path - 1) + " bytes long");
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode))
      return InvalidArgument("rest option admin_socket_path: " + path +
                             " exists and is not a socket; remove it or choose another path");
    int probe = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    bool live =
        probe >= 0 && ::connect(probe, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    if (probe >= 0) ::close(probe);
    if (live)
      return Unavailable("rest: cannot listen on unix:" + path +
                         ": another server answers there; stop it or choose another path");
    ::unlink(path.c_str());  // stale: its server is gone
  }
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Unavailable("rest: cannot make a unix socket: " + Errno(errno));
  // Nobody can connect before listen(), so the mode is set before anyone can.
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::chmod(path.c_str(), 0660) != 0 || ::listen(fd, kBacklog) != 0) {
    int err = errno;
    ::close(fd);
    return Unavailable("rest: cannot listen on unix:" + path + ": " + Errno(err) +
                       "; check that its directory exists and is writable");
  }
  out->fd = fd;
  out->kind = Listener::kAdmin;
  out->tls = false;
  out->address = "unix:" + path;
  out->unix_path = path;
  return Status();
}

void CloseListener(ListenSocket* socket) {
  if (socket->fd >= 0) ::close(socket->fd);
  socket->fd = -1;
  if (!socket->unix_path.empty()) ::unlink(socket->unix_path.c_str());
  socket->unix_path.clear();
}

std::string PeerAddress(const sockaddr_storage& addr, socklen_t len) {
  char text[INET6_ADDRSTRLEN] = "";
  if (addr.ss_family == AF_UNIX || len == 0) return "unix";
  if (addr.ss_family == AF_INET) {
    ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(addr).sin_addr, text, sizeof text);
  } else if (addr.ss_family == AF_INET6) {
    const in6_addr& a6 = reinterpret_cast<const sockaddr_in6&>(addr).sin6_addr;
    if (IN6_IS_ADDR_V4MAPPED(&a6)) ::inet_ntop(AF_INET, &a6.s6_addr[12], text, sizeof text);
    else ::inet_ntop(AF_INET6, &a6, text, sizeof text);
  }
  return text;
}

bool IsLoopbackAddress(const std::string& peer) {
  return peer.rfind("127.", 0) == 0 || peer == "::1";
}

ConnectionLimiter::Verdict ConnectionLimiter::Admit(const std::string& peer) {
  std::lock_guard<std::mutex> lock(mu_);
  if (total_ >= max_total_) return Verdict::kTooMany;
  if (peer != "unix") {
    uint32_t& mine = per_client_[peer];
    if (max_per_client_ != 0 && mine >= max_per_client_) {
      if (mine == 0) per_client_.erase(peer);
      return Verdict::kTooManyFromClient;
    }
    ++mine;
  }
  ++total_;
  return Verdict::kAdmitted;
}

void ConnectionLimiter::Release(const std::string& peer) {
  std::lock_guard<std::mutex> lock(mu_);
  if (total_ > 0) --total_;
  if (peer == "unix") return;
  auto it = per_client_.find(peer);
  if (it == per_client_.end()) return;
  if (--it->second == 0) per_client_.erase(it);
}

}  // namespace sluice::rest::http
