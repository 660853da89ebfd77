#include "standard_protos.h"

#include <cstdio>
#include <cstdlib>
#include <string>

#include "proto_gen.h"

namespace sluice::grpcapi {

namespace {

using google::protobuf::FileDescriptorProto;

FileDescriptorProto ParseOrDie(const char* name, const std::string& text) {
  FileDescriptorProto out;
  Status s = ParseProtoText(name, text, &out);
  if (!s.ok()) {
    std::fprintf(stderr, "sluice grpc plugin: built-in %s does not parse: %s\n", name,
                 s.message().c_str());
    std::abort();
  }
  return out;
}

// The v1alpha reflection text with its package renamed to v1.
std::string ReflectionV1Text() {
  std::string text = kReflectionProtoText;
  const std::string from = "package grpc.reflection.v1alpha;";
  size_t at = text.find(from);
  if (at != std::string::npos) text.replace(at, from.size(), "package grpc.reflection.v1;");
  return text;
}

StandardFiles* Make() {
  auto* s = new StandardFiles;
  s->files.push_back(ParseOrDie("grpc/reflection/v1alpha/reflection.proto", kReflectionProtoText));
  s->files.push_back(ParseOrDie("grpc/reflection/v1/reflection.proto", ReflectionV1Text()));
  s->files.push_back(ParseOrDie("grpc/health/v1/health.proto", kHealthProtoText));
  s->pool = std::make_unique<google::protobuf::DescriptorPool>();
  for (const FileDescriptorProto& f : s->files) {
    if (s->pool->BuildFile(f) == nullptr) {
      std::fprintf(stderr, "sluice grpc plugin: built-in %s does not build\n", f.name().c_str());
      std::abort();
    }
  }
  s->factory = std::make_unique<google::protobuf::DynamicMessageFactory>(s->pool.get());
  const char* packages[2] = {"grpc.reflection.v1alpha.", "grpc.reflection.v1."};
  for (int i = 0; i < 2; ++i) {
    std::string p = packages[i];
    s->reflection_request[i] = s->pool->FindMessageTypeByName(p + "ServerReflectionRequest");
    s->reflection_response[i] = s->pool->FindMessageTypeByName(p + "ServerReflectionResponse");
  }
  s->health_request = s->pool->FindMessageTypeByName("grpc.health.v1.HealthCheckRequest");
  s->health_response = s->pool->FindMessageTypeByName("grpc.health.v1.HealthCheckResponse");
  return s;
}

}  // namespace

const StandardFiles& Standard() {
  static const StandardFiles* files = Make();  // never freed: the plugin is never unloaded
  return *files;
}

}  // namespace sluice::grpcapi
