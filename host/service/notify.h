// ServiceNotifier: the service manager notification protocol (systemd's
// sd_notify), spoken directly: newline-separated "KEY=VALUE" state lines
// sent as one datagram to the AF_UNIX socket named by $NOTIFY_SOCKET (a
// path, or "@name" for the abstract namespace). Without $NOTIFY_SOCKET
// every call does nothing, so the same binary runs under systemd
// (Type=notify) and from a shell.
//
//   ServiceNotifier notify;                // reads the environment
//   notify.StartWatchdog();               // WATCHDOG=1 every WATCHDOG_USEC/2
//   ... start serving ...
//   notify.Send("READY=1\nSTATUS=serving");
//   notify.SetHealthCheck([&](std::string* why) { return server.Healthy(why); });
//   ... on stop ...
//   notify.Send("STOPPING=1");
//   notify.StopWatchdog();
#ifndef SLUICE_HOST_SERVICE_NOTIFY_H_
#define SLUICE_HOST_SERVICE_NOTIFY_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "sluice/status.h"

namespace sluice::host {

class ServiceNotifier {
 public:
  // Reports `*why` and returns false when the process is not healthy.
  using HealthCheck = std::function<bool(std::string* why)>;

  // Reads $NOTIFY_SOCKET, $WATCHDOG_USEC and $WATCHDOG_PID. The watchdog
  // is enabled when WATCHDOG_USEC is a positive integer and WATCHDOG_PID is
  // unset or equal to this process's id. A malformed variable disables
  // that part (logged as a warning).
  ServiceNotifier();
  // The same from explicit values ("" = unset).
  ServiceNotifier(std::string socket, std::string_view watchdog_usec,
                  std::string_view watchdog_pid);
  ServiceNotifier(const ServiceNotifier&) = delete;
  ServiceNotifier& operator=(const ServiceNotifier&) = delete;
  // Stops the watchdog thread.
  ~ServiceNotifier();

  // True when $NOTIFY_SOCKET names a socket.
  bool enabled() const { return !socket_.empty(); }
  // The watchdog interval asked for; zero when disabled.
  std::chrono::microseconds watchdog_interval() const { return watchdog_; }

  // Sends `state` ("READY=1", "STATUS=...", several joined by '\n') as one
  // datagram. OK and nothing sent when not enabled; UNAVAILABLE with the
  // socket and errno text when the send fails. Thread-safe.
  Status Send(std::string_view state) const;
  // Sends and logs a failure as a warning (the service keeps running).
  void Notify(std::string_view state) const;

  // Starts a thread sending WATCHDOG=1 every watchdog_interval()/2 while the
  // health check (none = always healthy) passes. When it fails, the thread
  // logs why once, sends STATUS=unhealthy: <why> and stops pinging, so the
  // service manager restarts the service after WatchdogSec. Does nothing
  // when the watchdog is disabled or already running.
  void StartWatchdog();
  // Replaces the health check the watchdog runs. Thread-safe.
  void SetHealthCheck(HealthCheck check);
  // Stops and joins the watchdog thread. Idempotent.
  void StopWatchdog();

 private:
  void WatchdogLoop();

  std::string socket_;                     // "" = not enabled
  std::chrono::microseconds watchdog_{0};  // 0 = no watchdog
  std::mutex mu_;                          // guards check_, stop_
  std::condition_variable cv_;
  HealthCheck check_;
  bool stop_ = false;
  std::thread thread_;
};

// "MONOTONIC_USEC=<now>": what RELOADING=1 carries for Type=notify-reload.
std::string MonotonicUsecField();

}  // namespace sluice::host

#endif  // SLUICE_HOST_SERVICE_NOTIFY_H_
