// The typed services the plugin serves, derived from the host's endpoint
// catalog: for every endpoint version a descriptor file (proto_gen.h) and
// its service <Endpoint>V<N>, and for every endpoint with a current version
// the unversioned service <Endpoint>. A Snapshot is one immutable reading
// (descriptor pool, message factory, method table, health); the
// ServiceCatalog rebuilds it when the host's catalog changes. Requests hold
// a shared_ptr to the snapshot they started with, so a rebuild never pulls
// descriptors from under a request.
//
//   ServiceCatalog catalog(api, host);
//   std::shared_ptr<const Snapshot> snap = catalog.Get();
//   const MethodTarget* m = snap->FindMethod("/sluice.trips.v2.TripsV2/get");
#ifndef SLUICE_PLUGINS_API_GRPC_SERVICE_CATALOG_H_
#define SLUICE_PLUGINS_API_GRPC_SERVICE_CATALOG_H_

#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "proto_gen.h"
#include "sluice/api_host.h"
#include "sluice/host_services.h"
#include "sluice/status.h"

namespace sluice::grpcapi {

// The message types of one endpoint version's typed service.
struct TypedVersion {
  std::string endpoint;
  uint32_t version = 0;
  Schema schema;
  std::string service;                   // "sluice.trips.v2.TripsV2"
  std::vector<std::string> proto_names;  // Record field names, schema order
  const google::protobuf::Descriptor* record = nullptr;
  const google::protobuf::Descriptor* get_request = nullptr;
  const google::protobuf::Descriptor* count_request = nullptr;
  const google::protobuf::Descriptor* count_response = nullptr;
  const google::protobuf::Descriptor* query_request = nullptr;
  const google::protobuf::Descriptor* query_response = nullptr;
  const google::protobuf::Descriptor* event_request = nullptr;
  const google::protobuf::Descriptor* event = nullptr;
};

enum class TypedMethod { kCount, kQuery, kGet, kOnEvent };

// What a typed method path names.
struct MethodTarget {
  TypedMethod method = TypedMethod::kCount;
  std::string endpoint;
  uint32_t version = 0;  // 0: the unversioned service (the current version)
};

class Snapshot {
 public:
  Snapshot();
  ~Snapshot();
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;

  // The typed method at `path` ("/package.Service/method"), or nullptr.
  const MethodTarget* FindMethod(std::string_view path) const;
  // The types of version `version` of `endpoint`, or nullptr.
  const TypedVersion* FindVersion(std::string_view endpoint, uint32_t version) const;
  // The endpoint named `name`, or whose path is `name` when it starts with '/'.
  const EndpointInfo* FindEndpoint(std::string_view name) const;
  // The typed services of an endpoint version / of its current version
  // ("" when not served, e.g. an endpoint whose names clash with another's).
  std::string VersionService(std::string_view endpoint, uint32_t version) const;
  std::string EndpointService(std::string_view endpoint) const;

  // The catalog this snapshot was built from.
  const std::vector<EndpointInfo>& endpoints() const { return endpoints_; }
  // Every typed service name, sorted.
  std::vector<std::string> TypedServices() const;
  // The endpoint a typed service or a typed descriptor file belongs to ("" =
  // none: a standard or common one), for what a caller may see of them.
  std::string EndpointOfService(std::string_view service) const;
  std::string EndpointOfFile(std::string_view file) const;
  // Health of every service the plugin serves: name -> serving (docs/grpc.md).
  std::map<std::string, bool> Health() const;

  // Descriptors, for reflection: every typed file, the standard files, and
  // (through the generated pool underneath) sluice/v1/common.proto and the
  // well-known types.
  const google::protobuf::DescriptorPool& pool() const { return *pool_; }
  // The serialized FileDescriptorProto of `file` (with comments when the
  // plugin generated it).
  std::string SerializedFile(const google::protobuf::FileDescriptor* file) const;
  // A new empty message of `type` (a type of pool()); caller owns it.
  google::protobuf::Message* New(const google::protobuf::Descriptor* type) const;

 private:
  friend class ServiceCatalog;
  std::unique_ptr<google::protobuf::DescriptorPool> pool_;
  std::unique_ptr<google::protobuf::DynamicMessageFactory> factory_;
  std::vector<EndpointInfo> endpoints_;
  std::map<std::string, TypedVersion, std::less<>> versions_;          // "endpoint#version"
  std::map<std::string, MethodTarget, std::less<>> methods_;           // "/pkg.Svc/method"
  std::map<std::string, std::string, std::less<>> endpoint_services_;  // endpoint -> service
  std::map<std::string, std::string, std::less<>> files_;              // file name -> serialized
  std::map<std::string, std::string, std::less<>> owners_;  // typed service or file -> endpoint
};

class ServiceCatalog {
 public:
  // `api` must outlive the catalog; `log` receives problems with endpoints
  // that cannot get typed services (reported once per version).
  ServiceCatalog(const ApiHost& api, const HostServices& log);
  ServiceCatalog(const ServiceCatalog&) = delete;
  ServiceCatalog& operator=(const ServiceCatalog&) = delete;

  // The latest snapshot, built first if there is none. Never null: when the
  // host cannot list its catalog, the snapshot is empty.
  std::shared_ptr<const Snapshot> Get();
  // Reads the host's catalog now and builds a snapshot from it. On a host
  // error the previous snapshot stays (and is returned) and the error is
  // logged. Thread-safe; concurrent calls build one after another.
  std::shared_ptr<const Snapshot> Refresh();
  // Refresh(), unless the last build began less than `min_age` ago: then
  // the latest snapshot. For lookups that miss, so that a flood of unknown
  // names cannot keep the catalog rebuilding.
  std::shared_ptr<const Snapshot> RefreshUnlessRecent(std::chrono::milliseconds min_age);
  // Builds a snapshot from `endpoints` (no host call); for Refresh and tests.
  std::shared_ptr<const Snapshot> Build(std::vector<EndpointInfo> endpoints);

 private:
  struct CachedFile {
    Schema schema;
    Status status;  // why the file could not be generated, if it could not
    VersionFile file;
  };
  const CachedFile& FileFor(const EndpointInfo& e, const VersionInfo& v);
  void AddVersion(Snapshot* snap, const EndpointInfo& e, const VersionInfo& v);
  void AddEndpointService(Snapshot* snap, const EndpointInfo& e);
  bool AddFile(Snapshot* snap, const google::protobuf::FileDescriptorProto& file);

  ApiHost api_;
  HostServices log_;
  std::mutex build_mu_;                          // serializes builds
  std::map<std::string, CachedFile> files_;      // guarded by build_mu_; "endpoint#version"
  std::map<std::string, std::string> reported_;  // guarded by build_mu_: problem logged
  std::mutex mu_;
  std::shared_ptr<const Snapshot> current_;      // guarded by mu_
  std::chrono::steady_clock::time_point built_;  // guarded by mu_: last build began
};

}  // namespace sluice::grpcapi

#endif  // SLUICE_PLUGINS_API_GRPC_SERVICE_CATALOG_H_
