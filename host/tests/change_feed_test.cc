// ChangeFeed (registry/change_feed.h): the window of applied changes that
// every change feed of a version reads (registry/feed.h). What the ring
// holds and hands out by offset, what it drops (nobody reads; a rebuilt
// cache applying again), its bound, and the wakes of waiting feeds.
#include "registry/change_feed.h"

#include <gtest/gtest.h>

#include <thread>

namespace sluice::host {
namespace {

// n ops from log offset `first`, each followed by its commit record in the
// log: the apply ends at first + 2n.
std::vector<CacheOp> Ops(uint64_t first, size_t n, std::vector<std::string>* rows) {
  rows->clear();
  for (size_t i = 0; i < n; ++i) rows->push_back("row" + std::to_string(first + 2 * i));
  std::vector<CacheOp> ops;
  for (size_t i = 0; i < n; ++i) ops.push_back({SLUICE_OP_INSERT, (*rows)[i], first + 2 * i});
  return ops;
}

void Publish(ChangeFeed& feed, uint64_t first, size_t n) {
  std::vector<std::string> rows;
  feed.Publish(Ops(first, n, &rows), first + 2 * n);
}

// Offsets and rows of the changes at or after `from`.
std::vector<std::pair<uint64_t, std::string>> Read(const ChangeFeed& feed, uint64_t from,
                                                   ChangeFeed::Window* w) {
  std::vector<std::shared_ptr<const ChangeFeed::Batch>> batches;
  feed.Read(from, &batches, w);
  std::vector<std::pair<uint64_t, std::string>> out;
  for (const auto& b : batches)
    for (const auto& c : b->changes)
      if (c.offset >= from) out.emplace_back(c.offset, std::string(b->row(c)));
  return out;
}

struct Counter {
  ChangeFeed::Subscriber sub;
  std::atomic<int> wakes{0};
  Counter() {
    sub.wake = [](void* self) { ++static_cast<Counter*>(self)->wakes; };
    sub.wake_ctx = this;
  }
};

TEST(ChangeFeedTest, KeepsWhatIsAppliedWhileSomeoneReadsAndHandsItOutByOffset) {
  ChangeFeed feed;
  feed.Init(10);
  Publish(feed, 10, 2);  // nobody reads: only the end moves
  ChangeFeed::Window w;
  EXPECT_TRUE(Read(feed, 0, &w).empty());
  EXPECT_EQ(w.end, 14u);
  EXPECT_EQ(w.ring_start, 14u);  // a reader before it reads the log
  Counter c;
  feed.Add(&c.sub);
  EXPECT_EQ(feed.subscribers(), 1u);
  Publish(feed, 14, 2);
  Publish(feed, 18, 1);
  auto got = Read(feed, 16, &w);
  EXPECT_EQ(w.ring_start, 14u);
  EXPECT_EQ(w.end, 20u);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], std::make_pair(uint64_t{16}, std::string("row16")));
  EXPECT_EQ(got[1], std::make_pair(uint64_t{18}, std::string("row18")));
  EXPECT_TRUE(Read(feed, 20, &w).empty());
  feed.Remove(&c.sub);
  EXPECT_EQ(feed.subscribers(), 0u);
  EXPECT_EQ(feed.Peek().ring_start, 20u);  // nobody reads: the ring is freed
}

TEST(ChangeFeedTest, AReaderAsksForAsManyChangesAsItWillHandOut) {
  ChangeFeed feed;
  Counter c;
  feed.Add(&c.sub);
  for (uint64_t first = 0; first < 200; first += 20) Publish(feed, first, 10);  // 10 batches of 10
  ChangeFeed::Window w;
  std::vector<std::shared_ptr<const ChangeFeed::Batch>> batches;
  feed.Read(42, &batches, &w, 15);  // from inside the third batch
  ASSERT_EQ(batches.size(), 2u);    // the batch holding 42, then one more (10 changes each)
  EXPECT_EQ(batches[0]->first, 40u);
  EXPECT_EQ(batches[1]->first, 60u);
  EXPECT_EQ(w.end, 200u);
  feed.Read(42, &batches, &w);  // no limit: every batch from there
  EXPECT_EQ(batches.size(), 8u);
  feed.Read(200, &batches, &w, 15);
  EXPECT_TRUE(batches.empty());
  feed.Remove(&c.sub);
}

TEST(ChangeFeedTest, ARebuiltCacheApplyingAgainPublishesNothingTwice) {
  ChangeFeed feed;
  Counter c;
  feed.Add(&c.sub);
  Publish(feed, 0, 3);  // ends at 6
  Publish(feed, 0, 5);  // the cache rebuilt from scratch: 0..5 again, then 6 and 8
  ChangeFeed::Window w;
  auto got = Read(feed, 0, &w);
  std::vector<uint64_t> offsets;
  for (const auto& g : got) offsets.push_back(g.first);
  EXPECT_EQ(offsets, (std::vector<uint64_t>{0, 2, 4, 6, 8}));
  EXPECT_EQ(w.end, 10u);
  Publish(feed, 0, 2);  // behind the end: dropped
  EXPECT_EQ(feed.Peek().end, 10u);
  feed.Remove(&c.sub);
}

TEST(ChangeFeedTest, TheRingIsBoundedAndReadersBehindItAreToldWhereItStarts) {
  ChangeFeed feed;
  feed.SetRingLimit(4);
  Counter c;
  feed.Add(&c.sub);
  for (uint64_t first = 0; first < 40; first += 4) Publish(feed, first, 2);
  ChangeFeed::Window w;
  auto got = Read(feed, 0, &w);
  EXPECT_EQ(w.end, 40u);
  EXPECT_EQ(w.ring_start, 32u);  // two applies of two changes each are kept
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got.front().first, 32u);
  feed.Remove(&c.sub);
}

TEST(ChangeFeedTest, AnArmedReaderIsWokenOnceAndOnCloseFromAnyThread) {
  ChangeFeed feed;
  Counter c;
  feed.Add(&c.sub);
  Publish(feed, 0, 1);
  EXPECT_EQ(c.wakes.load(), 0);  // not armed: it is reading anyway
  c.sub.armed = true;
  std::thread publisher([&] {
    Publish(feed, 2, 1);
    Publish(feed, 4, 1);
  });
  publisher.join();
  EXPECT_EQ(c.wakes.load(), 1);  // one wake until it arms again
  c.sub.armed = true;
  feed.WakeAll();
  EXPECT_EQ(c.wakes.load(), 2);
  feed.Close();  // wakes even a reader that did not arm
  EXPECT_EQ(c.wakes.load(), 3);
  EXPECT_TRUE(feed.Peek().closed);
  feed.Remove(&c.sub);
}

TEST(ChangeFeedTest, FeedsOfTheSameFilterAndFieldsShareAGroupWithinTheirVersionOnly) {
  ChangeFeed v1, v2;
  uint64_t all = v1.Group(std::string("\0", 1));
  uint64_t zone = v1.Group(std::string("{\"zone\":2}") + '\0');
  EXPECT_NE(all, 0u);
  EXPECT_EQ(v1.Group(std::string("\0", 1)), all);  // same key, same group
  EXPECT_NE(zone, all);
  EXPECT_NE(v1.Group(std::string("\0id", 3)), all);  // other fields
  EXPECT_NE(v2.Group(std::string("\0", 1)), all);    // another version's feeds
}

}  // namespace
}  // namespace sluice::host
