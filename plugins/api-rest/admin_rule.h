// Where the REST plugin serves its admin routes (/admin/...): the one rule,
// kept here so that access rules (credentials, roles) extend it in one place.
#ifndef SLUICE_PLUGINS_API_REST_ADMIN_RULE_H_
#define SLUICE_PLUGINS_API_REST_ADMIN_RULE_H_

#include "rest_options.h"
#include "rest_service.h"

namespace sluice::rest {

// True when admin routes are served to requests that arrive on `listener`:
// always on the admin unix socket (its file permissions admit the caller);
// on the TCP listener only when an admin credential is configured
// (admin_keys) or admin_remote explicitly opens them there. Never decided
// by the peer's address: behind a reverse proxy on the same host every
// client is "local".
bool AdminRoutesServed(const RestOptions& options, Listener listener);

}  // namespace sluice::rest

#endif  // SLUICE_PLUGINS_API_REST_ADMIN_RULE_H_
