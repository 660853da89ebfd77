#include "http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace sluice::rest::testing {

namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(' '), e = s.find_last_not_of(' ');
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

}  // namespace

HttpConnection::~HttpConnection() {
  if (fd_ >= 0) ::close(fd_);
}

bool HttpConnection::Connect(uint16_t port, int receive_buffer, const char* source) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (receive_buffer > 0)
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
  if (source != nullptr) {
    sockaddr_in local{};
    local.sin_family = AF_INET;
    ::inet_pton(AF_INET, source, &local.sin_addr);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
      error_ = std::string("bind ") + source + ": " + std::strerror(errno);
      return false;
    }
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{5, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    error_ = std::string("connect: ") + std::strerror(errno);
    return false;
  }
  return true;
}

bool HttpConnection::Ask(uint16_t port, const std::string& raw, HttpReply* reply) {
  return Connect(port) && Send(raw) && Read(reply);
}

bool HttpConnection::ConnectUnix(const std::string& path) {
  fd_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  timeval tv{5, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    error_ = std::string("connect ") + path + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

bool HttpConnection::Send(const std::string& raw) {
  size_t done = 0;
  while (done < raw.size()) {
    ssize_t n = ::send(fd_, raw.data() + done, raw.size() - done, MSG_NOSIGNAL);
    if (n <= 0) {
      error_ = std::string("send: ") + std::strerror(errno);
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

bool HttpConnection::Fill() {
  char buf[16384];
  ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
  if (n <= 0) {
    error_ =
        n == 0 ? "connection closed by the server" : std::string("recv: ") + std::strerror(errno);
    return false;
  }
  buffer_.append(buf, static_cast<size_t>(n));
  return true;
}

bool HttpConnection::Read(HttpReply* reply, bool no_body) {
  size_t end;
  while ((end = buffer_.find("\r\n\r\n")) == std::string::npos)
    if (!Fill()) return false;
  std::string head = buffer_.substr(0, end + 2);
  buffer_.erase(0, end + 4);
  size_t line_end = head.find("\r\n");
  std::string status_line = head.substr(0, line_end);
  size_t sp = status_line.find(' ');
  if (sp == std::string::npos) {
    error_ = "bad status line: " + status_line;
    return false;
  }
  *reply = HttpReply();
  reply->version = status_line.substr(0, sp);
  reply->status = std::atoi(status_line.c_str() + sp + 1);
  for (size_t at = line_end + 2; at < head.size();) {
    size_t next = head.find("\r\n", at);
    std::string line = head.substr(at, next - at);
    size_t colon = line.find(':');
    if (colon != std::string::npos)
      reply->headers[Lower(line.substr(0, colon))] = Trim(line.substr(colon + 1));
    at = next + 2;
  }
  size_t length = std::strtoul(reply->header("content-length").c_str(), nullptr, 10);
  if (no_body) length = 0;
  while (buffer_.size() < length)
    if (!Fill()) return false;
  reply->body = buffer_.substr(0, length);
  buffer_.erase(0, length);
  return true;
}

bool HttpConnection::ClosedByPeer(int timeout_ms) {
  if (!buffer_.empty()) return false;
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, timeout_ms) <= 0) return false;
  char c;
  ssize_t n = ::recv(fd_, &c, 1, MSG_DONTWAIT);
  return n == 0 || (n < 0 && errno == ECONNRESET);
}

std::string HttpConnection::ReadUntilClosed() {
  std::string out = std::move(buffer_);
  buffer_.clear();
  while (Fill()) out += buffer_, buffer_.clear();
  return out;
}

std::string RequestText(const std::string& method, const std::string& target,
                        const std::string& body, const std::string& extra_headers) {
  std::string r = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  if (!body.empty() || method == "POST" || method == "PUT")
    r += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  return r + extra_headers + "\r\n" + body;
}

HttpReply Fetch(uint16_t port, const std::string& method, const std::string& target,
                const std::string& body, const std::string& extra_headers) {
  HttpConnection c;
  HttpReply reply;
  if (!c.Ask(port, RequestText(method, target, body, extra_headers), &reply)) reply.status = 0;
  return reply;
}

HttpReply FetchUnix(const std::string& path, const std::string& method, const std::string& target,
                    const std::string& body, const std::string& extra_headers) {
  HttpConnection c;
  HttpReply reply;
  if (!c.ConnectUnix(path) || !c.Send(RequestText(method, target, body, extra_headers)) ||
      !c.Read(&reply))
    reply.status = 0;
  return reply;
}

std::string TestSocketPath() {
  static std::atomic<int> n{0};
  return "/tmp/sluice-rest-test-" + std::to_string(::getpid()) + "-" + std::to_string(n++) +
         ".sock";
}

}  // namespace sluice::rest::testing
