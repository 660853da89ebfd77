// Cross-origin resource sharing (docs/rest.md, "CORS"): which browser
// origins may call the API, answering their preflight requests, and the
// headers of cross-origin answers. Off unless the rest option cors.origins
// lists origins.
//
//   if (IsPreflight(request)) return AnswerPreflight(options.cors, request, &response);
//   ...
//   AddCorsHeaders(options.cors, request, &response);   // on every other answer
#ifndef SLUICE_PLUGINS_API_REST_CORS_H_
#define SLUICE_PLUGINS_API_REST_CORS_H_

#include "rest_options.h"

namespace sluice::rest {

struct HttpRequest;
struct HttpResponse;

// True for a CORS preflight: OPTIONS with Origin and
// Access-Control-Request-Method, while CORS is configured.
bool IsPreflight(const RestOptions::Cors& cors, const HttpRequest& request);

// Answers a preflight: 204 with Access-Control-Allow-Origin, -Methods,
// -Headers and -Max-Age when the origin, the method and every requested
// header are allowed; else 403 naming what is not (a browser then refuses
// the actual request). Needs no credential.
void AnswerPreflight(const RestOptions::Cors& cors, const HttpRequest& request,
                     HttpResponse* response);

// Adds Access-Control-Allow-Origin (with Vary: Origin) and
// Access-Control-Expose-Headers to the answer of a request whose Origin is
// allowed; nothing otherwise.
void AddCorsHeaders(const RestOptions::Cors& cors, const HttpRequest& request,
                    HttpResponse* response);

}  // namespace sluice::rest

#endif  // SLUICE_PLUGINS_API_REST_CORS_H_
