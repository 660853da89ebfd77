// Options of the "nats" storage plugin, validated once at creation.
//
//   Settings s;
//   Status st = ParseSettings(options, &s);   // INVALID_ARGUMENT on bad options
#ifndef SLUICE_PLUGINS_LOG_NATS_SETTINGS_H_
#define SLUICE_PLUGINS_LOG_NATS_SETTINGS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "sluice/host_services.h"
#include "sluice/status.h"

namespace sluice::log_nats {

struct Settings {
  // NATS server URLs; the client connects to one and fails over to others.
  std::vector<std::string> servers = {"nats://127.0.0.1:4222"};
  int64_t replicas = 1;                  // of each stream created (1..5)
  std::string stream_prefix = "sluice";  // streams "<prefix>_<endpoint>_<version>"
  int64_t connect_timeout_ms = 2000;     // per connection attempt
  int64_t request_timeout_ms = 5000;     // per JetStream request or publish
  int64_t retry_timeout_ms = 30000;      // how long a write keeps retrying through failover
  int64_t message_kb = 0;                // largest message written; 0 = the server's max_payload
};

// Parses and validates `options`. INVALID_ARGUMENT naming the key, the
// value found and what is accepted; unknown keys are errors too.
Status ParseSettings(const Options& options, Settings* out);

// True when `s` is a non-empty run of [A-Za-z0-9_-].
bool IsToken(const std::string& s);

}  // namespace sluice::log_nats

#endif  // SLUICE_PLUGINS_LOG_NATS_SETTINGS_H_
