// What the REST plugin does about access control: extract the credential
// a request presents, for the host to judge (docs/security.md). Which
// principal that makes and what it may do is decided by the host, through
// the request the plugin opens with it (sluice::ApiHost::BeginRequest).
//
//   Credential c = RequestCredential(x_api_key, authorization);
//   // c.kind kApiKey (X-API-Key), kBearer (Authorization: Bearer) or kNone
#ifndef SLUICE_PLUGINS_API_REST_AUTH_H_
#define SLUICE_PLUGINS_API_REST_AUTH_H_

#include <optional>
#include <string>
#include <string_view>

#include "sluice/api_host.h"

namespace sluice::rest {

// The credential of a request: the X-API-Key header when present (an API
// key), else the token of "Authorization: Bearer <token>" (scheme
// case-insensitive; an API key or a JWT). kNone when neither is there
// (another Authorization scheme counts as none). The token views the
// header values.
Credential RequestCredential(std::optional<std::string_view> x_api_key,
                             std::optional<std::string_view> authorization);

// The WWW-Authenticate value of a 401 answer (RFC 6750): with
// error="invalid_token" when a credential was sent.
std::string Challenge(bool credential_sent);

}  // namespace sluice::rest

#endif  // SLUICE_PLUGINS_API_REST_AUTH_H_
