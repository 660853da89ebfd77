#include "index_json.h"

#include <vector>

#include "catalog_cache.h"
#include "sluice/schema_diff.h"

namespace sluice::rest {

namespace {

// An endpoint's ingest state as `GET /` shows it (docs/rest.md).
void WriteIngest(const IngestInfo& in, JsonWriter* w) {
  w->BeginObject();
  w->Key("state");
  w->String(in.state);
  w->Key("version");
  w->Uint(in.version);
  w->Key("since_ms");
  w->Int(in.since_ms);
  w->Key("detail");
  w->String(in.detail);
  w->Key("errors");
  w->Uint(in.errors);
  w->Key("last_error");
  if (in.last_error.empty()) {
    w->Null();
  } else {
    w->BeginObject();
    w->Key("message");
    w->String(in.last_error);
    w->Key("file");
    w->String(in.last_error_file);
    w->Key("line");
    w->Uint(in.last_error_line);
    w->Key("column");
    w->Uint(in.last_error_column);
    w->Key("at_ms");
    w->Int(in.last_error_ms);
    w->EndObject();
  }
  w->Key("duplicate_keys");
  w->Uint(in.duplicate_keys);
  w->Key("first_duplicate");
  w->String(in.first_duplicate);
  w->EndObject();
}

// A version's figures as members of an open object: "version", "ready",
// "log_end", "cache_offset", "lag", "rows", "created_at".
void WriteVersionFields(const VersionInfo& v, JsonWriter* w) {
  w->Key("version");
  w->Uint(v.version);
  w->Key("ready");
  w->Bool(v.ready);
  w->Key("log_end");
  w->Uint(v.log_end);
  w->Key("cache_offset");
  w->Uint(v.cache_offset);
  w->Key("lag");
  w->Uint(Catalog::Lag(v));
  w->Key("rows");
  w->Uint(v.rows);
  w->Key("created_at");
  w->String(v.created_at);
}

}  // namespace

void WriteSchema(const Schema& schema, JsonWriter* w) {
  w->BeginObject();
  w->Key("fields");
  w->BeginArray();
  for (const Field& f : schema.fields) {
    w->BeginObject();
    w->Key("name");
    w->String(f.name);
    w->Key("type");
    w->String(TypeName(f.type));
    w->Key("nullable");
    w->Bool(f.nullable);
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
  w->Key(name_key);
  w->String(e.name);
  w->Key("path");
  w->String(e.path);
  w->Key("current_version");
  w->Uint(e.current_version);
  w->Key("pinned");
  w->Bool(e.pinned);
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
      w.Key("by");
      w.String(e.pin_source);
      if (e.pin_since_ms != 0) {
        w.Key("since_ms");
        w.Int(e.pin_since_ms);
      }
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
