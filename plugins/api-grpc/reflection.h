// gRPC server reflection (grpc.reflection.v1alpha and v1) over a Snapshot:
// lists the common, standard and typed services and returns descriptor
// files by name or by symbol, with their imports, so that generic clients
// can discover and call the typed services built at run time.
//
//   std::string answer;
//   grpc::Status s = AnswerReflection(*snapshot, kReflectionAlpha, request, &answer);
#ifndef SLUICE_PLUGINS_API_GRPC_REFLECTION_H_
#define SLUICE_PLUGINS_API_GRPC_REFLECTION_H_

#include <grpcpp/support/status.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "service_catalog.h"

namespace sluice::grpcapi {

// Whether the client may see the typed services of an endpoint.
using MayRead = std::function<bool(std::string_view endpoint)>;

// The service names list_services answers, sorted: sluice.v1.Common, the
// reflection and health services, and the typed services of `snap` whose
// endpoint `may_read` admits (all when it is empty).
std::vector<std::string> ListedServices(const Snapshot& snap, const MayRead& may_read = nullptr);

// Answers one serialized ServerReflectionRequest of protocol `which`
// (kReflectionAlpha or kReflectionV1, standard_protos.h) into *response,
// for a client that may see the typed services of the endpoints `may_read`
// admits: the others are listed nowhere and their files and symbols are
// not found. Lookups that find nothing are answered with an
// error_response (NOT_FOUND), as the protocol wants; only an unparsable
// request fails the call (INVALID_ARGUMENT).
grpc::Status AnswerReflection(const Snapshot& snap, int which, const std::string& request,
                              std::string* response, const MayRead& may_read = nullptr);

}  // namespace sluice::grpcapi

#endif  // SLUICE_PLUGINS_API_GRPC_REFLECTION_H_
