// The shared object's entry point: exports GrpcPlugin as the "grpc" plugin.
#include "grpc_plugin.h"
#include "sluice/plugin.h"

SLUICE_PLUGIN(sluice::grpcapi::GrpcPlugin, "grpc", SLUICE_PLUGIN_VERSION,
              "gRPC API: common service, typed per-version services, reflection, health")
