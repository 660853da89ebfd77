// One client connection of the REST plugin's transport, owned by one event
// loop: reads and parses requests (pipelined ones in order, one at a time),
// answers cheap ones on the loop and hands queries to the worker pool,
// writes answers (one sendmsg per answer when the socket takes it, the rest
// when it becomes writable), applies the idle, header, body and send
// timeouts, and closes with a short linger after a final answer so that
// the client reads it. Optionally over TLS.
//
// While a worker answers a request the worker owns the socket's writing
// side (`handoff` holds kBusy): the loop neither writes nor frees the
// connection, only buffers further input and notes a departing peer, and
// asks (kLoopWants) to be told when the worker is done.
#ifndef SLUICE_PLUGINS_API_REST_HTTP_CONNECTION_H_
#define SLUICE_PLUGINS_API_REST_HTTP_CONNECTION_H_

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "chunk_queue.h"
#include "duplex_stream.h"
#include "event_stream.h"
#include "http/byte_buffer.h"
#include "http/request_parser.h"
#include "rest_service.h"

typedef struct ssl_st SSL;

namespace sluice::rest::http {

class EventLoop;
struct ParseError;
struct StreamWaker;

// Something registered with a loop's epoll.
struct PollSource {
  enum Type { kConnection, kListener, kInbox };
  explicit PollSource(Type t) : type(t) {}
  Type type;
};

class Connection : public PollSource {
 public:
  static constexpr uint8_t kBusy = 1;       // a worker has the connection
  static constexpr uint8_t kLoopWants = 2;  // the loop asks to be told when it is done

  Connection(EventLoop* loop, int fd, Listener listener, std::string peer, SSL* ssl);
  ~Connection();  // closes the socket
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  int fd() const { return fd_; }
  const std::string& peer() const { return peer_; }
  // The connection is finished; the loop frees it.
  bool dead() const { return dead_; }
  // A worker still has it (Abort() was called): the loop forgets it without freeing it.
  bool abandoned() const { return abandoned_; }
  // A worker will post kResume for it: the loop may not free it before.
  bool resume_pending() const { return resumes_pending_ > 0; }

  // Starts serving (TLS: the handshake).
  void Open();
  // epoll reported `events`.
  void OnEvents(uint32_t events);
  // A worker finished the request: `head` and `body` are left to send.
  // `streamed` (null for a plain answer): a response with a stream, whose
  // head and stream are then sent as StartStream does.
  void OnWorkerDone(std::string head, std::string body, bool close,
                    HttpResponse* streamed = nullptr, int minor_version = 1);
  // A worker finished and sent its answer itself (the loop had asked to know).
  void OnResume();
  // Another turn for input left over (EventLoop::Later).
  void OnLater();
  // The response stream has more (a kStreamWake).
  void OnStreamWake();
  // Applies the timeouts at `now`.
  void Sweep(int64_t now);
  // The server stops: a connection without a request in progress closes;
  // the request in progress is answered with "Connection: close".
  void Drain();
  // The server has stopped: close now. A connection a worker still has is
  // shut down, its request cancelled, and left to that worker (abandoned).
  void Abort();

  // epoll interest registered for this connection (EventLoop's bookkeeping).
  uint32_t interest = 0;
  bool registered = false;
  Connection* prev = nullptr;
  Connection* next = nullptr;
  // Shared with the worker that runs this connection's request.
  std::atomic<uint8_t> handoff{0};
  std::atomic<int64_t> worker_done_ns{0};

 private:
  enum class Phase { kHandshake, kIdle, kHead, kBody, kWorker, kStream, kLinger };
  // Input kept while a request is being answered (pipelined requests); more
  // waits in the socket.
  static constexpr size_t kMaxBufferedInput = 65536;
  // Queued output above which no further request is answered until it drains.
  static constexpr size_t kOutputHighWater = 65536;
  // How long a connection is read (and the input dropped) after its final
  // answer, so that the client gets the answer instead of a reset.
  static constexpr int64_t kLingerNs = 2'000'000'000;
  static constexpr int kRequestsPerTurn = 32;
  // Output a response stream may have queued before it is pulled no more
  // (a client that reads slowly then falls behind the feed, which cuts
  // it off: the host's max_lag). Small, as a server may hold thousands of
  // streams: what the socket's own buffer does not take waits here.
  static constexpr size_t kStreamHighWater = 16384;
  static constexpr int kStreamPullsPerTurn = 4;
  // Queued output beyond which a duplex stream's client is read no more
  // (its answers to the client, e.g. pongs, are not being read). Well above
  // what pulling the stream queues, so that a fast reader's connection
  // does not change its epoll interest on every pull.
  static constexpr size_t kDuplexInputPause = 4 * kStreamHighWater;

  // True while a worker has the connection; notices a worker that has
  // finished without telling (then the loop has it again).
  bool Busy();
  // The worker is done: the loop has the connection again.
  void TakeBack(int64_t since);
  // Sets kLoopWants; false when the worker had already finished (the loop
  // has the connection again).
  bool FlagWorker();
  void Handshake();
  void OnReadable(uint32_t events);
  void ReadWhileBusy(uint32_t events);
  // Reads what TLS decrypts into in_ (at most kMaxBufferedInput more):
  // 0 when it has nothing more, 1 when it may have, -1 when the session failed.
  int ReadTls();
  void Process(const char* data, size_t size, bool from_scratch);
  // The request at `base` is complete: answers it here, or hands it to a
  // worker (then false). `more_input`: bytes after it have arrived.
  bool Serve(const char* base, bool more_input);
  // Hands the request to the worker pool (true), or answers 503 when the
  // pool's queue is full (false).
  bool Dispatch(const char* base, const HttpRequest& request, std::string_view route,
                const std::string& endpoint, bool more_input);
  void Respond(HttpResponse* response, int minor_version, bool keep_alive, bool head_method);
  // Sends the head of a streamed response and starts pulling its stream.
  void StartStream(HttpResponse* response, int minor_version);
  // Pulls what the stream has while there is room, and sends it.
  void PumpStream();
  // Reads what the client sends on a duplex stream (an upgraded
  // connection) and hands it to the stream.
  void ReadStreamInput();
  // Hands the input buffered in in_ to the duplex stream.
  void StreamInput();
  void Refuse(const ParseError& error, std::string_view method);
  void Queue(std::string bytes);
  // Writes what is queued; may end the connection (dead_).
  void Flush();
  // Writes the queue's first bytes over TLS: how many, 0 when TLS wants
  // the socket first (the same bytes are written again then), -1 when the
  // session failed.
  ssize_t WriteTls();
  void Resume();
  void StartLinger();
  void DiscardInput();
  bool Blocked() const;
  bool OutputPending() const { return !out_.empty(); }
  void UpdateInterest();
  void Finish() { dead_ = true; }

  EventLoop* const loop_;
  const int fd_;
  const Listener listener_;
  const std::string peer_;
  SSL* ssl_;
  Phase phase_ = Phase::kIdle;
  int64_t phase_since_ = 0;
  int64_t last_send_ = 0;
  ByteBuffer in_;
  RequestParser parser_;
  ChunkQueue out_;  // bytes queued and not sent
  // TLS: the length of the SSL_write that wants to be repeated (0: none);
  // OpenSSL wants the same bytes again, which the queue's front still is.
  size_t tls_retry_ = 0;
  std::vector<std::pair<std::string_view, std::string_view>> headers_;
  std::shared_ptr<std::atomic<bool>> cancel_;
  bool busy_ = false;
  bool flagged_ = false;     // kLoopWants was set for the request the worker has
  int resumes_pending_ = 0;  // kResume messages still to come
  bool close_after_flush_ = false;
  bool peer_eof_ = false;
  bool draining_ = false;
  bool continue_sent_ = false;
  bool tls_want_write_ = false;
  bool dead_ = false;
  bool abandoned_ = false;
  // Phase::kStream: the response stream and how it wakes this connection.
  std::shared_ptr<ResponseStream> stream_;
  DuplexStream* duplex_ = nullptr;  // stream_, when it reads the client's bytes
  std::shared_ptr<StreamWaker> waker_;
  int64_t stream_quiet_since_ = 0;  // when the stream last queued output
};

}  // namespace sluice::rest::http

#endif  // SLUICE_PLUGINS_API_REST_HTTP_CONNECTION_H_
