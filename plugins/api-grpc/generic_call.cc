#include "generic_call.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace sluice::grpcapi {

namespace {

// Messages a stream may queue before Send() waits for the client.
constexpr size_t kMaxQueued = 256;

// A buffer over `bytes` without copying them: the slice owns the string
// and frees it when gRPC is done with it.
grpc::ByteBuffer ToBuffer(std::string bytes) {
  auto* owned = new std::string(std::move(bytes));
  grpc::Slice slice(
      owned->data(), owned->size(), [](void* s) { delete static_cast<std::string*>(s); }, owned);
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

Credential GenericCall::ClientCredential(std::string* storage) const {
  Credential c;
  const auto& md = ctx_->client_metadata();
  auto value = [&](const char* key, std::string_view* out) {
    auto it = md.find(key);
    if (it == md.end()) return false;
    *out = std::string_view(it->second.data(), it->second.size());
    return true;
  };
  auto trim = [](std::string_view s) {
    size_t b = s.find_first_not_of(" \t");
    if (b == std::string_view::npos) return std::string_view();
    return s.substr(b, s.find_last_not_of(" \t") - b + 1);
  };
  std::string_view v;
  if (value("x-api-key", &v)) {
    c.kind = Credential::Kind::kApiKey, c.token = trim(v);
  } else if (value("authorization", &v)) {
    v = trim(v);
    bool bearer = v.size() > 7 && (v[0] | 0x20) == 'b' && (v[1] | 0x20) == 'e' &&
                  (v[2] | 0x20) == 'a' && (v[3] | 0x20) == 'r' && (v[4] | 0x20) == 'e' &&
                  (v[5] | 0x20) == 'r' && v[6] == ' ';
    if (bearer) c.kind = Credential::Kind::kBearer, c.token = trim(v.substr(7));
  }
  if (c.token.empty()) c.kind = Credential::Kind::kNone;
  // "ipv4:127.0.0.1:5000", "ipv6:[::1]:5000": the address without port.
  *storage = ctx_->peer();
  std::string_view p = *storage;
  size_t colon = p.find(':');
  if (colon != std::string_view::npos) p = p.substr(colon + 1);
  if (!p.empty() && p.front() == '[') p = p.substr(1, p.find(']') - 1);
  else if (p.rfind(':') != std::string_view::npos) p = p.substr(0, p.rfind(':'));
  c.peer = p;
  // The call's deadline bounds its queries, and a call that ends (the
  // client cancelled, the deadline passed, the server stops) stops them.
  auto deadline = ctx_->deadline();
  auto now = std::chrono::system_clock::now();
  if (deadline > now && deadline < now + std::chrono::hours(24)) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
    c.timeout_ms = static_cast<uint32_t>(std::max<int64_t>(1, ms));
  }
  c.cancel_fn = [](void* call) -> int32_t {
    return static_cast<const GenericCall*>(call)->Done() ? 1 : 0;
  };
  c.cancel_ctx = const_cast<GenericCall*>(this);
  return c;
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
  out_ = ToBuffer(std::move(queue_.front()));
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

void GenericCall::Reply(std::string message) {
  std::unique_lock<std::mutex> lock(mu_);
  if (completing_ || broken_ || writing_ || !queue_.empty() || Done()) {
    lock.unlock();
    if (!Send(std::move(message))) return Complete(StopStatus());
    return Complete(grpc::Status::OK);
  }
  completing_ = true;
  metadata_sent_ = true;
  final_ = grpc::Status::OK;
  out_ = ToBuffer(std::move(message));
  lock.unlock();
  StartWriteAndFinish(&out_, grpc::WriteOptions(), grpc::Status::OK);
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
