#include "http/server_context.h"

#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <random>
#include <thread>

#include "http/connection.h"
#include "http/response_head.h"

namespace sluice::rest::http {

namespace {

size_t Workers(const TransportOptions& t) {
  if (t.query_workers > 0) return t.query_workers;
  return std::max<size_t>(2, std::thread::hardware_concurrency());
}

Limits MakeLimits(const RestOptions& o) {
  Limits l;
  l.max_header_bytes = o.transport.max_header_bytes;
  l.max_headers = o.transport.max_headers;
  l.max_url_bytes = o.transport.max_url_bytes;
  l.max_body_bytes = o.max_body_bytes;
  return l;
}

}  // namespace

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

ServerContext::ServerContext(std::shared_ptr<RequestHandler> h, RestOptions o, HostServices l)
    : handler(std::move(h)),
      rest_options(std::move(o)),
      log(std::move(l)),
      limits(MakeLimits(rest_options)),
      limiter(rest_options.transport.max_connections,
              rest_options.transport.max_connections_per_client),
      pool(Workers(rest_options.transport), rest_options.transport.query_queue),
      id_prefix_(static_cast<uint32_t>(std::random_device()() & 0xffff)) {}

void ServerContext::Handle(const HttpRequest& request, HttpResponse* response) {
  std::string what;
  try {
    handler->Handle(request, response);
    return;
  } catch (const std::exception& e) { what = e.what(); } catch (...) {
    what = "an exception that is not a std::exception";
  }
  char id[32];
  std::snprintf(id, sizeof id, "%04x-%08llx", id_prefix_,
                static_cast<unsigned long long>(next_request_id_.fetch_add(1)));
  log.Error("unexpected exception answering " + std::string(request.method) + " " +
            std::string(request.path) + " (request id " + id + "): " + what);
  *response = HttpResponse();
  response->SetError(500, "internal",
                     std::string("internal error; the server log has the details under request "
                                 "id ") +
                         id);
  response->headers.emplace_back("X-Request-Id", id);
  CountRefusal(request.method, 500, "internal");
}

void ServerContext::CountRefusal(std::string_view method, int status, std::string_view reason) {
  handler->Record(method.empty() ? "other" : method, "other", "", status);
  if (reason != "internal") metrics.RefusedRequest(reason);
}

Inbox::Inbox() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}

Inbox::~Inbox() {
  if (fd_ >= 0) ::close(fd_);
}

bool Inbox::Post(LoopMessage message) {
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return false;
    wake = items_.empty();
    items_.push_back(std::move(message));
  }
  if (wake) {
    uint64_t one = 1;
    ssize_t n = ::write(fd_, &one, sizeof one);
    (void)n;  // only fails when the counter is saturated: the loop is awake anyway
  }
  return true;
}

void Inbox::Take(std::vector<LoopMessage>* out) {
  uint64_t count;
  ssize_t n = ::read(fd_, &count, sizeof count);
  (void)n;
  std::lock_guard<std::mutex> lock(mu_);
  out->swap(items_);
}

std::vector<LoopMessage> Inbox::Close() {
  std::lock_guard<std::mutex> lock(mu_);
  closed_ = true;
  return std::move(items_);
}

void RequestJob::Run() {
  HttpRequest request;
  std::vector<std::pair<std::string_view, std::string_view>> headers;
  FillRequest(bytes.data(), parsed, listener, peer, &headers, &request);
  request.cancelled = cancel.get();
  HttpResponse response;
  ctx->Handle(request, &response);
  bool keep = keep_alive && !ctx->draining.load();
  LoopMessage done;
  done.kind = LoopMessage::kWorkerDone;
  done.conn = conn;
  if (response.stream != nullptr) {  // the loop sends it, as it sends events
    done.streamed = std::make_shared<HttpResponse>(std::move(response));
    done.minor_version = parsed.minor_version;
    inbox->Post(std::move(done));
    return;
  }
  AppendHead(response, parsed.minor_version, keep, &done.head);
  if (request.method != "HEAD") done.body = std::move(response.body);
  done.close = !keep;
  if (direct && keep) {
    iovec iov[2] = {{done.head.data(), done.head.size()}, {done.body.data(), done.body.size()}};
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = 2;
    ssize_t n = ::sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    size_t total = done.head.size() + done.body.size();
    if (n >= 0 && static_cast<size_t>(n) == total) {
      conn->worker_done_ns.store(NowNs(), std::memory_order_relaxed);
      // Hands the connection back to its loop; it wanted to hear of it when
      // it saw more input or the peer leaving meanwhile.
      if (conn->handoff.exchange(0, std::memory_order_acq_rel) & Connection::kLoopWants) {
        LoopMessage resume;
        resume.kind = LoopMessage::kResume;
        resume.conn = conn;
        inbox->Post(std::move(resume));
      }
      return;
    }
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
      done.head.clear();
      done.body.clear();
      done.close = true;
    } else if (n > 0) {
      size_t sent = static_cast<size_t>(n);
      if (sent >= done.head.size()) {
        done.body.erase(0, sent - done.head.size());
        done.head.clear();
      } else {
        done.head.erase(0, sent);
      }
    }
  }
  inbox->Post(std::move(done));  // dropped when the server has stopped
}

void StreamWaker::Wake(const std::shared_ptr<StreamWaker>& self) {
  if (posted.exchange(true)) return;
  LoopMessage m;
  m.kind = LoopMessage::kStreamWake;
  m.waker = self;
  if (!inbox->Post(std::move(m))) posted = false;
}

}  // namespace sluice::rest::http
