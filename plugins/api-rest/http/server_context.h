// What the REST plugin's event loops and query workers share: the service
// that answers requests, limits, metrics, connection limits, the worker
// pool and TLS; and how a parsed request becomes an HttpRequest and, for
// queries, a job on the worker pool (RequestJob) whose answer goes back to
// its connection.
#ifndef SLUICE_PLUGINS_API_REST_HTTP_SERVER_CONTEXT_H_
#define SLUICE_PLUGINS_API_REST_HTTP_SERVER_CONTEXT_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/handler.h"
#include "http/listener.h"
#include "http/request_parser.h"
#include "http/request_view.h"
#include "http/tls.h"
#include "http/transport_metrics.h"
#include "http/worker_pool.h"
#include "rest_service.h"
#include "sluice/host_services.h"

namespace sluice::rest::http {

class Connection;
class Inbox;

struct ServerContext {
  ServerContext(std::shared_ptr<RequestHandler> handler, RestOptions options, HostServices log);

  const RestOptions& options() const { return rest_options; }

  // handler->Handle(), except that an exception (a bug) is logged with a
  // new request id and answered 500 naming only that id.
  void Handle(const HttpRequest& request, HttpResponse* response);
  // Counts a request refused by the transport (both in the request metrics,
  // as route "other", and by reason).
  void CountRefusal(std::string_view method, int status, std::string_view reason);

  const std::shared_ptr<RequestHandler> handler;
  const RestOptions rest_options;
  const HostServices log;
  const Limits limits;
  TransportMetrics metrics;
  ConnectionLimiter limiter;
  WorkerPool pool;
  TlsContext tls;
  std::atomic<bool> draining{false};  // stopping: answers close their connection

 private:
  std::atomic<uint64_t> next_request_id_{1};
  const uint32_t id_prefix_;
};

// How a response stream (event_stream.h) tells its connection's loop that
// it has more: shared by the connection and the messages in flight, so a
// wake for a connection gone meanwhile finds conn null. conn is read and
// written on the loop's thread only.
struct StreamWaker {
  std::shared_ptr<Inbox> inbox;
  Connection* conn = nullptr;
  std::atomic<bool> posted{false};  // a kStreamWake is on its way
  // Thread-safe; posts at most one message until the loop has taken it.
  void Wake(const std::shared_ptr<StreamWaker>& self);
};

// A message to an event loop, from another loop or a worker.
struct LoopMessage {
  enum Kind { kAdopt, kWorkerDone, kResume, kStreamWake, kDrain, kAbort, kQuit };
  static LoopMessage Of(Kind kind) {
    LoopMessage m;
    m.kind = kind;
    return m;
  }
  Kind kind = kQuit;
  // kAdopt: an accepted socket.
  int fd = -1;
  Listener listener = Listener::kData;
  bool tls = false;
  std::string peer;
  // kWorkerDone, kResume: the connection whose request a worker answered.
  Connection* conn = nullptr;
  // kWorkerDone: what is left to send, and whether to close afterwards.
  std::string head, body;
  bool close = false;
  // kWorkerDone of an answer that goes on after its head (an export): the
  // response holding its stream, sent as a stream by the loop instead.
  std::shared_ptr<HttpResponse> streamed;
  int minor_version = 1;
  // kStreamWake: the stream of the connection it names (if still there).
  std::shared_ptr<StreamWaker> waker;
};

// A loop's mailbox: messages plus an eventfd that wakes the loop. Shared
// with workers, so a late worker finds it closed instead of a freed loop.
class Inbox {
 public:
  Inbox();
  ~Inbox();
  Inbox(const Inbox&) = delete;
  Inbox& operator=(const Inbox&) = delete;
  int fd() const { return fd_; }
  // False (message dropped) once closed. Thread-safe.
  bool Post(LoopMessage message);
  // Moves every message into *out and clears the wakeup.
  void Take(std::vector<LoopMessage>* out);
  // No more messages; returns those not taken.
  std::vector<LoopMessage> Close();

 private:
  int fd_;
  std::mutex mu_;
  std::vector<LoopMessage> items_;
  bool closed_ = false;
};

// A request handed to the worker pool: owns the request's bytes; answers
// through its connection's socket directly when it may (plain TCP, nothing
// else queued on the connection), else through the loop's inbox.
struct RequestJob {
  std::shared_ptr<ServerContext> ctx;
  std::shared_ptr<Inbox> inbox;
  Connection* conn = nullptr;
  int fd = -1;
  bool direct = false;  // may send on fd itself
  std::string bytes;    // the request as received
  ParsedRequest parsed;
  Listener listener = Listener::kData;
  std::string peer;
  bool keep_alive = true;
  std::shared_ptr<std::atomic<bool>> cancel;

  void Run();
};

int64_t NowNs();

}  // namespace sluice::rest::http

#endif  // SLUICE_PLUGINS_API_REST_HTTP_SERVER_CONTEXT_H_
