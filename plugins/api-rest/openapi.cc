#include "openapi.h"

#include <string>

#include "json_writer.h"

namespace sluice::rest {

namespace {

constexpr const char* kKeyHelp =
    "Primary key as text: the key values in key order separated by ','; '\\' escapes ',' "
    "and '\\'. URL-encode reserved characters.";

// Writes {"$ref":"#/components/<kind>/<name>"}.
void Ref(JsonWriter& w, std::string_view kind, std::string_view name) {
  w.BeginObject();
  w.Key("$ref");
  w.String("#/components/" + std::string(kind) + "/" + std::string(name));
  w.EndObject();
}

void TypeAndFormat(JsonWriter& w, const char* type, const char* format) {
  w.Key("type");
  w.String(type);
  if (format != nullptr) {
    w.Key("format");
    w.String(format);
  }
}

void FieldSchema(JsonWriter& w, const Field& f) {
  w.BeginObject();
  switch (f.type) {
    case Type::kInt64: TypeAndFormat(w, "integer", "int64"); break;
    case Type::kFloat64: TypeAndFormat(w, "number", "double"); break;
    case Type::kBool: TypeAndFormat(w, "boolean", nullptr); break;
    case Type::kString: TypeAndFormat(w, "string", nullptr); break;
    case Type::kTimestamp: TypeAndFormat(w, "string", "date-time"); break;
    case Type::kDate: TypeAndFormat(w, "string", "date"); break;
  }
  if (f.nullable) {
    w.Key("nullable");
    w.Bool(true);
  }
  w.EndObject();
}

void RecordSchema(JsonWriter& w, const Schema& schema) {
  w.BeginObject();
  w.Key("type");
  w.String("object");
  w.Key("properties");
  w.BeginObject();
  for (const Field& f : schema.fields) {
    w.Key(f.name);
    FieldSchema(w, f);
  }
  w.EndObject();
  w.Key("required");
  w.BeginArray();
  for (const Field& f : schema.fields) w.String(f.name);
  w.EndArray();
  w.Key("additionalProperties");
  w.Bool(false);
  w.EndObject();
}

// {"type":"object","description":d,"additionalProperties":<extra>}
void FreeObject(JsonWriter& w, const char* description) {
  w.BeginObject();
  w.Key("type");
  w.String("object");
  w.Key("description");
  w.String(description);
  w.Key("additionalProperties");
  w.Bool(true);
  w.EndObject();
}

void CountOrSkip(JsonWriter& w, const char* description) {
  w.BeginObject();
  TypeAndFormat(w, "integer", "int64");
  w.Key("minimum");
  w.Int(0);
  w.Key("description");
  w.String(description);
  w.EndObject();
}

void QuerySchema(JsonWriter& w) {
  w.BeginObject();
  w.Key("type");
  w.String("object");
  w.Key("description");
  w.String("A query (docs/query.md). Every member is optional; {} matches every record.");
  w.Key("properties");
  w.BeginObject();
  w.Key("$filter");
  FreeObject(w, "Filter: {field: value} or {field: {$op: value}}, combined with $and/$or/$not.");
  w.Key("$order_by");
  w.BeginObject();
  w.Key("type");
  w.String("object");
  w.Key("description");
  w.String("Sort order: {field: \"asc\" | \"desc\"} in priority order.");
  w.Key("additionalProperties");
  w.BeginObject();
  w.Key("type");
  w.String("string");
  w.Key("enum");
  w.BeginArray();
  w.String("asc");
  w.String("desc");
  w.EndArray();
  w.EndObject();
  w.EndObject();
  w.Key("$limit");
  CountOrSkip(w, "Most records returned (the server applies a default when absent).");
  w.Key("$skip");
  CountOrSkip(w, "Records skipped before the first one returned.");
  w.Key("$after");
  w.BeginObject();
  w.Key("description");
  w.String("Cursor: resume after the record with these sort-key values.");
  w.EndObject();
  w.EndObject();
  w.Key("additionalProperties");
  w.Bool(false);
  w.EndObject();
}

void ErrorSchema(JsonWriter& w) {
  w.BeginObject();
  w.Key("type");
  w.String("object");
  w.Key("required");
  w.BeginArray();
  w.String("error");
  w.EndArray();
  w.Key("properties");
  w.BeginObject();
  w.Key("error");
  w.BeginObject();
  w.Key("type");
  w.String("object");
  w.Key("required");
  w.BeginArray();
  w.String("code");
  w.String("message");
  w.EndArray();
  w.Key("properties");
  w.BeginObject();
  w.Key("code");
  w.BeginObject();
  w.Key("type");
  w.String("string");
  w.Key("description");
  w.String("Canonical code, e.g. invalid_argument, not_found, unavailable.");
  w.EndObject();
  w.Key("message");
  w.BeginObject();
  w.Key("type");
  w.String("string");
  w.EndObject();
  w.EndObject();
  w.EndObject();
  w.EndObject();
  w.EndObject();
}

void CountSchema(JsonWriter& w) {
  w.BeginObject();
  w.Key("type");
  w.String("object");
  w.Key("required");
  w.BeginArray();
  w.String("count");
  w.EndArray();
  w.Key("properties");
  w.BeginObject();
  w.Key("count");
  w.BeginObject();
  TypeAndFormat(w, "integer", "int64");
  w.EndObject();
  w.EndObject();
  w.EndObject();
}

void HeaderDef(JsonWriter& w, const char* description, const char* type) {
  w.BeginObject();
  w.Key("description");
  w.String(description);
  w.Key("schema");
  w.BeginObject();
  w.Key("type");
  w.String(type);
  w.EndObject();
  w.EndObject();
}

void ErrorResponse(JsonWriter& w, const char* description) {
  w.BeginObject();
  w.Key("description");
  w.String(description);
  w.Key("content");
  w.BeginObject();
  w.Key("application/json");
  w.BeginObject();
  w.Key("schema");
  Ref(w, "schemas", "Error");
  w.EndObject();
  w.EndObject();
  w.EndObject();
}

void Components(JsonWriter& w, const Schema& schema) {
  w.Key("components");
  w.BeginObject();
  w.Key("schemas");
  w.BeginObject();
  w.Key("Record");
  RecordSchema(w, schema);
  w.Key("Query");
  QuerySchema(w);
  w.Key("Count");
  CountSchema(w);
  w.Key("Error");
  ErrorSchema(w);
  w.EndObject();
  w.Key("headers");
  w.BeginObject();
  w.Key("X-Sluice-Endpoint");
  HeaderDef(w, "Name of the endpoint that answered.", "string");
  w.Key("X-Sluice-Version");
  HeaderDef(w, "Version of the endpoint that answered.", "integer");
  w.EndObject();
  w.Key("responses");
  w.BeginObject();
  w.Key("BadRequest");
  ErrorResponse(w, "The request is malformed (bad parameter, query or body).");
  w.Key("NotFound");
  ErrorResponse(w, "No such record, endpoint or version.");
  w.Key("PayloadTooLarge");
  ErrorResponse(w, "The request body is larger than the server accepts.");
  w.Key("Unavailable");
  ErrorResponse(w, "The version is not ready yet (its cache is catching up); retry later.");
  w.EndObject();
  w.EndObject();
}

enum class Op { kList, kCount, kQuery, kOapi, kGet };

struct OpInfo {
  const char* method;
  const char* name;  // operationId suffix
  const char* summary;
};

OpInfo Info(Op op) {
  switch (op) {
    case Op::kList: return {"get", "list", "List records (query parameters map to a query)."};
    case Op::kCount: return {"post", "count", "Count the records matching a query."};
    case Op::kQuery: return {"post", "query", "Run a query; records in query order."};
    case Op::kOapi: return {"get", "oapi", "This OpenAPI document."};
    case Op::kGet: return {"get", "get", "One record by primary key."};
  }
  return {"get", "", ""};
}

// Endpoint name reduced to [A-Za-z0-9_] for operationIds.
std::string Identifier(std::string_view name) {
  std::string id;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    id.push_back(ok ? c : '_');
  }
  return id;
}

void QueryParam(JsonWriter& w, const char* name, const char* type, const char* description) {
  w.BeginObject();
  w.Key("name");
  w.String(name);
  w.Key("in");
  w.String("query");
  w.Key("required");
  w.Bool(false);
  w.Key("description");
  w.String(description);
  w.Key("schema");
  w.BeginObject();
  w.Key("type");
  w.String(type);
  if (std::string_view(type) == "integer") {
    w.Key("minimum");
    w.Int(0);
  }
  w.EndObject();
  w.EndObject();
}

void Parameters(JsonWriter& w, Op op) {
  if (op != Op::kList && op != Op::kGet) return;
  w.Key("parameters");
  w.BeginArray();
  if (op == Op::kGet) {
    w.BeginObject();
    w.Key("name");
    w.String("pk");
    w.Key("in");
    w.String("path");
    w.Key("required");
    w.Bool(true);
    w.Key("description");
    w.String(kKeyHelp);
    w.Key("schema");
    w.BeginObject();
    w.Key("type");
    w.String("string");
    w.EndObject();
    w.EndObject();
  } else {
    QueryParam(w, "limit", "integer", "Most records returned ($limit).");
    QueryParam(w, "skip", "integer", "Records skipped first ($skip).");
    QueryParam(w, "order_by", "string",
               "Comma-separated fields to sort by; a leading '-' sorts descending ($order_by).");
  }
  w.EndArray();
}

void RequestBody(JsonWriter& w, Op op) {
  if (op != Op::kCount && op != Op::kQuery) return;
  w.Key("requestBody");
  w.BeginObject();
  w.Key("required");
  w.Bool(false);
  w.Key("content");
  w.BeginObject();
  w.Key("application/json");
  w.BeginObject();
  w.Key("schema");
  Ref(w, "schemas", "Query");
  w.EndObject();
  w.EndObject();
  w.EndObject();
}

void SuccessContent(JsonWriter& w, Op op) {
  w.Key("schema");
  switch (op) {
    case Op::kList:
    case Op::kQuery:
      w.BeginObject();
      w.Key("type");
      w.String("array");
      w.Key("items");
      Ref(w, "schemas", "Record");
      w.EndObject();
      return;
    case Op::kGet: return Ref(w, "schemas", "Record");
    case Op::kCount: return Ref(w, "schemas", "Count");
    case Op::kOapi:
      w.BeginObject();
      w.Key("type");
      w.String("object");
      w.EndObject();
      return;
  }
}

void Responses(JsonWriter& w, Op op) {
  w.Key("responses");
  w.BeginObject();
  w.Key("200");
  w.BeginObject();
  w.Key("description");
  w.String("OK");
  w.Key("headers");
  w.BeginObject();
  w.Key("X-Sluice-Endpoint");
  Ref(w, "headers", "X-Sluice-Endpoint");
  w.Key("X-Sluice-Version");
  Ref(w, "headers", "X-Sluice-Version");
  w.EndObject();
  w.Key("content");
  w.BeginObject();
  w.Key("application/json");
  w.BeginObject();
  SuccessContent(w, op);
  w.EndObject();
  w.EndObject();
  w.EndObject();
  if (op != Op::kOapi) {
    w.Key("400");
    Ref(w, "responses", "BadRequest");
  }
  w.Key("404");
  Ref(w, "responses", "NotFound");
  if (op == Op::kCount || op == Op::kQuery) {
    w.Key("413");
    Ref(w, "responses", "PayloadTooLarge");
  }
  w.Key("503");
  Ref(w, "responses", "Unavailable");
  w.EndObject();
}

void PathItem(JsonWriter& w, const std::string& route, Op op, const std::string& op_prefix) {
  OpInfo info = Info(op);
  w.Key(route);
  w.BeginObject();
  w.Key(info.method);
  w.BeginObject();
  w.Key("operationId");
  w.String(op_prefix + "_" + info.name);
  w.Key("summary");
  w.String(info.summary);
  Parameters(w, op);
  RequestBody(w, op);
  Responses(w, op);
  w.EndObject();
  w.EndObject();
}

// Every route under `prefix` ("/v2/trips" or "/trips").
void Routes(JsonWriter& w, const std::string& prefix, const std::string& op_prefix) {
  PathItem(w, prefix, Op::kList, op_prefix);
  PathItem(w, prefix + "/count", Op::kCount, op_prefix);
  PathItem(w, prefix + "/query", Op::kQuery, op_prefix);
  PathItem(w, prefix + "/oapi", Op::kOapi, op_prefix);
  PathItem(w, prefix + "/{pk}", Op::kGet, op_prefix);
}

void InfoObject(JsonWriter& w, std::string_view endpoint, uint32_t version) {
  w.Key("info");
  w.BeginObject();
  w.Key("title");
  w.String("sluice endpoint " + std::string(endpoint) + " v" + std::to_string(version));
  w.Key("version");
  w.String(std::to_string(version));
  w.Key("description");
  w.String("Version " + std::to_string(version) + " of endpoint " + std::string(endpoint) +
           ". Paths under /v" + std::to_string(version) +
           " always serve this version; unversioned paths serve the current version, named "
           "by the X-Sluice-Version response header.");
  w.EndObject();
}

}  // namespace

std::string OpenApiDocument(std::string_view endpoint, std::string_view path, uint32_t version,
                            const Schema& schema) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("openapi");
  w.String("3.0.3");
  InfoObject(w, endpoint, version);
  w.Key("paths");
  w.BeginObject();
  std::string id = Identifier(endpoint);
  std::string v = std::to_string(version);
  Routes(w, "/v" + v + std::string(path), id + "_v" + v);
  Routes(w, std::string(path), id);
  w.EndObject();
  Components(w, schema);
  w.EndObject();
  return out;
}

}  // namespace sluice::rest
