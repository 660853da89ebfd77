#include "grpc_options.h"

#include <string_view>
#include <utility>

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
        "options 'tls.cert_file' and 'tls.key_file': give both (a PEM certificate chain and "
        "its private key) to serve TLS, or neither");
  if (!out->client_ca_file.empty() && out->cert_file.empty())
    return InvalidArgument("option 'tls.client_ca_file' needs tls.cert_file and tls.key_file");
  SLUICE_RETURN_IF_ERROR(options.GetEnum("tls.client_auth", {"none", "request", "require"},
                                         out->client_ca_file.empty() ? "none" : "require",
                                         &out->client_auth));
  if (out->client_auth != "none" && out->client_ca_file.empty())
    return InvalidArgument("option 'tls.client_auth': " + out->client_auth +
                           " needs tls.client_ca_file: the CA certificates clients' certificates "
                           "are checked against");
  int64_t n = 0;
  SLUICE_RETURN_IF_ERROR(options.GetInt("tls.refresh_s", out->refresh_s, 1, 86400, &n));
  out->refresh_s = static_cast<uint32_t>(n);
  return Status();
}

}  // namespace

Status ParseGrpcOptions(const Options& options, GrpcOptions* out) {
  SLUICE_RETURN_IF_ERROR(options.Check(kGrpcOptionSpecs, OptionScope::kInstance));
  // The declaration takes any key of tls: these are the ones there are.
  for (const auto& kv : options.items()) {
    bool known = false;
    for (std::string_view k : kKeys) known = known || kv.first == k;
    if (!known)
      return InvalidArgument("option '" + kv.first +
                             "': unknown option; known options: " + KnownGrpcOptionKeys());
  }
  const OptionSpecs specs = kGrpcOptionSpecs;
  SLUICE_RETURN_IF_ERROR(options.Read(specs, "host", &out->host));
  int64_t n = 0;
  SLUICE_RETURN_IF_ERROR(options.Read(specs, "port", &n));
  out->port = static_cast<uint16_t>(n);
  SLUICE_RETURN_IF_ERROR(options.Read(specs, "threads", &n));
  out->threads = static_cast<int>(n);
  SLUICE_RETURN_IF_ERROR(options.Read(specs, "max_message_bytes", &n));
  out->max_message_bytes = static_cast<uint32_t>(n);
  SLUICE_RETURN_IF_ERROR(options.Read(specs, "max_streams", &n));
  out->max_streams = static_cast<int>(n);
  return ParseTls(options, &out->tls);
}

}  // namespace sluice::grpcapi
