// The list route's URL query parameters -> a query (docs/query.md, "Queries
// in URLs"): PostgREST-style filters (`fare=gte.20`, `zone=in.(1,2)`,
// `note=is.null`, `not.`, `or=(a.eq.1,b.lt.2)`), `select`, `order`,
// `order_by`, `limit`, `skip` and `after`, typed by the version's schema.
// The result is the JSON text POST .../query takes, so the host parses,
// plans and runs it like any query: there is one query engine.
//
//   std::string json;
//   Status s = ListQueryJson({{"fare", "gte.20"}, {"select", "id,fare"}}, schema, &json);
//   // json == {"$filter":{"$and":[{"fare":{"$gte":20.0}}]},"$select":["id","fare"]}
#ifndef SLUICE_PLUGINS_API_REST_URL_QUERY_H_
#define SLUICE_PLUGINS_API_REST_URL_QUERY_H_

#include <string>
#include <utility>
#include <vector>

#include "sluice/schema.h"
#include "sluice/status.h"

namespace sluice::rest {

// Builds the query JSON of the list route from its URL query parameters
// (name and value as received, percent-encoded) against `schema`. No
// parameter gives "{}". INVALID_ARGUMENT naming the parameter, what was
// found and what is expected: an unknown parameter (with a did-you-mean
// among the fields and parameter names), a malformed filter, a value that
// does not parse as its field's type.
Status ListQueryJson(const std::vector<std::pair<std::string, std::string>>& params,
                     const Schema& schema, std::string* json);

// The `select` parameter of get by key ("a,b", raw): the field numbers in
// the order named. INVALID_ARGUMENT for an unknown field (did-you-mean) or
// a repeated one.
Status SelectParam(const std::string& raw, const Schema& schema, std::vector<uint32_t>* fields);

}  // namespace sluice::rest

#endif  // SLUICE_PLUGINS_API_REST_URL_QUERY_H_
