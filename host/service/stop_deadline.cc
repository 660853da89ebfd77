#include "service/stop_deadline.h"

#include <unistd.h>

#include <mutex>
#include <string>
#include <thread>

#include "util/log.h"

namespace sluice::host {

void ArmStopDeadline(std::chrono::milliseconds grace) {
  static std::once_flag armed;
  std::call_once(armed, [grace] {
    std::thread([grace] {
      std::this_thread::sleep_for(grace);
      log::Error("service",
                 "graceful stop did not finish within shutdown_grace_ms; exiting now (nothing "
                 "committed is lost: commits are atomic)",
                 {{"shutdown_grace_ms", std::to_string(grace.count())}});
      ::_exit(1);
    }).detach();
  });
}

}  // namespace sluice::host
