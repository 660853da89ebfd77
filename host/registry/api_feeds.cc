// Change feeds through the C boundary: feed_open, feed_next, feed_close,
// and watch (a feed from now, blocking, with heartbeats). The feed itself
// is registry/feed.h. See api_host_internal.h.
#include <chrono>
#include <memory>

#include "registry/api_host_internal.h"
#include "registry/feed.h"

namespace sluice::host {
namespace api_internal {
namespace {

// A feed as handed out: the feed, and the views it pinned itself when it
// followed the endpoint's current version to a new one.
struct FeedHandle {
  void* ctx = nullptr;  // the request that opened it
  void* owned_view = nullptr;
  std::unique_ptr<Feed> feed;
  ~FeedHandle() {
    feed.reset();
    if (owned_view != nullptr) Release(ctx, owned_view);
  }
};

Feed::Source SourceOf(const ViewHandle& h) {
  return Feed::Source{h.version, h.endpoint, h.restriction};
}

Status Open(void* ctx, ViewHandle* h, const FeedOptions& o, std::unique_ptr<FeedHandle>* out) {
  auto handle = std::make_unique<FeedHandle>();
  handle->ctx = ctx;
  Feed::Follow follow;
  Registry* registry = Req(ctx)->host->registry();
  if (o.follow_current && registry != nullptr) {
    std::string endpoint = h->endpoint;
    FeedHandle* raw = handle.get();
    follow.current = [registry, endpoint] { return registry->Current(endpoint); };
    follow.acquire = [ctx, raw, endpoint](Feed::Source* src) {
      sluice_status st{};
      void* view = nullptr;
      int32_t rc = Acquire(ctx, endpoint.c_str(), 0, &view, &st);
      if (rc != SLUICE_OK) return Status::FromC(rc, st);
      *src = SourceOf(*static_cast<ViewHandle*>(view));
      if (raw->owned_view != nullptr) Release(ctx, raw->owned_view);
      raw->owned_view = view;
      return Status();
    };
  }
  SLUICE_RETURN_IF_ERROR(
      Feed::Open(SourceOf(*h), o, Req(ctx)->host->limits(), std::move(follow), &handle->feed));
  *out = std::move(handle);
  return Status();
}

}  // namespace

int32_t FeedOpen(void* ctx, void* view, const sluice_feed_options* options, void** feed,
                 sluice_status* st) {
  if (options == nullptr || options->struct_size < sizeof(sluice_feed_options))
    return InvalidArgument("feed_open: options missing or too old").ToC(st);
  FeedOptions o;
  o.from = static_cast<sluice_feed_from>(options->from);
  if (o.from != SLUICE_FEED_FROM_NOW && o.from != SLUICE_FEED_FROM_START &&
      o.from != SLUICE_FEED_FROM_AFTER)
    return InvalidArgument("feed_open: unknown `from` " + std::to_string(options->from)).ToC(st);
  o.after = options->after;
  if (options->filter != nullptr) o.filter.assign(options->filter, options->filter_size);
  if (options->fields != nullptr) o.fields.assign(options->fields, options->fields_size);
  o.max_lag = options->max_lag;
  o.max_lag_ms = options->max_lag_ms;
  o.follow_current = options->follow_current != 0;
  o.wake = options->wake;
  o.wake_ctx = options->wake_ctx;
  std::unique_ptr<FeedHandle> handle;
  Status s = Open(ctx, static_cast<ViewHandle*>(view), o, &handle);
  if (!s.ok()) return s.ToC(st);
  *feed = handle.release();
  return SLUICE_OK;
}

int32_t FeedNext(void*, void* feed, uint32_t max, uint32_t timeout_ms,
                 int32_t (*fn)(void*, const sluice_feed_event*), void* fn_ctx,
                 sluice_feed_position* position, sluice_status* st) {
  auto* h = static_cast<FeedHandle*>(feed);
  sluice_feed_position pos{};
  Status s = h->feed->Next(
      max, std::chrono::milliseconds(timeout_ms),
      [&](const sluice_feed_event& e) { return fn(fn_ctx, &e) != 0; }, &pos);
  if (position != nullptr && position->struct_size >= sizeof pos) {
    position->version = pos.version;
    position->next = pos.next;
  }
  return s.ToC(st);
}

void FeedClose(void*, void* feed) { delete static_cast<FeedHandle*>(feed); }

int32_t Watch(void* ctx, void* view, const char* filter, size_t filter_size,
              int32_t (*fn)(void*, uint32_t, uint64_t, const uint8_t*, size_t), void* fn_ctx,
              sluice_status* st) {
  FeedOptions o;
  if (filter != nullptr) o.filter.assign(filter, filter_size);
  o.max_lag = 100000;
  std::unique_ptr<FeedHandle> handle;
  Status s = Open(ctx, static_cast<ViewHandle*>(view), o, &handle);
  while (s.ok()) {
    size_t handed = 0;
    bool stop = false;
    s = handle->feed->Next(
        1024, std::chrono::milliseconds(500),
        [&](const sluice_feed_event& e) {
          ++handed;
          stop = fn(fn_ctx, e.op, e.offset, e.row, e.row_size) == 0;
          return !stop;
        },
        nullptr);
    if (s.ok() && !stop && handed == 0) stop = fn(fn_ctx, 0, 0, nullptr, 0) == 0;  // heartbeat
    if (stop) break;
  }
  return s.ToC(st);
}

}  // namespace api_internal
}  // namespace sluice::host
