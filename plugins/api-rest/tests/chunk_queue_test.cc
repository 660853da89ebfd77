// ChunkQueue (chunk_queue.h) and the shared blocks of SseGroup
// (sse_group.h): bytes come out in order whatever mix of owned and shared
// chunks went in, across partial writes to a real socket; a shared block
// lives exactly as long as the group or a queue refers to it; shared
// bytes count towards the queue's size like owned ones (the transport's
// bound on a stream's queued output, hence when a slow client falls
// behind and is cut off, does not change).
#include "chunk_queue.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <string>

#include "sse_group.h"

namespace sluice::rest {
namespace {

std::string Drain(const ChunkQueue& q) {
  std::string out(q.bytes(), '\0');
  EXPECT_EQ(q.CopyOut(out.data(), out.size()), out.size());
  return out;
}

std::shared_ptr<TextBlock> Block(size_t capacity = 64) {
  return std::make_shared<TextBlock>(capacity);
}

TEST(ChunkQueueTest, OwnedAndSharedBytesComeOutInOrder) {
  auto b = Block();
  std::shared_ptr<const TextBlock> cb = b;
  ChunkQueue q;
  q.Push("head\n");
  q.Share(cb, b->Append("one "));
  q.Share(cb, b->Append("two "));  // follows "one ": the same chunk
  EXPECT_EQ(q.chunks(), 2u);
  q.Copy("beat ");
  q.OwnedTail()->append("more ");  // into the same owned chunk
  q.Share(cb, b->Append("three"));
  EXPECT_EQ(q.chunks(), 4u);
  EXPECT_EQ(q.bytes(), 28u);
  EXPECT_EQ(Drain(q), "head\none two beat more three");
  iovec iov[8];
  ASSERT_EQ(q.Gather(iov, 8), 4);
  EXPECT_EQ(std::string(static_cast<char*>(iov[1].iov_base), iov[1].iov_len), "one two ");
  EXPECT_EQ(q.Gather(iov, 2), 2);  // no more than asked
}

TEST(ChunkQueueTest, RangesApartOrInOtherBlocksAreSeparateChunks) {
  auto a = Block(), b = Block();
  std::shared_ptr<const TextBlock> ca = a, cb = b;
  ChunkQueue q;
  std::string_view x = a->Append("x");
  a->Append("skipped");
  q.Share(ca, x);
  q.Share(ca, a->Append("y"));  // not where x ends
  q.Share(cb, b->Append("z"));  // another block
  EXPECT_EQ(q.chunks(), 3u);
  EXPECT_EQ(Drain(q), "xyz");
}

TEST(ChunkQueueTest, ConsumeAcrossChunksKeepsTheRest) {
  auto b = Block();
  std::shared_ptr<const TextBlock> cb = b;
  ChunkQueue q;
  q.Push("abc");
  q.Share(cb, b->Append("defg"));
  q.Push("hi");
  q.Consume(1);
  EXPECT_EQ(q.Front(), "bc");
  q.Consume(4);  // "bc" and "de"
  EXPECT_EQ(q.Front(), "fg");
  EXPECT_EQ(q.chunks(), 2u);
  EXPECT_EQ(Drain(q), "fghi");
  q.Consume(4);
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.chunks(), 0u);
  q.Copy("again");  // an emptied queue takes more
  EXPECT_EQ(Drain(q), "again");
}

TEST(ChunkQueueTest, ABlockLivesUntilItsLastRangeIsConsumed) {
  std::weak_ptr<TextBlock> watch;
  ChunkQueue q;
  {
    auto b = Block();
    watch = b;
    q.Share(b, b->Append("kept"));
    q.Push("owned");
  }
  EXPECT_FALSE(watch.expired());  // the queue holds it
  EXPECT_EQ(Drain(q), "keptowned");
  q.Consume(3);
  EXPECT_FALSE(watch.expired());  // one byte of it left
  q.Consume(1);
  EXPECT_TRUE(watch.expired());
  EXPECT_EQ(Drain(q), "owned");
}

TEST(ChunkQueueTest, AQueueThatNeverDrainsStaysBounded) {
  auto b = std::make_shared<TextBlock>(1 << 20);
  std::shared_ptr<const TextBlock> cb = b;
  ChunkQueue q;
  q.Push("x");
  for (int i = 0; i < 10000; ++i) {
    q.Share(cb, b->Append("ab"));
    q.Push("cd");  // never merged: every other chunk is owned
    q.Consume(4);  // never empty: a byte behind
    ASSERT_LE(q.chunks(), 40u) << "at " << i;
  }
  EXPECT_EQ(Drain(q), "d");
}

TEST(ChunkQueueTest, SharedBytesCountLikeOwnedOnes) {
  // The transport pulls a stream while bytes() < its high water mark;
  // referring instead of copying must not let a slow client queue more.
  auto b = Block(1 << 16);
  std::shared_ptr<const TextBlock> cb = b;
  ChunkQueue shared, owned;
  std::string event(200, 'e');
  while (shared.bytes() < 16384) {
    shared.Share(cb, b->Append(event));
    owned.Copy(event);
  }
  EXPECT_EQ(shared.bytes(), owned.bytes());
  EXPECT_EQ(shared.chunks(), 1u);
}

// Writes q to a socket whose buffer is small, as the transport does
// (gather, then consume what the kernel took), reading the other end.
TEST(ChunkQueueTest, PartialWritesToASocketDeliverEveryByteInOrder) {
  int fds[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
  int small = 4096;
  setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
  auto b = std::make_shared<TextBlock>(1 << 20);
  std::shared_ptr<const TextBlock> cb = b;
  ChunkQueue q;
  std::string expected;
  for (int i = 0; i < 2000; ++i) {
    std::string text = "event " + std::to_string(i) + "\n";
    if (i % 3 == 0) q.Copy(text);
    else q.Share(cb, b->Append(text));
    expected += text;
  }
  std::string got;
  int partial = 0;
  char buf[1000];
  while (!q.empty() || got.size() < expected.size()) {
    iovec iov[64];
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = static_cast<size_t>(q.Gather(iov, 64));
    if (msg.msg_iovlen > 0) {
      ssize_t n = sendmsg(fds[0], &msg, MSG_DONTWAIT);
      if (n > 0) {
        if (static_cast<size_t>(n) < q.bytes()) ++partial;
        q.Consume(static_cast<size_t>(n));
      } else {
        ASSERT_TRUE(errno == EAGAIN || errno == EWOULDBLOCK) << errno;
      }
    }
    ssize_t r = read(fds[1], buf, sizeof buf);  // less than was sent: the writer waits
    if (r > 0) got.append(buf, static_cast<size_t>(r));
  }
  close(fds[0]);
  close(fds[1]);
  EXPECT_EQ(got, expected);
  EXPECT_GT(partial, 0);
}

TEST(SseGroupTest, StreamsOfAGroupShareOneCopy) {
  auto g = SseGroup::Join(991, true);
  auto other = SseGroup::Join(991, true);  // a second stream holds it
  ASSERT_EQ(g, other);
  std::unique_lock<std::mutex> lock(g->mu());
  uint64_t c1 = 0, c2 = 0;
  SseGroup::Text kept, found;
  ASSERT_TRUE(g->Add(1, 7, "id: 7\n\n", &c1, true, &kept));
  ASSERT_TRUE(g->Find(1, 7, &c2, &found));
  EXPECT_EQ(found.text, "id: 7\n\n");
  EXPECT_EQ(found.text.data(), kept.text.data());  // the same bytes, not a copy
  EXPECT_FALSE(g->Find(1, 8, &c2, &found));
  EXPECT_FALSE(g->Add(1, 6, "older", &c1, true, &kept));   // behind what is kept
  EXPECT_FALSE(g->Add(1, 9, "alone", &c1, false, &kept));  // nobody to share with
  EXPECT_FALSE(g->Find(1, 7, &c2, &found));                // and forgotten
}

TEST(SseGroupTest, QueuedTextOutlivesTheGroupsWindow) {
  auto g = SseGroup::Join(992, false);
  std::unique_lock<std::mutex> lock(g->mu());
  uint64_t cursor = 0;
  SseGroup::Text t;
  std::string event(1000, 'x');
  ChunkQueue slow;  // a stream that queued the first events and stopped reading
  std::weak_ptr<const TextBlock> first;
  for (uint64_t off = 0; off < 20; ++off) {
    ASSERT_TRUE(g->Add(1, off, event, &cursor, true, &t));
    slow.Share(*t.block, t.text);
    if (off == 0) first = *t.block;
  }
  EXPECT_EQ(slow.chunks(), 2u);  // 16 events fill a block, then the next
  size_t total = SseGroup::kMaxBytes / event.size() * 2;
  for (uint64_t off = 20; off < total; ++off) ASSERT_TRUE(g->Add(1, off, event, &cursor, true, &t));
  EXPECT_LE(g->bytes(), SseGroup::kMaxBytes);
  size_t per_block = SseGroup::kBlockBytes / event.size() * event.size();
  EXPECT_LE(g->blocks(), SseGroup::kMaxBytes / per_block + 2);
  EXPECT_FALSE(g->Find(1, 0, &cursor, &t));  // the group dropped them
  EXPECT_FALSE(first.expired());             // the queue did not
  EXPECT_EQ(Drain(slow), [&] {
    std::string all;
    for (int i = 0; i < 20; ++i) all += event;
    return all;
  }());
  slow.Consume(slow.bytes());
  EXPECT_TRUE(first.expired());
}

}  // namespace
}  // namespace sluice::rest
