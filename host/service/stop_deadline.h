// A stop that always ends: once armed, the process exits with status 1
// after the grace period, with an ERROR line saying so, if it has not
// exited by itself by then (a request or an ingest that does not finish).
//
//   ArmStopDeadline(std::chrono::milliseconds(10000));   // on SIGTERM
#ifndef SLUICE_HOST_SERVICE_STOP_DEADLINE_H_
#define SLUICE_HOST_SERVICE_STOP_DEADLINE_H_

#include <chrono>

namespace sluice::host {

// Starts the deadline (the first call only; later calls do nothing).
// Thread-safe.
void ArmStopDeadline(std::chrono::milliseconds grace);

}  // namespace sluice::host

#endif  // SLUICE_HOST_SERVICE_STOP_DEADLINE_H_
