// Writing answers: the status line and header section of an HttpResponse,
// and complete answers the transport makes itself (refusals, 100 Continue).
//
//   std::string head;
//   AppendHead(response, /*minor_version=*/1, /*keep_alive=*/true, &head);
//   // "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n...\r\n\r\n"
#ifndef SLUICE_PLUGINS_API_REST_HTTP_RESPONSE_HEAD_H_
#define SLUICE_PLUGINS_API_REST_HTTP_RESPONSE_HEAD_H_

#include <string>
#include <string_view>

#include "rest_service.h"

namespace sluice::rest::http {

// The reason phrase of an HTTP status ("Not Found"); "Unknown" for others.
std::string_view ReasonPhrase(int status);

// Appends the status line and headers of `response` to *out: Content-Type
// (application/json unless set), Date, the sluice and auth headers the
// response carries, its extra headers, Connection (Keep-Alive or Close)
// and Content-Length of response.body (also for HEAD, whose body is not
// sent).
void AppendHead(const HttpResponse& response, int minor_version, bool keep_alive, std::string* out);

// The head of a streamed response (text/event-stream): as AppendHead
// without Content-Length; the stream ends with the connection
// ("Connection: Close").
void AppendStreamHead(const HttpResponse& response, int minor_version, std::string* out);

// The head of a 101 answer (a WebSocket handshake): the status line, Date
// and response.headers (Upgrade, Connection, Sec-WebSocket-Accept, ...).
void AppendUpgradeHead(const HttpResponse& response, std::string* out);

// A whole error answer (head and JSON body) with "Connection: Close", for
// refusals made before any request could be handled. `retry_after` > 0
// adds Retry-After (seconds).
std::string ErrorAnswer(int status, std::string_view code, std::string_view message,
                        int retry_after = 0);

// The interim answer to "Expect: 100-continue".
inline constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

}  // namespace sluice::rest::http

#endif  // SLUICE_PLUGINS_API_REST_HTTP_RESPONSE_HEAD_H_
