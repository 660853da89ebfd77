// Feed: one change feed (sluice_api_host.feed_open, docs/realtime.md): the
// changes of one endpoint version for one caller, in log order, exactly
// once, from where the client asked (the start, now, or after an offset).
//
// A feed is a cursor over the version's log: changes before the version's
// ChangeFeed ring are read from the log itself, later ones from the ring
// (shared by every feed of the version), and the cursor moves on from one
// to the other by offset, so the handover has neither a gap nor a repeat
// whatever the cache builder publishes meanwhile. It only hands out what
// the cache has applied. The caller's row filter and field list, the
// client's $filter and field selection apply to every change. A feed that
// follows the endpoint's current version announces a switch and continues
// with the new version from its start.
//
// Every transport (REST server-sent events and WebSocket, gRPC onEvent)
// reads feeds through the ABI; they only encode events.
#ifndef SLUICE_HOST_REGISTRY_FEED_H_
#define SLUICE_HOST_REGISTRY_FEED_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "access/restriction.h"
#include "query/query_engine.h"
#include "registry/registry.h"
#include "sluice/abi.h"
#include "sluice/function_ref.h"
#include "sluice/schema.h"

namespace sluice::host {

struct FeedOptions {
  sluice_feed_from from = SLUICE_FEED_FROM_NOW;
  uint64_t after = 0;
  std::string filter;       // a $filter object; "" = every change
  std::string fields;       // comma-separated; "" = every field
  uint64_t max_lag = 0;     // 0 = kDefaultMaxLag
  uint32_t max_lag_ms = 0;  // 0 = kDefaultMaxLagMs
  bool follow_current = false;
  void (*wake)(void*) = nullptr;
  void* wake_ctx = nullptr;
};

class Feed {
 public:
  static constexpr uint64_t kDefaultMaxLag = 50000;
  static constexpr uint32_t kDefaultMaxLagMs = 10000;

  // The version a feed reads and what its caller may see of it.
  struct Source {
    std::shared_ptr<ServedVersion> version;
    std::string endpoint;
    std::shared_ptr<const Restriction> restriction;  // null: every row and field
  };
  // For a feed that follows the current version: the endpoint's current
  // version now, and how to pin it for the same caller.
  struct Follow {
    std::function<uint32_t()> current;
    std::function<Status(Source*)> acquire;
  };

  // Opens a feed on `source`. INVALID_ARGUMENT for a filter or field list
  // that does not fit the version (with a query's errors), OUT_OF_RANGE for
  // `after` beyond the log's end.
  static Status Open(Source source, const FeedOptions& options, const QueryLimits& limits,
                     Follow follow, std::unique_ptr<Feed>* out);
  ~Feed();  // unsubscribes
  Feed(const Feed&) = delete;
  Feed& operator=(const Feed&) = delete;

  // Hands up to `max` changes to fn (see sluice_api_host.feed_next),
  // waiting up to `timeout` for the first.
  Status Next(size_t max, std::chrono::milliseconds timeout,
              FunctionRef<bool(const sluice_feed_event&)> fn, sluice_feed_position* position);

  uint32_t version() const { return src_.version->meta.version; }

 private:
  Feed() = default;
  // Filter, restriction and projection compiled against src_'s version.
  Status Compile(const QueryLimits& limits);
  // True when the feed has stayed more than max_lag behind for max_lag_ms.
  bool TooSlow();
  // Subscribes to src_'s ChangeFeed.
  void Subscribe();
  void Unsubscribe();
  static void OnWake(void* self);
  // Offers one change: filters, projects, hands it to fn; false when fn
  // said stop.
  bool Offer(uint32_t op, uint64_t offset, std::string_view row,
             FunctionRef<bool(const sluice_feed_event&)> fn, size_t* handed);
  // Reads changes at next_ and on (log, then ring); *handed counts those
  // handed out. Stops at `max` handed out or fn's stop.
  Status Step(size_t max, FunctionRef<bool(const sluice_feed_event&)> fn, size_t* handed,
              bool* stop, size_t* examined, ChangeFeed::Window* w);
  // The current version moved away from src_: announces it and moves there.
  Status Switch(FunctionRef<bool(const sluice_feed_event&)> fn, size_t* handed);

  Source src_;
  FeedOptions options_;
  QueryLimits limits_;
  Follow follow_;
  ChangeFeed::Subscriber sub_;
  bool subscribed_ = false;
  uint64_t next_ = 0;
  bool live_ = false;                                     // has caught up once: max_lag applies
  std::chrono::steady_clock::time_point behind_since_{};  // more than max_lag behind since
  bool behind_ = false;
  bool cut_counted_ = false;
  // Compiled for src_.
  Query query_;
  bool filtered_ = false;
  bool decode_ = false;           // a row must be decoded (restriction, filter or fields)
  uint64_t group_ = 0;            // sluice_feed_event.group
  uint64_t sent_ = 0;             // handed out, not yet added to the version's metric
  std::vector<uint32_t> select_;  // selected field indexes; empty = all
  Schema schema_;                 // the schema events' rows have
  std::unique_ptr<SchemaView> c_schema_;
  std::vector<Value> decoded_;
  std::string masked_, projected_;
  std::vector<std::shared_ptr<const ChangeFeed::Batch>> batches_;
  // Blocking waits (timeout > 0).
  std::mutex mu_;
  std::condition_variable cv_;
  bool woken_ = false;
};

}  // namespace sluice::host

#endif  // SLUICE_HOST_REGISTRY_FEED_H_
