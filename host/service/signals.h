// Process signals, handled on one dedicated thread (signals are blocked in
// every other thread): SIGINT/SIGTERM ask for a graceful stop, a second one
// exits at once (safe: every commit is atomic); SIGHUP asks for a config
// reload.
#ifndef SLUICE_HOST_SERVICE_SIGNALS_H_
#define SLUICE_HOST_SERVICE_SIGNALS_H_

#include <functional>

namespace sluice::host {

// Blocks SIGINT, SIGTERM and SIGHUP in the calling thread and in threads it
// starts afterwards. Call first thing in main().
void BlockSignals();

// Starts the signal thread. `on_stop` runs once on the first SIGINT/SIGTERM;
// `on_reload` on every SIGHUP. A second SIGINT/SIGTERM calls _exit(130).
// Call once.
void StartSignalThread(std::function<void()> on_stop, std::function<void()> on_reload);

}  // namespace sluice::host

#endif  // SLUICE_HOST_SERVICE_SIGNALS_H_
