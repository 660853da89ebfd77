// How the REST plugin reports errors: an HTTP status chosen from the
// sluice status code, and a JSON body
//   {"error":{"code":"not_found","message":"..."}}
#ifndef SLUICE_PLUGINS_API_REST_HTTP_STATUS_H_
#define SLUICE_PLUGINS_API_REST_HTTP_STATUS_H_

#include <string>
#include <string_view>

#include "sluice/status.h"

namespace sluice::rest {

// INVALID_ARGUMENT, OUT_OF_RANGE and RESOURCE_EXHAUSTED (a query over the
// host's budget) -> 400, NOT_FOUND -> 404, FAILED_PRECONDITION -> 409,
// UNAVAILABLE -> 503, UNIMPLEMENTED -> 501, DEADLINE_EXCEEDED -> 504,
// anything else -> 500. (A body over max_body_bytes is answered 413 by the
// server before any status exists.)
int HttpStatusFor(Code code);

// The error body with `code_name` (e.g. "not_found") and `message` (its
// ill-formed UTF-8, e.g. a client's percent-decoded bytes, replaced by U+FFFD).
std::string ErrorJson(std::string_view code_name, std::string_view message);

}  // namespace sluice::rest

#endif  // SLUICE_PLUGINS_API_REST_HTTP_STATUS_H_
