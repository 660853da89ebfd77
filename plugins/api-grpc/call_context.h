// What a request handler sees of the gRPC call it answers: the host request
// acting for its client, whether to stop, a way to name the endpoint
// version answering, and (for server streams) a way to send messages.
// Implemented by the server's call object; tests use their own.
#ifndef SLUICE_PLUGINS_API_GRPC_CALL_CONTEXT_H_
#define SLUICE_PLUGINS_API_GRPC_CALL_CONTEXT_H_

#include <grpcpp/support/status.h>

#include <cstdint>
#include <string>

#include "sluice/api_host.h"

namespace sluice::grpcapi {

class CallContext {
 public:
  virtual ~CallContext() = default;
  // The request the host opened for the call's client (its credential):
  // every host call of the handler goes through request().api(), so the
  // host applies that client's permissions, row filters and rate limits.
  virtual const ApiHost::Request& request() const = 0;
  // True once the client cancelled, its deadline passed or the server is
  // stopping: the handler should stop and return StopStatus().
  virtual bool Done() const = 0;
  // DEADLINE_EXCEEDED when the deadline passed, else CANCELLED (the client
  // cancelled or the server is stopping).
  virtual grpc::Status StopStatus() const = 0;
  // Records the endpoint version that answers, sent to the client as the
  // initial metadata "x-sluice-version". Call at most once, before Send.
  virtual void SetVersion(uint32_t version) = 0;
  // Streams: sends the response headers now (if not sent yet), telling the
  // client that the stream is live.
  virtual void SendHeaders() = 0;
  // Streams: queues one serialized message for the client, waiting while
  // too many are queued. False once the call is done (the handler stops).
  virtual bool Send(std::string message) = 0;
};

}  // namespace sluice::grpcapi

#endif  // SLUICE_PLUGINS_API_GRPC_CALL_CONTEXT_H_
