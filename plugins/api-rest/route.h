// Pure request-line helpers of the REST plugin: splitting a request path
// into endpoint prefix, version and action, percent-decoding, and turning
// the list route's query parameters into a query (docs/query.md).
//
//   RoutePath r;
//   if (SplitVersion("/v2/trips/42", &r.version, &r.rest)) ...   // 2, "/trips/42"
//   EndpointAction a;
//   ParseAction("/42", &a);                                       // kGet, key "42"
#ifndef SLUICE_PLUGINS_API_REST_ROUTE_H_
#define SLUICE_PLUGINS_API_REST_ROUTE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sluice/status.h"

namespace sluice::rest {

// Splits "/v{n}/rest..." into n and "/rest...". False (outputs untouched)
// when the first segment is not 'v' followed by a decimal version in
// [1, 2^32) without leading zeros, or nothing follows it.
bool SplitVersion(std::string_view path, uint32_t* version, std::string_view* rest);

// Candidate endpoint paths of `path`, longest first: the whole path, then
// each prefix ending before a '/' ("/a/b/c" -> "/a/b/c", "/a/b", "/a").
std::vector<std::string_view> PathPrefixes(std::string_view path);

// What a request under an endpoint's path asks for.
struct EndpointAction {
  enum Kind { kCollection, kCount, kQuery, kOapi, kEvents, kRecord, kAggregate, kUnknown };
  Kind kind = kUnknown;
  std::string_view key;  // kRecord: the raw (still percent-encoded) key segment
  // The method the route answers (HEAD is also answered where it is GET).
  const char* method() const { return Posted() ? "POST" : "GET"; }
  // Methods the route accepts, for 405 answers and the Allow header.
  // (kEvents takes GET and POST: method() is GET, allow() names both.)
  const char* allow() const {
    return Posted() ? "POST" : kind == kEvents ? "GET, POST" : "GET, HEAD";
  }
  bool Posted() const { return kind == kCount || kind == kQuery || kind == kAggregate; }
};

// Classifies the part of the path after the endpoint's path: "" -> list,
// "/count", "/query", "/aggregate", "/oapi", "/events", "/{key}" (one non-empty segment) -> record,
// anything else -> kUnknown.
EndpointAction ParseAction(std::string_view suffix);

// The route template of an endpoint action, for metrics labels:
// "/{endpoint}", "/{endpoint}/{pk}", "/{endpoint}/count", "/{endpoint}/query",
// "/{endpoint}/oapi", "/{endpoint}/events", each prefixed with "/v{n}" when `versioned`; "other"
// for kUnknown. Static text.
std::string_view RouteTemplate(EndpointAction::Kind kind, bool versioned);

// Decodes %XX escapes (and '+' as a space when `plus_is_space`). False on
// a malformed escape or a decoded NUL byte.
bool PercentDecode(std::string_view in, bool plus_is_space, std::string* out);

}  // namespace sluice::rest

#endif  // SLUICE_PLUGINS_API_REST_ROUTE_H_
