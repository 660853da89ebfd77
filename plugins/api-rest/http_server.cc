#include "http_server.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <pistache/peer.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <atomic>
#include <cerrno>
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
// Per connection: responses handed to Pistache's write queue, not yet written.
constexpr const char* kQueuedKey = "sluice.rest.queued";

// RFC 9112 9.3: HTTP/1.1 persists unless the client says close; HTTP/1.0
// only when it asks for keep-alive.
bool WantsKeepAlive(const Http::Request& request) {
  auto c = request.headers().tryGet<Http::Header::Connection>();
  if (c != nullptr && c->control() == Http::ConnectionControl::Close) return false;
  if (c != nullptr && c->control() == Http::ConnectionControl::KeepAlive) return true;
  return request.version() == Http::Version::Http11;
}

bool IsLoopback(const Pistache::Address& address) {
  std::string host = address.host();
  return host.rfind("127.", 0) == 0 || host == "::1" || host.rfind("::ffff:127.", 0) == 0;
}

// The peer's IP address as text, IPv4-mapped IPv6 addresses as IPv4.
std::string PeerHost(const Pistache::Address& address) {
  std::string host = address.host();
  if (host.rfind("::ffff:", 0) == 0 && host.find('.') != std::string::npos) host.erase(0, 7);
  return host;
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
        return Refuse(
            peer, *parser, 413, "resource_exhausted",
            "request exceeds " + std::to_string(max_body() + kHeaderAllowance) +
                " bytes; the body limit is max_body_bytes = " + std::to_string(max_body()));
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
      std::string peer = PeerHost(request.address());
      req.peer = peer;
      std::string key, authorization, origin, cors_method, cors_headers;  // outlive Handle()
      if (HeaderValue(request, "X-API-Key", &key)) req.x_api_key = key;
      if (HeaderValue(request, "Authorization", &authorization)) req.authorization = authorization;
      if (!state_->service->options().cors.origins.empty()) {  // CORS is on
        if (HeaderValue(request, "Origin", &origin)) req.origin = origin;
        if (HeaderValue(request, "Access-Control-Request-Method", &cors_method))
          req.cors_method = cors_method;
        if (HeaderValue(request, "Access-Control-Request-Headers", &cors_headers))
          req.cors_headers = cors_headers;
      }
      state_->service->Handle(req, &response);
    }
    release.n = nullptr;
    std::shared_ptr<Tcp::Peer> peer;
    try {
      peer = writer.peer();
    } catch (const std::exception&) {
      // The client is gone; Send releases the count.
    }
    Send(peer, request.version(), response, keep_alive);
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
    Http::Version version = parser.request.version();
    parser.reset();
    state_->in_flight.fetch_add(1);
    Send(peer, version, response, /*keep_alive=*/false);
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
  // is released once the bytes are written (or the write failed). Runs on
  // the connection's transport thread; `peer` is null when the client is
  // already gone.
  //
  // Pistache 0.0.5 hands every response to its transport thread through an
  // eventfd-signalled queue, even when the handler already runs there: about
  // eight system calls per response on top of the send. So a response is
  // sent here directly, with one sendmsg, unless
  // - a response of this connection is still in Pistache's queue (so
  //   responses keep their order), or
  // - the previous response this thread answered went to the same
  //   connection: Pistache keeps reading a connection until it has nothing
  //   more, and a client that answers a direct send fast enough would keep
  //   the thread to itself while its other connections wait (seen as a p99
  //   of 150 ms under wrk -c50). The queue returns the thread to its poll
  //   loop first.
  // What is not sent directly goes to the queue (Queue).
  void Send(const std::shared_ptr<Tcp::Peer>& peer, Http::Version version,
            const HttpResponse& response, bool keep_alive) {
    if (peer == nullptr) {
      state_->in_flight.fetch_sub(1);
      return;
    }
    std::shared_ptr<std::atomic<int>> queued = QueuedCount(*peer);
    thread_local const Tcp::Peer* last_peer = nullptr;  // identity only, never dereferenced
    bool again = last_peer == peer.get();
    last_peer = peer.get();
    std::string head = Head(version, response, keep_alive);
    std::string_view body = response.omit_body ? std::string_view() : response.body;
    size_t total = head.size() + body.size(), sent = 0;
    if (!again && queued->load() == 0) {
      iovec iov[2] = {{head.data(), head.size()}, {const_cast<char*>(body.data()), body.size()}};
      msghdr msg{};
      msg.msg_iov = iov;
      msg.msg_iovlen = 2;
      ssize_t n = ::sendmsg(peer->fd(), &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
        return Written(*peer, state_.get(), /*keep_alive=*/true);  // failed: Pistache sees it too
      sent = n > 0 ? static_cast<size_t>(n) : 0;
      if (sent == total) return Written(*peer, state_.get(), keep_alive);
    }
    std::string rest;
    rest.reserve(total - sent);
    if (sent < head.size()) {
      rest.append(head, sent, std::string::npos);
      rest.append(body);
    } else {
      rest.append(body.substr(sent - head.size()));
    }
    Queue(peer, std::move(rest), queued, keep_alive);
  }

  // The count of the connection's responses in Pistache's queue, made with
  // its first response.
  static std::shared_ptr<std::atomic<int>> QueuedCount(Tcp::Peer& peer) {
    auto queued = std::static_pointer_cast<std::atomic<int>>(peer.tryGetData(kQueuedKey));
    if (queued == nullptr) {
      queued = std::make_shared<std::atomic<int>>(0);
      peer.putData(kQueuedKey, queued);
      // Each response leaves in one send: Nagle's delay would only hold a
      // response's last segment back until the client acknowledges.
      int one = 1;
      ::setsockopt(peer.fd(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    return queued;
  }

  // Hands `bytes` to Pistache's write queue for `peer`, counted in `queued`
  // until written. Through the peer: a promise made inside libpistache (one
  // made here, by the asyncWrite template, fails Pistache's type check when
  // libpistache resolves it).
  void Queue(const std::shared_ptr<Tcp::Peer>& peer, std::string bytes,
             const std::shared_ptr<std::atomic<int>>& queued, bool keep_alive) {
    queued->fetch_add(1);
    size_t size = bytes.size();
    std::weak_ptr<Tcp::Peer> weak = peer;
    std::shared_ptr<ServerState> state = state_;
    peer->send(Pistache::RawBuffer(std::move(bytes), size), MSG_NOSIGNAL)
        .then(
            [state, weak, queued, keep_alive](ssize_t) {
              queued->fetch_sub(1);
              if (auto p = weak.lock(); p != nullptr) Written(*p, state.get(), keep_alive);
              else state->in_flight.fetch_sub(1);
            },
            [state, queued](std::exception_ptr) {
              queued->fetch_sub(1);
              state->in_flight.fetch_sub(1);
            });
  }

  // A whole response is out: the connection may idle (or, unless it is to
  // persist, is ended here; Pistache only announces "Connection: Close").
  static void Written(Tcp::Peer& peer, ServerState* state, bool keep_alive) {
    peer.setIdle(true);
    if (!keep_alive) ::shutdown(peer.fd(), SHUT_RDWR);
    state->in_flight.fetch_sub(1);
  }

  // The status line and headers of `response`, as Pistache would write them.
  static std::string Head(Http::Version version, const HttpResponse& response, bool keep_alive) {
    std::string h;
    h.reserve(256);
    h += Http::versionString(version);
    h += ' ';
    h += std::to_string(response.status);
    h += ' ';
    h += Http::codeString(static_cast<Http::Code>(response.status));
    h += "\r\n";
    auto header = [&h](std::string_view name, std::string_view value) {
      h.append(name).append(": ").append(value).append("\r\n");
    };
    header("Content-Type",
           response.content_type.empty() ? "application/json" : response.content_type);
    if (!response.www_authenticate.empty()) header("WWW-Authenticate", response.www_authenticate);
    if (!response.endpoint.empty()) header("X-Sluice-Endpoint", response.endpoint);
    if (response.version != 0) header("X-Sluice-Version", std::to_string(response.version));
    if (!response.plan.empty()) {
      header("X-Sluice-Plan", response.plan);
      header("X-Sluice-Scan", response.scan ? "true" : "false");
    }
    if (!response.allow.empty()) header("Allow", response.allow);
    for (const auto& [name, value] : response.headers) header(name, value);
    header("Connection", keep_alive ? "Keep-Alive" : "Close");
    header("Content-Length", std::to_string(response.body.size()));
    h += "\r\n";
    return h;
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
