#include "core/table_schema.h"

#include <simdjson.h>

#include <algorithm>
#include <set>

#include "core/home.h"
#include "sluice/json.h"
#include "sluice/schema_diff.h"
#include "util/json_doc.h"

namespace sluice::host {
namespace {

constexpr int kFormat = 1;

Status ResolveFields(const Schema& s, const std::vector<std::string>& names,
                     const std::string& what, const std::string& endpoint,
                     std::vector<uint32_t>* out) {
  out->clear();
  for (const std::string& n : names) {
    int i = s.FieldIndex(n);
    if (i < 0)
      return InvalidArgument("endpoint " + endpoint + ": " + what + " names field \"" + n +
                             "\", which the source does not have; fields are: " + FieldList(s));
    if (std::find(out->begin(), out->end(), static_cast<uint32_t>(i)) != out->end())
      return InvalidArgument("endpoint " + endpoint + ": " + what + " lists field \"" + n +
                             "\" twice");
    out->push_back(static_cast<uint32_t>(i));
  }
  return Status();
}

}  // namespace

Status ApplyKeys(const Schema& source, const std::vector<std::string>& primary_key,
                 const std::vector<std::vector<std::string>>& secondary,
                 const std::string& endpoint, TableSchema* out) {
  out->schema = source;
  out->row_key = primary_key.empty();
  if (out->row_key) {
    if (source.FieldIndex(kRowKeyField) >= 0)
      return InvalidArgument("endpoint " + endpoint + ": the source has a field named \"" +
                             std::string(kRowKeyField) +
                             "\", the name sluice gives the row key of an endpoint without "
                             "index.primary_key; set a primary key, or rename the column");
    out->schema.fields.push_back({std::string(kRowKeyField), Type::kInt64, false});
    out->schema.primary_key = {static_cast<uint32_t>(out->schema.fields.size() - 1)};
  } else {
    SLUICE_RETURN_IF_ERROR(ResolveFields(source, primary_key, "index.primary_key", endpoint,
                                         &out->schema.primary_key));
  }
  for (uint32_t k : out->schema.primary_key) out->schema.fields[k].nullable = false;
  out->indexes.clear();
  for (size_t i = 0; i < secondary.size(); ++i) {
    std::vector<uint32_t> idx;
    SLUICE_RETURN_IF_ERROR(ResolveFields(
        source, secondary[i], "index.secondary[" + std::to_string(i) + "]", endpoint, &idx));
    if (idx.empty())
      return InvalidArgument("endpoint " + endpoint + ": index.secondary[" + std::to_string(i) +
                             "] is empty");
    out->indexes.push_back(std::move(idx));
  }
  return Status();
}

Schema TableSchema::SourceSchema() const {
  if (!row_key) return schema;
  Schema s = schema;
  s.fields.pop_back();
  s.primary_key.clear();
  return s;
}

std::string VersionMetaToJson(const VersionMeta& m) {
  const Schema& s = m.table_schema.schema;
  std::string out;
  JsonWriter w(&out, JsonWriter::kIndented);
  w.BeginObject();
  w.KeyInt("format", kFormat);
  w.KeyString("endpoint", m.endpoint);
  w.KeyUint("version", m.version);
  w.KeyString("created_at", m.created_at);
  w.Key("source");
  w.BeginObject();
  w.KeyString("connection", m.connection);
  w.KeyString("plugin", m.plugin);
  w.KeyString("table", m.table);
  w.EndObject();
  w.Key("fields");
  w.BeginArray();
  for (const Field& f : s.fields) {
    w.BeginObject();
    w.KeyString("name", f.name);
    w.KeyString("type", TypeName(f.type));
    w.KeyBool("nullable", f.nullable);
    w.EndObject();
  }
  w.EndArray();
  auto names = [&](const std::vector<uint32_t>& idx) {
    w.BeginArray();
    for (uint32_t i : idx) w.String(s.fields[i].name);
    w.EndArray();
  };
  w.Key("primary_key");
  names(s.primary_key);
  w.Key("secondary_indexes");
  w.BeginArray();
  for (const auto& idx : m.table_schema.indexes) names(idx);
  w.EndArray();
  if (m.table_schema.row_key) { w.KeyBool("row_key", true); }
  if (!m.table_schema.aggregates.empty()) {  // written only when declared: older files stay
    w.Key("aggregates");
    w.BeginArray();
    for (const AggregateSpec& a : m.table_schema.aggregates) {
      w.BeginObject();
      w.Key("group_by");
      names(a.group_by);
      w.Key("measures");
      w.BeginArray();
      for (const Measure& x : a.measures) w.String(MeasureName(x, s));
      w.EndArray();
      w.EndObject();
    }
    w.EndArray();
  }
  if (!m.table_schema.full_text.empty()) {
    w.Key("full_text");
    names(m.table_schema.full_text);
  }
  w.EndObject();
  return out + "\n";
}

namespace {

Status NameList(simdjson::dom::element e, const Schema& s, const char* what,
                std::vector<uint32_t>* out) {
  simdjson::dom::array arr;
  if (e.get_array().get(arr))
    return InvalidArgument(std::string(what) + ": expected an array of names");
  for (auto item : arr) {
    std::string_view name;
    if (item.get_string().get(name)) return InvalidArgument(std::string(what) + ": expected names");
    int i = s.FieldIndex(name);
    if (i < 0)
      return InvalidArgument(std::string(what) + ": unknown field \"" + std::string(name) + "\"");
    out->push_back(static_cast<uint32_t>(i));
  }
  return Status();
}

// "aggregates" and "full_text", when present.
Status ParseDerived(simdjson::dom::element doc, const Schema& s, TableSchema* t) {
  t->aggregates.clear();
  t->full_text.clear();
  simdjson::dom::element ft, aggs;
  if (!doc["full_text"].get(ft))
    SLUICE_RETURN_IF_ERROR(NameList(ft, s, "full_text", &t->full_text));
  if (doc["aggregates"].get(aggs)) return Status();
  simdjson::dom::array arr;
  if (aggs.get_array().get(arr)) return InvalidArgument("aggregates: expected an array");
  for (auto one : arr) {
    AggregateSpec a;
    simdjson::dom::element g;
    simdjson::dom::array measures;
    if (one["group_by"].get(g) || one["measures"].get_array().get(measures))
      return InvalidArgument("aggregates: each needs group_by and measures");
    SLUICE_RETURN_IF_ERROR(NameList(g, s, "aggregates", &a.group_by));
    for (auto m : measures) {
      std::string_view text;
      Measure x;
      if (m.get_string().get(text)) return InvalidArgument("aggregates: measures are strings");
      std::string err = ParseMeasure(text, s, &x);
      if (!err.empty()) return InvalidArgument("aggregates: " + err);
      a.measures.push_back(x);
    }
    t->aggregates.push_back(std::move(a));
  }
  return Status();
}

}  // namespace

Status ParseVersionMeta(std::string_view json, VersionMeta* out) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  SLUICE_RETURN_IF_ERROR(ParseJsonDocument(json, "schema.json", kFormat, &parser, &doc));
  std::string_view sv;
  uint64_t version = 0;
  if (doc["endpoint"].get_string().get(sv)) return InvalidArgument("missing \"endpoint\"");
  out->endpoint = std::string(sv);
  if (doc["version"].get_uint64().get(version) || version == 0)
    return InvalidArgument("missing or bad \"version\"");
  out->version = static_cast<uint32_t>(version);
  out->created_at = doc["created_at"].get_string().get(sv) ? "" : std::string(sv);
  simdjson::dom::element src;
  if (!doc["source"].get(src)) {
    out->connection = src["connection"].get_string().get(sv) ? "" : std::string(sv);
    out->plugin = src["plugin"].get_string().get(sv) ? "" : std::string(sv);
    out->table = src["table"].get_string().get(sv) ? "" : std::string(sv);
  }
  Schema& s = out->table_schema.schema;
  s = Schema();
  simdjson::dom::array fields;
  if (doc["fields"].get_array().get(fields)) return InvalidArgument("missing \"fields\"");
  for (auto f : fields) {
    std::string_view name, type;
    bool nullable = true;
    Field field;
    if (f["name"].get_string().get(name) || f["type"].get_string().get(type) ||
        f["nullable"].get_bool().get(nullable) || !ParseTypeName(type, &field.type))
      return InvalidArgument("field " + std::to_string(s.fields.size()) +
                             ": needs name, type, nullable");
    field.name = std::string(name);
    field.nullable = nullable;
    s.fields.push_back(std::move(field));
  }
  simdjson::dom::element pk, idx;
  if (doc["primary_key"].get(pk)) return InvalidArgument("missing \"primary_key\"");
  SLUICE_RETURN_IF_ERROR(NameList(pk, s, "primary_key", &s.primary_key));
  out->table_schema.indexes.clear();
  if (!doc["secondary_indexes"].get(idx)) {
    simdjson::dom::array arr;
    if (idx.get_array().get(arr)) return InvalidArgument("secondary_indexes: expected an array");
    for (auto one : arr) {
      std::vector<uint32_t> fields_of;
      SLUICE_RETURN_IF_ERROR(NameList(one, s, "secondary_indexes", &fields_of));
      out->table_schema.indexes.push_back(std::move(fields_of));
    }
  }
  SLUICE_RETURN_IF_ERROR(ParseDerived(doc, s, &out->table_schema));
  bool row_key = false;
  out->table_schema.row_key = !doc["row_key"].get_bool().get(row_key) && row_key;
  if (out->table_schema.row_key &&
      (s.fields.empty() || s.fields.back().name != kRowKeyField || s.primary_key.size() != 1 ||
       s.primary_key[0] != s.fields.size() - 1 || s.fields.back().type != Type::kInt64))
    return InvalidArgument("row_key: the last field must be the int64 primary key \"" +
                           std::string(kRowKeyField) + "\"");
  return Status();
}

Status ReadVersionMeta(const std::string& file, VersionMeta* out) {
  std::string text;
  SLUICE_RETURN_IF_ERROR(ReadSmallFile(file, &text));
  return ParseVersionMeta(text, out).WithContext(file);
}

std::vector<std::string> DiffTableSchemas(const TableSchema& before, const TableSchema& after) {
  const Schema &a = before.schema, &b = after.schema;
  std::vector<std::string> out = DiffSchemas(a, b);
  std::vector<std::string> ia, ib;
  for (const auto& i : before.indexes) ia.push_back(FieldNames(a, i));
  for (const auto& i : after.indexes) ib.push_back(FieldNames(b, i));
  for (const auto& i : ia)
    if (std::find(ib.begin(), ib.end(), i) == ib.end()) out.push_back("index removed: " + i);
  for (const auto& i : ib)
    if (std::find(ia.begin(), ia.end(), i) == ia.end()) out.push_back("index added: " + i);
  auto aggs = [](const TableSchema& t) {
    std::vector<std::string> out;
    for (const AggregateSpec& x : t.aggregates) {
      std::string m;
      for (const Measure& y : x.measures) m += (m.empty() ? "" : ", ") + MeasureName(y, t.schema);
      out.push_back("group_by " + FieldNames(t.schema, x.group_by) + " measures [" + m + "]");
    }
    return out;
  };
  std::vector<std::string> aa = aggs(before), ab = aggs(after);
  for (const auto& x : aa)
    if (std::find(ab.begin(), ab.end(), x) == ab.end()) out.push_back("aggregate removed: " + x);
  for (const auto& x : ab)
    if (std::find(aa.begin(), aa.end(), x) == aa.end()) out.push_back("aggregate added: " + x);
  if (FieldNames(a, before.full_text) != FieldNames(b, after.full_text))
    out.push_back("full_text changed: " + FieldNames(a, before.full_text) + " -> " +
                  FieldNames(b, after.full_text));
  if (out.empty() && before != after) out.push_back("schema changed");
  return out;
}

std::string SummarizeSchema(const TableSchema& t) { return sluice::SummarizeSchema(t.schema); }

}  // namespace sluice::host
