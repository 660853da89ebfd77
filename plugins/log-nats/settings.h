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
#include "sluice/option_spec.h"
#include "sluice/options.h"
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

// The options it takes (sluice/option_spec.h): the host checks a config
// against them before anything runs; the server list and the stream
// prefix's characters are checked at creation.
inline constexpr OptionSpec kNatsOptions[] = {
    opt::String("servers", "comma-separated server URLs (nats://host:4222,...)")
        .Default("nats://127.0.0.1:4222"),
    opt::Int("replicas", "replicas of each stream created").Range(1, 5).Default("1"),
    opt::String("stream_prefix", "starts every stream name and subject ([A-Za-z0-9_-])")
        .Range(1, INT64_MAX)
        .Default("sluice"),
    opt::Int("connect_timeout_ms", "per connection attempt")
        .Range(1, 600000)
        .Unit("ms")
        .Default("2000"),
    opt::Int("request_timeout_ms", "per JetStream request or publish")
        .Range(1, 600000)
        .Unit("ms")
        .Default("5000"),
    opt::Int("retry_timeout_ms", "how long a write keeps retrying through failover")
        .Range(0, 3600000)
        .Unit("ms")
        .Default("30000"),
    opt::Int("message_kb", "largest message written; 0 = the server's max_payload")
        .Range(0, 65536)
        .Unit("KiB")
        .Default("0"),
};

// Parses and validates `options` (kNatsOptions, then SettingsProblems).
// INVALID_ARGUMENT naming the key, the value found and what is accepted;
// unknown keys are errors too.
Status ParseSettings(const Options& options, Settings* out);

// Appends the problems the declarations cannot say: a server URL that is
// not nats://, tls:// or host:port, a stream_prefix that is not a token
// (IsToken), a message_kb from 1 to 3. No side effect (the host's check).
void SettingsProblems(const Options& options, std::vector<OptionProblem>* out);

// True when `s` is a non-empty run of [A-Za-z0-9_-].
bool IsToken(const std::string& s);

}  // namespace sluice::log_nats

#endif  // SLUICE_PLUGINS_LOG_NATS_SETTINGS_H_
