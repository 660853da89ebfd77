#include "grpc_plugin.h"

#include "names.h"
#include "proto_gen.h"
#include "sluice/atomic_file.h"

namespace sluice::grpcapi {

Status GrpcPlugin::Create(const HostServices& host, const Options& options, const ApiHost& api,
                          std::unique_ptr<GrpcPlugin>* out) {
  if (api.c() == nullptr) return InvalidArgument("grpc: no query service given to create()");
  GrpcOptions parsed;
  SLUICE_RETURN_IF_ERROR(ParseGrpcOptions(options, &parsed));
  out->reset(new GrpcPlugin(host, api, parsed));
  return Status();
}

GrpcPlugin::GrpcPlugin(const HostServices& host, const ApiHost& api, const GrpcOptions& options)
    : server_(std::make_unique<GrpcServer>(api, host, options)) {}

GrpcPlugin::~GrpcPlugin() { Stop(); }

Status GrpcPlugin::WriteArtifacts(const std::string& endpoint, const std::string& /*path*/,
                                  uint32_t version, const Schema& schema, const std::string& dir) {
  std::string what = "grpc: artifacts of " + endpoint + " v" + std::to_string(version);
  VersionFile file;
  SLUICE_RETURN_IF_ERROR(GenerateVersionFile(endpoint, version, schema, &file).WithContext(what));
  std::string set;
  SLUICE_RETURN_IF_ERROR(DescriptorSetOf(file.proto, &set).WithContext(what));
  std::string base = dir + "/" + endpoint;
  SLUICE_RETURN_IF_ERROR(WriteFileAtomically(base + ".proto", file.text).WithContext(what));
  return WriteFileAtomically(base + ".protoset", set).WithContext(what);
}

Status GrpcPlugin::Start(std::vector<std::string>* addresses) {
  std::string address;
  SLUICE_RETURN_IF_ERROR(server_->Start(&address));
  addresses->push_back(address);
  return Status();
}

void GrpcPlugin::Stop() { server_->Stop(); }

void GrpcPlugin::CatalogChanged() { server_->CatalogChanged(); }

}  // namespace sluice::grpcapi
