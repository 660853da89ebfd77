#include "openapi_check.h"

#include <simdjson.h>

#include <regex>
#include <set>

namespace sluice::rest::testing {

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;
using Keys = std::set<std::string_view>;

const Keys kTop = {"openapi",    "info",     "servers", "paths",
                   "components", "security", "tags",    "externalDocs"};
const Keys kComponents = {"schemas", "responses",       "parameters", "examples", "requestBodies",
                          "headers", "securitySchemes", "links",      "callbacks"};
const Keys kMethods = {"get", "put", "post", "delete", "options", "head", "patch", "trace"};
const Keys kPathItem = {"summary", "description", "servers", "parameters", "$ref"};
const Keys kOperation = {"tags",        "summary",    "description", "externalDocs",
                         "operationId", "parameters", "requestBody", "responses",
                         "callbacks",   "deprecated", "security",    "servers"};
const Keys kResponse = {"description", "headers", "content", "links"};
const Keys kParameter = {
    "name",   "in",      "description",   "required", "deprecated", "allowEmptyValue",
    "style",  "explode", "allowReserved", "schema",   "example",    "examples",
    "content"};
const Keys kHeader = {"description", "required", "deprecated",    "allowEmptyValue",
                      "style",       "explode",  "allowReserved", "schema",
                      "example",     "examples", "content"};
const Keys kMedia = {"schema", "example", "examples", "encoding"};
const Keys kSchema = {"title",         "multipleOf",
                      "maximum",       "exclusiveMaximum",
                      "minimum",       "exclusiveMinimum",
                      "maxLength",     "minLength",
                      "pattern",       "maxItems",
                      "minItems",      "uniqueItems",
                      "maxProperties", "minProperties",
                      "required",      "enum",
                      "type",          "allOf",
                      "oneOf",         "anyOf",
                      "not",           "items",
                      "properties",    "additionalProperties",
                      "description",   "format",
                      "default",       "nullable",
                      "discriminator", "readOnly",
                      "writeOnly",     "xml",
                      "externalDocs",  "example",
                      "deprecated"};
const Keys kTypes = {"integer", "number", "string", "boolean", "array", "object"};

// An empty array to iterate when a member is not an array (a default
// dom::array must not be iterated).
array EmptyArray() {
  static simdjson::dom::parser* parser = new simdjson::dom::parser;
  static array empty = parser->parse("[]", 2).get_array().value_unsafe();
  return empty;
}

std::string Escape(std::string_view key) {  // JSON pointer escaping
  std::string out;
  for (char c : key) out += c == '~' ? "~0" : (c == '/' ? "~1" : std::string(1, c));
  return out;
}

class Checker {
 public:
  explicit Checker(element root) : root_(root) {}
  std::vector<std::string> Run();

 private:
  void Add(const std::string& at, const std::string& what) {
    problems_.push_back(at + ": " + what);
  }
  bool AsObject(element e, const std::string& at, object* out) {
    if (e.get(*out)) {
      Add(at, "expected an object");
      return false;
    }
    return true;
  }
  void OnlyKeys(object o, const Keys& allowed, const std::string& at) {
    for (auto m : o)
      if (!allowed.count(m.key) && m.key.substr(0, 2) != "x-")
        Add(at, "unknown key \"" + std::string(m.key) + "\"");
  }
  bool NeedString(object o, const char* key, const std::string& at) {
    std::string_view s;
    if (o[key].get(s)) {
      Add(at, std::string("needs a string \"") + key + "\"");
      return false;
    }
    return true;
  }
  // True when `e` is a $ref (checked); false when it is an inline object.
  bool Ref(element e, const char* kind, const std::string& at);
  void Schema(element e, const std::string& at);
  void Parameter(element e, const std::string& at, std::set<std::string>* path_params);
  void Response(element e, const std::string& at);
  void Content(element e, const std::string& at);
  void Header(element e, const std::string& at);
  void Operation(object op, const std::string& at, const std::string& path);

  element root_;
  std::set<std::string> operation_ids_;
  std::vector<std::string> problems_;
};

bool Checker::Ref(element e, const char* kind, const std::string& at) {
  object o;
  std::string_view ref;
  if (e.get(o) || o["$ref"].get(ref)) return false;
  if (o.size() != 1) Add(at, "a $ref must stand alone (siblings are ignored in 3.0)");
  std::string prefix = std::string("#/components/") + kind + "/";
  element target;
  if (ref.substr(0, prefix.size()) != prefix)
    Add(at, "$ref \"" + std::string(ref) + "\" should point into " + prefix);
  else if (root_.at_pointer(ref.substr(1)).get(target))
    Add(at, "$ref \"" + std::string(ref) + "\" does not resolve");
  return true;
}

void Checker::Schema(element e, const std::string& at) {
  if (Ref(e, "schemas", at)) return;
  object o;
  if (!AsObject(e, at, &o)) return;
  OnlyKeys(o, kSchema, at);
  std::string_view type;
  element x;
  if (!o["type"].get(x) && (x.get(type) || !kTypes.count(type)))
    Add(at + "/type", "expected one of integer, number, string, boolean, array, object");
  if (type == "array" && o["items"].get(x)) Add(at, "an array schema needs \"items\"");
  bool b;
  if (!o["nullable"].get(x) && x.get(b)) Add(at + "/nullable", "expected a boolean");
  object props;
  bool has_props = !o["properties"].get(props);
  if (!o["properties"].get(x) && !has_props) Add(at + "/properties", "expected an object");
  if (has_props)
    for (auto m : props) Schema(m.value, at + "/properties/" + Escape(m.key));
  array req;
  if (!o["required"].get(x)) {
    bool is_array = !x.get(req);
    if (!is_array || req.size() == 0) Add(at + "/required", "expected a non-empty array");
    for (element r : is_array ? req : EmptyArray()) {
      std::string_view name;
      element decl;
      if (r.get(name)) Add(at + "/required", "expected field names");
      else if (has_props && props[name].get(decl))
        Add(at + "/required", "\"" + std::string(name) + "\" is not a declared property");
    }
  }
  if (!o["items"].get(x)) Schema(x, at + "/items");
  if (!o["not"].get(x)) Schema(x, at + "/not");
  if (!o["additionalProperties"].get(x) && x.get(b)) Schema(x, at + "/additionalProperties");
  for (const char* k : {"allOf", "oneOf", "anyOf"}) {
    array list;
    if (o[k].get(x)) continue;
    if (x.get(list) || list.size() == 0) {
      Add(at + "/" + k, "expected a non-empty array");
      continue;
    }
    size_t i = 0;
    for (element s : list) Schema(s, at + "/" + k + "/" + std::to_string(i++));
  }
}

void Checker::Content(element e, const std::string& at) {
  object o;
  if (!AsObject(e, at, &o)) return;
  if (o.size() == 0) Add(at, "needs at least one media type");
  for (auto m : o) {
    object media;
    std::string where = at + "/" + Escape(m.key);
    if (!AsObject(m.value, where, &media)) continue;
    OnlyKeys(media, kMedia, where);
    element s;
    if (!media["schema"].get(s)) Schema(s, where + "/schema");
  }
}

void Checker::Header(element e, const std::string& at) {
  if (Ref(e, "headers", at)) return;
  object o;
  if (!AsObject(e, at, &o)) return;
  OnlyKeys(o, kHeader, at);
  element s;
  if (!o["schema"].get(s)) Schema(s, at + "/schema");
  else if (o["content"].get(s)) Add(at, "a header needs a schema or content");
}

void Checker::Response(element e, const std::string& at) {
  if (Ref(e, "responses", at)) return;
  object o;
  if (!AsObject(e, at, &o)) return;
  OnlyKeys(o, kResponse, at);
  NeedString(o, "description", at);
  object headers;
  element x;
  if (!o["headers"].get(x) && AsObject(x, at + "/headers", &headers))
    for (auto h : headers) Header(h.value, at + "/headers/" + Escape(h.key));
  if (!o["content"].get(x)) Content(x, at + "/content");
}

void Checker::Parameter(element e, const std::string& at, std::set<std::string>* path_params) {
  if (Ref(e, "parameters", at)) return;
  object o;
  if (!AsObject(e, at, &o)) return;
  OnlyKeys(o, kParameter, at);
  std::string_view name, in;
  if (!NeedString(o, "name", at) || !NeedString(o, "in", at)) return;
  if (o["name"].get(name) || o["in"].get(in)) return;
  if (!Keys{"query", "header", "path", "cookie"}.count(in))
    Add(at + "/in", "expected query, header, path or cookie");
  bool required = false;
  element x;
  if (in == "path") {
    if (o["required"].get(x) || x.get(required) || !required)
      Add(at, "a path parameter must say \"required\": true");
    path_params->insert(std::string(name));
  }
  if (!o["schema"].get(x)) Schema(x, at + "/schema");
  else if (o["content"].get(x)) Add(at, "a parameter needs a schema or content");
}

void Checker::Operation(object op, const std::string& at, const std::string& path) {
  OnlyKeys(op, kOperation, at);
  std::string_view id;
  element x;
  if (!op["operationId"].get(x)) {
    if (x.get(id)) Add(at + "/operationId", "expected a string");
    else if (!operation_ids_.insert(std::string(id)).second)
      Add(at + "/operationId", "\"" + std::string(id) + "\" is not unique");
  }
  std::set<std::string> declared;
  array params;
  if (!op["parameters"].get(x) && !x.get(params)) {
    size_t i = 0;
    for (element p : params) Parameter(p, at + "/parameters/" + std::to_string(i++), &declared);
  }
  std::smatch m;
  std::set<std::string> templated;
  std::regex re("\\{([^}]*)\\}");
  for (auto it = std::sregex_iterator(path.begin(), path.end(), re); it != std::sregex_iterator();
       ++it)
    templated.insert((*it)[1]);
  if (templated != declared) Add(at, "path templates and path parameters differ");
  object body;
  if (!op["requestBody"].get(x) && !Ref(x, "requestBodies", at + "/requestBody") &&
      AsObject(x, at + "/requestBody", &body)) {
    if (body["content"].get(x)) Add(at + "/requestBody", "needs content");
    else Content(x, at + "/requestBody/content");
  }
  object responses;
  if (op["responses"].get(x) || !AsObject(x, at + "/responses", &responses) ||
      responses.size() == 0)
    return Add(at, "needs at least one response");
  std::regex code("default|[1-5]XX|[1-5][0-9][0-9]");
  for (auto r : responses) {
    if (!std::regex_match(std::string(r.key), code))
      Add(at + "/responses", "\"" + std::string(r.key) + "\" is not a status code");
    Response(r.value, at + "/responses/" + Escape(r.key));
  }
}

std::vector<std::string> Checker::Run() {
  object top;
  if (!AsObject(root_, "", &top)) return problems_;
  OnlyKeys(top, kTop, "");
  std::string_view version;
  if (top["openapi"].get(version) || version.substr(0, 4) != "3.0.")
    Add("/openapi", "expected a string \"3.0.x\"");
  object info, paths, components;
  element x;
  if (top["info"].get(x) || !AsObject(x, "/info", &info) || !NeedString(info, "title", "/info") ||
      !NeedString(info, "version", "/info"))
    Add("/info", "needs title and version");
  if (top["paths"].get(x) || !AsObject(x, "/paths", &paths)) return problems_;
  for (auto p : paths) {
    std::string at = "/paths/" + Escape(p.key);
    if (p.key.empty() || p.key[0] != '/') Add(at, "a path must start with '/'");
    object item;
    if (!AsObject(p.value, at, &item)) continue;
    for (auto m : item) {
      if (kMethods.count(m.key)) {
        object op;
        if (AsObject(m.value, at + "/" + std::string(m.key), &op))
          Operation(op, at + "/" + std::string(m.key), std::string(p.key));
      } else if (!kPathItem.count(m.key)) {
        Add(at, "unknown key \"" + std::string(m.key) + "\"");
      }
    }
  }
  if (top["components"].get(x) || !AsObject(x, "/components", &components)) return problems_;
  OnlyKeys(components, kComponents, "/components");
  std::regex name("[a-zA-Z0-9._-]+");
  for (auto kind : components) {
    object members;
    std::string at = "/components/" + std::string(kind.key);
    if (!AsObject(kind.value, at, &members)) continue;
    for (auto m : members) {
      std::string where = at + "/" + Escape(m.key);
      if (!std::regex_match(std::string(m.key), name))
        Add(where, "component names are [a-zA-Z0-9._-]+");
      if (kind.key == "schemas") Schema(m.value, where);
      if (kind.key == "responses") Response(m.value, where);
      if (kind.key == "headers") Header(m.value, where);
    }
  }
  return problems_;
}

}  // namespace

std::vector<std::string> CheckOpenApi30(std::string_view json) {
  simdjson::dom::parser parser;
  element root;
  auto error = parser.parse(json.data(), json.size()).get(root);
  if (error) return {std::string("not JSON: ") + simdjson::error_message(error)};
  return Checker(root).Run();
}

}  // namespace sluice::rest::testing
