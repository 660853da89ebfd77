#include "record_wire.h"

#include <algorithm>
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

// Writes `v` as a varint at p; returns the end.
char* PutVarint(char* p, uint64_t v) {
  while (v >= 0x80) *p++ = static_cast<char>((v & 0x7f) | 0x80), v >>= 7;
  *p++ = static_cast<char>(v);
  return p;
}

// google.protobuf.Timestamp{seconds = 1, nanos = 2}; zero fields are omitted.
void AppendTimestampMessage(std::string* out, uint32_t number, int64_t micros) {
  int64_t secs = micros / kMicros, frac = micros % kMicros;
  if (frac < 0) frac += kMicros, secs -= 1;
  char body[24];  // two tags and two varints of at most 10 bytes
  char* p = body;
  if (secs != 0) {
    *p++ = static_cast<char>(1 << 3 | kVarint);
    p = PutVarint(p, static_cast<uint64_t>(secs));
  }
  if (frac != 0) {
    *p++ = static_cast<char>(2 << 3 | kVarint);
    p = PutVarint(p, static_cast<uint64_t>(frac * 1000));
  }
  AppendLengthDelimited(out, number, std::string_view(body, static_cast<size_t>(p - body)));
}

// A date's "YYYY-MM-DD" as AppendDate (sluice/timefmt.h) writes it, with
// years 0..9999 formatted here without printf.
void AppendDateString(std::string* out, uint32_t number, int32_t days) {
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  if (y < 0 || y > 9999) {
    std::string text;
    AppendDate(&text, days);
    return AppendLengthDelimited(out, number, text);
  }
  char text[10] = {0, 0, 0, 0, '-', 0, 0, '-', 0, 0};
  for (int i = 3; i >= 0; --i, y /= 10) text[i] = static_cast<char>('0' + y % 10);
  text[5] = static_cast<char>('0' + m / 10), text[6] = static_cast<char>('0' + m % 10);
  text[8] = static_cast<char>('0' + d / 10), text[9] = static_cast<char>('0' + d % 10);
  AppendLengthDelimited(out, number, std::string_view(text, sizeof text));
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
    case Type::kDate: return AppendDateString(out, number, static_cast<int32_t>(v.i));
    case Type::kTimestamp: return AppendTimestampMessage(out, number, v.i);
  }
}

}  // namespace

void AppendWireVarint(std::string* out, uint64_t v) {
  char buf[10];
  out->append(buf, PutVarint(buf, v));
}

void AppendLengthDelimited(std::string* out, uint32_t number, std::string_view payload) {
  AppendTag(out, number, kLen);
  AppendWireVarint(out, payload.size());
  out->append(payload.data(), payload.size());
}

Status AppendRecordWire(std::string* out, const Schema& schema, std::string_view row,
                        const std::vector<uint32_t>& select) {
  RowReader reader(schema, row);
  Value v;
  while (reader.Next(&v)) {
    if (v.null) continue;
    if (!select.empty() && std::find(select.begin(), select.end(), reader.index()) == select.end())
      continue;  // not selected: unset
    if (!schema.fields[reader.index()].nullable && IsDefault(v)) continue;
    AppendField(out, static_cast<uint32_t>(reader.index() + 1), v);
  }
  if (!reader.ok()) return Internal("malformed row from the query service: " + reader.error());
  if (!reader.AtCleanEnd())
    return Internal("malformed row from the query service: trailing bytes after the last field");
  return Status();
}

}  // namespace sluice::grpcapi
