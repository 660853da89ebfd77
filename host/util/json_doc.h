// Reading the host's own JSON documents (schema.json, the storage marker,
// the version catalog's records) with simdjson, with one set of messages.
//
//   simdjson::dom::parser parser;
//   simdjson::dom::element doc;
//   SLUICE_RETURN_IF_ERROR(ParseJsonDocument(text, "schema.json", 1, &parser, &doc));
#ifndef SLUICE_HOST_UTIL_JSON_DOC_H_
#define SLUICE_HOST_UTIL_JSON_DOC_H_

#include <simdjson.h>

#include <cstdint>
#include <string_view>

#include "sluice/status.h"

namespace sluice::host {

// Parses `json` into *doc (which lives as long as *parser and its next
// parse). INVALID_ARGUMENT "not valid JSON: <why>" when it is not JSON.
Status ParseJson(std::string_view json, simdjson::dom::parser* parser, simdjson::dom::element* doc);

// As ParseJson, for a document whose integer member "format" must be
// `format`: otherwise INVALID_ARGUMENT "unsupported <what> format (expected
// "format": <format>)". `what` names the document ("schema.json").
Status ParseJsonDocument(std::string_view json, std::string_view what, int64_t format,
                         simdjson::dom::parser* parser, simdjson::dom::element* doc);

}  // namespace sluice::host

#endif  // SLUICE_HOST_UTIL_JSON_DOC_H_
