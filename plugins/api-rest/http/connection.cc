#include "http/connection.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "http/event_loop.h"
#include "http/response_head.h"

namespace sluice::rest::http {

namespace {

constexpr size_t kReadChunk = 16384;
constexpr int kMaxIov = 64;
// Bytes written to TLS at a time: its largest record.
constexpr size_t kTlsRecord = 16384;
static_assert(kTlsRecord <= EventLoop::kScratchSize, "a record is copied into the loop's scratch");

const char* CodeForStatus(int status) {
  switch (status) {
    case 408: return "deadline_exceeded";
    case 413:
    case 414:
    case 431: return "resource_exhausted";
    case 501: return "unimplemented";
    case 503: return "unavailable";
    default: return "invalid_argument";
  }
}

}  // namespace

Connection::Connection(EventLoop* loop, int fd, Listener listener, std::string peer, SSL* ssl)
    : PollSource(kConnection),
      loop_(loop),
      fd_(fd),
      listener_(listener),
      peer_(std::move(peer)),
      ssl_(ssl),
      parser_(loop->ctx().limits) {}

Connection::~Connection() {
  if (waker_ != nullptr) waker_->conn = nullptr;
  duplex_ = nullptr;
  stream_.reset();  // closes the feed before anything it reads
  if (ssl_ != nullptr) SSL_free(ssl_);
  ::close(fd_);
}

void Connection::Open() {
  phase_since_ = last_send_ = loop_->now();
  if (ssl_ != nullptr) {
    phase_ = Phase::kHandshake;
    Handshake();
  } else {
    phase_ = Phase::kIdle;
  }
  if (!dead_) UpdateInterest();
}

bool Connection::Busy() {
  if (!busy_) return false;
  if (handoff.load(std::memory_order_acquire) & kBusy) return true;
  TakeBack(worker_done_ns.load(std::memory_order_relaxed));
  return false;
}

void Connection::TakeBack(int64_t since) {
  handoff.store(0, std::memory_order_relaxed);
  busy_ = false;
  phase_ = Phase::kIdle;
  phase_since_ = since;
  last_send_ = since;
}

bool Connection::FlagWorker() {
  uint8_t before = handoff.fetch_or(kLoopWants, std::memory_order_acq_rel);
  if (before & kBusy) {
    if (!flagged_) flagged_ = true, ++resumes_pending_;  // the worker will post kResume
    return true;
  }
  TakeBack(worker_done_ns.load(std::memory_order_relaxed));
  return false;
}

void Connection::OnEvents(uint32_t events) {
  if (phase_ == Phase::kHandshake) {
    if (events & (EPOLLHUP | EPOLLERR)) {
      loop_->ctx().metrics.TlsHandshakeFailed();
      return Finish();
    }
    Handshake();
  } else {
    if ((events & EPOLLOUT) && !Busy()) {
      bool was_blocked = out_.bytes() > kOutputHighWater;
      Flush();
      if (stream_ != nullptr) PumpStream();
      else if (was_blocked) Resume();  // answers pipelined requests held back
    }
    if (!dead_ && (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))) OnReadable(events);
  }
  if (!dead_) UpdateInterest();
}

void Connection::Handshake() {
  ERR_clear_error();
  int r = SSL_do_handshake(ssl_);
  tls_want_write_ = false;
  if (r == 1) {
    phase_ = Phase::kIdle;
    phase_since_ = loop_->now();
    return OnReadable(EPOLLIN);  // the first request may have come with the handshake
  }
  int e = SSL_get_error(ssl_, r);
  if (e == SSL_ERROR_WANT_READ) return;
  if (e == SSL_ERROR_WANT_WRITE) {
    tls_want_write_ = true;
    return;
  }
  loop_->ctx().metrics.TlsHandshakeFailed();
  Finish();
}

int Connection::ReadTls() {
  size_t start = in_.size();
  while (in_.size() - start < kMaxBufferedInput) {
    ERR_clear_error();
    int n = SSL_read(ssl_, in_.Reserve(kReadChunk), static_cast<int>(kReadChunk));
    if (n > 0) {
      in_.Commit(static_cast<size_t>(n));
      continue;
    }
    int e = SSL_get_error(ssl_, n);
    if (e == SSL_ERROR_WANT_READ) return 0;
    if (e == SSL_ERROR_WANT_WRITE) {
      tls_want_write_ = true;
      return 0;
    }
    peer_eof_ = true;  // close_notify, a reset or a TLS error
    return e == SSL_ERROR_ZERO_RETURN ? 0 : -1;
  }
  return 1;
}

void Connection::OnReadable(uint32_t events) {
  if (Busy()) return ReadWhileBusy(events);
  if (phase_ == Phase::kStream && duplex_ != nullptr) return ReadStreamInput();
  if (phase_ == Phase::kStream) {  // a client says nothing more on a stream
    DiscardInput();
    if (peer_eof_) Finish();
    return;
  }
  if (phase_ == Phase::kLinger || close_after_flush_) return DiscardInput();
  if (Blocked() && in_.size() >= kMaxBufferedInput) {
    if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) peer_eof_ = true;
    return;
  }
  if (ssl_ != nullptr) {
    // Decrypted bytes wait inside the TLS session, where epoll does not
    // see them: read until it has none, answering as requests complete.
    for (;;) {
      int r = ReadTls();
      if (r < 0) return Finish();
      if (!in_.empty()) Process(in_.data(), in_.size(), /*from_scratch=*/false);
      if (r == 0 || dead_ || Blocked()) break;
    }
  } else {
    bool scratch = in_.empty();
    char* to = scratch ? loop_->scratch() : in_.Reserve(kReadChunk);
    size_t room = scratch ? EventLoop::kScratchSize : kReadChunk;
    ssize_t n = ::recv(fd_, to, room, 0);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
      return Finish();  // reset
    }
    if (n == 0) {
      peer_eof_ = true;
    } else if (scratch) {
      Process(to, static_cast<size_t>(n), /*from_scratch=*/true);
    } else {
      in_.Commit(static_cast<size_t>(n));
      Process(in_.data(), in_.size(), /*from_scratch=*/false);
    }
  }
  // The client has gone: what it had started is abandoned; an answer
  // still queued is written out first.
  if (peer_eof_ && !dead_ && !busy_) {
    if (!OutputPending()) return Finish();
    close_after_flush_ = true;
  }
}

void Connection::ReadWhileBusy(uint32_t events) {
  if (in_.size() < kMaxBufferedInput && !peer_eof_) {
    if (ssl_ != nullptr) {
      if (ReadTls() < 0) peer_eof_ = true;
    } else {
      ssize_t n = ::recv(fd_, in_.Reserve(kReadChunk), kReadChunk, 0);
      if (n > 0) in_.Commit(static_cast<size_t>(n));
      else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
        peer_eof_ = true;
    }
  } else if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
    peer_eof_ = true;
  }
  if (peer_eof_ && cancel_ != nullptr) cancel_->store(true);
  if (events & (EPOLLHUP | EPOLLERR)) loop_->Unregister(this);  // reported until closed
  if (!FlagWorker()) Resume();                                  // the worker finished meanwhile
}

bool Connection::Blocked() const {
  return busy_ || close_after_flush_ || dead_ || out_.bytes() > kOutputHighWater ||
         phase_ == Phase::kStream;
}

void Connection::Process(const char* data, size_t size, bool from_scratch) {
  size_t off = 0;
  int answered = 0;
  // A turn answers at most kRequestsPerTurn requests, so that a client
  // pipelining many cheap ones cannot hold its loop from other connections.
  while (off < size && !Blocked() && answered < kRequestsPerTurn) {
    ParseResult r = parser_.Parse(data + off, size - off);
    if (r == ParseResult::kNeedMore) {
      int64_t now = loop_->now();
      if (phase_ == Phase::kIdle) phase_ = Phase::kHead, phase_since_ = now;
      if (parser_.head_complete() && phase_ != Phase::kBody) {
        phase_ = Phase::kBody, phase_since_ = now;
        if (parser_.request().expect_continue && !continue_sent_) {
          Queue(std::string(kContinue));
          continue_sent_ = true;
        }
      }
      break;
    }
    if (r == ParseResult::kError) {
      Refuse(parser_.error(), parser_.method(data + off));
      off = size;
      break;
    }
    const char* base = data + off;
    off += parser_.consumed();
    ++answered;
    bool inline_answer = Serve(base, off < size);
    parser_.Reset();
    continue_sent_ = false;
    if (!inline_answer) break;
  }
  if (from_scratch) {
    if (off < size) in_.Append(data + off, size - off);
  } else {
    in_.Consume(off);
  }
  if (in_.empty() && in_.capacity() > kMaxBufferedInput) in_.Release();
  if (phase_ == Phase::kStream) StreamInput();  // what came after an upgrade's head
  if (!busy_) Flush();
  // Requests answered and more input waiting, which epoll will not signal
  // again: another turn once the loop has served the others.
  if (answered > 0 && !in_.empty() && !dead_ && !Blocked()) loop_->Later(this);
}

void Connection::OnLater() {
  if (dead_ || Busy()) return;
  if (stream_ != nullptr) {
    PumpStream();
    if (!dead_) UpdateInterest();
    return;
  }
  Resume();
  if (!dead_) UpdateInterest();
}

bool Connection::Serve(const char* base, bool more_input) {
  const ParsedRequest& p = parser_.request();
  HttpRequest request;
  FillRequest(base, p, listener_, peer_, &headers_, &request);
  ServerContext& ctx = loop_->ctx();
  std::string_view route;
  std::string endpoint;
  if (ctx.handler->RunsOnWorker(request, &route, &endpoint))
    return !Dispatch(base, request, route, endpoint, more_input);
  HttpResponse response;
  ctx.Handle(request, &response);
  if (response.stream != nullptr) {
    StartStream(&response, p.minor_version);
    return false;  // nothing further is read as requests
  }
  Respond(&response, p.minor_version, p.keep_alive, request.method == "HEAD");
  phase_ = Phase::kIdle;
  phase_since_ = loop_->now();
  return true;
}

bool Connection::Dispatch(const char* base, const HttpRequest& request, std::string_view route,
                          const std::string& endpoint, bool more_input) {
  ServerContext& ctx = loop_->ctx();
  ParsedRequest& p = parser_.mutable_request();
  if (OutputPending()) Flush();  // so that the worker may answer on the socket itself
  if (dead_) return false;
  if (cancel_ == nullptr) cancel_ = std::make_shared<std::atomic<bool>>(false);
  cancel_->store(false);
  auto job = std::make_shared<RequestJob>();
  job->ctx = loop_->shared_ctx();
  job->inbox = loop_->inbox();
  job->conn = this;
  job->fd = fd_;
  job->direct = ssl_ == nullptr && !OutputPending();
  job->bytes.assign(base, p.chunked ? p.head_size : parser_.consumed());
  job->parsed = std::move(p);
  job->listener = listener_;
  job->peer = peer_;
  job->keep_alive = job->parsed.keep_alive && !draining_;
  job->cancel = cancel_;
  handoff.store(more_input ? kBusy | kLoopWants : kBusy, std::memory_order_release);
  flagged_ = more_input;
  resumes_pending_ += more_input ? 1 : 0;
  busy_ = true;
  phase_ = Phase::kWorker;
  if (ctx.pool.Submit([job] { job->Run(); })) return true;
  handoff.store(0, std::memory_order_relaxed);
  resumes_pending_ -= flagged_ ? 1 : 0;
  flagged_ = false;
  busy_ = false;
  phase_ = Phase::kIdle;
  phase_since_ = loop_->now();
  HttpResponse response;
  response.SetError(503, "unavailable",
                    "too many queries are waiting (rest option query_queue = " +
                        std::to_string(ctx.pool.max_queue()) + "); retry later");
  response.headers.emplace_back("Retry-After", "1");
  ctx.handler->Record(request.method, route, endpoint, 503);
  ctx.metrics.RefusedRequest("queue_full");
  Respond(&response, job->parsed.minor_version, job->parsed.keep_alive, request.method == "HEAD");
  return false;
}

void Connection::Respond(HttpResponse* response, int minor_version, bool keep_alive,
                         bool head_method) {
  bool keep = keep_alive && !draining_ && !peer_eof_ && !loop_->ctx().draining.load();
  std::string head;
  AppendHead(*response, minor_version, keep, &head);
  Queue(std::move(head));
  if (!head_method) Queue(std::move(response->body));
  if (!keep) close_after_flush_ = true;
}

void Connection::Refuse(const ParseError& error, std::string_view method) {
  loop_->ctx().CountRefusal(method, error.status, error.reason);
  Queue(ErrorAnswer(error.status, CodeForStatus(error.status), error.message));
  close_after_flush_ = true;
  parser_.Reset();
}

void Connection::OnWorkerDone(std::string head, std::string body, bool close,
                              HttpResponse* streamed, int minor_version) {
  TakeBack(loop_->now());
  resumes_pending_ -= flagged_ ? 1 : 0;  // a worker that answers through the loop does not resume
  flagged_ = false;
  if (streamed != nullptr) {  // nothing further is read as requests
    StartStream(streamed, minor_version);
    if (!dead_) UpdateInterest();
    return;
  }
  Queue(std::move(head));
  Queue(std::move(body));
  if (close || peer_eof_) close_after_flush_ = true;
  Flush();
  if (!dead_) Resume();
  if (!dead_) UpdateInterest();
}

void Connection::OnResume() {
  --resumes_pending_;
  if (dead_) return;
  Busy();  // takes the connection back, unless done already
  Resume();
  if (!dead_) UpdateInterest();
}

void Connection::Resume() {
  if (dead_ || busy_) return;
  if (!in_.empty() && !Blocked()) Process(in_.data(), in_.size(), /*from_scratch=*/false);
  if (ssl_ != nullptr && !dead_ && !Blocked() && SSL_has_pending(ssl_)) OnReadable(EPOLLIN);
  if (dead_ || busy_ || OutputPending() || phase_ == Phase::kLinger) return;
  // Nothing more will be answered (a half-sent request is dropped).
  if (peer_eof_ || draining_) Finish();
}

void Connection::Queue(std::string bytes) { out_.Push(std::move(bytes)); }

void Connection::Flush() {
  while (OutputPending()) {
    ssize_t n;
    if (ssl_ != nullptr) {
      n = WriteTls();
      if (n <= 0) {
        if (n < 0) return Finish();
        break;
      }
    } else {
      iovec iov[kMaxIov];
      msghdr msg{};
      msg.msg_iov = iov;
      msg.msg_iovlen = static_cast<size_t>(out_.Gather(iov, kMaxIov));
      n = ::sendmsg(fd_, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) break;
        return Finish();
      }
    }
    last_send_ = loop_->now();
    out_.Consume(static_cast<size_t>(n));
  }
  if (OutputPending()) return;
  if (close_after_flush_ && phase_ != Phase::kLinger) StartLinger();
}

ssize_t Connection::WriteTls() {
  // One record's worth at a time: the front chunk when it is that large,
  // else the front chunks copied together (events are small; a record
  // each would cost a header, a MAC and a syscall each).
  std::string_view front = out_.Front();
  const char* data = front.data();
  size_t size = tls_retry_;
  if (size == 0) size = std::min(out_.bytes(), kTlsRecord);
  if (front.size() < size) {
    out_.CopyOut(loop_->scratch(), size);
    data = loop_->scratch();
  }
  ERR_clear_error();
  int r = SSL_write(ssl_, data, static_cast<int>(size));
  if (r > 0) {
    tls_retry_ = 0;
    return r;
  }
  int e = SSL_get_error(ssl_, r);
  if (e == SSL_ERROR_WANT_WRITE) tls_want_write_ = true;
  if (e != SSL_ERROR_WANT_WRITE && e != SSL_ERROR_WANT_READ) return -1;
  tls_retry_ = size;
  return 0;
}

void Connection::StartLinger() {
  if (peer_eof_) return Finish();
  if (ssl_ != nullptr) {
    ERR_clear_error();
    SSL_shutdown(ssl_);  // close_notify
  }
  ::shutdown(fd_, SHUT_WR);
  phase_ = Phase::kLinger;
  phase_since_ = loop_->now();
  in_.Release();
}

void Connection::DiscardInput() {
  char* scratch = loop_->scratch();
  ssize_t n = ::recv(fd_, scratch, EventLoop::kScratchSize, 0);
  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
    peer_eof_ = true;
    if (phase_ == Phase::kLinger || !OutputPending()) Finish();
  }
}

}  // namespace sluice::rest::http
