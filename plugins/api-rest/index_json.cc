#include "index_json.h"

#include <vector>

#include "catalog_cache.h"
#include "sluice/schema_diff.h"

namespace sluice::rest {

namespace {

// An endpoint's ingest state as `GET /` shows it (docs/rest.md).
void WriteIngest(const IngestInfo& in, JsonWriter* w) {
  w->BeginObject();
  w->KeyString("state", in.state);
  w->KeyUint("version", in.version);
  w->KeyInt("since_ms", in.since_ms);
  w->KeyString("detail", in.detail);
  w->KeyUint("errors", in.errors);
  w->Key("last_error");
  if (in.last_error.empty()) {
    w->Null();
  } else {
    w->BeginObject();
    w->KeyString("message", in.last_error);
    w->KeyString("file", in.last_error_file);
    w->KeyUint("line", in.last_error_line);
    w->KeyUint("column", in.last_error_column);
    w->KeyInt("at_ms", in.last_error_ms);
    w->EndObject();
  }
  w->KeyUint("duplicate_keys", in.duplicate_keys);
  w->KeyString("first_duplicate", in.first_duplicate);
  w->EndObject();
}

// A version's figures as members of an open object: "version", "ready",
// "log_end", "cache_offset", "lag", "rows", "created_at".
void WriteVersionFields(const VersionInfo& v, JsonWriter* w) {
  w->KeyUint("version", v.version);
  w->KeyBool("ready", v.ready);
  w->KeyUint("log_end", v.log_end);
  w->KeyUint("cache_offset", v.cache_offset);
  w->KeyUint("lag", Catalog::Lag(v));
  w->KeyUint("rows", v.rows);
  w->KeyString("created_at", v.created_at);
}

}  // namespace

void WriteSchema(const Schema& schema, JsonWriter* w) {
  w->BeginObject();
  w->Key("fields");
  w->BeginArray();
  for (const Field& f : schema.fields) {
    w->BeginObject();
    w->KeyString("name", f.name);
    w->KeyString("type", TypeName(f.type));
    w->KeyBool("nullable", f.nullable);
    w->EndObject();
  }
  w->EndArray();
  w->Key("primary_key");
  w->BeginArray();
  for (uint32_t i : schema.primary_key)
    if (i < schema.fields.size()) w->String(schema.fields[i].name);
  w->EndArray();
  w->EndObject();
}

void WriteEndpointHead(const EndpointInfo& e, std::string_view name_key, JsonWriter* w) {
  w->KeyString(name_key, e.name);
  w->KeyString("path", e.path);
  w->KeyUint("current_version", e.current_version);
  w->KeyBool("pinned", e.pinned);
}

void WriteVersions(const std::vector<VersionInfo>& versions, SchemaForm form, JsonWriter* w) {
  w->Key("versions");
  w->BeginArray();
  for (const VersionInfo& v : versions) {
    w->BeginObject();
    WriteVersionFields(v, w);
    w->Key("schema");
    if (form == SchemaForm::kSummary) w->String(SummarizeSchema(v.schema));
    else WriteSchema(v.schema, w);
    w->EndObject();
  }
  w->EndArray();
}

Status IndexJson(const ApiHost& api, std::string* out) {
  std::vector<EndpointInfo> endpoints;
  SLUICE_RETURN_IF_ERROR(api.Catalog(&endpoints));
  JsonWriter w(out);
  w.BeginObject();
  w.Key("endpoints");
  w.BeginArray();
  for (const EndpointInfo& e : endpoints) {
    w.BeginObject();
    WriteEndpointHead(e, "name", &w);
    if (!e.pin_source.empty()) {
      w.Key("pin");
      w.BeginObject();
      w.Key("version");
      if (e.pin_version == 0) w.String("latest");
      else w.Uint(e.pin_version);
      w.KeyString("by", e.pin_source);
      if (e.pin_since_ms != 0) { w.KeyInt("since_ms", e.pin_since_ms); }
      w.EndObject();
    }
    if (e.has_ingest) {
      w.Key("ingest");
      WriteIngest(e.ingest, &w);
    }
    WriteVersions(e.versions, SchemaForm::kSummary, &w);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return Status();
}

}  // namespace sluice::rest
