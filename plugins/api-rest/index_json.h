// The answer of `GET /` (docs/rest.md): every endpoint the caller may read
// with its versions and ingest state. Also what the status stream
// (GET /admin/status/events) sends every second.
#ifndef SLUICE_PLUGINS_API_REST_INDEX_JSON_H_
#define SLUICE_PLUGINS_API_REST_INDEX_JSON_H_

#include <string>
#include <string_view>
#include <vector>

#include "sluice/api_host.h"
#include "sluice/json.h"
#include "sluice/status.h"

namespace sluice::rest {

// Writes {"endpoints":[...]} for the endpoints `api` (acting for the
// caller) lists, read fresh (rows and lag move). The host's refusal
// (UNAUTHENTICATED, PERMISSION_DENIED, ...) otherwise, *out untouched.
Status IndexJson(const ApiHost& api, std::string* out);

// An endpoint's head as members of an open object: `name_key` (its name:
// "name" in GET /, "endpoint" in the versions route), "path",
// "current_version", "pinned".
void WriteEndpointHead(const EndpointInfo& e, std::string_view name_key, JsonWriter* w);

// How WriteVersions writes each version's schema.
enum class SchemaForm {
  kSummary,  // one line, as SummarizeSchema (GET /)
  kFull,     // the object WriteSchema writes (the versions route)
};

// The member "versions" of an open object: an array of each version's
// figures ("version", "ready", "log_end", "cache_offset", "lag", "rows",
// "created_at") and its "schema" in `form`.
void WriteVersions(const std::vector<VersionInfo>& versions, SchemaForm form, JsonWriter* w);

// A schema as JSON: {"fields":[{"name","type","nullable"}],"primary_key":[names]}.
void WriteSchema(const Schema& schema, JsonWriter* w);

}  // namespace sluice::rest

#endif  // SLUICE_PLUGINS_API_REST_INDEX_JSON_H_
