#include "grpc_options.h"

#include <string_view>

#include "sluice/listen_check.h"

namespace sluice::grpcapi {

namespace {

constexpr std::string_view kKeys[] = {"host",
                                      "port",
                                      "threads",
                                      "max_message_bytes",
                                      "max_streams",
                                      "tls.cert_file",
                                      "tls.key_file",
                                      "tls.client_ca_file",
                                      "tls.client_auth",
                                      "tls.refresh_s"};

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

const char* KnownGrpcOptionKeys() {
  return "host, port, threads, max_message_bytes, max_streams, tls.cert_file, tls.key_file, "
         "tls.client_ca_file, tls.client_auth, tls.refresh_s";
}

namespace {

Status ParseTls(const Options& options, GrpcOptions::Tls* out) {
  out->cert_file = options.GetString("tls.cert_file", "");
  out->key_file = options.GetString("tls.key_file", "");
  out->client_ca_file = options.GetString("tls.client_ca_file", "");
  if (out->cert_file.empty() != out->key_file.empty())
    return InvalidArgument(
        "grpc options 'tls.cert_file' and 'tls.key_file': give both (a PEM certificate chain and "
        "its private key) to serve TLS, or neither");
  if (!out->client_ca_file.empty() && out->cert_file.empty())
    return InvalidArgument("grpc option 'tls.client_ca_file' needs tls.cert_file and tls.key_file");
  out->client_auth =
      options.GetString("tls.client_auth", out->client_ca_file.empty() ? "none" : "require");
  if (out->client_auth != "none" && out->client_auth != "request" && out->client_auth != "require")
    return InvalidArgument(
        "grpc option 'tls.client_auth': expected none, request or require, found '" +
        out->client_auth + "'");
  if (out->client_auth != "none" && out->client_ca_file.empty())
    return InvalidArgument("grpc option 'tls.client_auth: " + out->client_auth +
                           "' needs tls.client_ca_file: the CA certificates clients' certificates "
                           "are checked against");
  int64_t n = out->refresh_s;
  SLUICE_RETURN_IF_ERROR(IntOption(options, "tls.refresh_s", 1, 86400, &n));
  out->refresh_s = static_cast<uint32_t>(n);
  return Status();
}

}  // namespace

void CheckGrpcOptions(const Options& options, uint32_t flags, std::vector<OptionProblem>* out) {
  if ((flags & SLUICE_CHECK_LISTEN) == 0) return;
  GrpcOptions o;
  if (!ParseGrpcOptions(options, &o).ok()) return;  // create() says why
  std::string why = ListenProblem(o.host, o.port);
  if (!why.empty()) out->push_back({options.Has("port") ? "port" : "", why});
}

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
  return ParseTls(options, &out->tls);
}

}  // namespace sluice::grpcapi
