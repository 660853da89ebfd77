// Handlers of sluice.v1.Common's unary methods, and what every handler
// shares: request parsing, pinning a version, finding its typed messages.
#include "handlers.h"
#include "record_codec.h"
#include "sluice/field_lookup.h"
#include "sluice/json.h"
#include "sluice/v1/common.pb.h"
#include "status_map.h"

namespace sluice::grpcapi {

namespace {

const char* const kCommonPaths[] = {"/sluice.v1.Common/count",     "/sluice.v1.Common/query",
                                    "/sluice.v1.Common/get",       "/sluice.v1.Common/getEndpoints",
                                    "/sluice.v1.Common/getFields", "/sluice.v1.Common/onEvent",
                                    "/sluice.v1.Common/aggregate"};
const CommonMethod kCommonMethods[] = {CommonMethod::kCount,     CommonMethod::kQuery,
                                       CommonMethod::kGet,       CommonMethod::kGetEndpoints,
                                       CommonMethod::kGetFields, CommonMethod::kOnEvent,
                                       CommonMethod::kAggregate};

grpc::Status Serialize(const google::protobuf::Message& m, std::string* out) {
  if (!m.SerializeToString(out))
    return grpc::Status(grpc::StatusCode::INTERNAL, "cannot serialize " + m.GetTypeName());
  return grpc::Status::OK;
}

v1::FieldType FieldTypeOf(Type t) { return static_cast<v1::FieldType>(static_cast<int>(t)); }

void FillVersion(const Snapshot& snap, const EndpointInfo& e, const VersionInfo& v,
                 v1::VersionInfo* out) {
  out->set_version(v.version);
  out->set_ready(v.ready);
  out->set_log_end(v.log_end);
  out->set_cache_offset(v.cache_offset);
  out->set_lag(v.log_end > v.cache_offset ? v.log_end - v.cache_offset : 0);
  out->set_rows(v.rows);
  out->set_service(snap.VersionService(e.name, v.version));
}

std::string VersionList(const EndpointInfo& e) {
  std::string out;
  for (const VersionInfo& v : e.versions)
    out += (out.empty() ? "" : ", ") + std::to_string(v.version);
  return out.empty() ? "none" : out;
}

}  // namespace

bool FindCommonMethod(std::string_view path, CommonMethod* out) {
  for (size_t i = 0; i < std::size(kCommonPaths); ++i)
    if (path == kCommonPaths[i]) {
      *out = kCommonMethods[i];
      return true;
    }
  return false;
}

grpc::Status ParseRequest(const std::string& bytes, google::protobuf::Message* message) {
  if (message->ParseFromString(bytes)) return grpc::Status::OK;
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                      "request is not a valid " + message->GetTypeName() + " message");
}

std::string_view QueryOrAll(std::string_view query) {
  return query.find_first_not_of(" \t\r\n") == std::string_view::npos ? "{}" : query;
}

grpc::Status TooLarge(uint64_t size, uint32_t max_message_bytes) {
  return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                      "the answer exceeds max_message_bytes (" + std::to_string(max_message_bytes) +
                          " bytes, reached " + std::to_string(size) +
                          "); lower $limit and fetch further pages with $after");
}

Status GetRecord(CallContext& call, const ApiHost::View& view, const std::string& key,
                 FunctionRef<Status(std::string_view row)> encode) {
  bool got = false;
  Status row_error;
  Status s = call.request().api().Get(view, key, [&](const sluice_row_batch& rows) {
    if (rows.row_count > 0 && !got) {
      got = true;
      row_error = encode(BatchRow(rows, 0));
    }
    return false;
  });
  if (s.ok()) s = row_error;
  // The host's errors name the endpoint and version already.
  if (s.ok() && !got)
    s = NotFound(view.endpoint().name + " v" + std::to_string(view.version().version) +
                 ": no record with key \"" + key + "\"");
  return s;
}

std::string ColumnName(const Schema& schema, const std::vector<std::string>& proto_names,
                       std::string name) {
  if (schema.FieldIndex(name) >= 0) return name;
  for (size_t f = 0; f < proto_names.size() && f < schema.fields.size(); ++f)
    if (proto_names[f] == name) return schema.fields[f].name;
  return name;
}

Status RequestSelect(const Schema& schema, const std::vector<std::string>& proto_names,
                     const google::protobuf::Message& request,
                     const google::protobuf::FieldDescriptor* field, std::vector<uint32_t>* out) {
  out->clear();
  if (field == nullptr || !field->is_repeated()) return Status();
  const auto* reflection = request.GetReflection();
  int n = reflection->FieldSize(request, field);
  for (int i = 0; i < n; ++i) {
    std::string name =
        ColumnName(schema, proto_names, reflection->GetRepeatedString(request, field, i));
    Status s = AddSelectedField(schema, name, out);
    if (!s.ok()) return s.WithContext(field->full_name());
  }
  return Status();
}

Handlers::Handlers(ServiceCatalog* catalog, uint32_t max_message_bytes)
    : catalog_(catalog), max_message_bytes_(max_message_bytes) {}

Status Handlers::Pin(std::string_view endpoint, uint32_t version, CallContext& call,
                     ApiHost::View* view) {
  if (endpoint.empty())
    return InvalidArgument("request names no endpoint; set endpoint to a name like \"trips\"");
  SLUICE_RETURN_IF_ERROR(call.request().api().Acquire(endpoint, version, view));
  call.SetVersion(view->version().version);
  return Status();
}

grpc::Status Handlers::QueryRecords(
    CallContext& call, const ApiHost::View& view, std::string_view query, QueryInfo* info,
    FunctionRef<Status(std::string_view row, uint64_t* bytes)> add) {
  uint64_t size = 0;
  Status row_error;
  Status s = call.request().api().Query(
      view, QueryOrAll(query),
      [&](const sluice_row_batch& rows) {
        for (uint32_t i = 0; i < rows.row_count && row_error.ok(); ++i) {
          uint64_t bytes = 0;
          row_error = add(BatchRow(rows, i), &bytes);
          size += bytes + kElementOverhead;
        }
        return row_error.ok() && size <= max_message_bytes_ && !call.Done();
      },
      info);
  if (s.ok()) s = row_error;
  if (!s.ok()) return ToGrpc(s);
  if (call.Done()) return call.StopStatus();
  if (size > max_message_bytes_) return TooLarge(size, max_message_bytes_);
  return grpc::Status::OK;
}

Status Handlers::TypesFor(const ApiHost::View& view, std::shared_ptr<const Snapshot>* snap,
                          const TypedVersion** types) {
  const std::string& name = view.endpoint().name;
  uint32_t v = view.version().version;
  *snap = catalog_->Get();
  if ((*types = (*snap)->FindVersion(name, v)) != nullptr) return Status();
  *snap = catalog_->Refresh();  // the version may be newer than the snapshot
  if ((*types = (*snap)->FindVersion(name, v)) != nullptr) return Status();
  return Unavailable("endpoint " + name + " v" + std::to_string(v) +
                     " has no typed gRPC service (see the server log); use sluice.v1.Common");
}

grpc::Status Handlers::Common(CommonMethod method, CallContext& call, const std::string& request,
                              std::string* response) {
  switch (method) {
    case CommonMethod::kCount: return Count(call, request, response);
    case CommonMethod::kQuery: return Query(call, request, response);
    case CommonMethod::kGet: return Get(call, request, response);
    case CommonMethod::kGetEndpoints: return GetEndpoints(call, response);
    case CommonMethod::kGetFields: return GetFields(call, request, response);
    case CommonMethod::kAggregate: return Aggregate(call, request, response);
    case CommonMethod::kOnEvent: break;
  }
  return grpc::Status(grpc::StatusCode::INTERNAL, "onEvent is a stream, not a unary call");
}

grpc::Status Handlers::Count(CallContext& call, const std::string& request, std::string* response) {
  v1::CountRequest req;
  grpc::Status g = ParseRequest(request, &req);
  if (!g.ok()) return g;
  ApiHost::View view;
  Status s = Pin(req.endpoint(), req.version(), call, &view);
  uint64_t count = 0;
  if (s.ok()) s = call.request().api().Count(view, QueryOrAll(req.query()), &count);
  if (!s.ok()) return ToGrpc(s);
  if (call.Done()) return call.StopStatus();
  v1::CountResponse resp;
  resp.set_count(count);
  resp.set_version(view.version().version);
  return Serialize(resp, response);
}

grpc::Status Handlers::Query(CallContext& call, const std::string& request, std::string* response) {
  v1::QueryRequest req;
  grpc::Status g = ParseRequest(request, &req);
  if (!g.ok()) return g;
  ApiHost::View view;
  Status s = Pin(req.endpoint(), req.version(), call, &view);
  if (!s.ok()) return ToGrpc(s);
  v1::QueryResponse resp;
  QueryInfo info;
  RecordJson record(view.schema());
  bool started = false;
  g = QueryRecords(call, view, req.query(), &info, [&](std::string_view row, uint64_t* bytes) {
    if (!started) record.Select(info.select), started = true;  // the query's $select
    std::string* json = resp.add_records();
    Status e = record.Append(json, row);
    *bytes = json->size();
    return e;
  });
  if (!g.ok()) return g;
  resp.set_version(view.version().version);
  if (info.reported) {
    resp.mutable_plan()->set_plan(info.plan);
    resp.mutable_plan()->set_scan(info.scan);
    resp.mutable_plan()->set_examined(info.examined);
  }
  return Serialize(resp, response);
}

grpc::Status Handlers::Get(CallContext& call, const std::string& request, std::string* response) {
  v1::GetRequest req;
  grpc::Status g = ParseRequest(request, &req);
  if (!g.ok()) return g;
  ApiHost::View view;
  Status s = Pin(req.endpoint(), req.version(), call, &view);
  if (!s.ok()) return ToGrpc(s);
  std::vector<uint32_t> select;
  s = RequestSelect(
      view.schema(), {}, req,
      v1::GetRequest::descriptor()->FindFieldByNumber(v1::GetRequest::kSelectFieldNumber), &select);
  RecordJson record(view.schema());
  record.Select(select);
  v1::GetResponse resp;
  if (s.ok())
    s = GetRecord(call, view, req.key(),
                  [&](std::string_view row) { return record.Append(resp.mutable_record(), row); });
  if (!s.ok()) return ToGrpc(s);
  resp.set_version(view.version().version);
  return Serialize(resp, response);
}

grpc::Status Handlers::GetEndpoints(CallContext& call, std::string* response) {
  std::vector<EndpointInfo> endpoints;  // what the client may read, fresh: rows and lag move
  Status s = call.request().api().Catalog(&endpoints);
  if (s.code() == Code::kUnauthenticated || s.code() == Code::kPermissionDenied) return ToGrpc(s);
  if (!s.ok()) return ToGrpc(s.WithContext("reading the endpoint catalog"));
  std::shared_ptr<const Snapshot> snap = catalog_->Get();
  for (const EndpointInfo& e : endpoints) {
    const EndpointInfo* known = snap->FindEndpoint(e.name);
    if (known == nullptr || known->versions.size() != e.versions.size() ||
        known->current_version != e.current_version) {
      snap = catalog_->Refresh();  // a change not yet notified: name the services it brings
      break;
    }
  }
  v1::GetEndpointsResponse resp;
  for (const EndpointInfo& e : endpoints) {
    v1::EndpointInfo* out = resp.add_endpoints();
    out->set_name(e.name);
    out->set_path(e.path);
    out->set_current_version(e.current_version);
    out->set_pinned(e.pinned);
    out->set_service(snap->EndpointService(e.name));
    for (const VersionInfo& v : e.versions) FillVersion(*snap, e, v, out->add_versions());
  }
  return Serialize(resp, response);
}

grpc::Status Handlers::GetFields(CallContext& call, const std::string& request,
                                 std::string* response) {
  v1::GetFieldsRequest req;
  grpc::Status g = ParseRequest(request, &req);
  if (!g.ok()) return g;
  if (req.endpoint().empty())
    return ToGrpc(
        InvalidArgument("request names no endpoint; set endpoint to a name like \"trips\""));
  // The fields as the client sees them: its catalog (fields it may not see
  // are nullable there); the typed names come from the plugin's snapshot.
  Status s = call.request().Authorize(Action::kRead, req.endpoint());
  std::vector<EndpointInfo> endpoints;
  if (s.ok()) s = call.request().api().Catalog(&endpoints);
  if (!s.ok()) return ToGrpc(s);
  const EndpointInfo* e = nullptr;
  bool by_path = req.endpoint()[0] == '/';
  for (const EndpointInfo& x : endpoints)
    if ((by_path ? x.path : x.name) == req.endpoint()) e = &x;
  if (e == nullptr) return ToGrpc(NotFound("no endpoint \"" + req.endpoint() + "\""));
  std::shared_ptr<const Snapshot> snap = catalog_->Get();
  if (snap->FindEndpoint(e->name) == nullptr)
    snap = catalog_->RefreshUnlessRecent(std::chrono::milliseconds(200));
  uint32_t version = req.version() != 0 ? req.version() : e->current_version;
  if (version == 0)
    return ToGrpc(Unavailable("endpoint " + e->name +
                              " has no current version yet; versions: " + VersionList(*e)));
  const VersionInfo* v = nullptr;
  for (const VersionInfo& x : e->versions) v = x.version == version ? &x : v;
  if (v == nullptr)
    return ToGrpc(NotFound("endpoint " + e->name + " has no version " + std::to_string(version) +
                           "; versions: " + VersionList(*e)));
  const TypedVersion* types = snap->FindVersion(e->name, version);
  v1::GetFieldsResponse resp;
  resp.set_version(version);
  if (types != nullptr) resp.set_record_type(types->record->full_name());
  for (size_t i = 0; i < v->schema.fields.size(); ++i) {
    const Field& f = v->schema.fields[i];
    v1::Field* out = resp.add_fields();
    out->set_name(f.name);
    out->set_type(FieldTypeOf(f.type));
    out->set_nullable(f.nullable);
    if (types == nullptr || i >= types->proto_names.size()) continue;
    out->set_proto_name(types->proto_names[i]);
    out->set_number(static_cast<uint32_t>(i + 1));
  }
  for (uint32_t k : v->schema.primary_key) resp.add_primary_key(v->schema.fields[k].name);
  return Serialize(resp, response);
}

}  // namespace sluice::grpcapi
