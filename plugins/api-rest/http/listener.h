// The REST plugin's listening sockets (TCP, optionally with TLS, and a unix
// socket for admin) and the connection limits checked when a connection is
// accepted: in total and per client address.
//
//   ListenSocket tcp;
//   Status s = OpenTcpListener("127.0.0.1", 0, /*tls=*/false, &tcp);   // tcp.address
//   "http://127.0.0.1:41234" ListenSocket admin; s = OpenUnixListener("/run/sluice/admin.sock",
//   &admin);              // admin.address "unix:/run/..."
#ifndef SLUICE_PLUGINS_API_REST_HTTP_LISTENER_H_
#define SLUICE_PLUGINS_API_REST_HTTP_LISTENER_H_

#include <sys/socket.h>

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "rest_service.h"
#include "sluice/status.h"

namespace sluice::rest::http {

struct ListenSocket {
  int fd = -1;
  Listener kind = Listener::kData;
  bool tls = false;
  std::string address;    // "http://HOST:PORT", "https://HOST:PORT" or "unix:PATH"
  std::string unix_path;  // removed by Close()
};

// Binds and listens on host:port (non-blocking, close-on-exec, SO_REUSEADDR).
// INVALID_ARGUMENT when `host` is not an address or resolvable name,
// UNAVAILABLE when it cannot be bound (in use, not local).
Status OpenTcpListener(const std::string& host, uint16_t port, bool tls, ListenSocket* out);

// Binds and listens on a unix socket at `path` with mode 0660. A stale
// socket file (nothing listening) is replaced; UNAVAILABLE when a server
// answers there; INVALID_ARGUMENT when `path` is something else or too long.
Status OpenUnixListener(const std::string& path, ListenSocket* out);

// Closes the socket and removes a unix socket's file. Idempotent.
void CloseListener(ListenSocket* socket);

// The text of a peer address without its port ("192.0.2.7", "::1",
// "unix"); IPv4-mapped IPv6 addresses as IPv4.
std::string PeerAddress(const sockaddr_storage& addr, socklen_t len);
// True for 127.0.0.0/8 and ::1.
bool IsLoopbackAddress(const std::string& peer);

// Open connections in total and per peer address, against the limits
// max_connections and max_connections_per_client (0 = none). Thread-safe.
class ConnectionLimiter {
 public:
  ConnectionLimiter(uint32_t max_total, uint32_t max_per_client)
      : max_total_(max_total), max_per_client_(max_per_client) {}

  enum class Verdict { kAdmitted, kTooMany, kTooManyFromClient };
  // Counts a new connection from `peer` unless a limit is reached. Unix
  // socket peers ("unix") count in the total only.
  Verdict Admit(const std::string& peer);
  // The connection from `peer` closed.
  void Release(const std::string& peer);

 private:
  const uint32_t max_total_;
  const uint32_t max_per_client_;
  std::mutex mu_;
  uint32_t total_ = 0;
  std::unordered_map<std::string, uint32_t> per_client_;
};

}  // namespace sluice::rest::http

#endif  // SLUICE_PLUGINS_API_REST_HTTP_LISTENER_H_
