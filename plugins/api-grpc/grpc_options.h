// Options of the "grpc" API plugin (the YAML `api.grpc` map), validated once
// when the plugin instance is created (docs/grpc.md, "Options").
//
//   GrpcOptions o;
//   Status s = ParseGrpcOptions(options, &o);   // INVALID_ARGUMENT on bad input
#ifndef SLUICE_PLUGINS_API_GRPC_GRPC_OPTIONS_H_
#define SLUICE_PLUGINS_API_GRPC_GRPC_OPTIONS_H_

#include <cstdint>
#include <string>

#include "sluice/host_services.h"
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

// The option names, comma separated, for messages.
const char* KnownGrpcOptionKeys();

// Parses and validates `options` into *out (which starts from the
// defaults). INVALID_ARGUMENT naming the key, the value found and what is
// accepted; an unknown key is an error listing the known ones.
Status ParseGrpcOptions(const Options& options, GrpcOptions* out);

}  // namespace sluice::grpcapi

#endif  // SLUICE_PLUGINS_API_GRPC_GRPC_OPTIONS_H_
