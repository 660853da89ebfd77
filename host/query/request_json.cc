#include "query/request_json.h"

#include "sluice/json.h"
#include "util/json_doc.h"

namespace sluice::host {

using simdjson::dom::element;
using simdjson::dom::element_type;

Status ParseRequestObject(std::string_view json, const QueryLimits& limits, std::string_view what,
                          std::string (*describe)(element), simdjson::dom::parser* parser,
                          element* doc) {
  if (json.size() > limits.max_query_bytes)
    return InvalidArgument(std::string(what) + " of " + std::to_string(json.size()) +
                           " bytes exceeds the maximum " + std::to_string(limits.max_query_bytes) +
                           " (query.max_query_bytes)");
  if (json.find_first_not_of(" \t\r\n") == std::string_view::npos) json = "{}";
  Status s = ParseJson(json, parser, doc);
  if (!s.ok()) return InvalidArgument(std::string(what) + " is " + s.message());
  if (!doc->is_object())
    return InvalidArgument(std::string(what) + " must be a JSON object, got " + describe(*doc));
  return Status();
}

std::string DescribeJson(element e) {
  std::string out;
  switch (e.type()) {
    case element_type::STRING: {
      std::string_view s = e.get_string().value_unsafe();
      out = "string ";
      if (s.size() <= 64) {
        AppendJsonString(&out, s);
        return out;
      }
      AppendJsonString(&out, std::string(s.substr(0, 64)) + "...");
      return out;
    }
    case element_type::INT64: return "number " + std::to_string(e.get_int64().value_unsafe());
    case element_type::UINT64: return "number " + std::to_string(e.get_uint64().value_unsafe());
    case element_type::DOUBLE:
      out = "number ";
      AppendJsonDouble(&out, e.get_double().value_unsafe());
      return out;
    case element_type::BOOL: return e.get_bool().value_unsafe() ? "bool true" : "bool false";
    case element_type::NULL_VALUE: return "null";
    case element_type::ARRAY: return "array";
    case element_type::OBJECT: return "object";
  }
  return "value";
}

simdjson::dom::object AsObject(element e) {
  simdjson::dom::object o;
  if (e.get_object().get(o) != simdjson::SUCCESS) return simdjson::dom::object();
  return o;
}

simdjson::dom::array AsArray(element e) {
  simdjson::dom::array a;
  if (e.get_array().get(a) != simdjson::SUCCESS) return simdjson::dom::array();
  return a;
}

}  // namespace sluice::host
