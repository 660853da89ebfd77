// JSON output for the REST plugin, written straight into a std::string with
// no intermediate document: the streaming writer used for records, catalog
// listings, errors and the OpenAPI document.
//
//   std::string out;
//   sluice::rest::JsonWriter w(&out);
//   w.BeginObject();
//   w.Key("count");
//   w.Uint(42);
//   w.EndObject();                          // out == {"count":42}
//   Status s = AppendRecordJson(&out, schema, row);   // {"id":1,"name":"x"}
#ifndef SLUICE_PLUGINS_API_REST_JSON_WRITER_H_
#define SLUICE_PLUGINS_API_REST_JSON_WRITER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/row.h"
#include "sluice/schema.h"
#include "sluice/status.h"

namespace sluice::rest {

// Appends `s` as a quoted JSON string: '"' and '\' escaped, control
// characters (< 0x20) as \n, \t, ... or \u00XX. Other bytes, UTF-8
// included, are copied unchanged.
void AppendJsonString(std::string* out, std::string_view s);

// Appends the shortest text that reads back as exactly `v`; NaN and the
// infinities (which JSON cannot represent) become null.
void AppendJsonDouble(std::string* out, double v);

// Appends one decoded value as its JSON form: int64 -> integer, float64 ->
// number, bool -> true/false, string -> string, timestamp -> ISO-8601
// string ("2024-01-31T14:28:15Z"), date -> "YYYY-MM-DD", null -> null.
void AppendJsonValue(std::string* out, const Value& v);

// Appends one encoded row as a JSON object whose members are the schema's
// fields in schema order. On a malformed row returns INTERNAL saying why;
// *out may then hold a partial object (callers discard the buffer).
Status AppendRecordJson(std::string* out, const Schema& schema, std::string_view row);

// Appends "YYYY-MM-DD" and "YYYY-MM-DDTHH:MM:SS[.ffffff]Z": the same text
// as AppendDate and AppendTimestamp (sluice/timefmt.h), without printf.
void AppendIsoDate(std::string* out, int32_t days);
void AppendIsoTimestamp(std::string* out, int64_t micros);

// Writes the records of one schema as JSON objects (as AppendRecordJson),
// with each member's quoted name prepared once instead of per row. Build
// one per answer (per schema) and reuse it for all its rows.
// Thread-safe for concurrent Append calls; `schema` must outlive it.
class RecordJson {
 public:
  explicit RecordJson(const Schema& schema);
  RecordJson(const RecordJson&) = delete;
  RecordJson& operator=(const RecordJson&) = delete;

  // Appends `row` as one JSON object. Errors as AppendRecordJson.
  Status Append(std::string* out, std::string_view row) const;

 private:
  const Schema& schema_;
  std::string names_;              // every `"name":`, with a ',' before all but the first
  std::vector<uint32_t> offsets_;  // names_[offsets_[i], offsets_[i + 1]) is field i's
};

// Streaming writer with automatic commas. The caller keeps the nesting
// balanced (every Begin* has its End*, Key() precedes each member value);
// the writer does not check it. Not thread-safe; `out` must outlive it.
class JsonWriter {
 public:
  explicit JsonWriter(std::string* out) : out_(out) {}
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }
  // Writes a member name; the next call writes its value.
  void Key(std::string_view key);
  void String(std::string_view s);
  void Int(int64_t v);
  void Uint(uint64_t v);
  void Double(double v);
  void Bool(bool v);
  void Null();
  // Writes `json`, which must be one complete JSON value, as the next value.
  void Raw(std::string_view json);
  // Writes one record (see AppendRecordJson) as the next value.
  Status Record(const Schema& schema, std::string_view row);
  // The same, with the member names prepared by `record`.
  Status Record(const RecordJson& record, std::string_view row);

  std::string* out() const { return out_; }

 private:
  void Separate() {
    if (need_comma_) out_->push_back(',');
    need_comma_ = true;
  }
  void Open(char c) {
    Separate();
    out_->push_back(c);
    need_comma_ = false;
  }
  void Close(char c) {
    out_->push_back(c);
    need_comma_ = true;
  }

  std::string* out_;
  bool need_comma_ = false;
};

}  // namespace sluice::rest

#endif  // SLUICE_PLUGINS_API_REST_JSON_WRITER_H_
