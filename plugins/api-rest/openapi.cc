#include "openapi.h"

#include <string>

#include "openapi_query.h"
#include "sluice/json.h"

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

// Writes the member "<key>": {"$ref":"#/components/<kind>/<name>"}.
void RefMember(JsonWriter& w, std::string_view key, std::string_view kind, std::string_view name) {
  w.Key(key);
  Ref(w, kind, name);
}

void RecordSchema(JsonWriter& w, const Schema& schema) {
  w.BeginObject();
  w.Key("type");
  w.String("object");
  FieldProperties(w, schema);
  w.Key("required");
  w.BeginArray();
  for (const Field& f : schema.fields) w.String(f.name);
  w.EndArray();
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
  CountValueSchema(w);
  w.EndObject();
  w.EndObject();
}

// The "description" and "schema" ({"type": type}) members of a header or
// a parameter object; `non_negative` adds "minimum": 0 to the schema.
void DescribedType(JsonWriter& w, const char* description, const char* type,
                   bool non_negative = false) {
  w.Key("description");
  w.String(description);
  w.Key("schema");
  w.BeginObject();
  w.Key("type");
  w.String(type);
  if (non_negative) {
    w.Key("minimum");
    w.Int(0);
  }
  w.EndObject();
}

void HeaderDef(JsonWriter& w, const char* description, const char* type) {
  w.BeginObject();
  DescribedType(w, description, type);
  w.EndObject();
}

// An error answer; with `allow`, it also carries the Allow header.
void ErrorResponse(JsonWriter& w, const char* description, bool allow = false) {
  w.BeginObject();
  w.Key("description");
  w.String(description);
  if (allow) {
    w.Key("headers");
    w.BeginObject();
    w.Key("Allow");
    HeaderDef(w, "The method the route takes.", "string");
    w.EndObject();
  }
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
  QuerySchemas(w, schema);
  AggregateSchemas(w, schema);
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
  w.Key("X-Sluice-Plan");
  HeaderDef(w,
            "How the query ran: its access path, e.g. \"index [zone] eq + sort\" or \"scan\" "
            "(docs/query.md, \"Plan descriptions\").",
            "string");
  w.Key("X-Sluice-Scan");
  HeaderDef(w, "true when no key or index bounded the read (every record was a candidate).",
            "boolean");
  w.EndObject();
  w.Key("responses");
  w.BeginObject();
  w.Key("BadRequest");
  ErrorResponse(w,
                "The request is malformed (bad parameter, query or body: invalid_argument), "
                "or the query would examine more records than the scan budget allows "
                "(resource_exhausted; the message names the index to add).");
  w.Key("NotFound");
  ErrorResponse(w, "No such record, endpoint or version.");
  w.Key("PayloadTooLarge");
  ErrorResponse(w, "The request body is larger than the server accepts.");
  w.Key("Unavailable");
  ErrorResponse(w, "The version is not ready yet (its cache is catching up); retry later.");
  w.Key("MethodNotAllowed");
  ErrorResponse(w, "The route does not take this method; the Allow header names the one it takes.",
                /*allow=*/true);
  w.Key("Internal");
  ErrorResponse(w, "The server failed (internal, data_loss); the message says what failed.");
  w.EndObject();
  w.EndObject();
}

enum class Op { kList, kCount, kQuery, kOapi, kGet, kAggregate };

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
    case Op::kAggregate:
      return {"post", "aggregate",
              "Group the records a $filter matches and measure each group (docs/aggregates.md)."};
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

void Parameters(JsonWriter& w, Op op, const Schema& schema) {
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
    QueryParam(w, "select", "string", kSelectHelp);
  } else {
    QueryParam(w, "limit", "integer", "Most records returned ($limit).");
    QueryParam(w, "skip", "integer", "Records skipped first ($skip).");
    QueryParam(w, "order_by", "string",
               "Comma-separated fields to sort by; a leading '-' sorts descending ($order_by).");
    ListParameters(w, schema);
  }
  w.EndArray();
}

void RequestBody(JsonWriter& w, Op op) {
  if (op != Op::kCount && op != Op::kQuery && op != Op::kAggregate) return;
  w.Key("requestBody");
  w.BeginObject();
  w.Key("required");
  w.Bool(false);
  w.Key("content");
  w.BeginObject();
  w.Key("application/json");
  w.BeginObject();
  w.Key("schema");
  Ref(w, "schemas", op == Op::kAggregate ? "AggregateRequest" : "Query");
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
    case Op::kAggregate:
      w.BeginObject();
      w.Key("type");
      w.String("array");
      w.Key("items");
      Ref(w, "schemas", "Group");
      w.EndObject();
      return;
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
  RefMember(w, "X-Sluice-Endpoint", "headers", "X-Sluice-Endpoint");
  RefMember(w, "X-Sluice-Version", "headers", "X-Sluice-Version");
  if (op == Op::kList || op == Op::kQuery || op == Op::kAggregate) {
    RefMember(w, "X-Sluice-Plan", "headers", "X-Sluice-Plan");
    RefMember(w, "X-Sluice-Scan", "headers", "X-Sluice-Scan");
  }
  w.EndObject();
  w.Key("content");
  w.BeginObject();
  w.Key("application/json");
  w.BeginObject();
  SuccessContent(w, op);
  w.EndObject();
  if (op == Op::kList || op == Op::kQuery) ExportContent(w);
  w.EndObject();
  w.EndObject();
  // 400: query parameters on a route without any are refused too.
  RefMember(w, "400", "responses", "BadRequest");
  RefMember(w, "404", "responses", "NotFound");
  RefMember(w, "405", "responses", "MethodNotAllowed");
  if (op == Op::kCount || op == Op::kQuery || op == Op::kAggregate)
    RefMember(w, "413", "responses", "PayloadTooLarge");
  RefMember(w, "500", "responses", "Internal");
  RefMember(w, "503", "responses", "Unavailable");
  w.EndObject();
}

void PathItem(JsonWriter& w, const std::string& route, Op op, const std::string& op_prefix,
              const Schema& schema) {
  OpInfo info = Info(op);
  w.Key(route);
  w.BeginObject();
  w.Key(info.method);
  w.BeginObject();
  w.Key("operationId");
  w.String(op_prefix + "_" + info.name);
  w.Key("summary");
  w.String(info.summary);
  Parameters(w, op, schema);
  RequestBody(w, op);
  Responses(w, op);
  w.EndObject();
  w.EndObject();
}

// Every route under `prefix` ("/v2/trips" or "/trips").
void Routes(JsonWriter& w, const std::string& prefix, const std::string& op_prefix,
            const Schema& schema) {
  PathItem(w, prefix, Op::kList, op_prefix, schema);
  PathItem(w, prefix + "/count", Op::kCount, op_prefix, schema);
  PathItem(w, prefix + "/query", Op::kQuery, op_prefix, schema);
  PathItem(w, prefix + "/aggregate", Op::kAggregate, op_prefix, schema);
  PathItem(w, prefix + "/oapi", Op::kOapi, op_prefix, schema);
  PathItem(w, prefix + "/{pk}", Op::kGet, op_prefix, schema);
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
  Routes(w, "/v" + v + std::string(path), id + "_v" + v, schema);
  Routes(w, std::string(path), id, schema);
  w.EndObject();
  Components(w, schema);
  w.EndObject();
  return out;
}

}  // namespace sluice::rest
