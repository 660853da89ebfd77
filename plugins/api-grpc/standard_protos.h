// The standard protocols the plugin serves besides its own: server
// reflection (grpc.reflection.v1alpha and the identical grpc.reflection.v1)
// and health (grpc.health.v1). They are parsed at run time from the text of
// proto/grpc/**.proto into a private descriptor pool, never linked as
// generated code, so they cannot clash with another copy of the same files
// elsewhere in the process.
//
//   const StandardFiles& s = Standard();
//   const Message* proto = s.Prototype(s.reflection_request[kReflectionV1]);
#ifndef SLUICE_PLUGINS_API_GRPC_STANDARD_PROTOS_H_
#define SLUICE_PLUGINS_API_GRPC_STANDARD_PROTOS_H_

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/dynamic_message.h>

#include <memory>
#include <vector>

namespace sluice::grpcapi {

extern const char* const kReflectionProtoText;  // proto/grpc/reflection/v1alpha/reflection.proto
extern const char* const kHealthProtoText;      // proto/grpc/health/v1/health.proto

inline constexpr const char* kCommonService = "sluice.v1.Common";
inline constexpr const char* kReflectionAlphaService = "grpc.reflection.v1alpha.ServerReflection";
inline constexpr const char* kReflectionV1Service = "grpc.reflection.v1.ServerReflection";
inline constexpr const char* kHealthService = "grpc.health.v1.Health";

// Index into StandardFiles' reflection arrays.
inline constexpr int kReflectionAlpha = 0;
inline constexpr int kReflectionV1 = 1;

struct StandardFiles {
  // reflection v1alpha, reflection v1, health: as parsed, for other pools.
  std::vector<google::protobuf::FileDescriptorProto> files;
  std::unique_ptr<google::protobuf::DescriptorPool> pool;  // holds `files`
  std::unique_ptr<google::protobuf::DynamicMessageFactory> factory;
  const google::protobuf::Descriptor* reflection_request[2] = {nullptr, nullptr};
  const google::protobuf::Descriptor* reflection_response[2] = {nullptr, nullptr};
  const google::protobuf::Descriptor* health_request = nullptr;   // HealthCheckRequest
  const google::protobuf::Descriptor* health_response = nullptr;  // HealthCheckResponse

  // The prototype of `type` (a message of `pool`); thread-safe.
  const google::protobuf::Message* Prototype(const google::protobuf::Descriptor* type) const {
    return factory->GetPrototype(type);
  }
};

// The parsed standard files, built on first use (thread-safe) and kept for
// the life of the process. The texts are fixed at build time and tested, so
// a parse failure is a build defect: it aborts with the parser's message.
const StandardFiles& Standard();

}  // namespace sluice::grpcapi

#endif  // SLUICE_PLUGINS_API_GRPC_STANDARD_PROTOS_H_
