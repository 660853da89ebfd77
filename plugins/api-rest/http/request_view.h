// Turning a parsed request into the HttpRequest RestService answers (the
// views point into the request's bytes, which must outlive it).
//
//   HttpRequest request;
//   std::vector<std::pair<std::string_view, std::string_view>> headers;
//   FillRequest(bytes, parser.request(), Listener::kData, "192.0.2.7", &headers, &request);
#ifndef SLUICE_PLUGINS_API_REST_HTTP_REQUEST_VIEW_H_
#define SLUICE_PLUGINS_API_REST_HTTP_REQUEST_VIEW_H_

#include <string_view>
#include <utility>
#include <vector>

#include "http/request_parser.h"
#include "rest_service.h"

namespace sluice::rest::http {

// Fills *request from a parsed request whose spans refer to `base`; header
// views go to *headers (reused storage). Query parameters are kept in
// order, repeated ones each time they occur.
void FillRequest(const char* base, const ParsedRequest& parsed, Listener listener,
                 std::string_view peer,
                 std::vector<std::pair<std::string_view, std::string_view>>* headers,
                 HttpRequest* request);

}  // namespace sluice::rest::http

#endif  // SLUICE_PLUGINS_API_REST_HTTP_REQUEST_VIEW_H_
