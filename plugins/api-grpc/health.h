// grpc.health.v1.Health (Check and Watch), served by the plugin itself
// rather than gRPC's built-in service, so that what a client learns follows
// the host's access policy (docs/grpc.md, "Reflection and health"): the
// server's own status (service "") is answered to anyone, as load balancers
// and probes send no credential; a named service only to a client allowed
// to see it: others get NOT_FOUND (Watch: SERVICE_UNKNOWN), as for a name
// that does not exist.
//
//   HealthService health;
//   health.Set({{"", true}, {"sluice.trips.Trips", false}});
//   grpc::Status s = health.Check(request_bytes, visible, &response_bytes);
#ifndef SLUICE_PLUGINS_API_GRPC_HEALTH_H_
#define SLUICE_PLUGINS_API_GRPC_HEALTH_H_

#include <grpcpp/support/status.h>

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "call_context.h"

namespace sluice::grpcapi {

class HealthService {
 public:
  // OK when the client may learn about `service`; else the status to
  // answer instead (NOT_FOUND hides the service; others are refusals).
  using Visible = std::function<grpc::Status(const std::string& service)>;

  // Replaces every status (service name -> serving) and wakes watchers.
  void Set(std::map<std::string, bool> statuses);
  // Ends every Watch (the server is stopping).
  void Stop();

  // Check: SERVING or NOT_SERVING; NOT_FOUND for a name not served (or
  // not visible); INVALID_ARGUMENT for a malformed request.
  grpc::Status Check(const std::string& request, const Visible& visible,
                     std::string* response) const;
  // Watch: sends the status at once (SERVICE_UNKNOWN for a name not served
  // or not visible), then each change, until the call is done or Stop().
  grpc::Status Watch(CallContext& call, const std::string& request, const Visible& visible);

 private:
  // The status of `service` (1 SERVING, 2 NOT_SERVING, 3 SERVICE_UNKNOWN).
  int StatusLocked(const std::string& service) const;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, bool> statuses_;  // guarded by mu_
  uint64_t generation_ = 0;               // guarded by mu_: bumped by Set
  bool stopped_ = false;                  // guarded by mu_
};

}  // namespace sluice::grpcapi

#endif  // SLUICE_PLUGINS_API_GRPC_HEALTH_H_
