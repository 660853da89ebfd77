// Ingester against a scripted in-process source and a real LevelDB log:
// transactions (empty row offsets) are committed whole, commits are
// acknowledged to the reader, a reader that can wait is asked to instead of
// the poll sleep, and ABORTED stops the endpoint after the whole
// transactions before it.
#include "pipeline/ingester.h"

#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <mutex>
#include <thread>

#include "tests/test_util.h"

namespace sluice::host {
namespace {

struct ScriptRow {
  int64_t id;
  std::string offset;  // empty: continues a transaction
  sluice_op op = SLUICE_OP_INSERT;
  bool malformed = false;  // two values where the schema has one field
};
// One answer of Next: rows and at_end, or an error.
struct Step {
  std::vector<ScriptRow> rows;
  bool at_end = false;
  Status error;
};

// What the source saw, shared with the test.
struct Seen {
  std::mutex mu;
  std::vector<std::string> committed;
  int waits = 0;
  uint32_t max_wait_ms = 0;
  ReaderScope scope;
  std::string open_offset;
};

class ScriptedReader : public SourceReader {
 public:
  ScriptedReader(std::deque<Step> steps, Seen* seen) : steps_(std::move(steps)), seen_(seen) {}
  Status Next(uint32_t max_rows, RowBatchBuilder* out, BatchInfo* info) override {
    if (steps_.empty()) {
      info->at_end = true;
      return Status();
    }
    Step step = std::move(steps_.front());
    steps_.pop_front();
    if (!step.error.ok()) return step.error;
    EXPECT_LE(step.rows.size(), max_rows);
    for (const ScriptRow& r : step.rows) {
      RowWriter w(out->row_buffer(), r.malformed ? 2 : 1);
      w.Int64(r.id);
      if (r.malformed) w.Int64(r.id);
      out->EndRow(r.op, r.offset);
    }
    info->at_end = step.at_end;
    return Status();
  }
  Status Committed(std::string_view offset) override {
    std::lock_guard<std::mutex> lock(seen_->mu);
    seen_->committed.emplace_back(offset);
    return Status();
  }
  Status Wait(uint32_t timeout_ms) override {
    {
      std::lock_guard<std::mutex> lock(seen_->mu);
      ++seen_->waits;
      seen_->max_wait_ms = std::max(seen_->max_wait_ms, timeout_ms);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    return Status();
  }

 private:
  std::deque<Step> steps_;
  Seen* seen_;
};

class ScriptedSource : public SourcePlugin {
 public:
  ScriptedSource(std::deque<Step> steps, Seen* seen) : steps_(std::move(steps)), seen_(seen) {}
  Status Describe(const std::string&, const Options&, Schema*) override {
    return Unimplemented("not used");
  }
  Status OpenReader(const std::string&, const Options&, const Schema&, std::string_view,
                    std::unique_ptr<SourceReader>*) override {
    return FailedPrecondition("the host must open scoped readers");
  }
  Status OpenScopedReader(const ReaderScope& scope, const std::string&, const Options&,
                          const Schema&, std::string_view offset,
                          std::unique_ptr<SourceReader>* out) override {
    seen_->scope = scope;
    seen_->open_offset = std::string(offset);
    *out = std::make_unique<ScriptedReader>(steps_, seen_);
    return Status();
  }

 private:
  std::deque<Step> steps_;
  Seen* seen_;
};

// One commit of the log: its rows' ids and its source offset.
struct LoggedCommit {
  std::vector<int64_t> ids;
  std::string offset;
};

class IngesterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(testing::OpenLevelDbPlugin(&storage_).ok());
    endpoint_.name = "t";
    endpoint_.table = "t";
    endpoint_.primary_key = {"id"};
    schema_.schema.fields = {{"id", Type::kInt64, false}};
    schema_.schema.primary_key = {0};
  }
  std::shared_ptr<VersionLog> OpenLog() {
    std::unique_ptr<VersionLog> log;
    Status s = VersionLog::Open(*storage_, "t/v0001", (tmp_.path() / "log").string(), true, &log);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return std::shared_ptr<VersionLog>(std::move(log));
  }
  std::vector<LoggedCommit> Commits(VersionLog& log) {
    std::vector<LoggedCommit> out(1);
    Status s = log.Read(0, 1 << 20, [&](uint64_t, const LogRecord& r) {
      if (r.kind == RecordKind::kCommit) {
        CommitInfo info;
        EXPECT_TRUE(DecodeCommit(r.payload, &info).ok());
        out.back().offset = info.source_offset;
        out.emplace_back();
      } else {
        std::vector<Value> v;
        EXPECT_EQ(DecodeRow(schema_.schema, r.payload, &v), "");
        out.back().ids.push_back(v[0].i);
      }
      return true;
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    out.pop_back();
    return out;
  }

  // Runs an ingester of version 1 over `steps` into a fresh log (log_),
  // with `schema` (default schema_); counters go to *stats when given.
  Status RunScript(std::deque<Step> steps, const IngestOptions& io, IngestStats* stats = nullptr,
                   const TableSchema* schema = nullptr) {
    Seen seen;
    ScriptedSource source(std::move(steps), &seen);
    log_ = OpenLog();
    Ingester in(endpoint_, 1, schema ? *schema : schema_, &source, log_, io, stats);
    return in.Run();
  }

  testing::TempDir tmp_;
  std::unique_ptr<StoragePlugin> storage_;
  EndpointConfig endpoint_;
  TableSchema schema_;
  std::shared_ptr<VersionLog> log_;
};

TEST_F(IngesterTest, TransactionsAreCommittedWholeEvenPastCommitRows) {
  std::deque<Step> steps = {
      {{{1, ""}, {2, ""}, {3, "o3"}}, false, Status()},  // a transaction of 3 rows
      {{{4, ""}, {5, ""}}, false, Status()},             // 2 rows >= commit_rows, still open
      {{{6, ""}}, false, Status()},                      // still open
      {{{7, "o7"}, {8, "o8"}}, true, Status()},          // closed; then a one-row one
  };
  Seen seen;
  ScriptedSource source(steps, &seen);
  auto log = OpenLog();
  IngestOptions io;
  io.once = true;
  io.batch_rows = 10;
  io.commit_rows = 2;
  Ingester in(endpoint_, 1, schema_, &source, log, io);
  Status s = in.Run();
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::vector<LoggedCommit> commits = Commits(*log);
  ASSERT_EQ(commits.size(), 2u);
  EXPECT_EQ(commits[0].ids, (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(commits[0].offset, "o3");
  EXPECT_EQ(commits[1].ids, (std::vector<int64_t>{4, 5, 6, 7, 8}));
  EXPECT_EQ(commits[1].offset, "o8");
  EXPECT_EQ(seen.scope.endpoint, "t");
  EXPECT_EQ(seen.scope.version, 1u);
  // The last commit was acknowledged before the reader went away.
  ASSERT_FALSE(seen.committed.empty());
  EXPECT_EQ(seen.committed.back(), "o8");
}

TEST_F(IngesterTest, AbortedKeepsWholeTransactionsAndDropsAnOpenOne) {
  std::deque<Step> steps = {
      {{{1, "o1"}, {2, ""}}, false, Status()},  // row 2 opens a transaction
      {{},
       false,
       Status(Code::kAborted, "table t: column added: note (text); run `sluice migrate`")},
  };
  Seen seen;
  ScriptedSource source(steps, &seen);
  auto log = OpenLog();
  IngestOptions io;
  io.batch_rows = 10;
  Ingester in(endpoint_, 1, schema_, &source, log, io);
  Status s = in.Run();
  EXPECT_EQ(s.code(), Code::kAborted);
  EXPECT_NE(s.message().find("column added: note"), std::string::npos) << s.message();
  // The source's own message: the runner names the endpoint (its ingest state).
  std::vector<LoggedCommit> commits = Commits(*log);
  ASSERT_EQ(commits.size(), 1u);
  EXPECT_EQ(commits[0].ids, (std::vector<int64_t>{1}));
  EXPECT_EQ(log->checkpoint().source_offset, "o1");
}

TEST_F(IngesterTest, ReaderWaitsForDataAndHearsOfEveryCommit) {
  std::deque<Step> steps = {
      {{{1, "o1"}}, true, Status()},
      {{}, true, Status()},
      {{{2, ""}, {3, "o3"}}, true, Status()},
  };
  Seen seen;
  ScriptedSource source(steps, &seen);
  auto log = OpenLog();
  IngestOptions io;
  io.poll_interval_ms = 60000;  // a sleep this long would fail the deadline below
  Ingester in(endpoint_, 1, schema_, &source, log, io);
  Status result;
  std::thread t([&] { result = in.Run(); });
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(seen.mu);
      if (!seen.committed.empty() && seen.committed.back() == "o3" && seen.waits >= 3) break;
    }
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "commit o3 never acknowledged";
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  in.Stop();
  t.join();
  ASSERT_TRUE(result.ok()) << result.ToString();
  std::lock_guard<std::mutex> lock(seen.mu);
  EXPECT_LE(seen.max_wait_ms, 200u);  // bounded, whatever poll_interval_ms says
  for (size_t i = 1; i < seen.committed.size(); ++i)
    EXPECT_NE(seen.committed[i], "o1") << "an acknowledgement went backwards";
  EXPECT_EQ(Commits(*log).back().offset, "o3");
}

TEST_F(IngesterTest, ResumesFromTheLastWholeTransaction) {
  auto log = OpenLog();
  {
    CommitBuilder b;
    b.AddRow(SLUICE_OP_INSERT, [] {
      std::string row;
      RowWriter w(&row, 1);
      w.Int64(1);
      return row;
    }());
    ASSERT_TRUE(log->Commit(b, "o1", 0).ok());
  }
  Seen seen;
  ScriptedSource source({{{{2, ""}}, false, Status()}}, &seen);
  IngestOptions io;
  io.once = true;
  Ingester in(endpoint_, 1, schema_, &source, log, io);
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    in.Stop();
  });
  Status s = in.Run();
  stopper.join();
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(seen.open_offset, "o1");
  // Row 2 opened a transaction that never closed: not committed.
  std::vector<LoggedCommit> commits = Commits(*log);
  ASSERT_GE(commits.size(), 1u);
  for (const LoggedCommit& c : commits) EXPECT_EQ(c.offset, "o1");
  for (const LoggedCommit& c : commits)
    for (int64_t id : c.ids) EXPECT_EQ(id, 1);
}

// The commit loop without transactions: a commit once commit_rows are
// pending (after the batch that reached it), then the rest at the end of
// the input, each with the offset of its last row.
TEST_F(IngesterTest, CommitsBySizeThenAtTheEnd) {
  std::deque<Step> steps = {
      {{{1, "o1"}, {2, "o2"}, {3, "o3"}}, false, Status()},
      {{{4, "o4"}}, true, Status()},
  };
  IngestOptions io;
  io.once = true;
  io.commit_rows = 2;
  io.commit_interval_ms = 3600000;
  IngestStats stats;
  ASSERT_TRUE(RunScript(steps, io, &stats).ok());
  std::vector<LoggedCommit> commits = Commits(*log_);
  ASSERT_EQ(commits.size(), 2u);
  EXPECT_EQ(commits[0].ids, (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(commits[0].offset, "o3");
  EXPECT_EQ(commits[1].ids, (std::vector<int64_t>{4}));
  EXPECT_EQ(commits[1].offset, "o4");
  EXPECT_EQ(log_->checkpoint().flags & kCommitSourceAtEnd, kCommitSourceAtEnd);
  EXPECT_EQ(stats.rows.load(), 4u);
  EXPECT_TRUE(stats.at_end.load());
}

// Commits by time (an interval of 0: every batch is old enough), and the
// end of the input reached with nothing pending after such a commit: an
// empty commit must say the input ended, or a restarted server would never
// find the version complete (test_recovery.py's size-commit case).
TEST_F(IngesterTest, ATimedCommitBeforeTheEndIsFollowedByAnEmptyEndCommit) {
  std::deque<Step> steps = {
      {{{1, "o1"}}, false, Status()},
      {{{2, "o2"}}, false, Status()},
      {{}, true, Status()},
  };
  IngestOptions io;
  io.once = true;
  io.commit_interval_ms = 0;
  std::vector<IngestPhase> phases;
  io.on_phase = [&](IngestPhase p, const std::string&) { phases.push_back(p); };
  ASSERT_TRUE(RunScript(steps, io).ok());
  std::vector<LoggedCommit> commits = Commits(*log_);
  ASSERT_EQ(commits.size(), 3u);
  EXPECT_EQ(commits[0].ids, std::vector<int64_t>{1});
  EXPECT_EQ(commits[1].ids, std::vector<int64_t>{2});
  EXPECT_TRUE(commits[2].ids.empty());
  EXPECT_EQ(commits[2].offset, "o2");
  EXPECT_EQ(log_->checkpoint().flags & kCommitSourceAtEnd, kCommitSourceAtEnd);
  EXPECT_EQ(phases, (std::vector<IngestPhase>{IngestPhase::kRunning, IngestPhase::kCaughtUp}));
}

// Under --once, an input that ends with the source waiting is stuck: an
// error carrying the source's note, after the rows before it are committed.
TEST_F(IngesterTest, OnceWithTheSourceStillWaitingIsAnError) {
  struct NoteReader : SourceReader {
    Status Next(uint32_t, RowBatchBuilder* out, BatchInfo* info) override {
      if (!sent) {
        RowWriter w(out->row_buffer(), 1);
        w.Int64(1);
        out->EndRow(SLUICE_OP_INSERT, "o1");
        sent = true;
      }
      info->at_end = true;
      info->note = "trips.csv: the last line has no newline yet";
      return Status();
    }
    bool sent = false;
  };
  struct NoteSource : SourcePlugin {
    Status Describe(const std::string&, const Options&, Schema*) override {
      return Unimplemented("not used");
    }
    Status OpenReader(const std::string&, const Options&, const Schema&, std::string_view,
                      std::unique_ptr<SourceReader>* out) override {
      *out = std::make_unique<NoteReader>();
      return Status();
    }
  } source;
  auto log = OpenLog();
  IngestOptions io;
  io.once = true;
  std::vector<std::pair<IngestPhase, std::string>> phases;
  io.on_phase = [&](IngestPhase p, const std::string& d) { phases.push_back({p, d}); };
  Ingester in(endpoint_, 1, schema_, &source, log, io);
  Status s = in.Run();
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(), "trips.csv: the last line has no newline yet");
  ASSERT_EQ(Commits(*log).size(), 1u);
  EXPECT_EQ(Commits(*log)[0].ids, std::vector<int64_t>{1});
  ASSERT_FALSE(phases.empty());
  EXPECT_EQ(phases.back().first, IngestPhase::kWaiting);
  EXPECT_EQ(phases.back().second, "trips.csv: the last line has no newline yet");
}

// A row the schema cannot decode is the source plugin's bug: the ingest
// stops naming the row, after committing the whole rows before it.
TEST_F(IngesterTest, AMalformedSourceRowStopsAfterTheRowsBeforeIt) {
  std::deque<Step> steps = {
      {{{1, "o1"}, {2, "o2"}, {3, "o3", SLUICE_OP_INSERT, /*malformed=*/true}}, false, Status()},
  };
  IngestOptions io;
  io.once = true;
  Status s = RunScript(steps, io);
  EXPECT_EQ(s.code(), Code::kInternal);
  EXPECT_EQ(s.message().rfind("source row 2 does not match the schema (", 0), 0u) << s.message();
  EXPECT_NE(s.message().find("); this is a bug in the source plugin"), std::string::npos);
  std::vector<LoggedCommit> commits = Commits(*log_);
  ASSERT_EQ(commits.size(), 1u);
  EXPECT_EQ(commits[0].ids, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(commits[0].offset, "o2");
}

// An endpoint without a primary key (rows keyed by log position) cannot
// apply updates or deletes: refused, saying what to configure.
TEST_F(IngesterTest, ADeleteForAnEndpointWithoutAKeyIsRefused) {
  TableSchema row_keyed;
  row_keyed.schema.fields = {{"id", Type::kInt64, true}, {"_row", Type::kInt64, false}};
  row_keyed.schema.primary_key = {1};
  row_keyed.row_key = true;
  std::deque<Step> steps = {
      {{{1, "o1"}, {1, "o2", SLUICE_OP_DELETE}}, false, Status()},
  };
  IngestOptions io;
  io.once = true;
  Status s = RunScript(steps, io, nullptr, &row_keyed);
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_EQ(s.message(),
            "the source sent an update or delete, but the endpoint has no primary key to apply it "
            "by (its rows are keyed by log position, _row); set index.primary_key");
  std::vector<LoggedCommit> commits = Commits(*log_);
  ASSERT_EQ(commits.size(), 1u);
  EXPECT_EQ(commits[0].ids, std::vector<int64_t>{1});
}

}  // namespace
}  // namespace sluice::host
