#include "grpc_options.h"

#include <algorithm>
#include <iterator>
#include <string_view>

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
  return options.GetInt("tls.refresh_s", out->refresh_s, 1, 86400, &out->refresh_s);
}

}  // namespace

Status ParseGrpcOptions(const Options& options, GrpcOptions* out) {
  SLUICE_RETURN_IF_ERROR(options.Check(kGrpcOptionSpecs, OptionScope::kInstance));
  // The declaration takes any key of tls: these are the ones there are.
  SLUICE_RETURN_IF_ERROR(options.CheckKeys(
      [](std::string_view key) {
        return std::find(std::begin(kKeys), std::end(kKeys), key) != std::end(kKeys);
      },
      KnownGrpcOptionKeys()));
  SLUICE_RETURN_IF_ERROR(options.Read(kGrpcOptionSpecs, "host", &out->host, "port", &out->port,
                                      "threads", &out->threads, "max_message_bytes",
                                      &out->max_message_bytes, "max_streams", &out->max_streams));
  return ParseTls(options, &out->tls);
}

}  // namespace sluice::grpcapi
