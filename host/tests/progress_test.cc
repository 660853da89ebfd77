// Progress: recent rates, ETA, idle sources logged once, finished sources
// reported once and dropped, ingest sources reading their counters.
#include "pipeline/progress.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>

namespace sluice::host {
namespace {

using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

// A source whose sample the test sets.
struct Fake {
  std::shared_ptr<ProgressSample> now = std::make_shared<ProgressSample>();
  ProgressSource source(const std::string& name) const {
    auto s = now;
    return {name, [s] { return *s; }};
  }
};

// Progress whose own thread never samples during a test.
std::unique_ptr<Progress> Quiet(std::vector<ProgressSource> sources = {}) {
  return std::make_unique<Progress>(std::move(sources), /*terminal=*/false, std::chrono::hours(1));
}

TEST(ProgressTest, RateIsRecentNotALifetimeAverage) {
  Fake f;
  f.now->unit = ProgressSample::Unit::kRecords;
  f.now->total = 100000;
  auto p = Quiet();
  p->Add(f.source("trips v1 cache"));
  Clock::time_point t0 = Clock::now();
  p->Sample(t0);
  f.now->rows = f.now->done = 50000;
  p->Sample(t0 + seconds(1));
  // 50k rows in 1 s, half of the 100k records done: 50k rows/s, 1 s to go.
  EXPECT_EQ(p->Line(),
            "trips v1 cache: 50.0k rows, 50.0k/100.0k log records, 50.0k rows/s, ETA 0:01");
  // Idle for 10 s: the lifetime average would still be 5k rows/s.
  p->Sample(t0 + seconds(11));
  EXPECT_EQ(p->Line(), "trips v1 cache: 50.0k rows, 50.0k/100.0k log records, 0 rows/s");
}

TEST(ProgressTest, IdleSourcesAreLoggedOnce) {
  Fake a, b;
  auto p = Quiet();
  p->Add(a.source("a"));
  p->Add(b.source("b"));
  p->Sample();
  EXPECT_NE(p->ChangedLine().find("a: 0 rows"), std::string::npos);
  EXPECT_EQ(p->ChangedLine(), "");  // nothing changed
  b.now->rows = 10;
  p->Sample();
  std::string line = p->ChangedLine();
  EXPECT_EQ(line.find("a:"), std::string::npos) << line;
  EXPECT_EQ(line.rfind("b: 10 rows", 0), 0u) << line;
  b.now->at_end = true;  // a change of state is logged too
  p->Sample();
  line = p->ChangedLine();
  EXPECT_EQ(line.rfind("b: 10 rows, 0 B, ", 0), 0u) << line;
  EXPECT_NE(line.find(" rows/s, caught up"), std::string::npos) << line;
}

TEST(ProgressTest, AStoppedSourceSaysWhyInsteadOfARate) {
  Fake f;
  f.now->rows = 1200;
  f.now->state = "failed: t.csv:3: expected int64";
  auto p = Quiet({f.source("t")});
  EXPECT_EQ(p->Line(), "t: failed: t.csv:3: expected int64 (1200 rows done)");
  f.now->state = "waiting: an incomplete last line";
  p->Sample();
  EXPECT_EQ(p->Line(), "t: 1200 rows, 0 B, 0 rows/s, waiting: an incomplete last line");
}

TEST(ProgressTest, FinishedSourcesGetOneFinalLineAndAreDropped) {
  Fake built, idle, gone, stays;
  auto p = Quiet();
  for (auto [f, name] :
       {std::pair{&built, "built"}, {&idle, "idle"}, {&gone, "gone"}, {&stays, "stays"}})
    p->Add(f->source(name));
  Clock::time_point t0 = Clock::now();
  p->Sample(t0);
  built.now->rows = built.now->done = built.now->total = 5000;
  built.now->unit = ProgressSample::Unit::kRecords;
  built.now->finished = true;
  idle.now->finished = true;  // did nothing while shown: dropped without a line
  gone.now->gone = true;
  std::vector<std::string> lines = p->Sample(t0 + seconds(2));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "built: 5000 rows, 5000/5000 log records, 2500 rows/s, caught up");
  EXPECT_EQ(p->Line(), "stays: 0 rows, 0 B, 0 rows/s");
  EXPECT_TRUE(p->Sample().empty());
}

TEST(ProgressTest, AddingANameAgainReplacesTheSource) {
  Fake first, second;
  second.now->rows = 7;
  auto p = Quiet({first.source("x")});
  p->Add(second.source("x"));
  p->Sample();
  EXPECT_EQ(p->Line(), "x: 7 rows, 0 B, 0 rows/s");
}

TEST(ProgressTest, IngestSourcesReadTheirCountersAndState) {
  IngestStats stats;
  stats.rows = 3000;
  stats.bytes_done = 1000;
  stats.bytes_total = 4000;
  stats.rejected = 2;
  IngestBoard board;
  auto p = Quiet({IngestProgressSource("trips", &stats, &board)});
  EXPECT_EQ(p->Line(), "trips: 3000 rows, 1.0 kB/4.0 kB, 0 rows/s, 2 rejected");
  board.Set("trips", 1, IngestPhase::kFailed, "t.csv:9: bad");
  p->Sample();
  EXPECT_EQ(p->Line(), "trips: failed: t.csv:9: bad (3000 rows done)");
}

}  // namespace
}  // namespace sluice::host
