// One gRPC call served through the generic callback API: raw message bytes
// in and out, so that services whose messages are only known at run time
// can be served. The call reads messages when asked and hands each to its
// Router; handlers answer through the CallContext interface (Send, then
// Complete) from any thread. Writes are queued and issued one at a time.
//
// Lifetime: gRPC creates the call (CreateReactor) and it deletes itself once
// gRPC reports it done, which happens only after Complete(). Whoever calls
// Complete() must not touch the call afterwards.
#ifndef SLUICE_PLUGINS_API_GRPC_GENERIC_CALL_H_
#define SLUICE_PLUGINS_API_GRPC_GENERIC_CALL_H_

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/support/server_callback.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>

#include "call_context.h"

namespace sluice::grpcapi {

class GenericCall;

// Decides what a call does with each message it reads.
class Router {
 public:
  virtual ~Router() = default;
  // A read completed: `ok` with `message`, or !ok when the client sent no
  // more (half-close, cancellation). Runs on a gRPC thread: must not block.
  virtual void OnRead(GenericCall* call, bool ok, std::string message) = 0;
  // The call is over and about to be deleted.
  virtual void OnCallDone() {}
  // True while the server is stopping (calls then report Done()).
  virtual bool Stopping() const = 0;
};

class GenericCall : public grpc::ServerGenericBidiReactor, public CallContext {
 public:
  // Starts reading the first message.
  GenericCall(grpc::GenericCallbackServerContext* ctx, Router* router);
  GenericCall(const GenericCall&) = delete;
  GenericCall& operator=(const GenericCall&) = delete;

  // "/package.Service/method".
  const std::string& method() const { return ctx_->method(); }
  // Messages read so far.
  uint64_t reads() const { return reads_; }
  // Reads the next message (Router::OnRead gets it). At most one read at a time.
  void ReadNext() { StartRead(&in_); }
  // The credential the client sent (metadata "x-api-key", else
  // "authorization: Bearer ...") and its address; the token views
  // `storage`, which must outlive the result's use.
  Credential ClientCredential(std::string* storage) const;
  // The host request of the call: set once by the router, on the first
  // read, before any handler runs; ended when the call is deleted.
  void SetRequest(ApiHost::Request request) {
    request_ = std::move(request);
    has_request_ = true;
  }
  bool has_request() const { return has_request_; }
  // Finishes the call with `status` once every queued message is written
  // (at once when the client is gone). Exactly once; the call may be
  // deleted before this returns.
  void Complete(const grpc::Status& status);
  // A unary call's answer: sends `message` and finishes with OK in one
  // operation (one round through gRPC instead of a write, then a finish)
  // when nothing else was sent; else as Send(message), then Complete(OK),
  // or Complete(StopStatus()) when the message cannot be sent. Exactly once,
  // instead of Complete(); the call may be deleted before this returns.
  void Reply(std::string message);

  // CallContext.
  const ApiHost::Request& request() const override { return request_; }
  bool Done() const override;
  grpc::Status StopStatus() const override;
  void SetVersion(uint32_t version) override;
  bool Send(std::string message) override;
  void SendHeaders() override;

  // gRPC callbacks.
  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  // Moves the next queued message into out_. REQUIRES: mu_ held, queue not empty.
  void TakeNextLocked();
  bool DeadlinePassed() const;

  grpc::GenericCallbackServerContext* ctx_;
  Router* router_;
  grpc::ByteBuffer in_;
  grpc::ByteBuffer out_;  // the message being written
  uint64_t reads_ = 0;    // touched only by the reading side
  ApiHost::Request request_;
  bool has_request_ = false;  // touched only by the reading side
  std::atomic<bool> cancelled_{false};

  mutable std::mutex mu_;
  std::condition_variable cv_;     // queue space or cancellation
  std::deque<std::string> queue_;  // guarded by mu_
  bool writing_ = false;           // guarded by mu_: a write is in flight
  bool broken_ = false;            // guarded by mu_: a write failed
  bool completing_ = false;        // guarded by mu_: Complete() was called
  bool metadata_sent_ = false;     // guarded by mu_
  grpc::Status final_;             // guarded by mu_
};

// The bytes of a ByteBuffer.
std::string BufferToString(const grpc::ByteBuffer& buffer);

}  // namespace sluice::grpcapi

#endif  // SLUICE_PLUGINS_API_GRPC_GENERIC_CALL_H_
