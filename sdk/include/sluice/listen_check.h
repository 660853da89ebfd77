// Whether a TCP address can be listened on right now, for API plugins'
// option checks (SLUICE_CHECK_LISTEN, sluice/plugin.h): a port taken by
// another process is then reported with the config's other problems,
// before the host writes anything. Header-only; POSIX sockets.
//
//   sluice::OptionProblem p;
//   if (sluice::ListenOptionProblem("port", "127.0.0.1", 8080, &p)) problems->push_back(p);
//   sluice::CheckListenOptions(options, flags, &ParseMyOptions, problems);  // the same, parsed
#ifndef SLUICE_LISTEN_CHECK_H_
#define SLUICE_LISTEN_CHECK_H_

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "sluice/option_spec.h"
#include "sluice/options.h"
#include "sluice/status.h"

namespace sluice {

// Binds host:port as a server would (SO_REUSEADDR, so that connections in
// TIME_WAIT do not count) and releases it at once. Returns "" when that
// worked or when port is 0 (the system picks a free port), else why not:
// "127.0.0.1:8080 is in use by another process (Address already in use)"
// or "cannot resolve host 'x': ...". *in_use (when given) is set to true
// when another process holds the address (EADDRINUSE). The port may still be
// taken between this check and the server's own bind; the server then fails
// as before.
inline std::string ListenProblem(const std::string& host, uint16_t port, bool* in_use = nullptr) {
  if (in_use != nullptr) *in_use = false;
  if (port == 0) return "";
  std::string where =
      (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  std::string service = std::to_string(port);
  int rc = ::getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &found);
  if (rc != 0) return "cannot resolve host '" + host + "': " + ::gai_strerror(rc);
  std::string why;
  for (addrinfo* a = found; a != nullptr && why.empty(); a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    int one = 1;
    (void)::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, a->ai_addr, a->ai_addrlen) != 0) {
      int err = errno;
      if (in_use != nullptr) *in_use = err == EADDRINUSE;
      why = where +
            (err == EADDRINUSE ? " is in use by another process"
             : err == EACCES   ? " needs privileges to listen on"
                               : " cannot be listened on") +
            " (" + std::strerror(err) + ")";
    }
    ::close(fd);
  }
  ::freeaddrinfo(found);
  return why;
}

// ListenProblem as the problem of option `key` (the key as given, "" when
// the address is the default one): kind kInUse when another process holds
// the address, kValue otherwise. False when there is no problem.
inline bool ListenOptionProblem(const std::string& key, const std::string& host, uint16_t port,
                                OptionProblem* out) {
  bool in_use = false;
  std::string why = ListenProblem(host, port, &in_use);
  if (why.empty()) return false;
  *out = {key, std::move(why), in_use ? OptionProblemKind::kInUse : OptionProblemKind::kValue};
  return true;
}

// The listen check of a server plugin's CheckOptions (sluice/plugin.h):
// with SLUICE_CHECK_LISTEN in `flags`, parses `options` with `parse` (which
// fills a struct with `host` and `port` members) and adds the problem of
// option "port" (or "" when the port is the default) when host:port cannot
// be listened on. Options that do not parse add nothing: Create() says why.
template <class ServerOptions>
void CheckListenOptions(const Options& options, uint32_t flags,
                        Status (*parse)(const Options&, ServerOptions*),
                        std::vector<OptionProblem>* out) {
  if ((flags & SLUICE_CHECK_LISTEN) == 0) return;
  ServerOptions o;
  if (!parse(options, &o).ok()) return;
  OptionProblem p;
  if (ListenOptionProblem(options.Has("port") ? "port" : "", o.host, o.port, &p))
    out->push_back(std::move(p));
}

}  // namespace sluice

#endif  // SLUICE_LISTEN_CHECK_H_
