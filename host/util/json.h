// A small streaming JSON writer for the host (documents it writes: schema.json,
// plans, error bodies). Appends to a std::string; the caller is responsible
// for well-formed nesting.
//
//   JsonWriter w;  w.BeginObject(); w.Key("a"); w.Int(1); w.EndObject();
//   w.str() == "{\"a\":1}"
#ifndef SLUICE_HOST_UTIL_JSON_H_
#define SLUICE_HOST_UTIL_JSON_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::host {

// Appends `s` as a JSON string literal (quotes included), escaping as RFC 8259 requires.
void AppendJsonString(std::string* out, std::string_view s);
// Appends the shortest text that reads back as exactly `v`; "null" for NaN/Inf.
void AppendJsonDouble(std::string* out, double v);

class JsonWriter {
 public:
  explicit JsonWriter(bool pretty = false) : pretty_(pretty) {}
  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }
  void Key(std::string_view k);
  void String(std::string_view s) {
    Pre();
    AppendJsonString(&out_, s);
  }
  void Int(int64_t v) {
    Pre();
    out_ += std::to_string(v);
  }
  void Uint(uint64_t v) {
    Pre();
    out_ += std::to_string(v);
  }
  void Double(double v) {
    Pre();
    AppendJsonDouble(&out_, v);
  }
  void Bool(bool v) {
    Pre();
    out_ += v ? "true" : "false";
  }
  void Null() {
    Pre();
    out_ += "null";
  }
  // Appends already-encoded JSON as one value.
  void Raw(std::string_view json) {
    Pre();
    out_.append(json);
  }
  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void Pre();
  void Open(char c);
  void Close(char c);
  void Newline();
  std::string out_;
  std::vector<bool> first_;  // per open container: no element yet
  bool after_key_ = false;
  bool pretty_;
};

}  // namespace sluice::host

#endif  // SLUICE_HOST_UTIL_JSON_H_
