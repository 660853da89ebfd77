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

// Installs what the signal thread does (starting it on first use): `on_stop`
// runs on the first SIGINT/SIGTERM, `on_reload` on every SIGHUP. A second
// SIGINT/SIGTERM calls _exit(130). Replaces earlier handlers.
void SetSignalHandlers(std::function<void()> on_stop, std::function<void()> on_reload);
// Removes the handlers (before the objects they use go away); signals then
// only count towards the second-signal exit.
void ClearSignalHandlers();

}  // namespace sluice::host

#endif  // SLUICE_HOST_SERVICE_SIGNALS_H_
