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
