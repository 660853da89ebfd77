// Internal to the OpenAPI document (openapi.cc): the JSON Schemas of a
// query body (docs/query.md) typed by one endpoint version's schema, so
// a client sees which fields a $filter, $order_by or $after may name and
// which values each takes.
#ifndef SLUICE_PLUGINS_API_REST_OPENAPI_QUERY_H_
#define SLUICE_PLUGINS_API_REST_OPENAPI_QUERY_H_

#include <string_view>

#include "sluice/json.h"
#include "sluice/schema.h"

namespace sluice::rest {

// Writes the members "Query", "Filter", "OrderBy" and "After" of
// components.schemas (the caller has opened that object). Filter refers to
// itself for $and, $or and $not.
void QuerySchemas(JsonWriter& w, const Schema& schema);

// Writes the members "AggregateRequest" and "Group" of components/schemas
// (openapi_aggregate.cc; docs/aggregates.md).
void AggregateSchemas(JsonWriter& w, const Schema& schema);

// Writes the schema of one value of field `f` ({"type":..., "format":...}),
// with "nullable": true when `nullable`.
void ValueSchema(JsonWriter& w, const Field& f, bool nullable);

// Writes the schema of a count (an int64 >= 0), with `description` unless
// it is null.
void CountValueSchema(JsonWriter& w, const char* description = nullptr);

// Writes the member "properties" of an object schema: each field of
// `schema` with its ValueSchema (nullable as the field is).
void FieldProperties(JsonWriter& w, const Schema& schema);

// Writes one optional query parameter `name` of JSON Schema `type`
// ("integer" ones are at least 0) with `description`.
void QueryParam(JsonWriter& w, std::string_view name, const char* type, const char* description);

// The help text of the select parameter.
extern const char* const kSelectHelp;

// Writes the list route's filter and selection parameters (after the
// array of parameters is open): select, order, after, or, and, and one
// filter parameter per field (docs/query.md, "Queries in URLs"); fields
// named like a parameter are left out (they filter through POST).
void ListParameters(JsonWriter& w, const Schema& schema);

// Writes the "text/csv" and "application/x-ndjson" members of a list or
// query answer's content (an export, docs/rest.md "Export").
void ExportContent(JsonWriter& w);

}  // namespace sluice::rest

#endif  // SLUICE_PLUGINS_API_REST_OPENAPI_QUERY_H_
