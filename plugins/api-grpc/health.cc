#include "health.h"

#include <chrono>
#include <memory>

#include "standard_protos.h"

namespace sluice::grpcapi {

namespace {

constexpr int kServing = 1, kNotServing = 2, kServiceUnknown = 3;

// The `service` field of a serialized HealthCheckRequest.
grpc::Status ServiceOf(const std::string& request, std::string* service) {
  const StandardFiles& std_files = Standard();
  std::unique_ptr<google::protobuf::Message> m(
      std_files.Prototype(std_files.health_request)->New());
  if (!m->ParseFromString(request))
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "request is not a valid grpc.health.v1.HealthCheckRequest message");
  *service = m->GetReflection()->GetString(*m, std_files.health_request->FindFieldByNumber(1));
  return grpc::Status::OK;
}

std::string Response(int status) {
  const StandardFiles& std_files = Standard();
  std::unique_ptr<google::protobuf::Message> m(
      std_files.Prototype(std_files.health_response)->New());
  m->GetReflection()->SetEnumValue(m.get(), std_files.health_response->FindFieldByNumber(1),
                                   status);
  return m->SerializeAsString();
}

}  // namespace

void HealthService::Set(std::map<std::string, bool> statuses) {
  std::lock_guard<std::mutex> lock(mu_);
  statuses_ = std::move(statuses);
  ++generation_;
  cv_.notify_all();
}

void HealthService::Stop() {
  std::lock_guard<std::mutex> lock(mu_);
  stopped_ = true;
  cv_.notify_all();
}

int HealthService::StatusLocked(const std::string& service) const {
  auto it = statuses_.find(service);
  if (it == statuses_.end()) return kServiceUnknown;
  return it->second ? kServing : kNotServing;
}

grpc::Status HealthService::Check(const std::string& request, const Visible& visible,
                                  std::string* response) const {
  std::string service;
  grpc::Status g = ServiceOf(request, &service);
  if (!g.ok()) return g;
  if (!service.empty()) {
    g = visible(service);
    if (g.error_code() == grpc::StatusCode::NOT_FOUND)
      return grpc::Status(grpc::StatusCode::NOT_FOUND, "unknown service " + service);
    if (!g.ok()) return g;
  }
  int status;
  {
    std::lock_guard<std::mutex> lock(mu_);
    status = StatusLocked(service);
  }
  if (status == kServiceUnknown)
    return grpc::Status(grpc::StatusCode::NOT_FOUND, "unknown service " + service);
  *response = Response(status);
  return grpc::Status::OK;
}

grpc::Status HealthService::Watch(CallContext& call, const std::string& request,
                                  const Visible& visible) {
  std::string service;
  grpc::Status g = ServiceOf(request, &service);
  if (!g.ok()) return g;
  int last = -1;
  uint64_t seen = UINT64_MAX;
  for (;;) {
    int status;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, std::chrono::milliseconds(500),
                   [&] { return generation_ != seen || stopped_; });
      if (stopped_) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the server is stopping");
      seen = generation_;
      status = StatusLocked(service);
    }
    if (call.Done()) return call.StopStatus();
    if (!service.empty()) {
      g = visible(service);
      if (g.error_code() == grpc::StatusCode::NOT_FOUND) status = kServiceUnknown;
      else if (!g.ok()) return g;
    }
    if (status == last) continue;
    call.SendHeaders();
    if (!call.Send(Response(status))) return call.StopStatus();
    last = status;
  }
}

}  // namespace sluice::grpcapi
