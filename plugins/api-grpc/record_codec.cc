#include "record_codec.h"

#include <charconv>

#include "sluice/timefmt.h"

namespace sluice::grpcapi {

namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

constexpr int64_t kMicros = 1000000;

Status Malformed(const std::string& why) {
  return Internal("malformed row from the query service: " + why);
}

void SetTimestamp(Message* ts, int64_t micros) {
  int64_t secs = micros / kMicros, frac = micros % kMicros;
  if (frac < 0) frac += kMicros, secs -= 1;
  const Reflection* r = ts->GetReflection();
  r->SetInt64(ts, ts->GetDescriptor()->FindFieldByName("seconds"), secs);
  r->SetInt32(ts, ts->GetDescriptor()->FindFieldByName("nanos"), static_cast<int32_t>(frac * 1000));
}

int64_t TimestampMicros(const Message& ts) {
  const Reflection* r = ts.GetReflection();
  int64_t secs = r->GetInt64(ts, ts.GetDescriptor()->FindFieldByName("seconds"));
  int32_t nanos = r->GetInt32(ts, ts.GetDescriptor()->FindFieldByName("nanos"));
  return secs * kMicros + nanos / 1000;
}

void SetValue(Message* msg, const FieldDescriptor* fd, const Value& v) {
  const Reflection* r = msg->GetReflection();
  std::string date;
  switch (v.type) {
    case Type::kInt64: return r->SetInt64(msg, fd, v.i);
    case Type::kFloat64: return r->SetDouble(msg, fd, v.f);
    case Type::kBool: return r->SetBool(msg, fd, v.i != 0);
    case Type::kString: return r->SetString(msg, fd, std::string(v.str));
    case Type::kDate:
      AppendDate(&date, static_cast<int32_t>(v.i));
      return r->SetString(msg, fd, std::move(date));
    case Type::kTimestamp: return SetTimestamp(r->MutableMessage(msg, fd), v.i);
  }
}

template <class T>
void AppendNumber(std::string* out, T v) {
  char buf[32];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, res.ptr);
}

// Appends `s` with ',' and '\' escaped by a backslash.
void AppendKeyPart(std::string* out, std::string_view s) {
  for (char c : s) {
    if (c == ',' || c == '\\') out->push_back('\\');
    out->push_back(c);
  }
}

// The text form of key field `fd` of `request` (field type `type`).
std::string KeyValueText(const Message& request, const FieldDescriptor* fd, Type type) {
  const Reflection* r = request.GetReflection();
  std::string out;
  switch (type) {
    case Type::kInt64: AppendNumber(&out, r->GetInt64(request, fd)); break;
    case Type::kFloat64: AppendNumber(&out, r->GetDouble(request, fd)); break;
    case Type::kBool: out = r->GetBool(request, fd) ? "true" : "false"; break;
    case Type::kString:
    case Type::kDate: out = r->GetString(request, fd); break;
    case Type::kTimestamp:
      AppendTimestamp(&out, TimestampMicros(r->GetMessage(request, fd)));
      break;
  }
  return out;
}

}  // namespace

Status RowToMessage(const Schema& schema, std::string_view row, Message* record) {
  const auto* desc = record->GetDescriptor();
  RowReader reader(schema, row);
  Value v;
  while (reader.Next(&v)) {
    if (v.null) continue;
    const FieldDescriptor* fd = desc->FindFieldByNumber(static_cast<int>(reader.index() + 1));
    if (fd == nullptr)
      return Internal("grpc: " + desc->full_name() + " lacks field " +
                      std::to_string(reader.index() + 1));
    SetValue(record, fd, v);
  }
  if (!reader.ok()) return Malformed(reader.error());
  if (!reader.AtCleanEnd()) return Malformed("trailing bytes after the last field");
  return Status();
}

Status KeyTextFromRequest(const Schema& schema, const Message& request, std::string* key) {
  key->clear();
  const auto* desc = request.GetDescriptor();
  for (size_t k = 0; k < schema.primary_key.size(); ++k) {
    const Field& field = schema.fields[schema.primary_key[k]];
    const FieldDescriptor* fd = desc->FindFieldByNumber(static_cast<int>(k + 1));
    if (fd == nullptr)
      return Internal("grpc: " + desc->full_name() + " lacks key field " + field.name);
    if (!request.GetReflection()->HasField(request, fd))
      return InvalidArgument(desc->full_name() + "." + fd->name() + " (key column \"" + field.name +
                             "\") is missing; get needs every primary-key field");
    if (k > 0) key->push_back(',');
    AppendKeyPart(key, KeyValueText(request, fd, field.type));
  }
  return Status();
}

}  // namespace sluice::grpcapi
