// Options of the REST plugin's HTTP transport (part of the `api.rest` map):
// request limits, timeouts, connection caps, the query worker pool, the
// admin socket, TLS and the shutdown grace period. docs/rest.md lists them.
//
//   TransportOptions t;
//   Status s = ParseTransportOptions(options, &t);   // INVALID_ARGUMENT naming the key
#ifndef SLUICE_PLUGINS_API_REST_HTTP_TRANSPORT_OPTIONS_H_
#define SLUICE_PLUGINS_API_REST_HTTP_TRANSPORT_OPTIONS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "sluice/host_services.h"
#include "sluice/status.h"

namespace sluice::rest {

struct TransportOptions {
  uint32_t max_header_bytes = 32768;   // request line + header section -> 431
  uint32_t max_headers = 100;          // header fields -> 431
  uint32_t max_url_bytes = 8192;       // request target -> 414
  uint32_t header_timeout_ms = 10000;  // first byte of a request to its last header -> 408
  uint32_t body_timeout_ms = 30000;    // end of the headers to the end of the body -> 408
  uint32_t idle_timeout_ms = 60000;    // a kept-alive connection without a request -> closed
  uint32_t send_timeout_ms = 30000;    // an answer that makes no progress -> closed
  uint32_t max_connections = 10000;    // open connections in total -> 503
  uint32_t max_connections_per_client = 1000;  // per peer address (0 = no limit) -> 503
  uint32_t query_workers = 0;  // threads running queries; 0 = the number of CPUs (at least 2)
  uint32_t query_queue = 64;   // queries waiting for a worker beyond which -> 503
  uint32_t shutdown_grace_ms = 5000;  // Stop() waits this long for requests in flight
  // An event stream more than events_max_lag changes behind the log for
  // longer than events_max_lag_ms is cut off (a slow client); 0 = the
  // host's defaults (docs/realtime.md).
  uint32_t events_max_lag = 0;
  uint32_t events_max_lag_ms = 0;  // ... for longer than this (0 = the host's default)
  std::string admin_socket_path;   // unix socket that also serves admin routes ("" = none)
  std::string tls_cert_path;       // PEM certificate chain; with tls_key_path: HTTPS
  std::string tls_key_path;        // PEM private key
};

// True when `key` is one of the transport's option keys.
bool IsTransportOptionKey(std::string_view key);

// The transport's option keys, comma separated, for messages.
const char* TransportOptionKeys();

// Reads the transport's keys from `options` into *out (which starts from
// the defaults); other keys are ignored. INVALID_ARGUMENT naming the key,
// the value found and the accepted range; tls.cert_path and tls.key_path
// must be given together.
Status ParseTransportOptions(const Options& options, TransportOptions* out);

}  // namespace sluice::rest

#endif  // SLUICE_PLUGINS_API_REST_HTTP_TRANSPORT_OPTIONS_H_
