// Exports the generator source plugin. GENERATOR_VERSION comes from
// project() in CMakeLists.txt.
#include "sluice/plugin.h"

#include "generator_source.h"

SLUICE_PLUGIN(generator::GeneratorSource, "generator", GENERATOR_VERSION,
              "synthetic rows at a configured rate, deterministic and resumable")
