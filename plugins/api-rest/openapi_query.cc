#include "openapi_query.h"

#include <string>

namespace sluice::rest {

namespace {

void Ref(JsonWriter& w, const char* name) {
  w.BeginObject();
  w.Key("$ref");
  w.String(std::string("#/components/schemas/") + name);
  w.EndObject();
}

void Describe(JsonWriter& w, const char* text) {
  w.Key("description");
  w.String(text);
}

// {"type":"array","items":<Filter>}
void FilterList(JsonWriter& w, const char* description) {
  w.BeginObject();
  w.Key("type");
  w.String("array");
  Describe(w, description);
  w.Key("items");
  Ref(w, "Filter");
  w.EndObject();
}

// {"type":"array","items":{"type":"string","enum":[the schema's field
// names]}} with `description`; with `distinct`, at least one name and no
// name twice.
void FieldNames(JsonWriter& w, const Schema& schema, const char* description, bool distinct) {
  w.BeginObject();
  w.Key("type");
  w.String("array");
  Describe(w, description);
  if (distinct) {
    w.Key("minItems");
    w.Int(1);
    w.Key("uniqueItems");
    w.Bool(true);
  }
  w.Key("items");
  w.BeginObject();
  w.Key("type");
  w.String("string");
  w.Key("enum");
  w.BeginArray();
  for (const Field& f : schema.fields) w.String(f.name);
  w.EndArray();
  w.EndObject();
  w.EndObject();
}

// The operator object of a field: {"$eq": v, "$gt": v, ...}.
void Operators(JsonWriter& w, const Field& f) {
  w.BeginObject();
  w.Key("type");
  w.String("object");
  Describe(w, "Operators that must all hold; null only with $eq, $ne and in $in.");
  w.Key("minProperties");
  w.Int(1);
  w.Key("properties");
  w.BeginObject();
  for (const char* op : {"$eq", "$ne"}) {
    w.Key(op);
    ValueSchema(w, f, true);
  }
  for (const char* op : {"$lt", "$lte", "$gt", "$gte"}) {
    w.Key(op);
    ValueSchema(w, f, false);
  }
  w.Key("$in");
  w.BeginObject();
  w.Key("type");
  w.String("array");
  w.Key("items");
  ValueSchema(w, f, true);
  w.EndObject();
  if (f.type == Type::kString) {
    w.Key("$contains");
    w.BeginObject();
    w.Key("type");
    w.String("string");
    w.EndObject();
  }
  w.EndObject();
  w.Key("additionalProperties");
  w.Bool(false);
  w.EndObject();
}

// A field's condition in a filter: a value (equality) or operators.
void Condition(JsonWriter& w, const Field& f) {
  w.BeginObject();
  w.Key("oneOf");
  w.BeginArray();
  ValueSchema(w, f, true);
  Operators(w, f);
  w.EndArray();
  w.EndObject();
}

void FilterSchema(JsonWriter& w, const Schema& schema) {
  w.BeginObject();
  w.Key("type");
  w.String("object");
  Describe(w,
           "Conditions that must all hold: {field: value} or {field: {$op: value}}, "
           "combined with $and, $or and $not (docs/query.md).");
  w.Key("properties");
  w.BeginObject();
  w.Key("$and");
  FilterList(w, "Every filter holds ([] always does).");
  w.Key("$or");
  FilterList(w, "At least one filter holds ([] never does).");
  w.Key("$not");
  Ref(w, "Filter");
  for (const Field& f : schema.fields) {
    w.Key(f.name);
    Condition(w, f);
  }
  w.EndObject();
  w.Key("additionalProperties");
  w.Bool(false);
  w.EndObject();
}

// {"field": "asc" | "desc", ...}; exactly one member when `one_field`.
void Directions(JsonWriter& w, const Schema& schema, bool one_field) {
  w.BeginObject();
  w.Key("type");
  w.String("object");
  if (one_field) {
    w.Key("minProperties");
    w.Int(1);
    w.Key("maxProperties");
    w.Int(1);
  }
  w.Key("properties");
  w.BeginObject();
  for (const Field& f : schema.fields) {
    w.Key(f.name);
    w.BeginObject();
    w.Key("type");
    w.String("string");
    w.Key("enum");
    w.BeginArray();
    w.String("asc");
    w.String("desc");
    w.EndArray();
    w.EndObject();
  }
  w.EndObject();
  w.Key("additionalProperties");
  w.Bool(false);
  w.EndObject();
}

void OrderBySchema(JsonWriter& w, const Schema& schema) {
  w.BeginObject();
  Describe(w,
           "Sort order in priority order: {field: \"asc\" | \"desc\", ...} or "
           "[{field: direction}, ...]; the primary key breaks ties.");
  w.Key("oneOf");
  w.BeginArray();
  Directions(w, schema, false);
  w.BeginObject();
  w.Key("type");
  w.String("array");
  w.Key("items");
  Directions(w, schema, true);
  w.EndObject();
  w.EndArray();
  w.EndObject();
}

void AfterSchema(JsonWriter& w, const Schema& schema) {
  w.BeginObject();
  w.Key("type");
  w.String("object");
  Describe(w,
           "Cursor: the last record of the previous page (at least its $order_by and "
           "primary-key fields); the query continues strictly after it.");
  FieldProperties(w, schema);
  w.Key("additionalProperties");
  w.Bool(false);
  w.EndObject();
}

void QuerySchema(JsonWriter& w, const Schema& schema) {
  w.BeginObject();
  w.Key("type");
  w.String("object");
  Describe(w, "A query (docs/query.md). Every member is optional; {} matches every record.");
  w.Key("properties");
  w.BeginObject();
  w.Key("$filter");
  Ref(w, "Filter");
  w.Key("$order_by");
  Ref(w, "OrderBy");
  w.Key("$limit");
  CountValueSchema(w,
                   "Most records returned; the server's default_limit when absent, at most its "
                   "max_limit (10000 unless configured).");
  w.Key("$skip");
  CountValueSchema(w, "Records skipped before the first one returned.");
  w.Key("$after");
  Ref(w, "After");
  w.Key("$select");
  FieldNames(w, schema, "The fields each record holds, in this order; every field when absent.",
             /*distinct=*/true);
  w.EndObject();
  w.Key("additionalProperties");
  w.Bool(false);
  w.EndObject();
}

}  // namespace

void ValueSchema(JsonWriter& w, const Field& f, bool nullable) {
  w.BeginObject();
  const char* format = nullptr;
  w.Key("type");
  switch (f.type) {
    case Type::kInt64: w.String("integer"), format = "int64"; break;
    case Type::kFloat64: w.String("number"), format = "double"; break;
    case Type::kBool: w.String("boolean"); break;
    case Type::kString: w.String("string"); break;
    case Type::kTimestamp: w.String("string"), format = "date-time"; break;
    case Type::kDate: w.String("string"), format = "date"; break;
  }
  if (format != nullptr) {
    w.Key("format");
    w.String(format);
  }
  if (nullable) {
    w.Key("nullable");
    w.Bool(true);
  }
  w.EndObject();
}

void CountValueSchema(JsonWriter& w, const char* description) {
  w.BeginObject();
  w.Key("type");
  w.String("integer");
  w.Key("format");
  w.String("int64");
  w.Key("minimum");
  w.Int(0);
  if (description != nullptr) Describe(w, description);
  w.EndObject();
}

void FieldProperties(JsonWriter& w, const Schema& schema) {
  w.Key("properties");
  w.BeginObject();
  for (const Field& f : schema.fields) {
    w.Key(f.name);
    ValueSchema(w, f, f.nullable);
  }
  w.EndObject();
}

void QuerySchemas(JsonWriter& w, const Schema& schema) {
  w.Key("Query");
  QuerySchema(w, schema);
  w.Key("Filter");
  FilterSchema(w, schema);
  w.Key("OrderBy");
  OrderBySchema(w, schema);
  w.Key("After");
  AfterSchema(w, schema);
}

void AggregateSchemas(JsonWriter& w, const Schema& schema) {
  w.Key("AggregateRequest");
  w.BeginObject();
  w.Key("type");
  w.String("object");
  Describe(w, "An aggregate request (docs/aggregates.md). Every member is optional.");
  w.Key("properties");
  w.BeginObject();
  w.Key("$group_by");
  FieldNames(w, schema,
             "Fields whose values name a group; [] (default): one group of every record.",
             /*distinct=*/false);
  w.Key("$measures");
  w.BeginObject();
  w.Key("type");
  w.String("array");
  Describe(w, "count, sum(field), min(field), max(field), avg(field); default [count].");
  w.Key("items");
  w.BeginObject();
  w.Key("type");
  w.String("string");
  w.Key("pattern");
  w.String("^(count|(sum|min|max|avg)\\(.+\\))$");
  w.EndObject();
  w.EndObject();
  w.Key("$filter");
  Ref(w, "Filter");
  w.Key("$limit");
  CountValueSchema(w, "Most groups returned (default_limit when absent, at most max_limit).");
  w.Key("$after");
  w.BeginObject();
  w.Key("type");
  w.String("object");
  Describe(w, "The last group of the previous page: its $group_by values.");
  w.EndObject();
  w.EndObject();
  w.Key("additionalProperties");
  w.Bool(false);
  w.EndObject();
  w.Key("Group");
  w.BeginObject();
  w.Key("type");
  w.String("object");
  Describe(w,
           "One group: its $group_by values, then each measure by its name (\"count\", "
           "\"sum(fare_amount)\", ...).");
  w.Key("additionalProperties");
  w.Bool(true);
  w.EndObject();
}

const char* const kSelectHelp =
    "Comma-separated fields each record holds, in this order ($select); names may be "
    "double-quoted.";

void QueryParam(JsonWriter& w, std::string_view name, const char* type, const char* description) {
  w.BeginObject();
  w.Key("name");
  w.String(name);
  w.Key("in");
  w.String("query");
  w.Key("required");
  w.Bool(false);
  Describe(w, description);
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

void ListParameters(JsonWriter& w, const Schema& schema) {
  QueryParam(w, "select", "string", kSelectHelp);
  QueryParam(w, "order", "string",
             "Comma-separated fields to sort by, each optionally .asc or .desc ($order_by), "
             "e.g. fare_amount.desc,trip_id.");
  QueryParam(w, "after", "string",
             "The last record of the previous page as a JSON object ($after); the answer "
             "continues after it.");
  QueryParam(w, "or", "string",
             "Conditions of which at least one holds: (field.op.value,...), nesting and(...), "
             "or(...), not.and(...), not.or(...).");
  QueryParam(w, "and", "string", "Conditions that all hold: (field.op.value,...), nesting as or.");
  for (const Field& f : schema.fields) {
    bool reserved = false;
    for (std::string_view p :
         {"limit", "skip", "order_by", "select", "order", "after", "or", "and"})
      reserved = reserved || f.name == p;
    if (reserved) continue;
    QueryParam(w, f.name, "string",
               "Filter OP.VALUE: eq, neq, lt, lte, gt, gte (a value of the field's type), "
               "in.(v1,v2), is.null (is.true, is.false for bool); not. before any negates "
               "(docs/query.md, \"Queries in URLs\").");
  }
}

void ExportContent(JsonWriter& w) {
  for (const char* type : {"text/csv", "application/x-ndjson"}) {
    w.Key(type);
    w.BeginObject();
    w.Key("schema");
    w.BeginObject();
    w.Key("type");
    w.String("string");
    Describe(w,
             "Every matching record (an export, sent chunked): CSV (RFC 4180, a header line) or "
             "one JSON record per line. Asked for with Accept.");
    w.EndObject();
    w.EndObject();
  }
}

}  // namespace sluice::rest
