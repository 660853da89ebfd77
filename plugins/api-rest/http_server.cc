#include "http_server.h"

#include <chrono>
#include <thread>

#include "http/event_loop.h"
#include "http/listener.h"
#include "http/server_context.h"

namespace sluice::rest {

using http::EventLoop;
using http::LoopMessage;

namespace {

// RestService as the transport's handler.
class ServiceHandler : public http::RequestHandler {
 public:
  explicit ServiceHandler(std::shared_ptr<RestService> service) : service_(std::move(service)) {}
  void Handle(const HttpRequest& request, HttpResponse* response) override {
    service_->Handle(request, response);
  }
  bool RunsOnWorker(const HttpRequest& request, std::string_view* route,
                    std::string* endpoint) override {
    return service_->RunsQuery(request, route, endpoint);
  }
  void Record(std::string_view method, std::string_view route, std::string_view endpoint,
              int status) override {
    service_->metrics().Record(method, route, endpoint, status, 0);
  }

 private:
  std::shared_ptr<RestService> service_;
};

}  // namespace

HttpServer::HttpServer(std::shared_ptr<RestService> service, HostServices log)
    : service_(service),
      handler_(std::make_shared<ServiceHandler>(service)),
      options_(service->options()),
      log_(std::move(log)) {}

HttpServer::HttpServer(std::shared_ptr<http::RequestHandler> handler, RestOptions options,
                       HostServices log)
    : handler_(std::move(handler)), options_(std::move(options)), log_(std::move(log)) {}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Start(std::vector<std::string>* addresses) {
  std::lock_guard<std::mutex> lock(mu_);
  if (ctx_ != nullptr) return FailedPrecondition("rest: server already started");
  const RestOptions& o = options_;
  auto ctx = std::make_shared<http::ServerContext>(handler_, options_, log_);
  bool tls = !o.transport.tls_cert_path.empty();
  if (tls)
    SLUICE_RETURN_IF_ERROR(ctx->tls.Load(o.transport.tls_cert_path, o.transport.tls_key_path));
  auto listeners = std::make_unique<std::vector<http::ListenSocket>>();
  auto close_all = [&] {
    for (http::ListenSocket& l : *listeners) http::CloseListener(&l);
  };
  listeners->emplace_back();
  Status s = http::OpenTcpListener(o.host, o.port, tls, &listeners->back());
  if (s.ok() && !o.transport.admin_socket_path.empty()) {
    listeners->emplace_back();
    s = http::OpenUnixListener(o.transport.admin_socket_path, &listeners->back());
  }
  std::vector<std::unique_ptr<EventLoop>> loops;
  for (int i = 0; s.ok() && i < o.threads; ++i) {
    loops.push_back(std::make_unique<EventLoop>(ctx, i));
    s = loops.back()->Init();
  }
  if (!s.ok()) {
    loops.clear();
    close_all();
    return s;
  }
  std::vector<EventLoop*> all;
  for (auto& l : loops) all.push_back(l.get());
  loops[0]->SetAcceptor(listeners.get(), all);
  ctx->pool.Start();
  for (auto& l : loops) l->Start();
  std::weak_ptr<http::ServerContext> weak = ctx;
  if (service_ != nullptr)
    service_->metrics().SetExtraText([weak] {
      auto c = weak.lock();
      return c == nullptr ? std::string() : c->metrics.Text(&c->pool);
    });
  for (const http::ListenSocket& l : *listeners) {
    addresses->push_back(l.address);
    log_.Info("serving REST on " + l.address);
  }
  ctx_ = std::move(ctx);
  loops_ = std::move(loops);
  listeners_ = std::move(listeners);
  return Status();
}

void HttpServer::Stop() {
  std::lock_guard<std::mutex> lock(mu_);
  if (ctx_ == nullptr) return;
  using Clock = std::chrono::steady_clock;
  auto deadline =
      Clock::now() + std::chrono::milliseconds(ctx_->options().transport.shutdown_grace_ms);
  ctx_->draining.store(true);
  for (auto& l : loops_) l->Post(LoopMessage::Of(LoopMessage::kDrain));
  auto open = [&] {
    int64_t n = 0;
    for (auto& l : loops_) n += l->connections();
    return n;
  };
  while (open() > 0 && Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  int64_t left = open();
  for (auto& l : loops_) l->Post(LoopMessage::Of(LoopMessage::kAbort));
  for (auto& l : loops_) l->Post(LoopMessage::Of(LoopMessage::kQuit));
  for (auto& l : loops_) l->Join();
  // Requests that were cancelled get a moment to notice it; what still runs
  // is left to finish on its own (it holds what it uses).
  size_t running = ctx_->pool.Stop(Clock::now() + std::chrono::milliseconds(100));
  if (left > 0 || running > 0)
    log_.Warn("stopped after shutdown_grace_ms = " +
              std::to_string(ctx_->options().transport.shutdown_grace_ms) + " ms with " +
              std::to_string(left) + " connection(s) still open and " + std::to_string(running) +
              " query(ies) still running; they were cancelled and abandoned");
  if (service_ != nullptr) service_->metrics().SetExtraText(nullptr);
  loops_.clear();
  listeners_.reset();
  ctx_.reset();
  log_.Info("REST server stopped");
}

std::string HttpServer::MetricsText() {
  std::lock_guard<std::mutex> lock(mu_);
  return ctx_ == nullptr ? std::string() : ctx_->metrics.Text(&ctx_->pool);
}

Status HttpServer::Reload() {
  std::lock_guard<std::mutex> lock(mu_);
  if (ctx_ == nullptr || !ctx_->tls.enabled()) return Status();
  Status s = ctx_->tls.Reload();
  if (s.ok()) log_.Info("reloaded the TLS certificate and key");
  return s;
}

}  // namespace sluice::rest
