#include "grpc_server.h"

#include <grpc/grpc.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>
#include <grpcpp/server_builder.h>

#include <chrono>
#include <fstream>
#include <thread>
#include <utility>

#include "reflection.h"
#include "standard_protos.h"
#include "status_map.h"

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

const std::string kHealthCheck = std::string("/") + kHealthService + "/Check";
const std::string kHealthWatch = std::string("/") + kHealthService + "/Watch";

int ReflectionProtocol(const std::string& method) {
  for (int i = 0; i < 2; ++i)
    if (method == kReflectionPaths[i]) return i;
  return -1;
}

// "" when `path` is a readable file, else why not.
std::string Unreadable(const std::string& option, const std::string& path) {
  std::ifstream in(path);
  if (in.good() && in.peek() != std::ifstream::traits_type::eof()) return "";
  return "grpc option '" + option + "': cannot read " + path + " (missing, empty or not readable)";
}

// The server credentials the options ask for: TLS from files gRPC re-reads
// every refresh_s seconds, or plain text.
Status Credentials(const GrpcOptions::Tls& tls, std::shared_ptr<grpc::ServerCredentials>* out) {
  if (!tls.enabled()) {
    *out = grpc::InsecureServerCredentials();
    return Status();
  }
  for (const auto& [option, path] : {std::make_pair("tls.cert_file", tls.cert_file),
                                     std::make_pair("tls.key_file", tls.key_file),
                                     std::make_pair("tls.client_ca_file", tls.client_ca_file)}) {
    if (path.empty()) continue;
    std::string why = Unreadable(option, path);
    if (!why.empty()) return InvalidArgument(why);
  }
  auto provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      tls.key_file, tls.cert_file, tls.client_ca_file, tls.refresh_s);
  grpc::experimental::TlsServerCredentialsOptions options(provider);
  options.watch_identity_key_cert_pairs();
  if (!tls.client_ca_file.empty()) options.watch_root_certs();
  options.set_cert_request_type(
      tls.client_auth == "require"   ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
      : tls.client_auth == "request" ? GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY
                                     : GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  *out = grpc::experimental::TlsServerCredentials(options);
  if (*out == nullptr) return InvalidArgument("grpc: the tls options do not make TLS credentials");
  return Status();
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
    : api_(api),
      log_(host),
      options_(options),
      catalog_(api, host),
      handlers_(&catalog_, options.max_message_bytes),
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
  std::shared_ptr<grpc::ServerCredentials> credentials;
  SLUICE_RETURN_IF_ERROR(Credentials(options_.tls, &credentials));
  grpc::ServerBuilder builder;
  int port = 0;
  std::string listen = HostPort(options_.host, options_.port);
  builder.AddListeningPort(listen, credentials, &port);
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
  *address = (options_.tls.enabled() ? "grpcs://" : "grpc://") + HostPort(options_.host, port);
  return Status();
}

void GrpcServer::Stop() {
  stopping_ = true;
  health_service_.Stop();
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
  fresh[kHealthService] = true;
  health_service_.Set(std::move(fresh));
}

void GrpcServer::BeginRequest(GenericCall* call) {
  std::string peer;
  Credential credential = call->ClientCredential(&peer);
  ApiHost::Request request;
  api_.BeginRequest(credential, &request);
  call->SetRequest(std::move(request));
}

grpc::Status GrpcServer::Visible(const GenericCall& call, const std::string& service) {
  Status s = call.request().Authorize(Action::kRead);
  if (!s.ok()) return ToGrpc(s);
  std::string endpoint = catalog_.Get()->EndpointOfService(service);
  if (!endpoint.empty() && !call.request().Authorize(Action::kRead, endpoint).ok())
    return grpc::Status(grpc::StatusCode::NOT_FOUND, "unknown service");
  return grpc::Status::OK;
}

void GrpcServer::OnRead(GenericCall* call, bool ok, std::string message) {
  if (!call->has_request()) BeginRequest(call);
  int reflection = ReflectionProtocol(call->method());
  if (reflection >= 0) {
    if (!ok) return call->Complete(grpc::Status::OK);  // the client is done asking
    Status allowed = call->request().Authorize(Action::kRead);
    if (!allowed.ok()) return call->Complete(ToGrpc(allowed));
    bool queued = pool_->Submit([this, call, reflection, message = std::move(message)] {
      std::string answer;
      MayRead may_read = [call](std::string_view endpoint) {
        return call->request().Authorize(Action::kRead, endpoint).ok();
      };
      grpc::Status s = AnswerReflection(*catalog_.Get(), reflection, message, &answer, may_read);
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
  auto visible = [this, call](const std::string& service) { return Visible(*call, service); };
  if (call->method() == kHealthCheck)
    return RunUnary(call, [this, visible, message](std::string* out) {
      return health_service_.Check(message, visible, out);
    });
  if (call->method() == kHealthWatch)
    return RunStream(call, [this, call, visible, message] {
      return health_service_.Watch(*call, message, visible);
    });
  // Before routing: a client that may read nothing learns no method name
  // (and a refused request, a bad credential or a rate limit, ends here).
  Status allowed = call->request().Authorize(Action::kRead);
  if (!allowed.ok()) return call->Complete(ToGrpc(allowed));
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
    if (!s.ok()) return call->Complete(s);
    call->Reply(std::move(response));
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
                                       "too many streams (max_streams " +
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
