// ParseAggregate: the aggregate request's JSON. The $filter (and the
// values of $after) go through ParseQuery, so they are checked and
// reported exactly as in queries.
#include <simdjson.h>

#include <algorithm>

#include "core/keycodec.h"
#include "query/aggregate_engine.h"
#include "query/request_json.h"
#include "sluice/json.h"
#include "sluice/schema_diff.h"

namespace sluice::host {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

constexpr const char* kKeys = "$group_by, $measures, $filter, $limit, $after";

std::string Kind(element e) {
  switch (e.type()) {
    case element_type::ARRAY: return "array";
    case element_type::OBJECT: return "object";
    case element_type::STRING: return "string";
    case element_type::BOOL: return "boolean";
    case element_type::NULL_VALUE: return "null";
    default: return "number";
  }
}

Status GroupBy(element e, const Schema& s, std::vector<uint32_t>* out) {
  if (e.type() == element_type::STRING) {
    std::string_view name = e.get_string().value_unsafe();
    int f = s.FieldIndex(name);
    if (f < 0)
      return InvalidArgument("unknown field \"" + std::string(name) +
                             "\" in $group_by; fields: " + FieldList(s));
    out->push_back(static_cast<uint32_t>(f));
    return Status();
  }
  if (e.type() != element_type::ARRAY)
    return InvalidArgument("$group_by must be an array of field names, got " + Kind(e));
  for (element item : AsArray(e)) {
    if (item.type() != element_type::STRING)
      return InvalidArgument("$group_by must be an array of field names, got a " + Kind(item) +
                             " in it");
    std::string_view name = item.get_string().value_unsafe();
    int f = s.FieldIndex(name);
    if (f < 0)
      return InvalidArgument("unknown field \"" + std::string(name) +
                             "\" in $group_by; fields: " + FieldList(s));
    if (std::find(out->begin(), out->end(), static_cast<uint32_t>(f)) != out->end())
      return InvalidArgument("$group_by names field " + std::string(name) + " twice");
    out->push_back(static_cast<uint32_t>(f));
  }
  return Status();
}

Status Measures(element e, const Schema& s, std::vector<Measure>* out) {
  if (e.type() != element_type::ARRAY)
    return InvalidArgument(
        "$measures must be an array like [\"count\", \"sum(fare_amount)\"], got " + Kind(e));
  for (element item : AsArray(e)) {
    if (item.type() != element_type::STRING)
      return InvalidArgument("$measures must be an array of strings, got a " + Kind(item) +
                             " in it");
    Measure m;
    std::string err = ParseMeasure(item.get_string().value_unsafe(), s, &m);
    if (!err.empty()) return InvalidArgument("$measures: " + err);
    if (std::find(out->begin(), out->end(), m) != out->end())
      return InvalidArgument("$measures names " + MeasureName(m, s) + " twice");
    out->push_back(m);
  }
  if (out->empty()) return InvalidArgument("$measures is empty; name at least one, e.g. count");
  return Status();
}

// $after: the last group of the previous page; its group_by values are
// typed by ParseQuery as an equality filter, measure names are ignored.
Status After(element e, const TableSchema& t, const QueryLimits& limits, AggregateRequest* r) {
  if (e.type() != element_type::OBJECT)
    return InvalidArgument("$after must be an object (the last group of the previous page), got " +
                           Kind(e));
  const Schema& s = t.schema;
  std::string filter = "{";
  std::vector<std::string> names;
  for (auto [key, value] : AsObject(e)) {
    int f = s.FieldIndex(key);
    bool grouped = f >= 0 && std::find(r->group_by.begin(), r->group_by.end(),
                                       static_cast<uint32_t>(f)) != r->group_by.end();
    if (!grouped) {
      Measure m;
      if (ParseMeasure(key, s, &m).empty()) continue;  // a measure of the group: ignored
      return InvalidArgument("$after names \"" + std::string(key) +
                             "\", which is neither a $group_by field nor a measure");
    }
    if (value.type() == element_type::OBJECT || value.type() == element_type::ARRAY)
      return InvalidArgument("$after: field " + std::string(key) + " needs a value, got " +
                             Kind(value));
    if (!names.empty()) filter += ",";
    AppendJsonString(&filter, key);
    filter += ":" + simdjson::minify(value);
    names.emplace_back(key);
  }
  filter += "}";
  for (uint32_t g : r->group_by)
    if (std::find(names.begin(), names.end(), s.fields[g].name) == names.end())
      return InvalidArgument("$after lacks field " + s.fields[g].name +
                             "; it needs every $group_by field");
  Query q;
  Status st = ParseQuery("{\"$filter\":" + filter + "}", t, limits, &q);
  if (!st.ok()) return st.WithContext("$after");
  std::vector<Value> row(s.fields.size());  // views the literals of q
  for (const FilterNode& c : q.filter.children)
    row[c.predicate.field] = c.predicate.values[0].AsValue(s.fields[c.predicate.field].type);
  r->has_after = true;
  r->after_key.clear();
  AppendKeyFields(&r->after_key, row, r->group_by);
  return Status();
}

}  // namespace

Status ParseAggregate(std::string_view json, const TableSchema& t, const QueryLimits& limits,
                      AggregateRequest* out) {
  *out = AggregateRequest();
  // Its own parser: the document is still read after ParseQuery parses
  // the $filter with the query parser.
  thread_local simdjson::dom::parser parser;
  element doc, group_by, measures, filter, limit, after;
  SLUICE_RETURN_IF_ERROR(
      ParseRequestObject(json, limits, "aggregate request", Kind, &parser, &doc));
  bool has[5] = {false, false, false, false, false};
  for (auto [key, value] : AsObject(doc)) {
    const char* names[5] = {"$group_by", "$measures", "$filter", "$limit", "$after"};
    element* slots[5] = {&group_by, &measures, &filter, &limit, &after};
    int k = -1;
    for (int i = 0; i < 5; ++i) k = key == names[i] ? i : k;
    if (k < 0)
      return InvalidArgument("unknown aggregate key \"" + std::string(key) +
                             "\"; valid keys: " + kKeys);
    if (has[k]) return InvalidArgument("aggregate key " + std::string(key) + " given twice");
    has[k] = true;
    *slots[k] = value;
  }
  const Schema& s = t.schema;
  if (has[0]) SLUICE_RETURN_IF_ERROR(GroupBy(group_by, s, &out->group_by));
  if (has[1]) SLUICE_RETURN_IF_ERROR(Measures(measures, s, &out->measures));
  else out->measures.push_back(Measure());
  std::string query = "{";
  if (has[2]) query += "\"$filter\":" + simdjson::minify(filter);
  query += "}";
  SLUICE_RETURN_IF_ERROR(ParseQuery(query, t, limits, &out->query));
  out->limit = limits.default_limit;
  if (has[3]) {
    int64_t n = -1;
    if (limit.type() == element_type::INT64) n = limit.get_int64().value_unsafe();
    if (limit.type() == element_type::UINT64) n = INT64_MAX;
    if (n < 0)
      return InvalidArgument("$limit must be a non-negative integer, got " + Kind(limit) + " " +
                             simdjson::minify(limit));
    if (n > limits.max_limit)
      return InvalidArgument("$limit " + std::to_string(n) + " exceeds the maximum " +
                             std::to_string(limits.max_limit) +
                             "; fetch further groups with $after");
    out->limit = static_cast<uint32_t>(n);
  }
  if (has[4]) SLUICE_RETURN_IF_ERROR(After(after, t, limits, out));
  return Status();
}

}  // namespace sluice::host
