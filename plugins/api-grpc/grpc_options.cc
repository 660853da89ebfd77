#include "grpc_options.h"

#include <string_view>

namespace sluice::grpcapi {

namespace {

constexpr std::string_view kKeys[] = {"host", "port", "threads", "max_message_bytes",
                                      "max_streams"};

// Reads integer option `key` into *out, checking lo <= value <= hi.
Status IntOption(const Options& options, std::string_view key, int64_t lo, int64_t hi,
                 int64_t* out) {
  SLUICE_RETURN_IF_ERROR(options.GetInt(key, *out, out).WithContext("grpc"));
  if (*out < lo || *out > hi)
    return InvalidArgument("grpc option '" + std::string(key) + "': expected an integer in [" +
                           std::to_string(lo) + ", " + std::to_string(hi) + "], found " +
                           std::to_string(*out));
  return Status();
}

}  // namespace

const char* KnownGrpcOptionKeys() { return "host, port, threads, max_message_bytes, max_streams"; }

Status ParseGrpcOptions(const Options& options, GrpcOptions* out) {
  for (const auto& kv : options.items()) {
    bool known = false;
    for (std::string_view k : kKeys) known = known || kv.first == k;
    if (!known)
      return InvalidArgument("grpc: unknown option '" + kv.first +
                             "'; known options: " + KnownGrpcOptionKeys());
  }
  out->host = options.GetString("host", out->host);
  if (out->host.empty())
    return InvalidArgument("grpc option 'host': expected an address such as 127.0.0.1, found ''");
  int64_t n = out->port;
  SLUICE_RETURN_IF_ERROR(IntOption(options, "port", 0, 65535, &n));
  out->port = static_cast<uint16_t>(n);
  n = out->threads;
  SLUICE_RETURN_IF_ERROR(IntOption(options, "threads", 1, 256, &n));
  out->threads = static_cast<int>(n);
  n = out->max_message_bytes;
  SLUICE_RETURN_IF_ERROR(IntOption(options, "max_message_bytes", 4096, int64_t{1} << 30, &n));
  out->max_message_bytes = static_cast<uint32_t>(n);
  n = out->max_streams;
  SLUICE_RETURN_IF_ERROR(IntOption(options, "max_streams", 1, 10000, &n));
  out->max_streams = static_cast<int>(n);
  return Status();
}

}  // namespace sluice::grpcapi
