// Connection: timeouts, draining and aborting at shutdown, and which epoll
// events it waits for.
#include <sys/epoll.h>
#include <sys/socket.h>

#include "http/connection.h"
#include "http/event_loop.h"
#include "http/response_head.h"

namespace sluice::rest::http {

namespace {

int64_t Ms(uint32_t ms) { return int64_t{ms} * 1'000'000; }

}  // namespace

void Connection::Sweep(int64_t now) {
  if (dead_ || Busy()) return;
  const TransportOptions& t = loop_->ctx().options().transport;
  TransportMetrics& metrics = loop_->ctx().metrics;
  int64_t age = now - phase_since_;
  switch (phase_) {
    case Phase::kHandshake:
      if (age > Ms(t.header_timeout_ms)) {
        metrics.TlsHandshakeFailed();
        metrics.Timeout(TimeoutKind::kHeader);
        Finish();
      }
      return;
    case Phase::kHead:
    case Phase::kBody: {
      bool body = phase_ == Phase::kBody;
      uint32_t limit = body ? t.body_timeout_ms : t.header_timeout_ms;
      if (age <= Ms(limit)) return;
      metrics.Timeout(body ? TimeoutKind::kBody : TimeoutKind::kHeader);
      const char* reason = body ? "body_timeout" : "header_timeout";
      loop_->ctx().CountRefusal(parser_.method(in_.data()), 408, reason);
      Queue(ErrorAnswer(408, "deadline_exceeded",
                        std::string("the request's ") + (body ? "body" : "header section") +
                            " did not arrive within " + (body ? "body" : "header") +
                            "_timeout_ms = " + std::to_string(limit) + " ms"));
      close_after_flush_ = true;
      parser_.Reset();
      in_.Clear();
      phase_ = Phase::kIdle;
      phase_since_ = now;
      Flush();
      break;
    }
    case Phase::kIdle:
      if (OutputPending()) {
        if (now - last_send_ > Ms(t.send_timeout_ms)) {
          metrics.Timeout(TimeoutKind::kSend);
          Finish();
        }
      } else if (age > Ms(t.idle_timeout_ms)) {
        metrics.Timeout(TimeoutKind::kIdle);
        Finish();
      }
      return;
    case Phase::kStream:
      if (OutputPending() && now - last_send_ > Ms(t.send_timeout_ms)) {
        metrics.Timeout(TimeoutKind::kSend);  // the client reads nothing at all
        Finish();
      } else if (!close_after_flush_ && stream_ != nullptr) {
        if (now - stream_quiet_since_ >= Ms(stream_->heartbeat_ms())) {
          std::string beat;
          stream_->Heartbeat(&beat);
          stream_quiet_since_ = now;
          Queue(std::move(beat));
        }
        // Also asks the feed whether it fell too far behind while the
        // client read nothing (it then ends with a resume event).
        PumpStream();
      }
      break;
    case Phase::kLinger:
      if (age > kLingerNs) Finish();
      return;
    case Phase::kWorker: return;
  }
  if (!dead_) UpdateInterest();
}

void Connection::Drain() {
  draining_ = true;
  if (dead_ || Busy()) return;  // the worker's answer closes it
  if (phase_ == Phase::kLinger) return;
  if (phase_ == Phase::kStream) {  // the stream's last event, then close
    if (!close_after_flush_ && stream_ != nullptr) {
      std::string last;
      stream_->Stop(&last);
      Queue(std::move(last));
      close_after_flush_ = true;
    }
    Flush();
    if (!dead_) UpdateInterest();
    return;
  }
  if (!OutputPending() || phase_ == Phase::kHandshake) return Finish();
  close_after_flush_ = true;  // an answer is being written: then close
  UpdateInterest();
}

void Connection::Abort() {
  if (Busy()) {
    if (cancel_ != nullptr) cancel_->store(true);
    ::shutdown(fd_, SHUT_RDWR);
    abandoned_ = true;
    return;
  }
  Finish();
}

void Connection::UpdateInterest() {
  uint32_t want = 0;
  if (phase_ == Phase::kHandshake) {
    want = tls_want_write_ ? EPOLLOUT : EPOLLIN;
  } else {
    bool paused = ((busy_ || out_.bytes() > kOutputHighWater) && in_.size() >= kMaxBufferedInput) ||
                  (duplex_ != nullptr && out_.bytes() > kDuplexInputPause);  // answers not read
    if (!peer_eof_) want |= paused ? EPOLLRDHUP : EPOLLIN | EPOLLRDHUP;
    if ((!busy_ && OutputPending()) || tls_want_write_) want |= EPOLLOUT;
  }
  if (want != interest || !registered) loop_->SetInterest(this, want);
}

}  // namespace sluice::rest::http
