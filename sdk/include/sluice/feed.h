// Change feeds for API plugins (ABI 1.2, sluice_api_host.feed_open;
// docs/realtime.md): the C++ side of one feed of a pinned view. Also the
// definition of ApiHost::Watch, the change stream of ABI 1.1 hosts
// (sluice/api_host.h includes this header).
//
//   FeedOptions o;
//   o.from = SLUICE_FEED_FROM_AFTER;  o.after = 41;  o.filter = R"({"zone": 7})";
//   ChangeFeedReader feed;
//   Status s = ChangeFeedReader::Open(request.api(), view, o, &feed);
//   s = feed.Next(256, 0, [&](const sluice_feed_event& e) { ...; return true; });
//   // feed.position().next: every change before it has been handed out
//
// A transport on an event loop passes `wake` and calls Next with timeout 0
// whenever it is woken or has room for more; a thread per stream passes no
// wake and blocks in Next with a timeout (its heartbeat period).
#ifndef SLUICE_FEED_H_
#define SLUICE_FEED_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sluice/abi.h"
#include "sluice/api_host.h"
#include "sluice/function_ref.h"
#include "sluice/status.h"

namespace sluice {

inline Status ApiHost::Watch(const View& view, std::string_view filter, ChangeFn fn) const {
  if (!Has(offsetof(sluice_api_host, watch)))
    return Unimplemented("the host does not offer watch (ABI < 1.1)");
  sluice_status st{};
  auto tramp = [](void* u, uint32_t op, uint64_t off, const uint8_t* row, size_t n) -> int32_t {
    return (*static_cast<ChangeFn*>(u))(op, off,
                                        std::string_view(reinterpret_cast<const char*>(row), n))
               ? 1
               : 0;
  };
  int32_t rc = c_->watch(c_->ctx, view.handle(), filter.data(), filter.size(), tramp, &fn, &st);
  return Status::FromC(rc, st);
}

struct FeedOptions {
  sluice_feed_from from = SLUICE_FEED_FROM_NOW;
  uint64_t after = 0;           // from == SLUICE_FEED_FROM_AFTER: resume after this offset
  std::string filter;           // a $filter JSON object; "" = every change
  std::string fields;           // comma-separated field names; "" = every field
  uint64_t max_lag = 0;         // 0 = the host's default
  uint32_t max_lag_ms = 0;      // 0 = the host's default
  bool follow_current = false;  // the view is the current version: follow it
  void (*wake)(void*) = nullptr;
  void* wake_ctx = nullptr;
};

// One open feed. Move-only; closes on destruction, which must come before
// the view it reads is released and its request ends.
class ChangeFeedReader {
 public:
  ChangeFeedReader() = default;
  ChangeFeedReader(ChangeFeedReader&& o) noexcept { *this = std::move(o); }
  ChangeFeedReader& operator=(ChangeFeedReader&& o) noexcept {
    Close();
    host_ = o.host_, handle_ = o.handle_, position_ = o.position_;
    o.host_ = nullptr, o.handle_ = nullptr;
    return *this;
  }
  ~ChangeFeedReader() { Close(); }

  // True when `api`'s host offers change feeds (ABI 1.2 and later).
  static bool Offered(const ApiHost& api) {
    const sluice_api_host* c = api.c();
    return c->struct_size >= offsetof(sluice_api_host, feed_close) + sizeof(void*) &&
           c->feed_open != nullptr && c->feed_next != nullptr && c->feed_close != nullptr;
  }

  // Opens a feed of `view` (acquired through `api`) for `api`'s caller.
  // UNIMPLEMENTED on an older host; else as sluice_api_host.feed_open.
  static Status Open(const ApiHost& api, const ApiHost::View& view, const FeedOptions& o,
                     ChangeFeedReader* out) {
    out->Close();
    if (!Offered(api)) return Unimplemented("the host does not offer change feeds (ABI < 1.2)");
    const sluice_api_host* c = api.c();
    sluice_feed_options co{};
    co.struct_size = sizeof co;
    co.from = static_cast<uint32_t>(o.from);
    co.after = o.after;
    co.filter = o.filter.data();
    co.filter_size = o.filter.size();
    co.fields = o.fields.data();
    co.fields_size = o.fields.size();
    co.max_lag = o.max_lag;
    co.follow_current = o.follow_current ? 1 : 0;
    co.max_lag_ms = o.max_lag_ms;
    co.wake = o.wake;
    co.wake_ctx = o.wake_ctx;
    sluice_status st{};
    void* handle = nullptr;
    int32_t rc = c->feed_open(c->ctx, view.handle(), &co, &handle, &st);
    if (rc != SLUICE_OK) return Status::FromC(rc, st);
    out->host_ = c;
    out->handle_ = handle;
    out->position_.version = view.version().version;
    return Status();
  }

  // Hands up to `max` changes to fn (true = go on), waiting up to
  // timeout_ms for the first. OK with or without changes; any other status
  // ends the feed (see sluice_api_host.feed_next). max 0 only asks whether
  // the feed has ended (e.g. cut off while its client reads nothing).
  Status Next(uint32_t max, uint32_t timeout_ms, FunctionRef<bool(const sluice_feed_event&)> fn) {
    if (handle_ == nullptr) return FailedPrecondition("the feed is not open");
    auto tramp = [](void* u, const sluice_feed_event* e) -> int32_t {
      return (*static_cast<FunctionRef<bool(const sluice_feed_event&)>*>(u))(*e) ? 1 : 0;
    };
    sluice_status st{};
    sluice_feed_position pos{};
    pos.struct_size = sizeof pos;
    int32_t rc = host_->feed_next(host_->ctx, handle_, max, timeout_ms, tramp, &fn, &pos, &st);
    if (pos.version != 0) position_ = pos;
    return Status::FromC(rc, st);
  }

  // How far the feed has read (after the last Next).
  const sluice_feed_position& position() const { return position_; }
  bool open() const { return handle_ != nullptr; }

  void Close() {
    if (handle_ != nullptr) host_->feed_close(host_->ctx, handle_);
    handle_ = nullptr;
  }

 private:
  const sluice_api_host* host_ = nullptr;
  void* handle_ = nullptr;
  sluice_feed_position position_{sizeof(sluice_feed_position), 0, 0};
};

}  // namespace sluice

#endif  // SLUICE_FEED_H_
