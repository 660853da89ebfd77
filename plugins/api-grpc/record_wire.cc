#include "record_wire.h"

#include <cstring>

#include "sluice/timefmt.h"

namespace sluice::grpcapi {

namespace {

constexpr int64_t kMicros = 1000000;

enum WireType : uint32_t { kVarint = 0, kFixed64 = 1, kLen = 2 };

void AppendTag(std::string* out, uint32_t number, WireType type) {
  AppendWireVarint(out, (static_cast<uint64_t>(number) << 3) | type);
}

void AppendFixed64(std::string* out, uint64_t v) {
  char buf[8];
  for (int i = 0; i < 8; ++i) buf[i] = static_cast<char>(v >> (8 * i));
  out->append(buf, sizeof buf);
}

// google.protobuf.Timestamp{seconds = 1, nanos = 2}; zero fields are omitted.
void AppendTimestampMessage(std::string* out, uint32_t number, int64_t micros) {
  int64_t secs = micros / kMicros, frac = micros % kMicros;
  if (frac < 0) frac += kMicros, secs -= 1;
  std::string body;
  body.reserve(24);
  if (secs != 0) AppendTag(&body, 1, kVarint), AppendWireVarint(&body, static_cast<uint64_t>(secs));
  if (frac != 0) AppendTag(&body, 2, kVarint), AppendWireVarint(&body, static_cast<uint64_t>(frac * 1000));
  AppendLengthDelimited(out, number, body);
}

// Whether a value of a field with implicit presence (proto3, not optional)
// is the default, which the wire format leaves out.
bool IsDefault(const Value& v) {
  uint64_t bits = 0;
  switch (v.type) {
    case Type::kInt64:
    case Type::kBool: return v.i == 0;
    case Type::kFloat64: std::memcpy(&bits, &v.f, sizeof bits); return bits == 0;
    case Type::kString: return v.str.empty();
    case Type::kDate:
    case Type::kTimestamp: return false;  // a date's text is never empty; timestamps are messages
  }
  return false;
}

void AppendField(std::string* out, uint32_t number, const Value& v) {
  uint64_t bits = 0;
  std::string date;
  switch (v.type) {
    case Type::kInt64:
    case Type::kBool:
      AppendTag(out, number, kVarint);
      return AppendWireVarint(out, v.type == Type::kBool ? (v.i != 0) : static_cast<uint64_t>(v.i));
    case Type::kFloat64:
      std::memcpy(&bits, &v.f, sizeof bits);
      AppendTag(out, number, kFixed64);
      return AppendFixed64(out, bits);
    case Type::kString: return AppendLengthDelimited(out, number, v.str);
    case Type::kDate:
      AppendDate(&date, static_cast<int32_t>(v.i));
      return AppendLengthDelimited(out, number, date);
    case Type::kTimestamp: return AppendTimestampMessage(out, number, v.i);
  }
}

}  // namespace

void AppendWireVarint(std::string* out, uint64_t v) {
  char buf[10];
  size_t n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  out->append(buf, n);
}

void AppendLengthDelimited(std::string* out, uint32_t number, std::string_view payload) {
  AppendTag(out, number, kLen);
  AppendWireVarint(out, payload.size());
  out->append(payload.data(), payload.size());
}

Status AppendRecordWire(std::string* out, const Schema& schema, std::string_view row) {
  RowReader reader(schema, row);
  Value v;
  while (reader.Next(&v)) {
    if (v.null) continue;
    if (!schema.fields[reader.index()].nullable && IsDefault(v)) continue;
    AppendField(out, static_cast<uint32_t>(reader.index() + 1), v);
  }
  if (!reader.ok()) return Internal("malformed row from the query service: " + reader.error());
  if (!reader.AtCleanEnd())
    return Internal("malformed row from the query service: trailing bytes after the last field");
  return Status();
}

}  // namespace sluice::grpcapi
