// The shared object's entry point: exports RestPlugin as the "rest" plugin.
#include "rest_plugin.h"
#include "sluice/plugin.h"

SLUICE_PLUGIN(sluice::rest::RestPlugin, "rest", SLUICE_PLUGIN_VERSION,
              "REST/JSON API over HTTP/1.1 and HTTPS")
