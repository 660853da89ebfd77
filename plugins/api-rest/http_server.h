// The REST plugin's HTTP/1.1 server: listeners (TCP with or without TLS, and
// a unix socket for admin), `threads` event loops that parse and answer
// requests, and a worker pool that runs queries (plugins/api-rest/http/).
// docs/rest-transport.md describes the rules it applies.
//
//   HttpServer server(service, log);
//   std::vector<std::string> addresses;
//   Status s = server.Start(&addresses);   // {"http://127.0.0.1:8080", "unix:/run/sluice.sock"}
//   ...
//   server.Reload();                       // re-reads the TLS certificate and key
//   server.Stop();                         // bounded by shutdown_grace_ms
#ifndef SLUICE_PLUGINS_API_REST_HTTP_SERVER_H_
#define SLUICE_PLUGINS_API_REST_HTTP_SERVER_H_

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "rest_service.h"
#include "sluice/host_services.h"
#include "sluice/status.h"

namespace sluice::rest {

namespace http {
struct ServerContext;
struct ListenSocket;
class EventLoop;
class RequestHandler;
}  // namespace http

class HttpServer {
 public:
  // Serves `service` with its options. Does not listen until Start().
  // The transport's counters are appended to the service's /metrics.
  HttpServer(std::shared_ptr<RestService> service, HostServices log);
  // Serves any handler with `options` (tests, the fuzzer).
  HttpServer(std::shared_ptr<http::RequestHandler> handler, RestOptions options, HostServices log);
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  // Stops serving (see Stop()).
  ~HttpServer();

  // Loads TLS (when configured), binds every listener, starts the threads
  // and returns once listening; appends each address served ("http://HOST:PORT"
  // with the port bound, "https://...", "unix:PATH"). INVALID_ARGUMENT for a
  // bad host, socket path or TLS file, UNAVAILABLE when an address cannot be
  // bound, FAILED_PRECONDITION when already started.
  Status Start(std::vector<std::string>* addresses);

  // Stops accepting, closes idle connections, answers the requests in
  // flight (with "Connection: close") and waits for them up to
  // shutdown_grace_ms; then cancels and abandons what still runs, closes
  // every connection and joins the event loops. Returns within the grace
  // period plus a few milliseconds. Idempotent; thread-safe.
  void Stop();

  // Re-reads the TLS certificate and key (new connections use them); on
  // error keeps the current ones and returns why. OK without TLS.
  Status Reload();

  // The transport's metrics in Prometheus text ("" when not started).
  std::string MetricsText();

 private:
  std::shared_ptr<RestService> service_;  // null when serving another handler
  std::shared_ptr<http::RequestHandler> handler_;
  RestOptions options_;
  HostServices log_;
  std::mutex mu_;  // serializes Start/Stop/Reload
  std::shared_ptr<http::ServerContext> ctx_;
  std::vector<std::unique_ptr<http::EventLoop>> loops_;
  std::unique_ptr<std::vector<http::ListenSocket>> listeners_;
};

}  // namespace sluice::rest

#endif  // SLUICE_PLUGINS_API_REST_HTTP_SERVER_H_
