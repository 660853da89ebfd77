// sluice: the host process. Everything that talks to the outside world is a
// plugin; see docs/architecture.md.
#include <malloc.h>

#include "cli/cli.h"
#include "service/signals.h"

int main(int argc, char** argv) {
  // Large buffers (commits, batches) go straight to mmap and back to the
  // system when freed, and few arenas: glibc otherwise keeps freed memory,
  // and peak RSS grows with the input instead of staying flat.
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
  mallopt(M_ARENA_MAX, 2);
  sluice::host::BlockSignals();
  return sluice::host::Main(argc, argv);
}
