#include "reflection.h"

#include <algorithm>
#include <memory>
#include <set>

#include "standard_protos.h"

namespace sluice::grpcapi {

namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::FileDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// Field numbers of the reflection protocol (proto/grpc/reflection/...).
enum RequestField {
  kHost = 1,
  kByFilename = 3,
  kBySymbol = 4,
  kByExtension = 5,
  kExtensionsOf = 6,
  kListServices = 7
};
enum ResponseField {
  kValidHost = 1,
  kOriginal = 2,
  kFiles = 4,
  kExtensionNumbers = 5,
  kServices = 6,
  kError = 7
};

const FieldDescriptor* F(const Descriptor* d, int number) { return d->FindFieldByNumber(number); }

// Appends `file` and everything it imports, each once, to `out`'s repeated
// bytes field 1 (FileDescriptorResponse.file_descriptor_proto).
void AddFileWithImports(const Snapshot& snap, const FileDescriptor* file,
                        std::set<std::string>* sent, Message* out) {
  if (!sent->insert(file->name()).second) return;
  out->GetReflection()->AddString(out, F(out->GetDescriptor(), 1), snap.SerializedFile(file));
  for (int i = 0; i < file->dependency_count(); ++i)
    AddFileWithImports(snap, file->dependency(i), sent, out);
}

void SetError(Message* resp, int code, const std::string& message) {
  const Reflection* r = resp->GetReflection();
  Message* err = r->MutableMessage(resp, F(resp->GetDescriptor(), kError));
  err->GetReflection()->SetInt32(err, F(err->GetDescriptor(), 1), code);
  err->GetReflection()->SetString(err, F(err->GetDescriptor(), 2), message);
}

void AnswerFile(const Snapshot& snap, const FileDescriptor* file, const std::string& what,
                const MayRead& may_read, Message* resp) {
  if (file != nullptr && may_read) {
    std::string endpoint = snap.EndpointOfFile(file->name());
    if (!endpoint.empty() && !may_read(endpoint)) file = nullptr;  // as if it did not exist
  }
  if (file == nullptr)
    return SetError(resp, static_cast<int>(grpc::StatusCode::NOT_FOUND), what + " not found");
  Message* files = resp->GetReflection()->MutableMessage(resp, F(resp->GetDescriptor(), kFiles));
  std::set<std::string> sent;
  AddFileWithImports(snap, file, &sent, files);
}

void AnswerServices(const Snapshot& snap, const MayRead& may_read, Message* resp) {
  Message* list = resp->GetReflection()->MutableMessage(resp, F(resp->GetDescriptor(), kServices));
  const FieldDescriptor* service = F(list->GetDescriptor(), 1);
  for (const std::string& name : ListedServices(snap, may_read)) {
    Message* s = list->GetReflection()->AddMessage(list, service);
    s->GetReflection()->SetString(s, F(s->GetDescriptor(), 1), name);
  }
}

void AnswerExtensionNumbers(const Snapshot& snap, const std::string& type, const MayRead& may_read,
                            Message* resp) {
  const Descriptor* d = snap.pool().FindMessageTypeByName(type);
  if (d != nullptr && may_read) {
    std::string endpoint = snap.EndpointOfFile(d->file()->name());
    if (!endpoint.empty() && !may_read(endpoint)) d = nullptr;
  }
  if (d == nullptr)
    return SetError(resp, static_cast<int>(grpc::StatusCode::NOT_FOUND),
                    "type " + type + " not found");
  Message* out =
      resp->GetReflection()->MutableMessage(resp, F(resp->GetDescriptor(), kExtensionNumbers));
  out->GetReflection()->SetString(out, F(out->GetDescriptor(), 1), type);
  std::vector<const FieldDescriptor*> extensions;
  snap.pool().FindAllExtensions(d, &extensions);
  for (const FieldDescriptor* x : extensions)
    out->GetReflection()->AddInt32(out, F(out->GetDescriptor(), 2), x->number());
}

void Answer(const Snapshot& snap, const Message& req, const MayRead& may_read, Message* resp) {
  const Reflection* q = req.GetReflection();
  const Descriptor* d = req.GetDescriptor();
  auto has = [&](int n) { return q->HasField(req, F(d, n)); };
  auto text = [&](int n) { return q->GetString(req, F(d, n)); };
  const auto& pool = snap.pool();
  if (has(kByFilename))
    return AnswerFile(snap, pool.FindFileByName(text(kByFilename)), "file " + text(kByFilename),
                      may_read, resp);
  if (has(kBySymbol))
    return AnswerFile(snap, pool.FindFileContainingSymbol(text(kBySymbol)),
                      "symbol " + text(kBySymbol), may_read, resp);
  if (has(kByExtension)) {
    const Message& x = q->GetMessage(req, F(d, kByExtension));
    std::string type = x.GetReflection()->GetString(x, F(x.GetDescriptor(), 1));
    int number = x.GetReflection()->GetInt32(x, F(x.GetDescriptor(), 2));
    const Descriptor* base = pool.FindMessageTypeByName(type);
    const FieldDescriptor* ext = base ? pool.FindExtensionByNumber(base, number) : nullptr;
    return AnswerFile(snap, ext ? ext->file() : nullptr,
                      "extension " + std::to_string(number) + " of " + type, may_read, resp);
  }
  if (has(kExtensionsOf)) return AnswerExtensionNumbers(snap, text(kExtensionsOf), may_read, resp);
  if (has(kListServices)) return AnswerServices(snap, may_read, resp);
  SetError(resp, static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT),
           "the request sets none of file_by_filename, file_containing_symbol, "
           "file_containing_extension, all_extension_numbers_of_type, list_services");
}

}  // namespace

std::vector<std::string> ListedServices(const Snapshot& snap, const MayRead& may_read) {
  std::vector<std::string> out;
  for (const std::string& s : snap.TypedServices())
    if (!may_read || may_read(snap.EndpointOfService(s))) out.push_back(s);
  for (const char* s :
       {kCommonService, kReflectionAlphaService, kReflectionV1Service, kHealthService})
    out.push_back(s);
  std::sort(out.begin(), out.end());
  return out;
}

grpc::Status AnswerReflection(const Snapshot& snap, int which, const std::string& request,
                              std::string* response, const MayRead& may_read) {
  const StandardFiles& std_files = Standard();
  std::unique_ptr<Message> req(std_files.Prototype(std_files.reflection_request[which])->New());
  if (!req->ParseFromString(request))
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "request is not a valid " + req->GetTypeName() + " message");
  std::unique_ptr<Message> resp(std_files.Prototype(std_files.reflection_response[which])->New());
  const Descriptor* rd = resp->GetDescriptor();
  resp->GetReflection()->SetString(
      resp.get(), F(rd, kValidHost),
      req->GetReflection()->GetString(*req, F(req->GetDescriptor(), kHost)));
  resp->GetReflection()->MutableMessage(resp.get(), F(rd, kOriginal))->CopyFrom(*req);
  Answer(snap, *req, may_read, resp.get());
  if (!resp->SerializeToString(response))
    return grpc::Status(grpc::StatusCode::INTERNAL, "cannot serialize a reflection answer");
  return grpc::Status::OK;
}

}  // namespace sluice::grpcapi
