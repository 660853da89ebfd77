// Behaviour of the nats log beyond the conformance suite: several
// processes on one stream, a second writer, retried publishes, torn and
// corrupt messages, cleanup after truncation, and error messages.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "message_format.h"
#include "nats_client.h"
#include "nats_storage.h"
#include "server_env.h"
#include "sluice/testing/status_macros.h"
#include "test_server.h"

namespace sluice::log_nats {
namespace {

namespace t = testing;

std::unique_ptr<NatsStorage> NewStorage(
    const std::string& prefix, std::vector<std::pair<std::string, std::string>> extra = {}) {
  std::unique_ptr<NatsStorage> s;
  Status st = NatsStorage::Create(HostServices(), t::ServerOptions(prefix, std::move(extra)), &s);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return s;
}

std::unique_ptr<Log> OpenLog(StoragePlugin* storage, const std::string& name = "trips/v0001") {
  std::unique_ptr<Log> log;
  Status s = storage->OpenLog(name, "", true, &log);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return log;
}

Status AppendN(Log* log, const std::string& prefix, int n, const std::string& cp,
               uint64_t* first = nullptr) {
  std::vector<std::string> recs;
  for (int i = 0; i < n; ++i) recs.push_back(prefix + std::to_string(i));
  std::vector<std::string_view> views(recs.begin(), recs.end());
  uint64_t f = 0;
  Status s = log->Append(views.data(), views.size(), cp, true, &f);
  if (first) *first = f;
  return s;
}

std::vector<std::string> ReadAll(Log* log, Status* s) {
  std::vector<std::string> out;
  *s = log->Read(0, 1 << 30, [&](uint64_t off, std::string_view r) {
    EXPECT_EQ(off, out.size());
    out.emplace_back(r);
    return true;
  });
  return out;
}

// "end <n>, checkpoint '<cp>'" of `log`, or the error reading them.
std::string EndAndCheckpoint(Log* log) {
  uint64_t end = 0;
  std::string cp;
  Status s = log->End(&end);
  if (s.ok()) s = log->Checkpoint(&cp);
  if (!s.ok()) return s.ToString();
  return "end " + std::to_string(end) + ", checkpoint '" + cp + "'";
}

std::shared_ptr<NatsClient> Client() {
  Settings settings;
  settings.servers = {t::ServerUrl()};
  std::shared_ptr<NatsClient> c;
  Status s = NatsClient::Connect(settings, HostServices(), &c);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return c;
}

Outgoing Message(const std::string& subject, uint64_t seq, MessageHeaders h,
                 const std::string& payload) {
  Outgoing m;
  m.subject = subject;
  m.seq = seq;
  m.headers = {{kStartHeader, std::to_string(h.start)},
               {kFirstHeader, std::to_string(h.first)},
               {kCountHeader, std::to_string(h.count)}};
  if (h.frags > 1)
    m.headers.emplace_back(kFragHeader, std::to_string(h.frag) + "/" + std::to_string(h.frags));
  if (h.commit) m.headers.emplace_back(kCommitHeader, "1");
  m.payload = payload;
  return m;
}

// Two instances of the plugin on one fresh stream prefix, as two processes
// have them, each with the log "trips/v0001" open.
struct TwoProcesses {
  std::string prefix = t::FreshPrefix();
  std::unique_ptr<NatsStorage> storage[2] = {NewStorage(prefix), NewStorage(prefix)};
  std::unique_ptr<Log> log[2] = {OpenLog(storage[0].get()), OpenLog(storage[1].get())};
};

TEST(NatsLogTest, ReaderInAnotherProcessSeesAppendsAndTruncations) {
  TwoProcesses p;
  ASSERT_TRUE(p.log[0] && p.log[1]);
  Log* writer = p.log[0].get();
  Log* reader = p.log[1].get();
  SLUICE_ASSERT_OK(AppendN(writer, "a", 5, "cp-a"));
  SLUICE_ASSERT_OK(AppendN(writer, "b", 5, "cp-b"));
  EXPECT_EQ(EndAndCheckpoint(reader), "end 10, checkpoint 'cp-b'");
  SLUICE_ASSERT_OK(writer->Truncate(7, "cut"));
  SLUICE_ASSERT_OK(AppendN(writer, "c", 1, "cp-c"));
  Status s;
  std::vector<std::string> got = ReadAll(reader, &s);
  SLUICE_EXPECT_OK(s);
  std::vector<std::string> want = {"a0", "a1", "a2", "a3", "a4", "b0", "b1", "c0"};
  EXPECT_EQ(got, want);
  EXPECT_EQ(EndAndCheckpoint(reader), "end 8, checkpoint 'cp-c'");
}

TEST(NatsLogTest, ReadBeyondLocalEndCatchesUp) {
  TwoProcesses p;
  Log* writer = p.log[0].get();
  Log* reader = p.log[1].get();
  SLUICE_ASSERT_OK(AppendN(writer, "x", 3, "1"));
  std::vector<std::string> got;
  SLUICE_ASSERT_OK(reader->Read(2, 10, [&](uint64_t, std::string_view r) {
    got.emplace_back(r);
    return true;
  }));
  EXPECT_EQ(got, std::vector<std::string>{"x2"});
}

TEST(NatsLogTest, SecondWriterIsRefusedUntilItReopens) {
  TwoProcesses p;
  Log* first = p.log[0].get();
  Log* second = p.log[1].get();
  SLUICE_ASSERT_OK(AppendN(first, "a", 2, "a"));
  Status s = AppendN(second, "b", 2, "b");
  EXPECT_EQ(s.code(), Code::kFailedPrecondition) << s.ToString();
  EXPECT_NE(s.message().find("Only one process may write a log"), std::string::npos) << s.message();
  // The refused writer catches up before its next write.
  uint64_t at = 0;
  SLUICE_ASSERT_OK(AppendN(second, "b", 2, "b", &at));
  EXPECT_EQ(at, 2u);
  // Read stops at the end this process last saw; End() catches up.
  SLUICE_ASSERT_OK(first->End(&at));
  EXPECT_EQ(at, 4u);
  Status r;
  EXPECT_EQ(ReadAll(first, &r), (std::vector<std::string>{"a0", "a1", "b0", "b1"}));
  SLUICE_EXPECT_OK(r);
}

TEST(NatsLogTest, RetriedPublishIsDeduplicated) {
  auto client = Client();
  ASSERT_NE(client, nullptr);
  std::string stream = t::FreshPrefix() + "_dedup", subject = stream + ".s";
  SLUICE_ASSERT_OK(client->AddStream(stream, subject, "test"));
  std::string payload = "one";
  Outgoing m = Message(subject, 1, MessageHeaders{1, 0, 0, 1, 1, true}, payload);
  SLUICE_ASSERT_OK(client->Publish(stream, m));
  SLUICE_ASSERT_OK(client->Publish(stream, m));  // as after a lost acknowledgement
  StreamState st;
  SLUICE_ASSERT_OK(client->StreamInfo(stream, &st));
  EXPECT_EQ(st.last_seq, 1u);
  EXPECT_EQ(st.msgs, 1u);
  SLUICE_ASSERT_OK(client->DeleteStream(stream));
}

TEST(NatsLogTest, ExpectedSequenceRefusesAStaleWriter) {
  auto client = Client();
  std::string stream = t::FreshPrefix() + "_seq", subject = stream + ".s";
  SLUICE_ASSERT_OK(client->AddStream(stream, subject, "test"));
  Outgoing a = Message(subject, 1, MessageHeaders{1, 0, 0, 1, 1, true}, "a");
  a.writer = "A";
  SLUICE_ASSERT_OK(client->Publish(stream, a));
  // Writer B believes the stream is empty: refused, not deduplicated.
  Outgoing b = Message(subject, 1, MessageHeaders{1, 0, 0, 1, 1, true}, "b");
  b.writer = "B";
  Status s = client->Publish(stream, b);
  EXPECT_EQ(s.code(), Code::kFailedPrecondition) << s.ToString();
  // Writer A retrying its own message (lost acknowledgement) succeeds.
  SLUICE_EXPECT_OK(client->Publish(stream, a));
  StreamState st;
  SLUICE_ASSERT_OK(client->StreamInfo(stream, &st));
  EXPECT_EQ(st.msgs, 1u);
  SLUICE_ASSERT_OK(client->DeleteStream(stream));
}

TEST(NatsLogTest, TornAppendOfADeadWriterIsIgnored) {
  std::string prefix = t::FreshPrefix();
  auto storage = NewStorage(prefix);
  auto log = OpenLog(storage.get());
  SLUICE_ASSERT_OK(AppendN(log.get(), "a", 2, "a"));
  log.reset();
  // A writer died after the first of two fragments of its append.
  auto client = Client();
  StreamId id;
  SLUICE_ASSERT_OK(StreamIdFor(prefix, "trips/v0001", &id));
  StreamState st;
  SLUICE_ASSERT_OK(client->StreamInfo(id.stream, &st));
  std::string_view rec = "torn";
  std::string chunk;
  EncodeChunk(2, &rec, 1, true, "torn-cp", &chunk);
  uint64_t seq = st.last_seq + 1;
  SLUICE_ASSERT_OK(client->Publish(
      id.stream,
      Message(id.subject, seq, MessageHeaders{seq, 2, 1, 1, 2, false}, chunk.substr(0, 5))));
  log = OpenLog(storage.get());
  EXPECT_EQ(EndAndCheckpoint(log.get()), "end 2, checkpoint 'a'");
  uint64_t first = 0;
  SLUICE_ASSERT_OK(AppendN(log.get(), "b", 1, "b", &first));
  EXPECT_EQ(first, 2u);
  Status s;
  EXPECT_EQ(ReadAll(log.get(), &s), (std::vector<std::string>{"a0", "a1", "b0"}));
  SLUICE_EXPECT_OK(s);
}

TEST(NatsLogTest, CorruptPayloadIsDataLossNamingTheOffset) {
  std::string prefix = t::FreshPrefix();
  auto storage = NewStorage(prefix);
  auto log = OpenLog(storage.get());
  SLUICE_ASSERT_OK(AppendN(log.get(), "a", 2, "a"));
  auto client = Client();
  StreamId id;
  SLUICE_ASSERT_OK(StreamIdFor(prefix, "trips/v0001", &id));
  std::vector<std::string_view> recs = {"b0", "b1"};
  std::string chunk;
  EncodeChunk(2, recs.data(), 2, true, "b", &chunk);
  chunk[12] ^= 0x40;  // flip a bit of the first record
  SLUICE_ASSERT_OK(client->Publish(
      id.stream, Message(id.subject, 2, MessageHeaders{2, 2, 2, 1, 1, true}, chunk)));
  uint64_t end = 0;
  SLUICE_ASSERT_OK(log->End(&end));
  EXPECT_EQ(end, 4u);
  std::vector<std::string> got;
  Status s = log->Read(0, 10, [&](uint64_t, std::string_view r) {
    got.emplace_back(r);
    return true;
  });
  EXPECT_EQ(s.code(), Code::kDataLoss) << s.ToString();
  EXPECT_NE(s.message().find("offset 2: chunk in message 2: chunk checksum mismatch"),
            std::string::npos)
      << s.message();
  EXPECT_EQ(got, (std::vector<std::string>{"a0", "a1"}));
}

TEST(NatsLogTest, TruncateDeletesTheMessagesItReplaces) {
  std::string prefix = t::FreshPrefix();
  auto storage = NewStorage(prefix);
  auto log = OpenLog(storage.get());
  for (int i = 0; i < 4; ++i) SLUICE_ASSERT_OK(AppendN(log.get(), "a", 3, std::to_string(i)));
  auto client = Client();
  StreamId id;
  SLUICE_ASSERT_OK(StreamIdFor(prefix, "trips/v0001", &id));
  SLUICE_ASSERT_OK(log->Truncate(4, "cut"));  // keeps chunk 0, rewrites chunk 1's head
  StreamState st;
  SLUICE_ASSERT_OK(client->StreamInfo(id.stream, &st));
  EXPECT_EQ(st.msgs, 2u) << "first append plus the rewritten head";
  SLUICE_ASSERT_OK(log->Truncate(0, "zero"));
  SLUICE_ASSERT_OK(client->StreamInfo(id.stream, &st));
  EXPECT_EQ(st.msgs, 1u) << "only the commit that carries the checkpoint";
  log.reset();
  log = OpenLog(storage.get());
  std::string cp;
  SLUICE_ASSERT_OK(log->Checkpoint(&cp));
  EXPECT_EQ(cp, "zero");
}

TEST(NatsLogTest, StreamHoldingAnotherLogIsRefused) {
  std::string prefix = t::FreshPrefix();
  auto client = Client();
  StreamId id;
  SLUICE_ASSERT_OK(StreamIdFor(prefix, "trips/v0001", &id));
  SLUICE_ASSERT_OK(client->AddStream(id.stream, id.subject, "something else"));
  auto storage = NewStorage(prefix);
  std::unique_ptr<Log> log;
  Status s = storage->OpenLog("trips/v0001", "", true, &log);
  EXPECT_EQ(s.code(), Code::kFailedPrecondition) << s.ToString();
  EXPECT_NE(s.message().find("choose another stream_prefix"), std::string::npos) << s.message();
}

TEST(NatsLogTest, BadLogNameAndMissingStream) {
  auto storage = NewStorage(t::FreshPrefix());
  std::unique_ptr<Log> log;
  Status s = storage->OpenLog("trips.v1/x", "", true, &log);
  EXPECT_EQ(s.code(), Code::kInvalidArgument) << s.ToString();
  s = storage->OpenLog("trips/v0009", "", false, &log);
  EXPECT_EQ(s.code(), Code::kNotFound) << s.ToString();
  EXPECT_NE(s.message().find("open with create"), std::string::npos) << s.message();
  SLUICE_EXPECT_OK(storage->RemoveLog("trips/v0009", ""));  // absent: OK
}

TEST(NatsLogTest, LocalDirectoryGetsAMarkerRemovedWithTheLog) {
  std::string prefix = t::FreshPrefix();
  auto storage = NewStorage(prefix);
  std::string dir = t::MakeTempDir("sluice-nats-marker") + "/log";
  std::unique_ptr<Log> log;
  SLUICE_ASSERT_OK(storage->OpenLog("trips/v0001", dir, true, &log));
  std::ifstream marker(dir + "/NATS_STREAM");
  std::string text((std::istreambuf_iterator<char>(marker)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("stream " + prefix + "_trips_v0001\n"), std::string::npos) << text;
  log.reset();
  SLUICE_ASSERT_OK(storage->RemoveLog("trips/v0001", dir));
  EXPECT_FALSE(std::filesystem::exists(dir));
  std::filesystem::remove_all(std::filesystem::path(dir).parent_path());
}

TEST(NatsLogTest, UnreachableServerIsUnavailable) {
  std::unique_ptr<NatsStorage> s;
  Status st =
      NatsStorage::Create(HostServices(),
                          Options(std::vector<std::pair<std::string, std::string>>{
                              {"servers", "nats://127.0.0.1:1"}, {"connect_timeout_ms", "200"}}),
                          &s);
  EXPECT_EQ(st.code(), Code::kUnavailable) << st.ToString();
  EXPECT_NE(st.message().find("nats://127.0.0.1:1"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace sluice::log_nats
