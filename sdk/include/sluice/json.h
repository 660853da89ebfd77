// JSON text, written straight into a std::string with no intermediate
// document: string and number literals, decoded values and encoded rows
// (sluice/row.h) as JSON objects, and a streaming writer with automatic
// commas (compact, or indented for files people read). Header-only,
// locale-free; the text is the same in every plugin and in the host.
//
//   std::string out;
//   sluice::JsonWriter w(&out);
//   w.BeginObject();
//   w.Key("count");
//   w.Uint(42);
//   w.EndObject();                                  // out == {"count":42}
//   Status s = sluice::AppendRecordJson(&out, schema, row);  // {"id":1,"name":"x"}
#ifndef SLUICE_JSON_H_
#define SLUICE_JSON_H_

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/row.h"
#include "sluice/schema.h"
#include "sluice/status.h"
#include "sluice/timefmt.h"

namespace sluice {

namespace json_internal {

// The escape of '"', '\' and the bytes below 0x20 that have a short one;
// nullptr for the others.
inline const char* ShortEscape(unsigned char c) {
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

inline bool NeedsEscape(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }

inline void AppendEscaped(std::string* out, unsigned char c) {
  if (const char* e = ShortEscape(c)) {
    out->append(e);
    return;
  }
  static const char kHex[] = "0123456789abcdef";
  const char buf[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xf]};
  out->append(buf, sizeof buf);
}

// Fast path for 0 < |v| < 1e5 with at most two decimals (fares, distances).
// Then n / 100 with n = |v| * 100 reads back as exactly |v|, no text with
// fewer digits does (such texts have at most two decimals too, and those
// are all distinct doubles here), and the fixed form is never longer than
// the exponent form: so this is the text std::to_chars gives (".0" added to
// whole numbers, as AppendJsonDouble does). False when v is not such a
// number.
inline bool AppendTwoDecimals(std::string* out, double v) {
  double a = v < 0 ? -v : v;
  if (!(a > 0 && a < 1e5)) return false;
  double scaled = a * 100;
  auto n = static_cast<int64_t>(scaled);
  if (static_cast<double>(n) != scaled || static_cast<double>(n) / 100 != a) return false;
  char buf[16];
  char* p = buf;
  if (v < 0) *p++ = '-';
  p = std::to_chars(p, buf + sizeof buf, n / 100).ptr;
  *p++ = '.';
  int frac = static_cast<int>(n % 100);
  if (frac == 0) {
    *p++ = '0';  // a float64 reads back as a float: 5.0, not 5
  } else {
    *p++ = static_cast<char>('0' + frac / 10);
    if (frac % 10 != 0) *p++ = static_cast<char>('0' + frac % 10);
  }
  out->append(buf, p);
  return true;
}

}  // namespace json_internal

// Appends `s` as a quoted JSON string (RFC 8259): '"' and '\' escaped,
// control bytes (< 0x20) as \n, \t, ... or \u00XX. Other bytes, UTF-8
// included, are copied unchanged (the caller passes valid UTF-8).
inline void AppendJsonString(std::string* out, std::string_view s) {
  out->push_back('"');
  size_t run = 0;  // start of the pending unescaped run
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (!json_internal::NeedsEscape(c)) continue;
    out->append(s.data() + run, i - run);
    json_internal::AppendEscaped(out, c);
    run = i + 1;
  }
  out->append(s.data() + run, s.size() - run);
  out->push_back('"');
}

// Appends `v` in decimal: the same text as std::to_chars.
template <class Int>
void AppendJsonInteger(std::string* out, Int v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, r.ptr);
}

// Appends the shortest text that reads back as exactly `v` (std::to_chars's),
// with ".0" after a whole number so that dynamically typed clients (Python,
// JavaScript) read a float: 0.0 and 76.0, never 0 and 76. NaN and the
// infinities, which JSON cannot represent, become null.
inline void AppendJsonDouble(std::string* out, double v) {
  if (!std::isfinite(v)) {
    out->append("null");
    return;
  }
  if (json_internal::AppendTwoDecimals(out, v)) return;
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, r.ptr);
  if (std::find_if(buf, r.ptr, [](char c) { return c == '.' || c == 'e'; }) == r.ptr)
    out->append(".0");
}

// Appends one decoded value as its JSON form: int64 -> integer, float64 ->
// number (as AppendJsonDouble), bool -> true/false, string -> string,
// timestamp -> "2024-01-31T14:28:15Z" (fraction when nonzero), date ->
// "YYYY-MM-DD", null -> null.
inline void AppendJsonValue(std::string* out, const Value& v) {
  if (v.null) {
    out->append("null");
    return;
  }
  switch (v.type) {
    case Type::kInt64: AppendJsonInteger(out, v.i); return;
    case Type::kFloat64: AppendJsonDouble(out, v.f); return;
    case Type::kBool: out->append(v.i != 0 ? "true" : "false"); return;
    case Type::kString: AppendJsonString(out, v.str); return;
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

namespace json_internal {

// Closes a record's object once `reader` has read every field of it.
inline Status EndRecord(const RowReader& reader, std::string* out) {
  if (!reader.ok()) return Internal("malformed row from the query service: " + reader.error());
  if (!reader.AtCleanEnd())
    return Internal("malformed row from the query service: trailing bytes after the last field");
  out->push_back('}');
  return Status();
}

}  // namespace json_internal

// Appends one encoded row as a JSON object whose members are the schema's
// fields in schema order, values as AppendJsonValue. On a malformed row
// returns INTERNAL saying why; *out may then hold a partial object
// (callers discard the buffer).
inline Status AppendRecordJson(std::string* out, const Schema& schema, std::string_view row) {
  RowReader reader(schema, row);
  Value v;
  out->push_back('{');
  while (reader.Next(&v)) {
    if (reader.index() > 0) out->push_back(',');
    AppendJsonString(out, schema.fields[reader.index()].name);
    out->push_back(':');
    AppendJsonValue(out, v);
  }
  return json_internal::EndRecord(reader, out);
}

// Writes the records of one schema as JSON objects (as AppendRecordJson),
// with each member's quoted name prepared once instead of per row. Build
// one per answer (per schema) and reuse it for all its rows.
// Thread-safe for concurrent Append calls; `schema` must outlive it.
class RecordJson {
 public:
  explicit RecordJson(const Schema& schema) : schema_(schema) {
    for (size_t i = 0; i < schema.fields.size(); ++i) {
      offsets_.push_back(static_cast<uint32_t>(names_.size()));
      if (i > 0) names_.push_back(',');
      AppendJsonString(&names_, schema.fields[i].name);
      names_.push_back(':');
    }
    offsets_.push_back(static_cast<uint32_t>(names_.size()));
  }
  RecordJson(const RecordJson&) = delete;
  RecordJson& operator=(const RecordJson&) = delete;

  // From now on writes only `fields` (field numbers of the schema, in this
  // order; a query's $select); empty = every field, in schema order.
  void Select(const std::vector<uint32_t>& fields) {
    select_ = fields;
    selected_names_.clear();
    selected_offsets_.clear();
    for (size_t k = 0; k < fields.size(); ++k) {
      selected_offsets_.push_back(static_cast<uint32_t>(selected_names_.size()));
      if (k > 0) selected_names_.push_back(',');
      AppendJsonString(&selected_names_, schema_.fields[fields[k]].name);
      selected_names_.push_back(':');
    }
    selected_offsets_.push_back(static_cast<uint32_t>(selected_names_.size()));
  }

  // Appends `row` as one JSON object. Errors as AppendRecordJson.
  Status Append(std::string* out, std::string_view row) const {
    RowReader reader(schema_, row);
    Value v;
    out->push_back('{');
    if (!select_.empty()) {
      values_.resize(schema_.fields.size());
      while (reader.Next(&v)) values_[reader.index()] = v;
      if (!reader.ok()) return json_internal::EndRecord(reader, out);
      for (size_t k = 0; k < select_.size(); ++k) {
        out->append(selected_names_, selected_offsets_[k],
                    selected_offsets_[k + 1] - selected_offsets_[k]);
        AppendJsonValue(out, values_[select_[k]]);
      }
      return json_internal::EndRecord(reader, out);
    }
    while (reader.Next(&v)) {
      size_t i = reader.index();
      out->append(names_, offsets_[i], offsets_[i + 1] - offsets_[i]);
      AppendJsonValue(out, v);
    }
    return json_internal::EndRecord(reader, out);
  }

 private:
  const Schema& schema_;
  std::string names_;              // every `"name":`, with a ',' before all but the first
  std::vector<uint32_t> offsets_;  // names_[offsets_[i], offsets_[i + 1]) is field i's
  std::vector<uint32_t> select_;   // Select(): the fields written, in order
  std::string selected_names_;     // as names_, for select_
  std::vector<uint32_t> selected_offsets_;
  mutable std::vector<Value> values_;  // the row's values, when select_ is set
};

// Streaming writer with automatic commas, appending to *out. The caller
// keeps the nesting balanced (every Begin* has its End*, Key() precedes
// each member value); the writer does not check it. Compact by default;
// kIndented puts each member and element on a line of its own, indented
// by two spaces a level, with ": " after keys (for files people read).
// Not thread-safe; `out` must outlive it.
class JsonWriter {
 public:
  enum Layout { kCompact, kIndented };

  explicit JsonWriter(std::string* out, Layout layout = kCompact)
      : out_(out), indented_(layout == kIndented) {}
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }
  // Writes a member name; the next call writes its value.
  void Key(std::string_view key) {
    Separate();
    AppendJsonString(out_, key);
    if (indented_) {
      out_->append(": ");
      after_key_ = true;
    } else {
      out_->push_back(':');
    }
    need_comma_ = false;
  }
  void String(std::string_view s) {
    Separate();
    AppendJsonString(out_, s);
  }
  void Int(int64_t v) {
    Separate();
    AppendJsonInteger(out_, v);
  }
  void Uint(uint64_t v) {
    Separate();
    AppendJsonInteger(out_, v);
  }
  // As AppendJsonDouble: 0.5, 3.0, null for NaN and the infinities.
  void Double(double v) {
    Separate();
    AppendJsonDouble(out_, v);
  }
  void Bool(bool v) {
    Separate();
    out_->append(v ? "true" : "false");
  }
  void Null() {
    Separate();
    out_->append("null");
  }
  // One member: Key(key) then the value, in one call.
  void KeyString(std::string_view key, std::string_view v) {
    Key(key);
    String(v);
  }
  void KeyInt(std::string_view key, int64_t v) {
    Key(key);
    Int(v);
  }
  void KeyUint(std::string_view key, uint64_t v) {
    Key(key);
    Uint(v);
  }
  void KeyDouble(std::string_view key, double v) {
    Key(key);
    Double(v);
  }
  void KeyBool(std::string_view key, bool v) {
    Key(key);
    Bool(v);
  }
  // Writes `json`, which must be one complete JSON value, as the next value.
  void Raw(std::string_view json) {
    Separate();
    out_->append(json.data(), json.size());
  }
  // Writes one record (see AppendRecordJson) as the next value.
  Status Record(const Schema& schema, std::string_view row) {
    Separate();
    return AppendRecordJson(out_, schema, row);
  }
  // The same, with the member names prepared by `record`.
  Status Record(const RecordJson& record, std::string_view row) {
    Separate();
    return record.Append(out_, row);
  }

  std::string* out() const { return out_; }

 private:
  // Before every value and key: the comma, and in the indented layout the
  // line break (none between a key and its value, none at the top level).
  void Separate() {
    if (need_comma_) out_->push_back(',');
    need_comma_ = true;
    if (indented_) {
      if (after_key_) after_key_ = false;
      else if (depth_ > 0) NewLine();
    }
  }
  void Open(char c) {
    Separate();
    out_->push_back(c);
    need_comma_ = false;
    ++depth_;
  }
  void Close(char c) {
    --depth_;
    if (indented_ && need_comma_) NewLine();  // not empty: the closer on a line of its own
    out_->push_back(c);
    need_comma_ = true;
  }
  void NewLine() {
    out_->push_back('\n');
    out_->append(static_cast<size_t>(depth_) * 2, ' ');
  }

  std::string* out_;
  bool indented_;
  bool need_comma_ = false;  // a value was written at this level: the next one needs ','
  bool after_key_ = false;   // indented: a key was written, its value follows on its line
  int depth_ = 0;            // open containers
};

}  // namespace sluice

#endif  // SLUICE_JSON_H_
