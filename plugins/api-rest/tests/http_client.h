// A tiny blocking HTTP/1.1 client over POSIX sockets for the REST plugin's
// tests: sends raw request text, reads the status line, headers and a
// Content-Length body, and can tell whether the server closed the
// connection. Every read times out after 5 s so a broken server fails the
// test instead of hanging it.
#ifndef SLUICE_PLUGINS_API_REST_TESTS_HTTP_CLIENT_H_
#define SLUICE_PLUGINS_API_REST_TESTS_HTTP_CLIENT_H_

#include <cstdint>
#include <map>
#include <string>

namespace sluice::rest::testing {

struct HttpReply {
  int status = 0;
  std::string version;                         // "HTTP/1.1"
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;

  // The header's value, or "" when absent (`name` in lower case).
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

class HttpConnection {
 public:
  HttpConnection() = default;
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // Connects to 127.0.0.1:port; with `receive_buffer` > 0, the socket's
  // receive buffer is that small (a slow client); with `source`, from that
  // local address (another loopback address makes another client). False
  // with errno text in error().
  bool Connect(uint16_t port, int receive_buffer = 0, const char* source = nullptr);
  // Connects to the unix socket at `path`.
  bool ConnectUnix(const std::string& path);
  bool Send(const std::string& raw);
  // Reads one response. False on timeout, malformed input or EOF first.
  // `no_body`: the answer to a HEAD request (Content-Length, but no body).
  bool Read(HttpReply* reply, bool no_body = false);
  // Connect(port), Send(raw) and Read(reply) in one: one request on a new
  // connection that stays open. False when a step failed (why in error()).
  bool Ask(uint16_t port, const std::string& raw, HttpReply* reply);
  // True when the server closes the connection within `timeout_ms` (any
  // bytes received first make it false).
  bool ClosedByPeer(int timeout_ms);
  // Everything the server sends until it closes the connection (or a read
  // times out).
  std::string ReadUntilClosed();
  const std::string& error() const { return error_; }

 private:
  bool Fill();  // reads more bytes into buffer_
  int fd_ = -1;
  std::string buffer_;
  std::string error_;
};

// Builds request text: "METHOD target HTTP/1.1", Host, Content-Length when
// there is a body or the method is POST or PUT, then `extra_headers` (each ending in "\r\n").
std::string RequestText(const std::string& method, const std::string& target,
                        const std::string& body = "", const std::string& extra_headers = "");

// One request on a fresh connection, with `extra_headers` as RequestText
// takes them. status 0 when it failed.
HttpReply Fetch(uint16_t port, const std::string& method, const std::string& target,
                const std::string& body = "", const std::string& extra_headers = "");
// The same over the unix socket at `path`, with extra header lines.
HttpReply FetchUnix(const std::string& path, const std::string& method, const std::string& target,
                    const std::string& body = "", const std::string& extra_headers = "");

// A unix socket path for a test's server, unique in this process.
std::string TestSocketPath();

}  // namespace sluice::rest::testing

#endif  // SLUICE_PLUGINS_API_REST_TESTS_HTTP_CLIENT_H_
