// sluice: the host process. Everything that talks to the outside world is a
// plugin; see docs/architecture.md.
#include "cli/cli.h"
#include "service/signals.h"

int main(int argc, char** argv) {
  sluice::host::BlockSignals();
  return sluice::host::Main(argc, argv);
}
