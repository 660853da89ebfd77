// Where the REST plugin serves its admin routes (/admin/...): the one rule,
// kept here so that access rules (credentials, roles) extend it in one place.
#ifndef SLUICE_PLUGINS_API_REST_ADMIN_RULE_H_
#define SLUICE_PLUGINS_API_REST_ADMIN_RULE_H_

#include "rest_options.h"
#include "rest_service.h"

namespace sluice::rest {

// True when admin routes are served to a request that arrived on
// `listener`, presenting a credential or not: always on the admin unix
// socket (its file permissions admit the caller); on the TCP listener to a
// caller presenting a credential (the host then requires the admin role),
// and to callers without one only when admin_remote explicitly opens them
// there (the host still refuses them unless auth.anonymous_admin is true).
// Never decided by the peer's address: behind a reverse proxy on the same
// host every client is "local".
bool AdminRoutesServed(const RestOptions& options, Listener listener, bool credential_sent);

}  // namespace sluice::rest

#endif  // SLUICE_PLUGINS_API_REST_ADMIN_RULE_H_
