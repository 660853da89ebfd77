// API-key authorization of the REST plugin: which key a request carries
// (X-API-Key, or Authorization: Bearer) and whether it may use a route
// class, given the api_keys and admin_keys options (rest_options.h).
//
//   Status s = Authorize(options, RouteAccess::kAdmin, RequestKey(x_api_key, authorization));
//   // UNAUTHENTICATED -> 401 with WWW-Authenticate, PERMISSION_DENIED -> 403
#ifndef SLUICE_PLUGINS_API_REST_AUTH_H_
#define SLUICE_PLUGINS_API_REST_AUTH_H_

#include <optional>
#include <string>
#include <string_view>

#include "rest_options.h"
#include "sluice/status.h"

namespace sluice::rest {

enum class RouteAccess {
  kOpen,     // /health, /ready: never need a key
  kData,     // /, endpoint routes: api_keys (or admin_keys) when api_keys is set
  kAdmin,    // /admin/...: admin_keys when set, else as kData
  kMetrics,  // /metrics: admin_keys when set, else open
};

// The key a request presents: the X-API-Key header when present, else the
// token of "Authorization: Bearer <token>" (scheme case-insensitive).
// nullopt when neither is there (another Authorization scheme counts as
// none).
std::optional<std::string_view> RequestKey(std::optional<std::string_view> x_api_key,
                                           std::optional<std::string_view> authorization);

// OK when `key` may use routes of class `access`. UNAUTHENTICATED when a
// key is needed and missing or not accepted; PERMISSION_DENIED when a data
// key is used where admin_keys are required. Compares in time independent
// of where keys differ. Messages never contain a key.
Status Authorize(const RestOptions& options, RouteAccess access,
                 std::optional<std::string_view> key);

// The WWW-Authenticate value for a 401 answer to `key` (RFC 6750).
std::string Challenge(std::optional<std::string_view> key);

}  // namespace sluice::rest

#endif  // SLUICE_PLUGINS_API_REST_AUTH_H_
