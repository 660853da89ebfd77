// Options of the generator source: how many rows, how fast, which values.
//
//   connections:
//     - { name: synth, plugin: generator, options: { seed: 7 } }
//   endpoints:
//     - { ..., connection: synth, table: readings, options: { rows: 1000, rate: 50 } }
//
// Connection options are defaults for every table of the connection; an
// endpoint's options override them key by key.
#ifndef GENERATOR_GENERATOR_CONFIG_H_
#define GENERATOR_GENERATOR_CONFIG_H_

#include <cstdint>

#include "sluice/host_services.h"
#include "sluice/status.h"

namespace generator {

struct GeneratorConfig {
  uint64_t rows = 0;  // total rows of the table; 0 = unbounded
  double rate = 0;    // rows per second; 0 = as fast as the host reads
  uint64_t seed = 0;  // selects the values (see generator_rows.h)

  // Reads `options` over the current values; `where` names the options in
  // errors ("connection option", "table option"). InvalidArgument naming
  // the key, the value found and what is expected, or an unknown key and
  // the known ones.
  sluice::Status Apply(const sluice::Options& options, const char* where);
};

}  // namespace generator

#endif  // GENERATOR_GENERATOR_CONFIG_H_
