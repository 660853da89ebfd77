#include "service_catalog.h"

#include <algorithm>
#include <set>
#include <utility>

#include "names.h"
#include "standard_protos.h"

namespace sluice::grpcapi {

namespace {

using google::protobuf::DescriptorPool;
using google::protobuf::FileDescriptor;
using google::protobuf::FileDescriptorProto;

std::string VersionKey(std::string_view endpoint, uint32_t version) {
  return std::string(endpoint) + "#" + std::to_string(version);
}

const char* const kMethodNames[] = {"count", "query", "get", "onEvent"};
const TypedMethod kMethods[] = {TypedMethod::kCount, TypedMethod::kQuery, TypedMethod::kGet,
                                TypedMethod::kOnEvent};

void AddMethods(std::map<std::string, MethodTarget, std::less<>>* methods,
                const std::string& service, const std::string& endpoint, uint32_t version) {
  for (int i = 0; i < 4; ++i)
    (*methods)["/" + service + "/" + kMethodNames[i]] =
        MethodTarget{kMethods[i], endpoint, version};
}

}  // namespace

Snapshot::Snapshot() : pool_(std::make_unique<DescriptorPool>(DescriptorPool::generated_pool())) {}

Snapshot::~Snapshot() {
  versions_.clear();
  factory_.reset();  // messages and prototypes before the pool they describe
  pool_.reset();
}

const MethodTarget* Snapshot::FindMethod(std::string_view path) const {
  auto it = methods_.find(path);
  return it == methods_.end() ? nullptr : &it->second;
}

const TypedVersion* Snapshot::FindVersion(std::string_view endpoint, uint32_t version) const {
  auto it = versions_.find(VersionKey(endpoint, version));
  return it == versions_.end() ? nullptr : &it->second;
}

const EndpointInfo* Snapshot::FindEndpoint(std::string_view name) const {
  bool by_path = !name.empty() && name[0] == '/';
  for (const EndpointInfo& e : endpoints_)
    if ((by_path ? e.path : e.name) == name) return &e;
  return nullptr;
}

std::string Snapshot::VersionService(std::string_view endpoint, uint32_t version) const {
  const TypedVersion* v = FindVersion(endpoint, version);
  return v == nullptr ? std::string() : v->service;
}

std::string Snapshot::EndpointService(std::string_view endpoint) const {
  auto it = endpoint_services_.find(endpoint);
  return it == endpoint_services_.end() ? std::string() : it->second;
}

std::vector<std::string> Snapshot::TypedServices() const {
  std::vector<std::string> out;
  for (const auto& kv : versions_) out.push_back(kv.second.service);
  for (const auto& kv : endpoint_services_) out.push_back(kv.second);
  std::sort(out.begin(), out.end());
  return out;
}

std::string Snapshot::EndpointOfService(std::string_view service) const {
  auto it = owners_.find(service);
  return it == owners_.end() ? std::string() : it->second;
}

std::string Snapshot::EndpointOfFile(std::string_view file) const {
  return EndpointOfService(file);  // one map: service and file names never collide
}

std::map<std::string, bool> Snapshot::Health() const {
  std::map<std::string, bool> out = {{"", true},
                                     {kCommonService, true},
                                     {kReflectionAlphaService, true},
                                     {kReflectionV1Service, true}};
  for (const EndpointInfo& e : endpoints_) {
    if (!EndpointService(e.name).empty()) out[EndpointService(e.name)] = false;  // until current
    for (const VersionInfo& v : e.versions) {
      std::string service = VersionService(e.name, v.version);
      if (!service.empty()) out[service] = v.ready;
      if (v.version == e.current_version && !EndpointService(e.name).empty())
        out[EndpointService(e.name)] = v.ready;
    }
  }
  return out;
}

std::string Snapshot::SerializedFile(const FileDescriptor* file) const {
  auto it = files_.find(file->name());
  if (it != files_.end()) return it->second;
  FileDescriptorProto proto;
  file->CopyTo(&proto);
  file->CopySourceCodeInfoTo(&proto);
  return proto.SerializeAsString();
}

google::protobuf::Message* Snapshot::New(const google::protobuf::Descriptor* type) const {
  return factory_->GetPrototype(type)->New();
}

ServiceCatalog::ServiceCatalog(const ApiHost& api, const HostServices& log)
    : api_(api), log_(log) {}

std::shared_ptr<const Snapshot> ServiceCatalog::Get() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (current_ != nullptr) return current_;
  }
  return Refresh();
}

std::shared_ptr<const Snapshot> ServiceCatalog::RefreshUnlessRecent(
    std::chrono::milliseconds min_age) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (current_ != nullptr && std::chrono::steady_clock::now() - built_ < min_age) return current_;
  }
  return Refresh();
}

std::shared_ptr<const Snapshot> ServiceCatalog::Refresh() {
  std::vector<EndpointInfo> endpoints;
  Status s = api_.Catalog(&endpoints);
  if (!s.ok()) {
    log_.Warn("cannot read the endpoint catalog; keeping the previous services: " + s.message());
    std::lock_guard<std::mutex> lock(mu_);
    if (current_ != nullptr) return current_;
  }
  return Build(std::move(endpoints));
}

std::shared_ptr<const Snapshot> ServiceCatalog::Build(std::vector<EndpointInfo> endpoints) {
  std::lock_guard<std::mutex> build(build_mu_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    built_ = std::chrono::steady_clock::now();
  }
  auto snap = std::make_shared<Snapshot>();
  for (const FileDescriptorProto& f : Standard().files) AddFile(snap.get(), f);
  snap->endpoints_ = std::move(endpoints);
  std::map<std::string, std::string> components;  // package component -> endpoint
  std::set<std::string> seen;                     // versions in this catalog
  for (const EndpointInfo& e : snap->endpoints_) {
    auto [it, fresh] = components.emplace(EndpointComponent(e.name), e.name);
    if (!fresh) {
      std::string& seen = reported_["clash#" + e.name];
      if (seen.empty())
        log_.Error(seen = "endpoint " + e.name +
                          " gets no typed gRPC services: its name maps to "
                          "package " +
                          EndpointPackage(e.name) + " like endpoint " + it->second +
                          "'s; rename one of them (the common service serves both)");
      continue;
    }
    for (const VersionInfo& v : e.versions) {
      seen.insert(VersionKey(e.name, v.version));
      AddVersion(snap.get(), e, v);
    }
    AddEndpointService(snap.get(), e);
  }
  for (auto it = files_.begin(); it != files_.end();)  // forget pruned versions
    it = seen.count(it->first) != 0 ? std::next(it) : files_.erase(it);
  snap->factory_ = std::make_unique<google::protobuf::DynamicMessageFactory>(snap->pool_.get());
  std::shared_ptr<const Snapshot> out = std::move(snap);
  std::lock_guard<std::mutex> lock(mu_);
  current_ = out;
  return out;
}

const ServiceCatalog::CachedFile& ServiceCatalog::FileFor(const EndpointInfo& e,
                                                          const VersionInfo& v) {
  std::string key = VersionKey(e.name, v.version);
  auto it = files_.find(key);
  if (it != files_.end() && it->second.schema == v.schema) return it->second;
  CachedFile& c = files_[key];
  c.schema = v.schema;
  c.status = GenerateVersionFile(e.name, v.version, v.schema, &c.file);
  return c;
}

bool ServiceCatalog::AddFile(Snapshot* snap, const FileDescriptorProto& file) {
  if (snap->pool_->FindFileByName(file.name()) != nullptr) return false;  // never twice
  if (snap->pool_->BuildFile(file) == nullptr) return false;
  snap->files_[file.name()] = file.SerializeAsString();
  return true;
}

void ServiceCatalog::AddVersion(Snapshot* snap, const EndpointInfo& e, const VersionInfo& v) {
  const CachedFile& c = FileFor(e, v);
  std::string key = VersionKey(e.name, v.version);
  if (!c.status.ok() || !AddFile(snap, c.file.proto)) {
    std::string why =
        c.status.ok() ? "protobuf rejected " + c.file.proto.name() : c.status.message();
    if (reported_[key] != why)
      log_.Error(reported_[key] = "endpoint " + e.name + " v" + std::to_string(v.version) +
                                  " gets no typed gRPC service: " + why);
    return;
  }
  std::string package = VersionPackage(e.name, v.version) + ".";
  const DescriptorPool& pool = *snap->pool_;
  TypedVersion t;
  t.endpoint = e.name;
  t.version = v.version;
  t.schema = v.schema;
  t.service = package + VersionServiceName(e.name, v.version);
  std::vector<std::string> columns;
  for (const Field& f : v.schema.fields) columns.push_back(f.name);
  t.proto_names = ProtoFieldNames(columns);
  t.record = pool.FindMessageTypeByName(package + kRecord);
  t.get_request = pool.FindMessageTypeByName(package + kGetRequest);
  t.count_request = pool.FindMessageTypeByName(package + kCountRequest);
  t.count_response = pool.FindMessageTypeByName(package + kCountResponse);
  t.query_request = pool.FindMessageTypeByName(package + kQueryRequest);
  t.query_response = pool.FindMessageTypeByName(package + kQueryResponse);
  t.event_request = pool.FindMessageTypeByName(package + kEventRequest);
  t.event = pool.FindMessageTypeByName(package + kEvent);
  AddMethods(&snap->methods_, t.service, e.name, v.version);
  snap->owners_[t.service] = e.name;
  snap->owners_[c.file.proto.name()] = e.name;
  snap->versions_[key] = std::move(t);
}

void ServiceCatalog::AddEndpointService(Snapshot* snap, const EndpointInfo& e) {
  // Before any version is current the service is declared over the newest
  // version's messages; its calls then answer UNAVAILABLE (no current version).
  uint32_t over = e.current_version;
  if (over == 0 && !e.versions.empty()) over = e.versions.back().version;
  if (over == 0 || snap->FindVersion(e.name, over) == nullptr) return;
  google::protobuf::FileDescriptorProto file = BuildEndpointFile(e.name, over);
  if (!AddFile(snap, file)) return;
  std::string service = EndpointPackage(e.name) + "." + ServiceName(e.name);
  snap->endpoint_services_[e.name] = service;
  snap->owners_[service] = e.name;
  snap->owners_[file.name()] = e.name;
  AddMethods(&snap->methods_, service, e.name, 0);
}

}  // namespace sluice::grpcapi
