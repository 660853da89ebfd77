// A 3-node JetStream cluster (tests/nats/cluster.py), a stream with 3
// replicas, and a writer appending while the node leading the stream is
// stopped and later restarted: every append must succeed (retrying through
// the leader election), and the log must end up with every record exactly
// once, in order, with the last checkpoint.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "nats_storage.h"
#include "sluice/testing/status_macros.h"
#include "test_server.h"

namespace sluice::log_nats {
namespace {

using testing::Cluster;

std::unique_ptr<NatsStorage> ClusterStorage(const std::string& urls) {
  std::unique_ptr<NatsStorage> s;
  Status st = NatsStorage::Create(
      HostServices(),
      Options(std::vector<std::pair<std::string, std::string>>{{"servers", urls},
                                                               {"replicas", "3"},
                                                               {"request_timeout_ms", "2000"},
                                                               {"retry_timeout_ms", "60000"}}),
      &s);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return s;
}

// Index (0-2) of the node that leads `stream`, or -1.
int LeaderOf(const std::string& urls, const std::string& stream) {
  natsConnection* nc = nullptr;
  jsCtx* js = nullptr;
  jsStreamInfo* si = nullptr;
  int leader = -1;
  if (natsConnection_ConnectTo(&nc, urls.c_str()) == NATS_OK &&
      natsConnection_JetStream(&js, nc, nullptr) == NATS_OK &&
      js_GetStreamInfo(&si, js, stream.c_str(), nullptr, nullptr) == NATS_OK && si->Cluster &&
      si->Cluster->Leader && si->Cluster->Leader[0] == 'n')
    leader = si->Cluster->Leader[1] - '0';
  if (si) jsStreamInfo_Destroy(si);
  if (js) jsCtx_Destroy(js);
  if (nc) natsConnection_Destroy(nc);
  return leader;
}

TEST(NatsClusterTest, AppendsSurviveTheLeaderStoppingAndRestarting) {
  if (testing::FindNatsServer().empty()) GTEST_SKIP() << "nats-server is not installed";
  Cluster cluster;
  std::string error;
  ASSERT_TRUE(cluster.Up(&error)) << error;
  auto storage = ClusterStorage(cluster.urls());
  ASSERT_NE(storage, nullptr);
  std::unique_ptr<Log> log;
  SLUICE_ASSERT_OK(storage->OpenLog("trips/v0001", "", true, &log));

  constexpr int kBatches = 120, kPerBatch = 5;
  std::atomic<int> done{0};
  Status failed;
  std::thread writer([&] {
    for (int b = 0; b < kBatches; ++b) {
      std::vector<std::string> recs;
      for (int i = 0; i < kPerBatch; ++i) recs.push_back("r" + std::to_string(b * kPerBatch + i));
      std::vector<std::string_view> views(recs.begin(), recs.end());
      uint64_t first = 0;
      Status s =
          log->Append(views.data(), views.size(), "batch-" + std::to_string(b), true, &first);
      if (s.ok() && first != uint64_t(b) * kPerBatch)
        s = Internal("append " + std::to_string(b) + " got offset " + std::to_string(first));
      if (!s.ok()) return void(failed = s);
      done = b + 1;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  while (done < kBatches / 4 && failed.ok())
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  int leader = LeaderOf(cluster.urls(), "sluice_trips_v0001");
  int victim = leader >= 0 ? leader : 0;
  ASSERT_TRUE(cluster.StopNode(victim));
  int before = done;
  while (done < before + kBatches / 4 && failed.ok() && done < kBatches)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_TRUE(cluster.StartNode(victim));
  writer.join();
  SLUICE_ASSERT_OK(failed);
  ASSERT_EQ(done.load(), kBatches);
  EXPECT_GE(leader, 0) << "could not tell the stream leader; stopped node 0 instead";

  // A fresh client (another process, as far as the log can tell) sees every
  // record exactly once.
  ASSERT_TRUE(cluster.Wait());
  auto reader_storage = ClusterStorage(cluster.urls());
  std::unique_ptr<Log> reader;
  SLUICE_ASSERT_OK(reader_storage->OpenLog("trips/v0001", "", false, &reader));
  uint64_t end = 0;
  SLUICE_ASSERT_OK(reader->End(&end));
  EXPECT_EQ(end, uint64_t{kBatches} * kPerBatch);
  std::string cp;
  SLUICE_ASSERT_OK(reader->Checkpoint(&cp));
  EXPECT_EQ(cp, "batch-" + std::to_string(kBatches - 1));
  uint64_t next = 0;
  SLUICE_ASSERT_OK(reader->Read(0, 1 << 20, [&](uint64_t off, std::string_view rec) {
    EXPECT_EQ(off, next);
    EXPECT_EQ(rec, "r" + std::to_string(off));
    ++next;
    return true;
  }));
  EXPECT_EQ(next, end);
}

}  // namespace
}  // namespace sluice::log_nats
