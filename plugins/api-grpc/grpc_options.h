// Options of the "grpc" API plugin (the YAML `api.grpc` map), validated once
// when the plugin instance is created (docs/grpc.md, "Options").
//
//   GrpcOptions o;
//   Status s = ParseGrpcOptions(options, &o);   // INVALID_ARGUMENT on bad input
#ifndef SLUICE_PLUGINS_API_GRPC_GRPC_OPTIONS_H_
#define SLUICE_PLUGINS_API_GRPC_GRPC_OPTIONS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "sluice/host_services.h"
#include "sluice/option_spec.h"
#include "sluice/status.h"

namespace sluice::grpcapi {

struct GrpcOptions {
  // Address to listen on: an IPv4 or IPv6 literal, or a host name.
  std::string host = "127.0.0.1";
  // TCP port; 0 picks a free one (Start() reports which).
  uint16_t port = 50051;
  // Threads answering unary calls (count, query, get, ...). Streams
  // (onEvent) each run on a thread of their own.
  int threads = 4;
  // Largest message accepted or sent, in bytes. A query whose answer would
  // be larger fails with RESOURCE_EXHAUSTED.
  uint32_t max_message_bytes = 16u << 20;
  // Concurrent onEvent and health Watch streams; more get RESOURCE_EXHAUSTED.
  int max_streams = 64;
  // TLS (docs/grpc.md, "TLS"): on when cert_file and key_file are set (PEM
  // files, re-read every refresh_s seconds, so renewed certificates apply
  // without a restart). client_ca_file: a PEM bundle clients' certificates
  // are checked against; client_auth: "none", "request" (verify one when
  // sent) or "require" (default when client_ca_file is set).
  struct Tls {
    std::string cert_file, key_file, client_ca_file;
    std::string client_auth = "none";
    uint32_t refresh_s = 60;
    bool enabled() const { return !cert_file.empty(); }
  } tls;
};

// The options it takes (sluice/option_spec.h): the host checks a config
// against them before anything runs.
inline constexpr OptionSpec kGrpcOptionSpecs[] = {
    opt::String("host", "address to listen on: an IP literal or a host name")
        .Range(1, INT64_MAX)
        .Default("127.0.0.1"),
    opt::Int("port", "TCP port; 0 picks a free one").Range(0, 65535).Default("50051"),
    opt::Int("threads", "server threads").Range(1, 256).Default("4"),
    opt::Int("max_message_bytes", "largest message")
        .Range(4096, int64_t{1} << 30)
        .Default("16777216"),
    opt::Int("max_streams", "concurrent streams").Range(1, 10000).Default("64"),
    // tls.cert_file, tls.key_file, tls.client_ca_file, tls.client_auth,
    // tls.refresh_s: how they go together is checked at creation.
    opt::String("tls", "TLS: cert_file, key_file, client_ca_file, client_auth, refresh_s").Map(),
};

// The option names, comma separated, for messages.
const char* KnownGrpcOptionKeys();

// Parses and validates `options` into *out (which starts from the
// defaults). INVALID_ARGUMENT naming the key, the value found and what is
// accepted; an unknown key is an error listing the known ones.
Status ParseGrpcOptions(const Options& options, GrpcOptions* out);

}  // namespace sluice::grpcapi

#endif  // SLUICE_PLUGINS_API_GRPC_GRPC_OPTIONS_H_
