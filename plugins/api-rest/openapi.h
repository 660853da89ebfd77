// The OpenAPI 3.0.3 document of one endpoint version as the REST plugin
// serves it: the record schema, every route in its versioned (/v{n}/path)
// and unversioned (/path) form, the query body and the error body.
// Served at GET .../oapi and written by `migrate` as openapi.json.
//
//   std::string doc = OpenApiDocument("trips", "/trips", 2, schema);
//   Status s = WriteFileAtomically(dir + "/openapi.json", doc);  // sluice/atomic_file.h
#ifndef SLUICE_PLUGINS_API_REST_OPENAPI_H_
#define SLUICE_PLUGINS_API_REST_OPENAPI_H_

#include <cstdint>
#include <string_view>

#include "sluice/schema.h"

namespace sluice::rest {

// Returns the document (compact JSON) for version `version` of endpoint
// `endpoint` whose REST path is `path` (starts with '/').
std::string OpenApiDocument(std::string_view endpoint, std::string_view path, uint32_t version,
                            const Schema& schema);

}  // namespace sluice::rest

#endif  // SLUICE_PLUGINS_API_REST_OPENAPI_H_
