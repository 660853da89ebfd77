#include "http/event_loop.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "http/response_head.h"

namespace sluice::rest::http {

namespace {

constexpr int kMaxEvents = 256;
constexpr int kAcceptBatch = 64;
constexpr int64_t kMinBackoffNs = 10'000'000;     // 10 ms
constexpr int64_t kMaxBackoffNs = 1'000'000'000;  // 1 s
constexpr int64_t kWarnEveryNs = 10'000'000'000;  // 10 s

int OpenReserve() { return ::open("/dev/null", O_RDONLY | O_CLOEXEC); }

}  // namespace

EventLoop::EventLoop(std::shared_ptr<ServerContext> ctx, size_t index)
    : ctx_(std::move(ctx)), index_(index), scratch_(new char[kScratchSize]) {}

EventLoop::~EventLoop() {
  Join();
  while (head_ != nullptr) {
    Connection* c = head_;
    Remove(c);
    if (!c->abandoned() && !c->resume_pending()) delete c;  // else a worker may still use it
  }
  if (reserve_fd_ >= 0) ::close(reserve_fd_);
  if (epfd_ >= 0) ::close(epfd_);
}

Status EventLoop::Init() {
  epfd_ = ::epoll_create1(EPOLL_CLOEXEC);
  inbox_ = std::make_shared<Inbox>();
  if (epfd_ < 0 || inbox_->fd() < 0)
    return Unavailable(std::string("rest: cannot make an event loop: ") + std::strerror(errno));
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = &inbox_source_;
  if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, inbox_->fd(), &ev) != 0)
    return Unavailable(std::string("rest: cannot watch the event loop's mailbox: ") +
                       std::strerror(errno));
  const TransportOptions& t = ctx_->options().transport;
  uint32_t shortest =
      std::min({t.header_timeout_ms, t.body_timeout_ms, t.idle_timeout_ms, t.send_timeout_ms});
  sweep_every_ = std::clamp<int64_t>(int64_t{shortest} * 1'000'000 / 4, 5'000'000, 1'000'000'000);
  return Status();
}

void EventLoop::SetAcceptor(std::vector<ListenSocket>* listeners, std::vector<EventLoop*> loops) {
  listeners_ = std::vector<ListenerSource>(listeners->size());
  for (size_t i = 0; i < listeners->size(); ++i) listeners_[i].socket = &(*listeners)[i];
  loops_ = std::move(loops);
  reserve_fd_ = OpenReserve();
  ResumeAccepting();
}

void EventLoop::Start() {
  thread_ = std::thread([this] { Run(); });
  std::string name = "sluice-rest-" + std::to_string(index_);
  ::pthread_setname_np(thread_.native_handle(), name.substr(0, 15).c_str());
}

void EventLoop::Join() {
  if (thread_.joinable()) thread_.join();
}

void EventLoop::SetInterest(Connection* c, uint32_t events) {
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = static_cast<PollSource*>(c);
  if (::epoll_ctl(epfd_, c->registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, c->fd(), &ev) == 0) {
    c->registered = true;
    c->interest = events;
  }
}

void EventLoop::Unregister(Connection* c) {
  if (!c->registered) return;
  ::epoll_ctl(epfd_, EPOLL_CTL_DEL, c->fd(), nullptr);
  c->registered = false;
  c->interest = 0;
}

int EventLoop::TimeoutMs() const {
  int64_t wake = next_sweep_;
  if (accept_paused_until_ != 0) wake = std::min(wake, accept_paused_until_);
  if (!later_.empty()) return 0;
  int64_t ms = (wake - now_ + 999'999) / 1'000'000;
  return static_cast<int>(std::clamp<int64_t>(ms, 0, 1000));
}

void EventLoop::Run() {
  epoll_event events[kMaxEvents];
  now_ = NowNs();
  next_sweep_ = now_ + sweep_every_;
  while (!quit_) {
    int n = ::epoll_wait(epfd_, events, kMaxEvents, TimeoutMs());
    now_ = NowNs();
    for (int i = 0; i < n && !quit_; ++i) {
      auto* source = static_cast<PollSource*>(events[i].data.ptr);
      if (source->type == PollSource::kInbox) {
        HandleMessages();
      } else if (source->type == PollSource::kListener) {
        Accept(*static_cast<ListenerSource*>(source)->socket);
      } else {
        auto* c = static_cast<Connection*>(source);
        if (!c->dead()) c->OnEvents(events[i].events);
        if (c->dead()) dying_.push_back(c);
      }
    }
    std::vector<Connection*> later;
    later.swap(later_);
    for (Connection* c : later) {
      c->OnLater();
      if (c->dead()) dying_.push_back(c);
    }
    if (accept_paused_until_ != 0 && now_ >= accept_paused_until_) ResumeAccepting();
    if (now_ >= next_sweep_) {
      Sweep();
      next_sweep_ = now_ + sweep_every_;
    }
    Reap();
  }
  CloseListeners();
  for (LoopMessage& m : inbox_->Close())
    if (m.kind == LoopMessage::kAdopt) {
      ::close(m.fd);
      ctx_->limiter.Release(m.peer);
      ctx_->metrics.Closed();
    }
}

void EventLoop::HandleMessages() {
  std::vector<LoopMessage> messages;
  inbox_->Take(&messages);
  for (LoopMessage& m : messages) {
    switch (m.kind) {
      case LoopMessage::kAdopt: Adopt(m.fd, m.listener, m.tls, std::move(m.peer)); break;
      case LoopMessage::kWorkerDone:
        if (!m.conn->abandoned())
          m.conn->OnWorkerDone(std::move(m.head), std::move(m.body), m.close, m.streamed.get(),
                               m.minor_version);
        if (m.conn->dead()) dying_.push_back(m.conn);
        break;
      case LoopMessage::kResume:
        if (!m.conn->abandoned()) m.conn->OnResume();
        if (m.conn->dead()) dying_.push_back(m.conn);
        break;
      case LoopMessage::kStreamWake:
        m.waker->posted = false;
        if (m.waker->conn != nullptr && !m.waker->conn->dead()) {
          m.waker->conn->OnStreamWake();
          if (m.waker->conn->dead()) dying_.push_back(m.waker->conn);
        }
        break;
      case LoopMessage::kDrain:
        draining_ = true;
        CloseListeners();
        for (Connection* c = head_; c != nullptr; c = c->next) {
          c->Drain();
          if (c->dead()) dying_.push_back(c);
        }
        break;
      case LoopMessage::kAbort:
        CloseListeners();
        for (Connection* c = head_; c != nullptr; c = c->next) {
          c->Abort();
          if (c->dead() || c->abandoned()) dying_.push_back(c);
        }
        break;
      case LoopMessage::kQuit: quit_ = true; break;
    }
  }
}

void EventLoop::Accept(ListenSocket& socket) {
  for (int i = 0; i < kAcceptBatch; ++i) {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    int fd = ::accept4(socket.fd, reinterpret_cast<sockaddr*>(&addr), &len,
                       SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      int e = errno;
      if (e == EAGAIN || e == EWOULDBLOCK) return;
      if (e == EINTR || e == ECONNABORTED || e == EPROTO || e == EPERM) continue;
      if (e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM)
        return OutOfDescriptors(socket, e);
      ctx_->log.Warn(std::string("accept failed: ") + std::strerror(e) +
                     "; pausing before accepting again");
      return PauseAccepting();
    }
    backoff_ns_ = 0;
    std::string peer = socket.kind == Listener::kAdmin ? "unix" : PeerAddress(addr, len);
    const TransportOptions& t = ctx_->options().transport;
    switch (ctx_->limiter.Admit(peer)) {
      case ConnectionLimiter::Verdict::kTooMany:
        Refuse(fd, ConnectionRefusal::kMaxConnections,
               "the server has max_connections = " + std::to_string(t.max_connections) +
                   " connections open; retry later");
        continue;
      case ConnectionLimiter::Verdict::kTooManyFromClient:
        Refuse(fd, ConnectionRefusal::kPerClient,
               "this client address has max_connections_per_client = " +
                   std::to_string(t.max_connections_per_client) +
                   " connections open; reuse them or retry later");
        continue;
      case ConnectionLimiter::Verdict::kAdmitted: break;
    }
    ctx_->metrics.Accepted();
    EventLoop* target = this;
    for (EventLoop* l : loops_)
      if (l->connections() < target->connections()) target = l;
    target->count_.fetch_add(1);  // counted now so that the next pick sees it
    if (target == this) {
      Adopt(fd, socket.kind, socket.tls, std::move(peer));
      continue;
    }
    LoopMessage m;
    m.kind = LoopMessage::kAdopt;
    m.fd = fd;
    m.listener = socket.kind;
    m.tls = socket.tls;
    m.peer = peer;
    if (!target->Post(std::move(m))) {
      target->count_.fetch_sub(1);
      ::close(fd);
      ctx_->limiter.Release(peer);
      ctx_->metrics.Closed();
    }
  }
}

void EventLoop::Refuse(int fd, ConnectionRefusal why, const std::string& message) {
  ctx_->metrics.RefusedConnection(why);
  std::string answer = ErrorAnswer(503, "unavailable", message, /*retry_after=*/1);
  ssize_t n = ::send(fd, answer.data(), answer.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  (void)n;  // best effort: the client may see a reset instead
  ::close(fd);
}

void EventLoop::OutOfDescriptors(ListenSocket& socket, int error) {
  // Frees the reserve descriptor to accept and refuse what waits, so that
  // clients get an answer instead of hanging in the backlog.
  if (reserve_fd_ >= 0) ::close(reserve_fd_);
  reserve_fd_ = -1;
  uint64_t refused = 0;
  for (int i = 0; i < kAcceptBatch; ++i) {
    int fd = ::accept4(socket.fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) break;
    Refuse(fd, ConnectionRefusal::kFdLimit, "the server is out of file descriptors; retry later");
    ++refused;
  }
  reserve_fd_ = OpenReserve();
  fd_refusals_since_warning_ += refused;
  if (now_ - last_fd_warning_ >= kWarnEveryNs) {
    ctx_->log.Warn("out of file descriptors (accept: " + std::string(std::strerror(error)) +
                   "); refused " + std::to_string(fd_refusals_since_warning_) +
                   " connection(s) with 503 and paused accepting; raise the process's "
                   "descriptor limit (LimitNOFILE) or lower the rest option max_connections (" +
                   std::to_string(ctx_->options().transport.max_connections) + ")");
    last_fd_warning_ = now_;
    fd_refusals_since_warning_ = 0;
  }
  PauseAccepting();
}

void EventLoop::PauseAccepting() {
  backoff_ns_ = backoff_ns_ == 0 ? kMinBackoffNs : std::min(backoff_ns_ * 2, kMaxBackoffNs);
  for (ListenerSource& l : listeners_) {
    if (!l.registered) continue;
    ::epoll_ctl(epfd_, EPOLL_CTL_DEL, l.socket->fd, nullptr);
    l.registered = false;
  }
  accept_paused_until_ = NowNs() + backoff_ns_;
}

void EventLoop::ResumeAccepting() {
  accept_paused_until_ = 0;
  if (draining_) return;
  for (ListenerSource& l : listeners_) {
    if (l.registered || l.socket->fd < 0) continue;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = static_cast<PollSource*>(&l);
    l.registered = ::epoll_ctl(epfd_, EPOLL_CTL_ADD, l.socket->fd, &ev) == 0;
  }
}

void EventLoop::CloseListeners() {
  for (ListenerSource& l : listeners_) {
    if (l.registered) ::epoll_ctl(epfd_, EPOLL_CTL_DEL, l.socket->fd, nullptr);
    l.registered = false;
    CloseListener(l.socket);
  }
  accept_paused_until_ = 0;
}

void EventLoop::Adopt(int fd, Listener listener, bool tls, std::string peer) {
  SSL* ssl = nullptr;
  if (tls && (ssl = ctx_->tls.NewSession(fd)) == nullptr) {
    ctx_->metrics.TlsHandshakeFailed();
    ::close(fd);
    ctx_->limiter.Release(peer);
    ctx_->metrics.Closed();
    count_.fetch_sub(1);
    return;
  }
  if (listener == Listener::kData) {
    // Each answer leaves in one send: Nagle's delay would only hold an
    // answer's last segment back until the client acknowledges the one before.
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  auto* c = new Connection(this, fd, listener, std::move(peer), ssl);
  c->next = head_;
  if (head_ != nullptr) head_->prev = c;
  head_ = c;
  c->Open();
  if (draining_) c->Drain();
  if (c->dead()) dying_.push_back(c);
}

void EventLoop::Sweep() {
  for (Connection* c = head_; c != nullptr; c = c->next) {
    c->Sweep(now_);
    if (c->dead()) dying_.push_back(c);
  }
}

void EventLoop::Remove(Connection* c) {
  Unregister(c);
  if (c->prev != nullptr) c->prev->next = c->next;
  else head_ = c->next;
  if (c->next != nullptr) c->next->prev = c->prev;
  c->prev = c->next = nullptr;
  ctx_->limiter.Release(c->peer());
  ctx_->metrics.Closed();
  count_.fetch_sub(1);
}

void EventLoop::Reap() {
  if (dying_.empty()) return;
  std::sort(dying_.begin(), dying_.end());
  dying_.erase(std::unique(dying_.begin(), dying_.end()), dying_.end());
  // A connection that ends may not be called later.
  later_.erase(std::remove_if(later_.begin(), later_.end(),
                              [](Connection* c) { return c->dead() || c->abandoned(); }),
               later_.end());
  std::vector<Connection*> keep;
  for (Connection* c : dying_) {
    if (c->abandoned()) {  // a worker still has it: forgotten, never freed
      Remove(c);
      continue;
    }
    if (c->resume_pending()) {  // freed once the worker's message has come
      Unregister(c);
      keep.push_back(c);
      continue;
    }
    Remove(c);
    delete c;
  }
  dying_.swap(keep);
}

}  // namespace sluice::rest::http
