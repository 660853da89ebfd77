// sluice::Status -> grpc::Status (docs/grpc.md, "Errors"). The codes are the
// same numbers; UNKNOWN, which sluice never means, becomes INTERNAL so that
// clients never see UNKNOWN from sluice.
#ifndef SLUICE_PLUGINS_API_GRPC_STATUS_MAP_H_
#define SLUICE_PLUGINS_API_GRPC_STATUS_MAP_H_

#include <grpcpp/support/status.h>

#include "sluice/status.h"

namespace sluice::grpcapi {

inline grpc::StatusCode GrpcCode(Code code) {
  int c = static_cast<int>(code);
  if (code == Code::kUnknown || c < 0 || c > static_cast<int>(Code::kUnauthenticated))
    return grpc::StatusCode::INTERNAL;
  return static_cast<grpc::StatusCode>(c);
}

// The gRPC status carrying `s`'s code (mapped as above) and message.
inline grpc::Status ToGrpc(const Status& s) {
  if (s.ok()) return grpc::Status::OK;
  return grpc::Status(GrpcCode(s.code()), s.message());
}

}  // namespace sluice::grpcapi

#endif  // SLUICE_PLUGINS_API_GRPC_STATUS_MAP_H_
