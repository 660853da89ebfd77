// Connection: streamed answers (server-sent events, event_stream.h): the
// head without a length, then what the stream gives while the output
// buffer has room, more whenever the stream wakes the loop or the socket
// drains, and the end.
#include <sys/socket.h>

#include <cerrno>

#include "event_stream.h"
#include "http/connection.h"
#include "http/event_loop.h"
#include "http/response_head.h"

namespace sluice::rest::http {

void Connection::StartStream(HttpResponse* response, int minor_version) {
  std::string head;
  AppendStreamHead(*response, minor_version, &head);
  Queue(std::move(head));
  stream_ = std::move(response->stream);
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
    std::string& chunk = loop_->stream_scratch();
    chunk.clear();
    size_t room = out_bytes_ < kStreamHighWater ? kStreamHighWater - out_bytes_ : 0;
    bool more = stream_->Pull(room, &chunk);
    bool pulled = !chunk.empty();
    if (pulled) {
      stream_quiet_since_ = loop_->now();
      SendOrQueue(chunk);
      if (dead_) return;
    }
    if (!more) {  // ended: its feed closes now, its last bytes go out
      close_after_flush_ = true;
      stream_.reset();
    }
    Flush();
    if (!pulled || room == 0 || OutputPending()) return;  // drained, or EPOLLOUT resumes it
  }
  if (!dead_) loop_->Later(this);
}

void Connection::SendOrQueue(std::string_view bytes) {
  if (!OutputPending() && ssl_ == nullptr) {  // straight from the loop's buffer
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return Finish();
    if (n > 0) {
      last_send_ = loop_->now();
      bytes.remove_prefix(static_cast<size_t>(n));
    }
  }
  if (!bytes.empty()) Queue(std::string(bytes));
}

void Connection::OnStreamWake() {
  if (dead_ || stream_ == nullptr) return;
  PumpStream();
  if (!dead_) UpdateInterest();
}

}  // namespace sluice::rest::http
