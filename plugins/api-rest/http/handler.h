// What the HTTP transport serves: a handler that answers parsed requests.
// The REST plugin's handler is RestService (through HttpServer); tests and
// the fuzzer may plug in their own.
#ifndef SLUICE_PLUGINS_API_REST_HTTP_HANDLER_H_
#define SLUICE_PLUGINS_API_REST_HTTP_HANDLER_H_

#include <string>
#include <string_view>

#include "rest_service.h"

namespace sluice::rest::http {

class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  // Answers `request` (never throws on purpose; an exception is answered
  // 500 by the transport). Runs on an event loop, or on a worker when
  // RunsOnWorker() said so. Thread-safe.
  virtual void Handle(const HttpRequest& request, HttpResponse* response) = 0;
  // True when `request` may take long (a query): it then runs on the
  // worker pool. Sets *route and *endpoint (metrics labels). Must be cheap.
  virtual bool RunsOnWorker(const HttpRequest& request, std::string_view* route,
                            std::string* endpoint) = 0;
  // Counts a request answered without Handle() (refused by the transport).
  virtual void Record(std::string_view method, std::string_view route, std::string_view endpoint,
                      int status) = 0;
};

}  // namespace sluice::rest::http

#endif  // SLUICE_PLUGINS_API_REST_HTTP_HANDLER_H_
