// Reading the query layer's JSON requests (queries, aggregate requests)
// with simdjson: the one preamble both parsers share and the small helpers
// they walk their documents with.
//
//   thread_local simdjson::dom::parser parser;   // one per caller and thread
//   simdjson::dom::element doc;
//   SLUICE_RETURN_IF_ERROR(
//       ParseRequestObject(text, limits, "query", DescribeJson, &parser, &doc));
//   for (auto [key, value] : AsObject(doc)) ...
#ifndef SLUICE_HOST_QUERY_REQUEST_JSON_H_
#define SLUICE_HOST_QUERY_REQUEST_JSON_H_

#include <simdjson.h>

#include <string>
#include <string_view>

#include "config/query_limits.h"
#include "sluice/status.h"

namespace sluice::host {

// Parses the request text `json` into *doc, an object, with `parser`; *doc
// lives until that parser's next parse, so a caller that parses another
// request while it still reads *doc (ParseAggregate calls ParseQuery) keeps
// a parser of its own. Blank text reads as {}. INVALID_ARGUMENT, each
// message starting with `what` ("query", "aggregate request"), when the
// text is longer than limits.max_query_bytes ("<what> of N bytes exceeds
// the maximum M (query.max_query_bytes)"), is not valid JSON ("<what> is
// not valid JSON: <why>") or is not an object ("<what> must be a JSON
// object, got <describe(value)>").
Status ParseRequestObject(std::string_view json, const QueryLimits& limits, std::string_view what,
                          std::string (*describe)(simdjson::dom::element),
                          simdjson::dom::parser* parser, simdjson::dom::element* doc);

// A value as error messages name it: "string \"abc\"" (cut after 64
// bytes), "number 1.5", "bool true", "null", "array", "object".
std::string DescribeJson(simdjson::dom::element e);

// The object or array `e` is; empty when it is not (callers check the type
// first). Named values, so range-for loops never iterate a temporary's
// member.
simdjson::dom::object AsObject(simdjson::dom::element e);
simdjson::dom::array AsArray(simdjson::dom::element e);

}  // namespace sluice::host

#endif  // SLUICE_HOST_QUERY_REQUEST_JSON_H_
