// ChangeFeed (registry/change_feed.h): what watchers (gRPC events,
// sluice_api_host.watch) receive, and the slow watcher that falls more than
// its bound behind: dropped with RESOURCE_EXHAUSTED, without slowing the
// publisher or the other watchers.
#include "registry/change_feed.h"

#include <gtest/gtest.h>

#include <thread>

namespace sluice::host {
namespace {

using std::chrono::milliseconds;

std::vector<CacheOp> Ops(uint64_t first, size_t n) {
  static const std::string kRow = "row";
  std::vector<CacheOp> ops;
  for (size_t i = 0; i < n; ++i) ops.push_back({SLUICE_OP_INSERT, kRow, first + i});
  return ops;
}

std::vector<uint64_t> Offsets(const std::vector<ChangeFeed::Change>& changes) {
  std::vector<uint64_t> out;
  for (const auto& c : changes) out.push_back(c.offset);
  return out;
}

TEST(ChangeFeedTest, WatchersSeeChangesPublishedAfterTheySubscribed) {
  ChangeFeed feed;
  feed.Publish(Ops(1, 2));  // nobody watches: dropped
  auto sub = feed.Subscribe(10);
  std::vector<ChangeFeed::Change> got;
  ASSERT_TRUE(sub->Next(milliseconds(0), &got).ok());
  EXPECT_TRUE(got.empty());
  feed.Publish(Ops(3, 2));
  std::vector<CacheOp> del = {{SLUICE_OP_DELETE, "key", 5}};
  feed.Publish(del);
  ASSERT_TRUE(sub->Next(milliseconds(0), &got).ok());
  EXPECT_EQ(Offsets(got), (std::vector<uint64_t>{3, 4, 5}));
  EXPECT_EQ(got[2].op, static_cast<uint32_t>(SLUICE_OP_DELETE));
  EXPECT_EQ(got[2].row, "key");
  feed.Unsubscribe(sub);
  feed.Publish(Ops(6, 1));
  ASSERT_TRUE(sub->Next(milliseconds(0), &got).ok());
  EXPECT_TRUE(got.empty());
}

TEST(ChangeFeedTest, ASlowWatcherIsDroppedAndTheOthersGoOn) {
  ChangeFeed feed;
  auto slow = feed.Subscribe(3);
  auto fast = feed.Subscribe(100);
  feed.Publish(Ops(1, 2));  // 2 pending of 3: fine
  feed.Publish(Ops(3, 2));  // 4 > 3: the slow watcher overflows
  std::vector<ChangeFeed::Change> got;
  Status s = slow->Next(milliseconds(0), &got);
  EXPECT_EQ(s.code(), Code::kResourceExhausted);
  EXPECT_EQ(s.message(), "watcher fell more than 3 changes behind; reconnect and resume");
  EXPECT_TRUE(got.empty());  // what it had queued is gone, not half delivered
  feed.Publish(Ops(5, 1));
  EXPECT_EQ(slow->Next(milliseconds(0), &got).code(), Code::kResourceExhausted);  // for good
  ASSERT_TRUE(fast->Next(milliseconds(0), &got).ok());
  EXPECT_EQ(Offsets(got), (std::vector<uint64_t>{1, 2, 3, 4, 5}));
  // One publish larger than the bound overflows an empty watcher too.
  auto tiny = feed.Subscribe(1);
  feed.Publish(Ops(6, 2));
  EXPECT_EQ(tiny->Next(milliseconds(0), &got).code(), Code::kResourceExhausted);
}

TEST(ChangeFeedTest, AWaitingWatcherWakesOnAPublishAndEndsOnClose) {
  ChangeFeed feed;
  auto sub = feed.Subscribe();
  std::vector<ChangeFeed::Change> got;
  std::thread publisher([&] { feed.Publish(Ops(1, 1)); });
  // Waits (up to a minute) until the publish arrives, whenever it runs.
  Status s = sub->Next(milliseconds(60000), &got);
  publisher.join();
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(Offsets(got), std::vector<uint64_t>{1});
  feed.Publish(Ops(2, 1));
  feed.Close();
  // Changes published before the close are still delivered, then UNAVAILABLE.
  ASSERT_TRUE(sub->Next(milliseconds(0), &got).ok());
  EXPECT_EQ(Offsets(got), std::vector<uint64_t>{2});
  s = sub->Next(milliseconds(60000), &got);
  EXPECT_EQ(s.code(), Code::kUnavailable);
  EXPECT_EQ(s.message(), "the server is stopping");
  // A watcher that subscribes after the close ends at once.
  EXPECT_EQ(feed.Subscribe()->Next(milliseconds(60000), &got).code(), Code::kUnavailable);
}

}  // namespace
}  // namespace sluice::host
