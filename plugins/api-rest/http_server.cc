#include "http_server.h"

#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <pistache/peer.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <thread>

namespace sluice::rest {

namespace Http = Pistache::Http;
namespace Tcp = Pistache::Tcp;

// Shared by every clone of the handler (one per server thread).
struct ServerState {
  std::shared_ptr<RestService> service;
  std::atomic<int64_t> in_flight{0};  // requests accepted and not yet written out
};

namespace {

// Room for the request line and headers on top of the largest body.
constexpr size_t kHeaderAllowance = 64 * 1024;
// Marks a connection whose request was refused as too large: its remaining
// bytes are dropped until the connection closes.
constexpr const char* kRefusedKey = "sluice.rest.refused";

// A response header with a name chosen at run time (Pistache writes only
// typed headers).
class ValueHeader : public Http::Header::Header {
 public:
  ValueHeader(std::string name, std::string value)
      : name_(std::move(name)), value_(std::move(value)) {}
  const char* name() const override { return name_.c_str(); }
  uint64_t hash() const override { return Http::Header::detail::hash(name_.c_str()); }
  void write(std::ostream& os) const override { os << value_; }

 private:
  std::string name_;
  std::string value_;
};

void AddHeader(Http::ResponseWriter& writer, std::string name, std::string value) {
  writer.headers().add(std::make_shared<ValueHeader>(std::move(name), std::move(value)));
}

// RFC 9112 9.3: HTTP/1.1 persists unless the client says close; HTTP/1.0
// only when it asks for keep-alive.
bool WantsKeepAlive(const Http::Request& request) {
  auto c = request.headers().tryGet<Http::Header::Connection>();
  if (c != nullptr && c->control() == Http::ConnectionControl::Close) return false;
  if (c != nullptr && c->control() == Http::ConnectionControl::KeepAlive) return true;
  return request.version() == Http::Version::Http11;
}

void SetConnection(Http::ResponseWriter& writer, bool keep_alive) {
  writer.headers().remove<Http::Header::Connection>();
  writer.headers().add<Http::Header::Connection>(keep_alive ? Http::ConnectionControl::KeepAlive
                                                            : Http::ConnectionControl::Close);
}

bool IsLoopback(const Pistache::Address& address) {
  std::string host = address.host();
  return host.rfind("127.", 0) == 0 || host == "::1" || host.rfind("::ffff:127.", 0) == 0;
}

// Copies the value of a request header into *value; false when absent.
bool HeaderValue(const Http::Request& request, const std::string& name, std::string* value) {
  if (name == Http::Header::Authorization::Name) {  // parsed into a typed header when registered
    auto typed = request.headers().tryGet<Http::Header::Authorization>();
    if (typed != nullptr) return *value = typed->value(), true;
  }
  std::optional<Http::Header::Raw> raw = request.headers().tryGetRaw(name);
  if (!raw) return false;
  *value = raw->value();
  return true;
}

std::string HostForUrl(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

class RequestHandler : public Http::Handler {
 public:
  HTTP_PROTOTYPE(RequestHandler)

  explicit RequestHandler(std::shared_ptr<ServerState> state) : state_(std::move(state)) {}

  // Replaces Http::Handler's input path (private there, so it cannot be
  // extended) with the same parse loop plus what the plugin needs: refusing
  // an oversized body as soon as its headers are in, and JSON errors for
  // malformed requests.
  void onInput(const char* buffer, size_t len, const std::shared_ptr<Tcp::Peer>& peer) override {
    if (peer->tryGetData(kRefusedKey) != nullptr) return;  // dropping a refused request
    auto parser = getParser(peer);
    try {
      if (!parser->feed(buffer, len))
        return Refuse(peer, *parser, 413, "resource_exhausted",
                      "request exceeds " + std::to_string(max_body() + kHeaderAllowance) +
                          " bytes; the body limit is max_body_bytes = " +
                          std::to_string(max_body()));
      if (parser->parse() == Http::Private::State::Done) {
        Http::ResponseWriter writer(parser->request.version(), transport(), this, peer);
        parser->request.copyAddress(peer->address());
        peer->setIdle(false);
        onRequest(parser->request, std::move(writer));
        parser->reset();
        return;
      }
      // Headers in, body still arriving: refuse an oversized body now
      // instead of buffering it.
      if (parser->step() == nullptr || parser->step()->id() != Http::Private::BodyStep::Id) return;
      auto length = parser->request.headers().tryGet<Http::Header::ContentLength>();
      if (length != nullptr && length->value() > max_body()) {
        HttpResponse response;
        TooLarge(length->value(), &response);
        Refuse(peer, *parser, response);
      }
    } catch (const Http::HttpError& e) {
      Refuse(peer, *parser, e.code(), e.code() == 413 ? "resource_exhausted" : "invalid_argument",
             "malformed HTTP request: " + e.reason());
    } catch (const std::exception& e) {
      Refuse(peer, *parser, 500, "internal", std::string("internal error: ") + e.what());
    }
  }

  void onRequest(const Http::Request& request, Http::ResponseWriter writer) override {
    state_->in_flight.fetch_add(1);
    struct Release {  // unless Send() takes over the count
      std::atomic<int64_t>* n;
      ~Release() {
        if (n != nullptr) n->fetch_sub(1);
      }
    } release{&state_->in_flight};
    bool keep_alive = WantsKeepAlive(request);
    HttpResponse response;
    if (request.body().size() > max_body()) {
      TooLarge(request.body().size(), &response);
      state_->service->metrics().Record(Http::methodString(request.method()), "other", "",
                                        response.status, 0);
    } else {
      HttpRequest req;
      req.method = Http::methodString(request.method());
      req.path = request.resource();
      for (auto it = request.query().parameters_begin(); it != request.query().parameters_end();
           ++it)
        req.query.emplace_back(it->first, it->second);
      req.body = request.body();
      req.from_loopback = IsLoopback(request.address());
      std::string key, authorization;  // outlive Handle()
      if (HeaderValue(request, "X-API-Key", &key)) req.x_api_key = key;
      if (HeaderValue(request, "Authorization", &authorization)) req.authorization = authorization;
      state_->service->Handle(req, &response);
    }
    release.n = nullptr;
    Send(std::move(writer), response, keep_alive);
  }

 private:
  uint64_t max_body() const { return state_->service->options().max_body_bytes; }

  // Answers `response` and closes the connection, dropping whatever else
  // the client sends on it.
  void Refuse(const std::shared_ptr<Tcp::Peer>& peer, Http::RequestParser& parser,
              const HttpResponse& response) {
    state_->service->metrics().Record(Http::methodString(parser.request.method()), "other", "",
                                      response.status, 0);
    peer->putData(kRefusedKey, std::make_shared<int>(1));
    Http::ResponseWriter writer(parser.request.version(), transport(), this, peer);
    parser.reset();
    state_->in_flight.fetch_add(1);
    Send(std::move(writer), response, /*keep_alive=*/false);
  }
  void Refuse(const std::shared_ptr<Tcp::Peer>& peer, Http::RequestParser& parser, int status,
              std::string_view code, std::string_view message) {
    HttpResponse response;
    response.SetError(status, code, message);
    Refuse(peer, parser, response);
  }


  void TooLarge(uint64_t size, HttpResponse* response) const {
    response->SetError(413, "resource_exhausted",
                       "request body of " + std::to_string(size) + " bytes exceeds the limit of " +
                           std::to_string(max_body()) +
                           " bytes; send a smaller query or raise the rest option max_body_bytes");
  }

  // Writes `response`; REQUIRES: the caller counted it in in_flight, which
  // is released once the bytes are written (or the write failed).
  void Send(Http::ResponseWriter writer, const HttpResponse& response, bool keep_alive) {
    SetConnection(writer, keep_alive);
    if (response.content_type.empty())
      writer.setMime(Http::Mime::MediaType(Http::Mime::Type::Application,
                                           Http::Mime::Subtype::Json));
    else
      AddHeader(writer, "Content-Type", response.content_type);
    if (!response.www_authenticate.empty())
      AddHeader(writer, "WWW-Authenticate", response.www_authenticate);
    if (!response.endpoint.empty()) AddHeader(writer, "X-Sluice-Endpoint", response.endpoint);
    if (response.version != 0)
      AddHeader(writer, "X-Sluice-Version", std::to_string(response.version));
    if (!response.plan.empty()) {
      AddHeader(writer, "X-Sluice-Plan", response.plan);
      AddHeader(writer, "X-Sluice-Scan", response.scan ? "true" : "false");
    }
    if (!response.allow.empty()) AddHeader(writer, "Allow", response.allow);
    std::weak_ptr<Tcp::Peer> peer;
    try {
      peer = writer.peer();
    } catch (const std::exception&) {
      // The client is gone; the write below fails and releases the count.
    }
    std::shared_ptr<ServerState> state = state_;
    writer.send(static_cast<Http::Code>(response.status), response.body)
        .then(
            [state, peer, keep_alive](ssize_t) {
              // Pistache only announces "Connection: Close"; end it here.
              // Runs on the connection's own thread, so the fd is still its.
              if (auto p = peer.lock(); p != nullptr && !keep_alive) ::shutdown(p->fd(), SHUT_RDWR);
              state->in_flight.fetch_sub(1);
            },
            [state](std::exception_ptr) { state->in_flight.fetch_sub(1); });
  }

  std::shared_ptr<ServerState> state_;
};

}  // namespace

HttpServer::HttpServer(std::shared_ptr<RestService> service, HostServices log)
    : state_(std::make_shared<ServerState>()), log_(std::move(log)) {
  state_->service = std::move(service);
}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Start(std::string* address) {
  std::lock_guard<std::mutex> lock(mu_);
  if (endpoint_ != nullptr) return FailedPrecondition("rest: server already started");
  const RestOptions& o = state_->service->options();
  std::string where = HostForUrl(o.host) + ":" + std::to_string(o.port);
  std::unique_ptr<Http::Endpoint> endpoint;
  try {
    Pistache::Address bind_address(o.host, Pistache::Port(o.port));
    endpoint = std::make_unique<Http::Endpoint>(bind_address);
    endpoint->init(Http::Endpoint::options()
                       .threads(o.threads)
                       .threadsName("sluice-rest")
                       .flags(Tcp::Options::ReuseAddr)
                       .maxRequestSize(o.max_body_bytes + kHeaderAllowance));
    endpoint->setHandler(Http::make_handler<RequestHandler>(state_));
    endpoint->serveThreaded();
  } catch (const std::invalid_argument& e) {
    return InvalidArgument("rest: cannot listen on " + where + ": " + e.what() +
                           "; set the rest option host to an address such as 127.0.0.1");
  } catch (const std::exception& e) {
    return Unavailable("rest: cannot listen on " + where + ": " + e.what() +
                       "; free the port or set the rest option port (0 picks a free one)");
  }
  *address = "http://" + HostForUrl(o.host) + ":" + std::to_string(uint16_t(endpoint->getPort()));
  endpoint_ = std::move(endpoint);
  log_.Info("serving REST on " + *address);
  return Status();
}

void HttpServer::Stop() {
  std::lock_guard<std::mutex> lock(mu_);
  if (endpoint_ == nullptr) return;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (state_->in_flight.load() > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (state_->in_flight.load() > 0)
    log_.Warn("rest: stopping with " + std::to_string(state_->in_flight.load()) +
              " responses still unwritten after 10 s");
  endpoint_->shutdown();
  endpoint_.reset();
  log_.Info("REST server stopped");
}

}  // namespace sluice::rest
