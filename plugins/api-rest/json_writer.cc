#include "json_writer.h"

#include <algorithm>
#include <charconv>
#include <climits>
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

// Writes `v` (< 10^width) as exactly `width` decimal digits at p.
void PutDigits(char* p, uint32_t v, int width) {
  for (int i = width - 1; i >= 0; --i, v /= 10) p[i] = static_cast<char>('0' + v % 10);
}

// Fast path for 0 < |v| < 1e5 with at most two decimals (fares, distances).
// Then n / 100 with n = |v| * 100 reads back as exactly |v|, no text with
// fewer digits does (such texts have at most two decimals too, and those
// are all distinct doubles here), and the fixed form is never longer than
// the exponent form: so this is the text std::to_chars gives (".0" added to
// whole numbers, as AppendJsonDouble does). False when v
// is not such a number.
bool AppendTwoDecimals(std::string* out, double v) {
  double a = v < 0 ? -v : v;
  if (!(a > 0 && a < 1e5)) return false;
  double scaled = a * 100;
  auto n = static_cast<int64_t>(scaled);
  if (static_cast<double>(n) != scaled || static_cast<double>(n) / 100 != a) return false;
  char buf[16];
  char* p = buf;
  if (v < 0) *p++ = '-';
  p = std::to_chars(p, buf + sizeof buf, n / 100).ptr;
  if (int frac = static_cast<int>(n % 100); frac == 0) {
    *p++ = '.';  // a float64 reads back as a float: 5.0, not 5
    *p++ = '0';
  } else {
    *p++ = '.';
    *p++ = static_cast<char>('0' + frac / 10);
    if (frac % 10 != 0) *p++ = static_cast<char>('0' + frac % 10);
  }
  out->append(buf, p);
  return true;
}

}  // namespace

void AppendIsoDate(std::string* out, int32_t days) {
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  if (y < 0 || y > 9999) return AppendDate(out, days);  // rare: keep printf's sign and width
  char buf[10];
  PutDigits(buf, static_cast<uint32_t>(y), 4);
  buf[4] = '-';
  PutDigits(buf + 5, m, 2);
  buf[7] = '-';
  PutDigits(buf + 8, d, 2);
  out->append(buf, sizeof buf);
}

void AppendIsoTimestamp(std::string* out, int64_t micros) {
  int64_t secs = micros / 1000000, frac = micros % 1000000;
  if (frac < 0) frac += 1000000, secs -= 1;
  int64_t days = secs / 86400, rem = secs % 86400;
  if (rem < 0) rem += 86400, days -= 1;
  if (days < INT32_MIN || days > INT32_MAX) return AppendTimestamp(out, micros);
  AppendIsoDate(out, static_cast<int32_t>(days));
  char buf[17] = {'T', 0, 0, ':', 0, 0, ':', 0, 0, '.'};
  PutDigits(buf + 1, static_cast<uint32_t>(rem / 3600), 2);
  PutDigits(buf + 4, static_cast<uint32_t>(rem / 60 % 60), 2);
  PutDigits(buf + 7, static_cast<uint32_t>(rem % 60), 2);
  size_t n = 9;
  if (frac != 0) PutDigits(buf + 10, static_cast<uint32_t>(frac), 6), n = 16;
  buf[n++] = 'Z';
  out->append(buf, n);
}

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
  if (AppendTwoDecimals(out, v)) return;
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, r.ptr);
  // A float64 must read back as a float in dynamically typed clients
  // (Python, JavaScript): 0.0 and 76.0, never 0 and 76.
  if (std::find_if(buf, r.ptr, [](char c) { return c == '.' || c == 'e'; }) == r.ptr)
    out->append(".0");
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
      AppendIsoTimestamp(out, v.i);
      out->push_back('"');
      return;
    case Type::kDate:
      out->push_back('"');
      AppendIsoDate(out, static_cast<int32_t>(v.i));
      out->push_back('"');
      return;
  }
  out->append("null");
}

namespace {

// Closes a record's object once `reader` has read every field of it.
Status EndRecord(const RowReader& reader, std::string* out) {
  if (!reader.ok()) return Internal("malformed row from the query service: " + reader.error());
  if (!reader.AtCleanEnd())
    return Internal("malformed row from the query service: trailing bytes after the last field");
  out->push_back('}');
  return Status();
}

}  // namespace

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
  return EndRecord(reader, out);
}

RecordJson::RecordJson(const Schema& schema) : schema_(schema) {
  for (size_t i = 0; i < schema.fields.size(); ++i) {
    offsets_.push_back(static_cast<uint32_t>(names_.size()));
    if (i > 0) names_.push_back(',');
    AppendJsonString(&names_, schema.fields[i].name);
    names_.push_back(':');
  }
  offsets_.push_back(static_cast<uint32_t>(names_.size()));
}

Status RecordJson::Append(std::string* out, std::string_view row) const {
  RowReader reader(schema_, row);
  Value v;
  out->push_back('{');
  while (reader.Next(&v)) {
    size_t i = reader.index();
    out->append(names_, offsets_[i], offsets_[i + 1] - offsets_[i]);
    AppendJsonValue(out, v);
  }
  return EndRecord(reader, out);
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

Status JsonWriter::Record(const RecordJson& record, std::string_view row) {
  Separate();
  return record.Append(out_, row);
}

}  // namespace sluice::rest
