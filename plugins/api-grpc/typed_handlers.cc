// Handlers of the typed services' unary methods: the same calls as the
// common service, with requests and records as the version's generated
// messages (built at run time; see service_catalog.h).
#include <memory>

#include "handlers.h"
#include "proto_gen.h"
#include "record_codec.h"
#include "record_wire.h"
#include "sluice/json.h"
#include "status_map.h"

namespace sluice::grpcapi {

namespace {

using google::protobuf::Message;

// The single string field "query" (number 1) of a count or query request.
std::string QueryText(const Message& request) {
  const auto* fd = request.GetDescriptor()->FindFieldByNumber(1);
  return request.GetReflection()->GetString(request, fd);
}

// The query of a typed QueryRequest: its JSON text, with its `select`
// (field 2: source column names, or the Record's field names) added as
// $select. The host checks the names (did-you-mean) and the query.
std::string TypedQueryText(const Message& request, const TypedVersion& types) {
  std::string text = QueryText(request);
  const auto* fd = request.GetDescriptor()->FindFieldByNumber(2);
  const auto* reflection = request.GetReflection();
  int n = fd != nullptr && fd->is_repeated() ? reflection->FieldSize(request, fd) : 0;
  if (n == 0) return text;
  std::string select = "\"$select\":[";
  for (int i = 0; i < n; ++i) {
    std::string name =
        ColumnName(types.schema, types.proto_names, reflection->GetRepeatedString(request, fd, i));
    if (i > 0) select.push_back(',');
    AppendJsonString(&select, name);
  }
  select.push_back(']');
  size_t open = text.find_first_not_of(" \t\r\n");
  if (open == std::string::npos || text[open] != '{')
    return "{" + select + "}";  // the host refuses
  size_t next = text.find_first_not_of(" \t\r\n", open + 1);
  bool empty = next != std::string::npos && text[next] == '}';
  text.insert(open + 1, select + (empty ? "" : ","));
  return text;
}

grpc::Status Serialize(const Message& m, std::string* out) {
  if (!m.SerializeToString(out))
    return grpc::Status(grpc::StatusCode::INTERNAL, "cannot serialize " + m.GetTypeName());
  return grpc::Status::OK;
}

}  // namespace

grpc::Status Handlers::Typed(const MethodTarget& method, CallContext& call,
                             const std::string& request, std::string* response) {
  switch (method.method) {
    case TypedMethod::kCount: return TypedCount(method, call, request, response);
    case TypedMethod::kQuery: return TypedQuery(method, call, request, response);
    case TypedMethod::kGet: return TypedGet(method, call, request, response);
    case TypedMethod::kOnEvent: break;
  }
  return grpc::Status(grpc::StatusCode::INTERNAL, "onEvent is a stream, not a unary call");
}

grpc::Status Handlers::BeginTyped(const MethodTarget& m, CallContext& call,
                                  const std::string& request,
                                  const google::protobuf::Descriptor* TypedVersion::*request_type,
                                  TypedCall* out) {
  Status s = Pin(m.endpoint, m.version, call, &out->view);
  if (s.ok()) s = TypesFor(out->view, &out->snap, &out->types);
  if (!s.ok()) return ToGrpc(s);
  out->request.reset(out->snap->New(out->types->*request_type));
  return ParseRequest(request, out->request.get());
}

grpc::Status Handlers::TypedCount(const MethodTarget& m, CallContext& call,
                                  const std::string& request, std::string* response) {
  TypedCall c;
  grpc::Status g = BeginTyped(m, call, request, &TypedVersion::count_request, &c);
  if (!g.ok()) return g;
  uint64_t count = 0;
  Status s = call.request().api().Count(c.view, QueryOrAll(QueryText(*c.request)), &count);
  if (!s.ok()) return ToGrpc(s);
  if (call.Done()) return call.StopStatus();
  std::unique_ptr<Message> resp(c.snap->New(c.types->count_response));
  const auto* count_field = c.types->count_response->FindFieldByNumber(1);
  resp->GetReflection()->SetUInt64(resp.get(), count_field, count);
  return Serialize(*resp, response);
}

grpc::Status Handlers::TypedQuery(const MethodTarget& m, CallContext& call,
                                  const std::string& request, std::string* response) {
  TypedCall c;
  grpc::Status g = BeginTyped(m, call, request, &TypedVersion::query_request, &c);
  if (!g.ok()) return g;
  // The reply is written in the wire format directly: QueryResponse holds
  // only `repeated Record records = 1`, so it is the records, each tagged.
  response->clear();
  std::string rec;
  QueryInfo info;
  return QueryRecords(call, c.view, TypedQueryText(*c.request, *c.types), &info,
                      [&](std::string_view row, uint64_t* bytes) {
                        rec.clear();
                        Status e = AppendRecordWire(&rec, c.view.schema(), row, info.select);
                        *bytes = rec.size();
                        // Past the limit the answer is refused: stop growing it.
                        if (response->size() + rec.size() + kElementOverhead <= max_message_bytes_)
                          AppendLengthDelimited(response, 1, rec);
                        return e;
                      });
}

grpc::Status Handlers::TypedGet(const MethodTarget& m, CallContext& call,
                                const std::string& request, std::string* response) {
  TypedCall c;
  grpc::Status g = BeginTyped(m, call, request, &TypedVersion::get_request, &c);
  if (!g.ok()) return g;
  const Schema& schema = c.view.schema();
  std::string key;
  Status s = KeyTextFromRequest(schema, *c.request, &key);
  std::vector<uint32_t> select;
  if (s.ok())
    s = RequestSelect(schema, c.types->proto_names, *c.request,
                      c.request->GetDescriptor()->FindFieldByNumber(GetSelectNumber(schema)),
                      &select);
  response->clear();
  if (s.ok())
    s = GetRecord(call, c.view, key, [&](std::string_view row) {
      return AppendRecordWire(response, schema, row, select);
    });
  if (!s.ok()) return ToGrpc(s);
  return grpc::Status::OK;
}

}  // namespace sluice::grpcapi
