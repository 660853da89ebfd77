// Options of the "rest" API plugin (the YAML `api.rest` map), validated once
// when the plugin instance is created.
//
//   RestOptions o;
//   Status s = ParseRestOptions(options, &o);   // INVALID_ARGUMENT on bad input
#ifndef SLUICE_PLUGINS_API_REST_REST_OPTIONS_H_
#define SLUICE_PLUGINS_API_REST_REST_OPTIONS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "http/transport_options.h"
#include "sluice/host_services.h"
#include "sluice/option_spec.h"
#include "sluice/status.h"

namespace sluice::rest {

struct RestOptions {
  // Address to listen on (an IPv4 or IPv6 literal, or a host name).
  std::string host = "127.0.0.1";
  // TCP port; 0 picks a free one (Start() reports which).
  uint16_t port = 8080;
  // Server threads (each runs an event loop serving many connections).
  int threads = 2;
  // Largest request body accepted; bigger bodies get 413.
  uint64_t max_body_bytes = 1048576;
  // When true, /admin routes are served on the TCP listener even without
  // admin_keys (admin_rule.h); they are always served on the admin socket.
  bool admin_remote = false;
  // Serve the web console at /console (docs/console.md); off by default.
  bool console = false;
  // Cross-origin requests from browsers (docs/rest.md, "CORS"): allowed
  // only from `origins` (none = CORS off; "*" = any origin).
  struct Cors {
    std::vector<std::string> origins;
    std::vector<std::string> methods = {"GET", "HEAD", "POST"};
    std::vector<std::string> headers = {"Authorization", "Content-Type", "X-API-Key"};
    uint32_t max_age_s = 600;  // how long browsers may cache a preflight answer
  } cors;
  // /ready answers 200 while every current version's cache lags its log by
  // at most this many records.
  uint64_t ready_max_lag = 0;
  // The HTTP transport's limits, timeouts, workers, listeners and TLS.
  TransportOptions transport;
};

// The options it takes (sluice/option_spec.h): the host checks a config
// against them before anything runs. Key values never appear in messages.
inline constexpr OptionSpec kRestOptionSpecs[] = {
    opt::String("host", "address to listen on: an IP literal or a host name")
        .Range(1, INT64_MAX)
        .Default("127.0.0.1"),
    opt::Int("port", "TCP port; 0 picks a free one").Range(0, 65535).Default("8080"),
    opt::Int("threads", "server threads").Range(1, 256).Default("2"),
    opt::Int("max_body_bytes", "largest request body accepted")
        .Range(1, int64_t{1} << 30)
        .Default("1048576"),
    opt::Bool("admin_remote", "serve /admin to non-loopback peers").Default("false"),
    opt::Bool("console", "serve the web console at /console").Default("false"),
    opt::Int("ready_max_lag", "/ready: largest cache lag in records")
        .Range(0, INT64_MAX)
        .Default("0"),
    // The HTTP transport's (http/transport_options.h; ranges checked at creation).
    opt::Int("max_header_bytes", "largest request head").Range(1024, 1 << 20),
    opt::Int("max_headers", "most header fields of a request").Range(1, 10000),
    opt::Int("max_url_bytes", "longest request target").Range(64, 1 << 20),
    opt::Int("header_timeout_ms", "time to receive a request head").Range(10, 3600000).Unit("ms"),
    opt::Int("body_timeout_ms", "time to receive a request body").Range(10, 3600000).Unit("ms"),
    opt::Int("idle_timeout_ms", "idle keep-alive connection lifetime")
        .Range(10, 3600000)
        .Unit("ms"),
    opt::Int("send_timeout_ms", "time to send a response").Range(10, 3600000).Unit("ms"),
    opt::Int("max_connections", "open connections").Range(1, 1000000),
    opt::Int("max_connections_per_client", "open connections per client address; 0: no limit")
        .Range(0, 1000000),
    opt::Int("query_workers", "query worker threads; 0: default").Range(0, 256),
    opt::Int("query_queue", "queries waiting for a worker; 0: default").Range(0, 1000000),
    opt::Int("shutdown_grace_ms", "time in-flight requests get at stop")
        .Range(0, 3600000)
        .Unit("ms"),
    opt::Int("events_max_lag", "changes an event stream may stay behind; 0: the host's default")
        .Range(0, 1000000000),
    opt::Int("events_max_lag_ms", "how long an event stream may stay behind; 0: the host's default")
        .Range(0, 3600000)
        .Unit("ms"),
    opt::String("admin_socket_path", "a Unix socket serving the admin routes"),
    // tls.cert_path, tls.key_path; cors.origins, cors.methods, cors.headers,
    // cors.max_age_s: how they go together is checked at creation.
    opt::String("tls", "TLS: cert_path, key_path").Map(),
    opt::String("cors", "CORS: origins, methods, headers, max_age_s").Map(),
};

// The option keys ParseRestOptions accepts, comma separated, for messages.
const char* KnownRestOptionKeys();

// Parses and validates `options` into *out (which starts from the defaults).
// INVALID_ARGUMENT naming the key, the value found and what is accepted;
// an unknown key is an error listing the known ones. The cors lists are a
// YAML list ("cors.origins.0", ...) or one scalar. (API keys are not
// options of this plugin: the host lifts api_keys / admin_keys into its
// access model, docs/security.md.)
Status ParseRestOptions(const Options& options, RestOptions* out);

}  // namespace sluice::rest

#endif  // SLUICE_PLUGINS_API_REST_REST_OPTIONS_H_
