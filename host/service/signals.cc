#include "service/signals.h"

#include <signal.h>
#include <unistd.h>

#include <mutex>
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

namespace {

std::mutex g_mu;
std::function<void()> g_on_stop, g_on_reload;

void SignalLoop() {
  sigset_t set = Mask();
  bool stopping = false;
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (sig == SIGHUP) {
      log::Info("service", "SIGHUP: reloading config");
      std::lock_guard<std::mutex> lock(g_mu);
      if (g_on_reload) g_on_reload();
      continue;
    }
    if (stopping) {
      log::Warn("service", "second stop signal: exiting now");
      _exit(130);
    }
    stopping = true;
    log::Info("service", "stop requested", {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}});
    std::lock_guard<std::mutex> lock(g_mu);
    if (g_on_stop) g_on_stop();
  }
}

}  // namespace

void SetSignalHandlers(std::function<void()> on_stop, std::function<void()> on_reload) {
  static std::once_flag started;
  {
    std::lock_guard<std::mutex> lock(g_mu);
    g_on_stop = std::move(on_stop);
    g_on_reload = std::move(on_reload);
  }
  std::call_once(started, [] { std::thread(SignalLoop).detach(); });
}

void ClearSignalHandlers() {
  std::lock_guard<std::mutex> lock(g_mu);
  g_on_stop = nullptr;
  g_on_reload = nullptr;
}

}  // namespace sluice::host
