// The REST plugin's HTTP transport: a Pistache endpoint whose handler turns
// each request into an HttpRequest for RestService and writes its
// HttpResponse back. Also owns the connection rules Pistache leaves to
// the application: persistent connections by HTTP version (HTTP/1.1 keeps
// the connection open unless the client sends "Connection: close"; HTTP/1.0
// only with "Connection: keep-alive"), closing the connection after a
// "close" answer, and refusing bodies over max_body_bytes as soon as the
// headers announce them.
//
//   HttpServer server(service);
//   std::string address;
//   Status s = server.Start(&address);   // "http://127.0.0.1:8080"
//   ...
//   server.Stop();
#ifndef SLUICE_PLUGINS_API_REST_HTTP_SERVER_H_
#define SLUICE_PLUGINS_API_REST_HTTP_SERVER_H_

#include <memory>
#include <mutex>
#include <string>

#include "rest_service.h"
#include "sluice/host_services.h"
#include "sluice/status.h"

namespace Pistache::Http {
class Endpoint;
}

namespace sluice::rest {

struct ServerState;

class HttpServer {
 public:
  // Serves `service` with its options (host, port, threads,
  // max_body_bytes). Does not listen until Start().
  HttpServer(std::shared_ptr<RestService> service, HostServices log);
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  // Stops serving (see Stop()).
  ~HttpServer();

  // Binds, starts the server threads and returns once listening; *address
  // gets "http://HOST:PORT" with the port actually bound (useful with port
  // 0). UNAVAILABLE when the address cannot be bound (in use, not local),
  // INVALID_ARGUMENT when the host is not an address, FAILED_PRECONDITION
  // when already started.
  Status Start(std::string* address);

  // Waits (up to 10 s) for requests in flight to be answered, then stops
  // listening and joins the server threads. Idempotent; thread-safe.
  void Stop();

 private:
  std::shared_ptr<ServerState> state_;
  HostServices log_;
  std::mutex mu_;  // serializes Start/Stop
  std::unique_ptr<Pistache::Http::Endpoint> endpoint_;
};

}  // namespace sluice::rest

#endif  // SLUICE_PLUGINS_API_REST_HTTP_SERVER_H_
