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
  // Concurrent onEvent streams; more get RESOURCE_EXHAUSTED.
  int max_streams = 64;
};

// "host, port, threads, max_message_bytes, max_streams", for messages.
const char* KnownGrpcOptionKeys();

// Parses and validates `options` into *out (which starts from the
// defaults). INVALID_ARGUMENT naming the key, the value found and what is
// accepted; an unknown key is an error listing the known ones.
Status ParseGrpcOptions(const Options& options, GrpcOptions* out);

}  // namespace sluice::grpcapi

#endif  // SLUICE_PLUGINS_API_GRPC_GRPC_OPTIONS_H_
