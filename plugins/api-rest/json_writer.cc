#include "json_writer.h"

#include <charconv>
#include <cmath>

#include "sluice/timefmt.h"

namespace sluice::rest {

namespace {

// Escape for bytes below 0x20, '"' and '\'; nullptr when copied as is.
const char* ShortEscape(unsigned char c) {
  switch (c) {
    case '"': return "\\\"";
    case '\\': return "\\\\";
    case '\b': return "\\b";
    case '\f': return "\\f";
    case '\n': return "\\n";
    case '\r': return "\\r";
    case '\t': return "\\t";
    default: return nullptr;
  }
}

bool NeedsEscape(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }

void AppendEscaped(std::string* out, unsigned char c) {
  if (const char* e = ShortEscape(c)) {
    out->append(e);
    return;
  }
  static const char kHex[] = "0123456789abcdef";
  char buf[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xf]};
  out->append(buf, sizeof buf);
}

template <class T>
void AppendInteger(std::string* out, T v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, r.ptr);
}

}  // namespace

void AppendJsonString(std::string* out, std::string_view s) {
  out->push_back('"');
  size_t run = 0;  // start of the pending unescaped run
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (!NeedsEscape(c)) continue;
    out->append(s.data() + run, i - run);
    AppendEscaped(out, c);
    run = i + 1;
  }
  out->append(s.data() + run, s.size() - run);
  out->push_back('"');
}

void AppendJsonDouble(std::string* out, double v) {
  if (!std::isfinite(v)) {
    out->append("null");
    return;
  }
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, r.ptr);
}

void AppendJsonValue(std::string* out, const Value& v) {
  if (v.null) {
    out->append("null");
    return;
  }
  switch (v.type) {
    case Type::kInt64: return AppendInteger(out, v.i);
    case Type::kFloat64: return AppendJsonDouble(out, v.f);
    case Type::kBool: return out->append(v.i != 0 ? "true" : "false"), void();
    case Type::kString: return AppendJsonString(out, v.str);
    case Type::kTimestamp:
      out->push_back('"');
      AppendTimestamp(out, v.i);
      out->push_back('"');
      return;
    case Type::kDate:
      out->push_back('"');
      AppendDate(out, static_cast<int32_t>(v.i));
      out->push_back('"');
      return;
  }
  out->append("null");
}

Status AppendRecordJson(std::string* out, const Schema& schema, std::string_view row) {
  RowReader reader(schema, row);
  Value v;
  out->push_back('{');
  while (reader.Next(&v)) {
    if (reader.index() > 0) out->push_back(',');
    AppendJsonString(out, schema.fields[reader.index()].name);
    out->push_back(':');
    AppendJsonValue(out, v);
  }
  if (!reader.ok()) return Internal("malformed row from the query service: " + reader.error());
  if (!reader.AtCleanEnd())
    return Internal("malformed row from the query service: trailing bytes after the last field");
  out->push_back('}');
  return Status();
}

void JsonWriter::Key(std::string_view key) {
  Separate();
  AppendJsonString(out_, key);
  out_->push_back(':');
  need_comma_ = false;
}

void JsonWriter::String(std::string_view s) {
  Separate();
  AppendJsonString(out_, s);
}

void JsonWriter::Int(int64_t v) {
  Separate();
  AppendInteger(out_, v);
}

void JsonWriter::Uint(uint64_t v) {
  Separate();
  AppendInteger(out_, v);
}

void JsonWriter::Double(double v) {
  Separate();
  AppendJsonDouble(out_, v);
}

void JsonWriter::Bool(bool v) {
  Separate();
  out_->append(v ? "true" : "false");
}

void JsonWriter::Null() {
  Separate();
  out_->append("null");
}

void JsonWriter::Raw(std::string_view json) {
  Separate();
  out_->append(json.data(), json.size());
}

Status JsonWriter::Record(const Schema& schema, std::string_view row) {
  Separate();
  return AppendRecordJson(out_, schema, row);
}

}  // namespace sluice::rest
