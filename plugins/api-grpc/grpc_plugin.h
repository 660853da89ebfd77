// The "grpc" API plugin: serves every endpoint version the host's catalog
// lists over gRPC (docs/grpc.md) and writes each version's .proto and
// descriptor set at migrate time.
//
//   std::unique_ptr<GrpcPlugin> p;
//   Status s = GrpcPlugin::Create(host, options, api, &p);
//   std::vector<std::string> addresses;
//   if (s.ok()) s = p->Start(&addresses);   // {"grpc://127.0.0.1:50051"}
#ifndef SLUICE_PLUGINS_API_GRPC_GRPC_PLUGIN_H_
#define SLUICE_PLUGINS_API_GRPC_GRPC_PLUGIN_H_

#include <memory>
#include <string>
#include <vector>

#include "grpc_options.h"
#include "grpc_server.h"
#include "sluice/api.h"
#include "sluice/listen_check.h"

namespace sluice::grpcapi {

class GrpcPlugin : public ApiPlugin {
 public:
  static constexpr const auto& kOptions = kGrpcOptionSpecs;
  // What the declarations cannot say: with SLUICE_CHECK_LISTEN in `flags`,
  // that host:port is free to listen on (sluice/listen_check.h).
  static void CheckOptions(const Options& options, OptionScope, uint32_t flags,
                           std::vector<OptionProblem>* out) {
    CheckListenOptions(options, flags, &ParseGrpcOptions, out);
  }
  // Validates `options` (grpc_options.h); INVALID_ARGUMENT on a bad or
  // unknown key. Does not listen yet. `api` must outlive the plugin.
  static Status Create(const HostServices& host, const Options& options, const ApiHost& api,
                       std::unique_ptr<GrpcPlugin>* out);
  // Stops serving first.
  ~GrpcPlugin() override;

  // Writes `dir`/{endpoint}.proto and `dir`/{endpoint}.protoset (a
  // FileDescriptorSet with its imports), each atomically.
  Status WriteArtifacts(const std::string& endpoint, const std::string& path, uint32_t version,
                        const Schema& schema, const std::string& dir) override;
  // Listens on host:port; appends "grpc://HOST:PORT" (the bound port).
  Status Start(std::vector<std::string>* addresses) override;
  // Ends calls in flight, then stops. Idempotent.
  void Stop() override;
  // Rebuilds the typed services and health statuses from the catalog.
  void CatalogChanged() override;

 private:
  GrpcPlugin(const HostServices& host, const ApiHost& api, const GrpcOptions& options);

  std::unique_ptr<GrpcServer> server_;
};

}  // namespace sluice::grpcapi

#endif  // SLUICE_PLUGINS_API_GRPC_GRPC_PLUGIN_H_
