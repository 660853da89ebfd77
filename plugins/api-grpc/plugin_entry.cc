// The shared object's entry point: exports GrpcPlugin as the "grpc" plugin.
#include "grpc_plugin.h"
#include "sluice/plugin.h"

SLUICE_PLUGIN(sluice::grpcapi::GrpcPlugin, "grpc", "0.1.0",
              "gRPC API: common service, typed per-version services, reflection, health")
