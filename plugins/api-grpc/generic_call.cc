#include "generic_call.h"

#include <utility>
#include <vector>

namespace sluice::grpcapi {

namespace {

// Messages a stream may queue before Send() waits for the client.
constexpr size_t kMaxQueued = 256;

grpc::ByteBuffer ToBuffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

}  // namespace

std::string BufferToString(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  out.reserve(buffer.Length());
  for (const grpc::Slice& s : slices)
    out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

GenericCall::GenericCall(grpc::GenericCallbackServerContext* ctx, Router* router)
    : ctx_(ctx), router_(router) {
  StartRead(&in_);
}

bool GenericCall::DeadlinePassed() const {
  return ctx_->deadline() <= std::chrono::system_clock::now();
}

bool GenericCall::Done() const {
  return cancelled_.load() || router_->Stopping() || DeadlinePassed();
}

grpc::Status GenericCall::StopStatus() const {
  if (DeadlinePassed())
    return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "the call's deadline passed");
  if (router_->Stopping())
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the server is stopping");
  return grpc::Status(grpc::StatusCode::CANCELLED, "the call was cancelled");
}

void GenericCall::SetVersion(uint32_t version) {
  std::lock_guard<std::mutex> lock(mu_);
  if (metadata_sent_) return;
  ctx_->AddInitialMetadata("x-sluice-version", std::to_string(version));
}

bool GenericCall::Send(std::string message) {
  std::unique_lock<std::mutex> lock(mu_);
  while (queue_.size() >= kMaxQueued && !broken_ && !Done())
    cv_.wait_for(lock, std::chrono::milliseconds(100));  // Done() also watches the clock
  if (broken_ || completing_ || Done()) return false;
  queue_.push_back(std::move(message));
  if (writing_) return true;
  TakeNextLocked();
  lock.unlock();
  StartWrite(&out_);
  return true;
}

void GenericCall::SendHeaders() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (metadata_sent_ || completing_) return;
    metadata_sent_ = true;
  }
  StartSendInitialMetadata();
}

void GenericCall::TakeNextLocked() {
  out_ = ToBuffer(queue_.front());
  queue_.pop_front();
  writing_ = true;
  metadata_sent_ = true;
  cv_.notify_all();
}

void GenericCall::Complete(const grpc::Status& status) {
  std::unique_lock<std::mutex> lock(mu_);
  if (completing_) return;
  completing_ = true;
  final_ = status;
  if (writing_ && !broken_) return;  // OnWriteDone finishes after the queue drains
  metadata_sent_ = true;
  lock.unlock();
  Finish(status);
}

void GenericCall::OnReadDone(bool ok) {
  std::string message;
  if (ok) {
    ++reads_;
    message = BufferToString(in_);
    in_.Clear();
  }
  router_->OnRead(this, ok, std::move(message));
}

void GenericCall::OnWriteDone(bool ok) {
  std::unique_lock<std::mutex> lock(mu_);
  writing_ = false;
  if (!ok) {
    broken_ = true;
    queue_.clear();
  }
  cv_.notify_all();
  if (!broken_ && !queue_.empty()) {
    TakeNextLocked();
    lock.unlock();
    StartWrite(&out_);
    return;
  }
  if (!completing_) return;
  grpc::Status status = final_;
  lock.unlock();
  Finish(status);
}

void GenericCall::OnCancel() {
  cancelled_ = true;
  std::lock_guard<std::mutex> lock(mu_);
  cv_.notify_all();
}

void GenericCall::OnDone() {
  Router* router = router_;
  delete this;
  router->OnCallDone();
}

}  // namespace sluice::grpcapi
