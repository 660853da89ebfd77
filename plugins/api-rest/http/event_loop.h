// One event-loop thread of the REST plugin's transport: an epoll set of
// non-blocking connections, a mailbox (eventfd) for other threads, and a
// periodic sweep that applies timeouts. The first loop also accepts on the
// listening sockets and hands each accepted connection to the loop with the
// fewest, after the connection limits; when the process is out of file
// descriptors it refuses with a reserve descriptor and pauses accepting
// (backing off) instead of spinning.
//
//   EventLoop loop(ctx, 0);
//   Status s = loop.Init();
//   loop.SetAcceptor(&listeners, {&loop, &other});   // loop 0 only
//   loop.Start();
//   ...
//   loop.Post(LoopMessage{LoopMessage::kDrain});
//   loop.Post(LoopMessage{LoopMessage::kQuit});
//   loop.Join();
#ifndef SLUICE_PLUGINS_API_REST_HTTP_EVENT_LOOP_H_
#define SLUICE_PLUGINS_API_REST_HTTP_EVENT_LOOP_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "http/connection.h"
#include "http/listener.h"
#include "http/server_context.h"

namespace sluice::rest::http {

class EventLoop {
 public:
  EventLoop(std::shared_ptr<ServerContext> ctx, size_t index);
  // Joins the thread and frees every connection still held.
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Makes the epoll set and mailbox. UNAVAILABLE with the reason on failure.
  Status Init();
  // Makes this loop accept on `listeners` (which outlive it), handing
  // connections to `loops` (this one included). Before Start().
  void SetAcceptor(std::vector<ListenSocket>* listeners, std::vector<EventLoop*> loops);
  void Start();
  // Thread-safe; false when the loop has quit.
  bool Post(LoopMessage message) { return inbox_->Post(std::move(message)); }
  void Join();
  // Connections this loop holds. Thread-safe.
  int64_t connections() const { return count_.load(); }

  // For connections (loop thread only).
  ServerContext& ctx() { return *ctx_; }
  const std::shared_ptr<ServerContext>& shared_ctx() const { return ctx_; }
  const std::shared_ptr<Inbox>& inbox() const { return inbox_; }
  char* scratch() { return scratch_.get(); }
  static constexpr size_t kScratchSize = 65536;
  int64_t now() const { return now_; }
  void SetInterest(Connection* c, uint32_t events);
  // Removes `c` from the epoll set (it stays in the loop).
  void Unregister(Connection* c);
  // Calls c->OnLater() after the events at hand (before waiting again).
  void Later(Connection* c) { later_.push_back(c); }

 private:
  struct ListenerSource : PollSource {
    ListenerSource() : PollSource(kListener) {}
    ListenSocket* socket = nullptr;
    bool registered = false;
  };

  void Run();
  void HandleMessages();
  void Accept(ListenSocket& socket);
  void OutOfDescriptors(ListenSocket& socket, int error);
  void Refuse(int fd, ConnectionRefusal why, const std::string& message);
  void PauseAccepting();
  void ResumeAccepting();
  void CloseListeners();
  void Adopt(int fd, Listener listener, bool tls, std::string peer);
  void Sweep();
  // Frees dead connections (after the events of one epoll_wait).
  void Reap();
  void Remove(Connection* c);
  int TimeoutMs() const;

  const std::shared_ptr<ServerContext> ctx_;
  const size_t index_;
  int epfd_ = -1;
  std::shared_ptr<Inbox> inbox_;
  PollSource inbox_source_{PollSource::kInbox};
  std::unique_ptr<char[]> scratch_;
  std::thread thread_;
  int64_t now_ = 0;
  int64_t next_sweep_ = 0;
  int64_t sweep_every_ = 0;
  Connection* head_ = nullptr;  // every connection held
  std::vector<Connection*> dying_;
  std::vector<Connection*> later_;
  std::atomic<int64_t> count_{0};
  bool quit_ = false;
  bool draining_ = false;
  // Acceptor only.
  std::vector<ListenerSource> listeners_;
  std::vector<EventLoop*> loops_;
  int reserve_fd_ = -1;
  int64_t accept_paused_until_ = 0;  // 0 = accepting
  int64_t backoff_ns_ = 0;
  int64_t last_fd_warning_ = 0;
  uint64_t fd_refusals_since_warning_ = 0;
};

}  // namespace sluice::rest::http

#endif  // SLUICE_PLUGINS_API_REST_HTTP_EVENT_LOOP_H_
