// The shared object's entry point: exports RestPlugin as the "rest" plugin.
#include "rest_plugin.h"
#include "sluice/plugin.h"

SLUICE_PLUGIN(sluice::rest::RestPlugin, "rest", "0.1.0", "REST/JSON API over HTTP (Pistache)")
