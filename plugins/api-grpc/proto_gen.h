// Descriptors of the typed services (docs/grpc.md, "Typed services"),
// generated from a version's schema: one file per endpoint version (its
// Record message, request and response messages, and the service
// <Endpoint>V<N>), and one run-time file per endpoint holding the
// unversioned service <Endpoint> over the current version's messages.
//
//   VersionFile f;
//   Status s = GenerateVersionFile("trips", 2, schema, &f);
//   // f.text: the readable .proto; f.proto: that text parsed by protobuf
//   std::string set;
//   if (s.ok()) s = DescriptorSetOf(f.proto, &set);
#ifndef SLUICE_PLUGINS_API_GRPC_PROTO_GEN_H_
#define SLUICE_PLUGINS_API_GRPC_PROTO_GEN_H_

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "sluice/schema.h"
#include "sluice/status.h"

namespace sluice::grpcapi {

// Message and enum names inside a version package.
inline constexpr const char* kRecord = "Record";
inline constexpr const char* kGetRequest = "GetRequest";
inline constexpr const char* kCountRequest = "CountRequest";
inline constexpr const char* kCountResponse = "CountResponse";
inline constexpr const char* kQueryRequest = "QueryRequest";
inline constexpr const char* kQueryResponse = "QueryResponse";
inline constexpr const char* kEventRequest = "EventRequest";
inline constexpr const char* kEvent = "Event";
inline constexpr const char* kOpEnum = "Op";

// One version's file: the .proto text written to disk and the descriptor
// protobuf's own parser makes of that text (with comments and source
// positions), which is what the server serves and reflection returns.
struct VersionFile {
  std::string text;
  google::protobuf::FileDescriptorProto proto;
};

// The descriptor of version `version` of `endpoint`, built directly (names
// from names.h): Record has schema field i as field number i + 1, named by
// ProtoFieldNames, nullable scalars as proto3 `optional`, timestamps as
// google.protobuf.Timestamp, dates as "YYYY-MM-DD" strings; GetRequest has
// the primary-key fields (all `optional`, so a missing one is detected) in
// key order, then `repeated string select` (GetSelectNumber). Comments (column names, types, key)
// ride as source info. INVALID_ARGUMENT when the schema has no fields or no primary key.
Status BuildVersionProto(std::string_view endpoint, uint32_t version, const Schema& schema,
                         google::protobuf::FileDescriptorProto* out);

// The field number of GetRequest's `select` for `schema`: the one after
// the key fields (named "select", or "select_2" when a key field has that
// name).
inline int GetSelectNumber(const Schema& schema) {
  return static_cast<int>(schema.primary_key.size() + 1);
}

// BuildVersionProto, rendered as .proto text and parsed back (proving the
// text is valid and equivalent). INTERNAL naming the problem when protobuf
// rejects the file (a bug: the generator must only produce valid files).
Status GenerateVersionFile(std::string_view endpoint, uint32_t version, const Schema& schema,
                           VersionFile* out);

// The run-time file of the unversioned service of `endpoint` whose current
// version is `current`: imports that version's file and declares the
// service <Endpoint> with the same methods and message types.
google::protobuf::FileDescriptorProto BuildEndpointFile(std::string_view endpoint,
                                                        uint32_t current);

// A serialized FileDescriptorSet holding `file` preceded by the well-known
// files it imports (as protoc --descriptor_set_out --include_imports
// writes it). INTERNAL when protobuf rejects the file.
Status DescriptorSetOf(const google::protobuf::FileDescriptorProto& file, std::string* out);

// Parses .proto text into *out (named `name`). INVALID_ARGUMENT with
// "name:line:column: message" for every syntax error.
Status ParseProtoText(std::string_view name, std::string_view text,
                      google::protobuf::FileDescriptorProto* out);

// Copies `file` and, first, every file it imports (transitively), each
// once, into *out in dependency order. Files already in *out are skipped.
void AppendWithImports(const google::protobuf::FileDescriptor* file,
                       google::protobuf::FileDescriptorSet* out);

}  // namespace sluice::grpcapi

#endif  // SLUICE_PLUGINS_API_GRPC_PROTO_GEN_H_
