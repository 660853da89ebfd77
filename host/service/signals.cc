#include "service/signals.h"

#include <signal.h>
#include <unistd.h>

#include <thread>

#include "util/log.h"

namespace sluice::host {
namespace {

sigset_t Mask() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}

}  // namespace

void BlockSignals() {
  sigset_t set = Mask();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

void StartSignalThread(std::function<void()> on_stop, std::function<void()> on_reload) {
  std::thread([on_stop = std::move(on_stop), on_reload = std::move(on_reload)] {
    sigset_t set = Mask();
    bool stopping = false;
    for (;;) {
      int sig = 0;
      if (sigwait(&set, &sig) != 0) continue;
      if (sig == SIGHUP) {
        log::Info("service", "SIGHUP: reloading config");
        if (on_reload) on_reload();
        continue;
      }
      if (stopping) {
        log::Warn("service", "second stop signal: exiting now");
        _exit(130);
      }
      stopping = true;
      log::Info("service", "stop requested", {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}});
      if (on_stop) on_stop();
    }
  }).detach();
}

}  // namespace sluice::host
