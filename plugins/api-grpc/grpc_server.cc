#include "grpc_server.h"

#include <grpc/grpc.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>

#include <chrono>
#include <thread>
#include <utility>

#include "reflection.h"
#include "standard_protos.h"

namespace sluice::grpcapi {

namespace {

// How long Stop() lets calls end by themselves before gRPC cancels them.
constexpr auto kShutdownGrace = std::chrono::seconds(1);

// Unknown methods rebuild the catalog at most this often.
constexpr auto kMissRefreshGap = std::chrono::milliseconds(200);

const std::string kReflectionPaths[2] = {
    std::string("/") + kReflectionAlphaService + "/ServerReflectionInfo",
    std::string("/") + kReflectionV1Service + "/ServerReflectionInfo"};

std::string HostPort(const std::string& host, int port) {
  bool v6 = host.find(':') != std::string::npos && host.front() != '[';
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

int ReflectionProtocol(const std::string& method) {
  for (int i = 0; i < 2; ++i)
    if (method == kReflectionPaths[i]) return i;
  return -1;
}

}  // namespace

class GrpcServer::Generic : public grpc::CallbackGenericService {
 public:
  explicit Generic(Router* router) : router_(router) {}
  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext* ctx) override {
    return new GenericCall(ctx, router_);
  }

 private:
  Router* router_;
};

GrpcServer::GrpcServer(const ApiHost& api, const HostServices& host, const GrpcOptions& options)
    : log_(host),
      options_(options),
      catalog_(api, host),
      handlers_(api, &catalog_, options.max_message_bytes),
      pool_(std::make_unique<WorkerPool>(options.threads)),
      generic_(std::make_unique<Generic>(static_cast<Router*>(this))) {}

GrpcServer::~GrpcServer() { Stop(); }

Status GrpcServer::Start(std::string* address) {
  SLUICE_RETURN_IF_ERROR(Listen(address));
  UpdateHealth();
  return Status();
}

Status GrpcServer::Listen(std::string* address) {
  std::lock_guard<std::mutex> lock(mu_);
  if (server_ != nullptr || stopping_)
    return FailedPrecondition("grpc: the server was already started");
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  int port = 0;
  std::string listen = HostPort(options_.host, options_.port);
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &port);
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);  // a taken port is an error
  builder.SetMaxReceiveMessageSize(static_cast<int>(options_.max_message_bytes));
  builder.SetMaxSendMessageSize(static_cast<int>(options_.max_message_bytes));
  builder.RegisterCallbackGenericService(generic_.get());
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || port == 0) {
    server_.reset();
    return Unavailable("grpc: cannot listen on " + listen +
                       " (port in use, or not a local address); set api.grpc.port to a free "
                       "port, or 0 for any");
  }
  *address = "grpc://" + HostPort(options_.host, port);
  return Status();
}

void GrpcServer::Stop() {
  stopping_ = true;
  grpc::Server* server = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    server = server_.get();
  }
  if (server != nullptr) server->Shutdown(std::chrono::system_clock::now() + kShutdownGrace);
  {
    std::unique_lock<std::mutex> lock(mu_);
    streams_cv_.wait(lock, [&] { return streams_ == 0; });
  }
  pool_->Stop();
  std::lock_guard<std::mutex> lock(mu_);
  if (server_ != nullptr) server_->Wait();
  server_.reset();
}

void GrpcServer::CatalogChanged() { UpdateHealth(); }

void GrpcServer::UpdateHealth() {
  // Read and apply under one lock: Start and a catalog change can race, and
  // the read taken first must not be applied last.
  std::lock_guard<std::mutex> serial(health_mu_);
  std::map<std::string, bool> fresh = catalog_.Refresh()->Health();
  std::lock_guard<std::mutex> lock(mu_);
  if (server_ == nullptr || stopping_) return;
  grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
  if (health == nullptr) return;
  for (const auto& kv : health_)
    if (fresh.count(kv.first) == 0) health->SetServingStatus(kv.first, false);  // gone
  for (const auto& kv : fresh) health->SetServingStatus(kv.first, kv.second);
  health_ = std::move(fresh);
}

void GrpcServer::OnRead(GenericCall* call, bool ok, std::string message) {
  int reflection = ReflectionProtocol(call->method());
  if (reflection >= 0) {
    if (!ok) return call->Complete(grpc::Status::OK);  // the client is done asking
    bool queued = pool_->Submit([this, call, reflection, message = std::move(message)] {
      std::string answer;
      grpc::Status s = AnswerReflection(*catalog_.Get(), reflection, message, &answer);
      if (!s.ok() || !call->Send(std::move(answer)))
        return call->Complete(s.ok() ? call->StopStatus() : s);
      call->ReadNext();
    });
    if (!queued)
      call->Complete(grpc::Status(grpc::StatusCode::UNAVAILABLE, "the server is stopping"));
    return;
  }
  if (!ok)
    return call->Complete(
        grpc::Status(grpc::StatusCode::CANCELLED, "the client sent no request message"));
  RouteFirst(call, std::move(message));
}

void GrpcServer::RouteFirst(GenericCall* call, std::string message) {
  CommonMethod common;
  if (FindCommonMethod(call->method(), &common)) {
    if (common == CommonMethod::kOnEvent)
      return RunStream(call,
                       [this, call, message] { return handlers_.CommonEvents(*call, message); });
    return RunUnary(call, [this, common, call, message](std::string* out) {
      return handlers_.Common(common, *call, message, out);
    });
  }
  std::shared_ptr<const Snapshot> snap = catalog_.Get();
  const MethodTarget* found = snap->FindMethod(call->method());
  if (found == nullptr)  // maybe a version newer than the snapshot
    found = (snap = catalog_.RefreshUnlessRecent(kMissRefreshGap))->FindMethod(call->method());
  if (found == nullptr)
    return call->Complete(grpc::Status(
        grpc::StatusCode::UNIMPLEMENTED,
        "unknown method " + call->method() + "; server reflection lists the services"));
  MethodTarget target = *found;
  if (target.method == TypedMethod::kOnEvent)
    return RunStream(call, [this, target, call, message] {
      return handlers_.TypedEvents(target, *call, message);
    });
  RunUnary(call, [this, target, call, message](std::string* out) {
    return handlers_.Typed(target, *call, message, out);
  });
}

void GrpcServer::RunUnary(GenericCall* call, std::function<grpc::Status(std::string*)> handler) {
  bool queued = pool_->Submit([call, handler = std::move(handler)] {
    std::string response;
    grpc::Status s = handler(&response);
    if (s.ok() && !call->Send(std::move(response))) s = call->StopStatus();
    call->Complete(s);
  });
  if (!queued)
    call->Complete(grpc::Status(grpc::StatusCode::UNAVAILABLE, "the server is stopping"));
}

void GrpcServer::RunStream(GenericCall* call, std::function<grpc::Status()> handler) {
  bool full = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    full = streams_ >= options_.max_streams;
    if (!full) ++streams_;
  }
  if (full)
    return call->Complete(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                       "too many onEvent streams (max_streams " +
                                           std::to_string(options_.max_streams) +
                                           "); close one or raise api.grpc.max_streams"));
  std::thread([this, call, handler = std::move(handler)] {
    call->Complete(handler());
    std::lock_guard<std::mutex> lock(mu_);
    --streams_;
    streams_cv_.notify_all();
  }).detach();
}

}  // namespace sluice::grpcapi
