// Builds the FileDescriptorProtos of the typed services directly.
#include "proto_gen.h"

#include <utility>
#include <vector>

#include "names.h"

namespace sluice::grpcapi {

namespace {

using google::protobuf::DescriptorProto;
using google::protobuf::FieldDescriptorProto;
using google::protobuf::FileDescriptorProto;

constexpr const char* kTimestampFile = "google/protobuf/timestamp.proto";

// Paths into FileDescriptorProto for source-info comments.
constexpr int kSyntaxPath = FileDescriptorProto::kSyntaxFieldNumber;
constexpr int kMessagePath = FileDescriptorProto::kMessageTypeFieldNumber;
constexpr int kEnumPath = FileDescriptorProto::kEnumTypeFieldNumber;
constexpr int kServicePath = FileDescriptorProto::kServiceFieldNumber;
constexpr int kFieldPath = DescriptorProto::kFieldFieldNumber;
constexpr int kMethodPath = google::protobuf::ServiceDescriptorProto::kMethodFieldNumber;

void Comment(FileDescriptorProto* file, std::vector<int> path, const std::string& text) {
  auto* loc = file->mutable_source_code_info()->add_location();
  for (int p : path) loc->add_path(p);
  for (int i = 0; i < 3; ++i) loc->add_span(0);  // printing needs a span; the parse sets real ones
  loc->set_leading_comments(" " + text + "\n");
}

// "\"Trip ID\"": a column name quoted, with control characters shown as \xNN.
std::string Quoted(const std::string& name) {
  static const char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      if (c == '"' || c == '\\') out += '\\';
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

DescriptorProto* AddMessage(FileDescriptorProto* file, const std::string& name,
                            const std::string& comment) {
  Comment(file, {kMessagePath, file->message_type_size()}, comment);
  DescriptorProto* m = file->add_message_type();
  m->set_name(name);
  return m;
}

FieldDescriptorProto* AddField(DescriptorProto* m, const std::string& name, int number,
                               FieldDescriptorProto::Type type, const std::string& type_name = "") {
  FieldDescriptorProto* f = m->add_field();
  f->set_name(name);
  f->set_number(number);
  f->set_label(FieldDescriptorProto::LABEL_OPTIONAL);
  f->set_type(type);
  if (!type_name.empty()) f->set_type_name(type_name);
  return f;
}

// Marks `f` (the last field of `m`) proto3 `optional`: a synthetic oneof.
void MakeOptional(DescriptorProto* m, FieldDescriptorProto* f) {
  f->set_proto3_optional(true);
  f->set_oneof_index(m->oneof_decl_size());
  m->add_oneof_decl()->set_name("_" + f->name());
}

// Adds schema field `i` to `m` as `name` = `number`, with its comment.
// Scalars are `optional` when the column is nullable or `always_optional`.
void AddColumn(FileDescriptorProto* file, int message_index, const Schema& schema, size_t i,
               const std::string& name, int number, const std::string& note, bool always_optional) {
  const Field& col = schema.fields[i];
  DescriptorProto* m = file->mutable_message_type(message_index);
  Comment(file, {kMessagePath, message_index, kFieldPath, m->field_size()},
          "column " + Quoted(col.name) + ": " + TypeName(col.type) +
              (col.nullable ? ", nullable" : "") + note);
  FieldDescriptorProto* f = nullptr;
  switch (col.type) {
    case Type::kInt64: f = AddField(m, name, number, FieldDescriptorProto::TYPE_INT64); break;
    case Type::kFloat64: f = AddField(m, name, number, FieldDescriptorProto::TYPE_DOUBLE); break;
    case Type::kBool: f = AddField(m, name, number, FieldDescriptorProto::TYPE_BOOL); break;
    case Type::kString:
    case Type::kDate: f = AddField(m, name, number, FieldDescriptorProto::TYPE_STRING); break;
    case Type::kTimestamp:
      AddField(m, name, number, FieldDescriptorProto::TYPE_MESSAGE, ".google.protobuf.Timestamp");
      return;  // a message field: unset = null
  }
  if (col.nullable || always_optional) MakeOptional(m, f);
}

std::string KeyNames(const Schema& schema) {
  std::string out;
  for (uint32_t k : schema.primary_key) out += (out.empty() ? "" : ", ") + schema.fields[k].name;
  return out;
}

void AddRecord(FileDescriptorProto* file, const Schema& schema,
               const std::vector<std::string>& names, const std::string& endpoint) {
  AddMessage(file, kRecord,
             "One record of " + endpoint +
                 ". Field N is column N of the source; a nullable\n"
                 "column is `optional` (or an unset Timestamp), so null differs from zero.\n"
                 "Dates are \"YYYY-MM-DD\" strings.");
  for (size_t i = 0; i < schema.fields.size(); ++i) {
    bool key = false;
    for (uint32_t k : schema.primary_key) key = key || k == i;
    AddColumn(file, 0, schema, i, names[i], static_cast<int>(i + 1), key ? ", primary key" : "",
              false);
  }
}

void AddGetRequest(FileDescriptorProto* file, const Schema& schema,
                   const std::vector<std::string>& names) {
  int index = file->message_type_size();
  AddMessage(file, kGetRequest,
             "The primary key of one record (" + KeyNames(schema) +
                 "); every key field is required.\n"
                 "select: the fields the Record holds (source column names or Record\n"
                 "field names); the others stay unset. Empty = every field.");
  std::vector<std::string> request_names;
  for (size_t k = 0; k < schema.primary_key.size(); ++k) {
    uint32_t i = schema.primary_key[k];
    AddColumn(file, index, schema, i, names[i], static_cast<int>(k + 1), "", true);
    request_names.push_back(names[i]);
  }
  request_names.push_back("select");  // "select_2" should a key field be named so
  std::string select = ProtoFieldNames(request_names).back();
  AddField(file->mutable_message_type(index), select, GetSelectNumber(schema),
           FieldDescriptorProto::TYPE_STRING)
      ->set_label(FieldDescriptorProto::LABEL_REPEATED);
}

void AddPlainMessages(FileDescriptorProto* file, const std::string& package) {
  const auto kString = FieldDescriptorProto::TYPE_STRING;
  AddField(AddMessage(file, kCountRequest, "A query (docs/query.md) as JSON text; empty = {}."),
           "query", 1, kString);
  AddField(AddMessage(file, kCountResponse, "Records the query matches."), "count", 1,
           FieldDescriptorProto::TYPE_UINT64);
  DescriptorProto* query =
      AddMessage(file, kQueryRequest,
                 "A query (docs/query.md) as JSON text; empty = {}. select: the fields\n"
                 "each Record holds (source column names or Record field names, like\n"
                 "$select); the others stay unset. Empty = every field.");
  AddField(query, "query", 1, kString);
  AddField(query, "select", 2, kString)->set_label(FieldDescriptorProto::LABEL_REPEATED);
  FieldDescriptorProto* records =
      AddField(AddMessage(file, kQueryResponse, "The records of a query, in its order."), "records",
               1, FieldDescriptorProto::TYPE_MESSAGE, "." + package + "." + kRecord);
  records->set_label(FieldDescriptorProto::LABEL_REPEATED);
  DescriptorProto* events =
      AddMessage(file, kEventRequest,
                 "Which changes to stream (docs/realtime.md): filter, a $filter JSON object\n"
                 "(docs/query.md), empty = every change; after, resume after this log\n"
                 "offset; else from: \"now\" (or empty), \"start\" or an offset.");
  AddField(events, "filter", 1, kString);
  MakeOptional(events, AddField(events, "after", 2, FieldDescriptorProto::TYPE_UINT64));
  AddField(events, "from", 3, kString);
  DescriptorProto* event = AddMessage(file, kEvent, "One change applied to this version.");
  AddField(event, "op", 1, FieldDescriptorProto::TYPE_ENUM, "." + package + "." + kOpEnum);
  AddField(event, "offset", 2, FieldDescriptorProto::TYPE_UINT64);
  AddField(event, "record", 3, FieldDescriptorProto::TYPE_MESSAGE, "." + package + "." + kRecord);
}

void AddOpEnum(FileDescriptorProto* file) {
  Comment(file, {kEnumPath, 0}, "What a change did. A delete's record carries at least the key.");
  auto* e = file->add_enum_type();
  e->set_name(kOpEnum);
  const char* names[] = {"OP_UNSPECIFIED", "OP_INSERT", "OP_UPDATE", "OP_DELETE"};
  for (int i = 0; i < 4; ++i) {
    auto* v = e->add_value();
    v->set_name(names[i]);
    v->set_number(i);
  }
}

// Adds the service `name` with the four methods over `package`'s messages.
void AddService(FileDescriptorProto* file, const std::string& name, const std::string& package,
                const std::string& comment) {
  int s = file->service_size();
  Comment(file, {kServicePath, s}, comment);
  auto* service = file->add_service();
  service->set_name(name);
  struct M {
    const char* name;
    const char* in;
    const char* out;
    bool stream;
    const char* doc;
  };
  const M methods[] = {
      {"count", kCountRequest, kCountResponse, false, "Counts the records a query matches."},
      {"query", kQueryRequest, kQueryResponse, false, "Runs a query."},
      {"get", kGetRequest, kRecord, false, "One record by primary key; NOT_FOUND if absent."},
      {"onEvent", kEventRequest, kEvent, true,
       "The changes applied from now on, in log order, until the client cancels."}};
  for (const M& m : methods) {
    Comment(file, {kServicePath, s, kMethodPath, service->method_size()}, m.doc);
    auto* method = service->add_method();
    method->set_name(m.name);
    method->set_input_type("." + package + "." + m.in);
    method->set_output_type("." + package + "." + m.out);
    if (m.stream) method->set_server_streaming(true);
  }
}

}  // namespace

Status BuildVersionProto(std::string_view endpoint, uint32_t version, const Schema& schema,
                         FileDescriptorProto* out) {
  std::string name(endpoint);
  if (schema.fields.empty())
    return InvalidArgument("grpc: endpoint " + name + " v" + std::to_string(version) +
                           " has no fields; a typed service needs at least one");
  if (schema.primary_key.empty())
    return InvalidArgument("grpc: endpoint " + name + " v" + std::to_string(version) +
                           " has no primary key; set index.primary_key in the endpoint config");
  out->Clear();
  std::string package = VersionPackage(endpoint, version);
  out->set_name(VersionFileName(endpoint, version));
  out->set_package(package);
  out->set_syntax("proto3");
  Comment(out, {kSyntaxPath},
          "Typed gRPC service of sluice endpoint " + name + ", version " + std::to_string(version) +
              ".\nGenerated from the version's schema by `sluice "
              "migrate`; the unversioned service\n" +
              EndpointPackage(endpoint) + "." + ServiceName(endpoint) +
              " serves the current version with these messages.");
  bool timestamps = false;
  for (const Field& f : schema.fields) timestamps = timestamps || f.type == Type::kTimestamp;
  if (timestamps) out->add_dependency(kTimestampFile);
  std::vector<std::string> columns;
  for (const Field& f : schema.fields) columns.push_back(f.name);
  std::vector<std::string> names = ProtoFieldNames(columns);
  AddRecord(out, schema, names, name);
  AddGetRequest(out, schema, names);
  AddPlainMessages(out, package);
  AddOpEnum(out);
  AddService(out, VersionServiceName(endpoint, version), package,
             "Endpoint " + name + ", version " + std::to_string(version) + " only.");
  return Status();
}

FileDescriptorProto BuildEndpointFile(std::string_view endpoint, uint32_t current) {
  FileDescriptorProto out;
  out.set_name(EndpointFileName(endpoint));
  out.set_package(EndpointPackage(endpoint));
  out.set_syntax("proto3");
  out.add_dependency(VersionFileName(endpoint, current));
  AddService(&out, ServiceName(endpoint), VersionPackage(endpoint, current),
             "Endpoint " + std::string(endpoint) + ", current version, with the messages of v" +
                 std::to_string(current) + "; follows switches of the current version.");
  return out;
}

}  // namespace sluice::grpcapi
