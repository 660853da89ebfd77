// Connection: streamed answers (server-sent events, event_stream.h): the
// head without a length, then what the stream gives while the output
// buffer has room, more whenever the stream wakes the loop or the socket
// drains, and the end. An upgraded connection (101, WebSocket) has a
// duplex stream, which is also handed what the client sends.
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <cerrno>

#include "event_stream.h"
#include "http/connection.h"
#include "http/event_loop.h"
#include "http/response_head.h"

namespace sluice::rest::http {

void Connection::StartStream(HttpResponse* response, int minor_version) {
  std::string head;
  if (response->status == 101) AppendUpgradeHead(*response, &head);
  else AppendStreamHead(*response, minor_version, &head);
  Queue(std::move(head));
  stream_ = std::move(response->stream);
  duplex_ = response->status == 101 ? dynamic_cast<DuplexStream*>(stream_.get()) : nullptr;
  phase_ = Phase::kStream;
  phase_since_ = stream_quiet_since_ = loop_->now();
  waker_ = std::make_shared<StreamWaker>();
  waker_->inbox = loop_->inbox();
  waker_->conn = this;
  stream_->Start([w = waker_] { w->Wake(w); });
  if (draining_ || loop_->ctx().draining.load()) {
    std::string last;
    stream_->Stop(&last);
    Queue(std::move(last));
    close_after_flush_ = true;
    return Flush();
  }
  PumpStream();
}

void Connection::PumpStream() {
  // While the socket takes everything at once, pull again (a few buffers
  // per turn, then another turn after the other connections): nothing else
  // would ask, as the stream wakes the loop only when something new comes.
  for (int i = 0; i < kStreamPullsPerTurn; ++i) {
    if (dead_ || stream_ == nullptr || close_after_flush_) return;
    size_t queued = out_.bytes();
    size_t room = queued < kStreamHighWater ? kStreamHighWater - queued : 0;
    bool more = stream_->PullChunks(room, &out_);
    bool pulled = out_.bytes() != queued;
    if (pulled) stream_quiet_since_ = loop_->now();
    if (!more) {  // ended: its feed closes now, its last bytes go out
      close_after_flush_ = true;
      duplex_ = nullptr;
      stream_.reset();
    }
    Flush();
    if (dead_) return;
    if (!pulled || room == 0 || OutputPending()) return;  // drained, or EPOLLOUT resumes it
  }
  if (!dead_) loop_->Later(this);
}

void Connection::ReadStreamInput() {
  if (duplex_ == nullptr || close_after_flush_) {
    DiscardInput();
    if (peer_eof_) Finish();
    return;
  }
  if (ssl_ != nullptr) {
    if (ReadTls() < 0) return Finish();
  } else {
    ssize_t n = ::recv(fd_, in_.Reserve(kMaxBufferedInput), kMaxBufferedInput, 0);
    if (n > 0) in_.Commit(static_cast<size_t>(n));
    else if (n == 0) peer_eof_ = true;
    else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return Finish();
  }
  if (peer_eof_) return Finish();  // the client has gone: nobody reads the rest
  StreamInput();
}

void Connection::StreamInput() {
  if (duplex_ == nullptr || in_.empty()) return;
  std::string reply;
  bool open = duplex_->Input(in_.data(), in_.size(), &reply);
  in_.Clear();
  if (in_.capacity() > kMaxBufferedInput) in_.Release();
  Queue(std::move(reply));
  if (!open) {  // the stream ended (a close frame, a protocol error): its last bytes go out
    close_after_flush_ = true;
    duplex_ = nullptr;
    stream_.reset();
    return Flush();
  }
  PumpStream();  // a new subscription has something to send
}

void Connection::OnStreamWake() {
  if (dead_ || stream_ == nullptr) return;
  PumpStream();
  if (!dead_) UpdateInterest();
}

}  // namespace sluice::rest::http
