// The answer of `GET /` (docs/rest.md): every endpoint the caller may read
// with its versions and ingest state. Also what the status stream
// (GET /admin/status/events) sends every second.
#ifndef SLUICE_PLUGINS_API_REST_INDEX_JSON_H_
#define SLUICE_PLUGINS_API_REST_INDEX_JSON_H_

#include <string>

#include "sluice/api_host.h"
#include "sluice/json.h"
#include "sluice/status.h"

namespace sluice::rest {

// Writes {"endpoints":[...]} for the endpoints `api` (acting for the
// caller) lists, read fresh (rows and lag move). The host's refusal
// (UNAUTHENTICATED, PERMISSION_DENIED, ...) otherwise, *out untouched.
Status IndexJson(const ApiHost& api, std::string* out);

// A version's figures as members of an open object: "version", "ready",
// "log_end", "cache_offset", "lag", "rows", "created_at".
void WriteVersionFields(const VersionInfo& v, JsonWriter* w);

// A schema as JSON: {"fields":[{"name","type","nullable"}],"primary_key":[names]}.
void WriteSchema(const Schema& schema, JsonWriter* w);

}  // namespace sluice::rest

#endif  // SLUICE_PLUGINS_API_REST_INDEX_JSON_H_
