#include "pipeline/ingester.h"

#include <deque>
#include <thread>
#include <vector>

#include "sluice/client/source_client.h"
#include "sluice/row.h"
#include "util/log.h"

namespace sluice::host {

using Clock = std::chrono::steady_clock;

namespace {

// Reads batches from a source reader, without a copy when the reader is a
// client of a plugin's C table (the usual case).
class BatchSource {
 public:
  explicit BatchSource(std::unique_ptr<SourceReader> reader)
      : reader_(std::move(reader)),
        client_(dynamic_cast<client::SourceReaderClient*>(reader_.get())) {}
  Status Next(uint32_t max_rows, const sluice_row_batch** out) {
    if (client_ != nullptr) return client_->NextBatch(max_rows, out);
    builder_.Clear();
    BatchInfo info;
    SLUICE_RETURN_IF_ERROR(reader_->Next(max_rows, &builder_, &info));
    *out = builder_.batch(info.rejected_rows, info.at_end, info.bytes_done, info.bytes_total);
    return Status();
  }

 private:
  std::unique_ptr<SourceReader> reader_;
  client::SourceReaderClient* client_;
  RowBatchBuilder builder_;
};

}  // namespace

// Hands finished commits from the reading thread to a writing thread, so
// that parsing the next rows overlaps with the durable write of the last
// ones. At most one commit waits while another is written; the reader
// blocks beyond that, which bounds memory.
class Ingester::CommitQueue {
 public:
  CommitQueue(VersionLog* log, IngestStats* stats)
      : log_(log), stats_(stats), thread_([this] { Run(); }) {}
  ~CommitQueue() { (void)Close(); }

  // Queues a commit; returns the writer's first error, if any, instead.
  Status Push(std::unique_ptr<Pending> p) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return queue_.empty() || !error_.ok(); });
    if (!error_.ok()) return error_;
    queue_.push_back(std::move(p));
    cv_.notify_all();
    return Status();
  }
  // Waits until every queued commit is written; returns the first error.
  Status Close() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      closed_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    return error_;
  }

 private:
  void Run() {
    for (;;) {
      std::unique_ptr<Pending> p;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return !queue_.empty() || closed_; });
        if (queue_.empty()) return;
        p = std::move(queue_.front());
        queue_.pop_front();
      }
      Status s = log_->Commit(p->rows, p->offset, p->flags);
      std::lock_guard<std::mutex> lock(mu_);
      if (s.ok()) {
        stats_->rows += p->rows.rows();
      } else if (error_.ok()) {
        error_ = s;
        queue_.clear();
      }
      cv_.notify_all();
    }
  }

  VersionLog* log_;
  IngestStats* stats_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<Pending>> queue_;
  bool closed_ = false;
  Status error_;
  std::thread thread_;
};

Ingester::Ingester(const EndpointConfig& endpoint, uint32_t version, const TableSchema& schema,
                   SourcePlugin* source, std::shared_ptr<VersionLog> log, IngestOptions options,
                   IngestStats* stats)
    : endpoint_(endpoint),
      version_(version),
      schema_(schema),
      source_(source),
      log_(std::move(log)),
      options_(std::move(options)),
      stats_(stats != nullptr ? *stats : own_stats_) {}

Ingester::~Ingester() = default;

void Ingester::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
}

bool Ingester::SleepUnlessStopped(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, d, [&] { return stop_.load(); });
  return !stop_;
}

Status Ingester::Flush(uint64_t flags) {
  auto next = std::make_unique<Pending>();
  std::swap(next, pending_);
  next->flags = flags;
  pending_->offset = next->offset;
  return queue_->Push(std::move(next));
}

void Ingester::Report(IngestPhase phase, const std::string& detail) {
  if (!options_.on_phase || (phase == reported_ && detail == reported_detail_)) return;
  reported_ = phase;
  reported_detail_ = detail;
  options_.on_phase(phase, detail);
}

Status Ingester::Run() {
  Status s = ReadLoop();
  Status w = queue_ ? queue_->Close() : Status();
  if (!w.ok() && s.ok()) s = w;
  log::Info("app", "ingest stopped",
            {{"endpoint", endpoint_.name},
             {"rows", std::to_string(stats_.rows.load())},
             {"rejected", std::to_string(stats_.rejected.load())}});
  return s;
}

Status Ingester::ReadLoop() {
  Checkpoint cp = log_->checkpoint();
  pending_ = std::make_unique<Pending>();
  pending_->offset = cp.source_offset;
  bool at_end_committed = (cp.flags & kCommitSourceAtEnd) != 0;
  const Schema source_schema = schema_.SourceSchema();
  std::unique_ptr<SourceReader> reader;
  SLUICE_RETURN_IF_ERROR(source_->OpenReader(endpoint_.table, endpoint_.options, source_schema,
                                             cp.source_offset, &reader));
  BatchSource batches(std::move(reader));
  queue_ = std::make_unique<CommitQueue>(log_.get(), &stats_);
  log::Info("app", "ingesting",
            {{"endpoint", endpoint_.name},
             {"version", std::to_string(version_)},
             {"log_end", std::to_string(log_->end())},
             {"resume", cp.source_offset.empty() ? "start" : "checkpoint"}});
  std::vector<Value> decoded;
  Clock::time_point oldest{};
  const auto interval = std::chrono::milliseconds(options_.commit_interval_ms);
  uint64_t row_no = 0;
  while (!stop_) {
    const sluice_row_batch* b = nullptr;
    Status s = batches.Next(options_.batch_rows, &b);
    if (!s.ok()) {
      // Keep the good rows read before the error.
      Status c = pending_->rows.rows() > 0 ? Flush(0) : Status();
      if (!c.ok()) log::Error("app", c.message());
      return s;
    }
    if (b->row_count > 0) Report(IngestPhase::kRunning);
    for (uint32_t i = 0; i < b->row_count; ++i, ++row_no) {
      std::string_view row = BatchRow(*b, i);
      if (schema_.row_key && BatchOp(*b, i) != SLUICE_OP_INSERT) {
        Status c = pending_->rows.rows() > 0 ? Flush(0) : Status();
        if (!c.ok()) log::Error("app", c.message());
        return FailedPrecondition(
            "the source sent an update or delete, but the endpoint has no primary key to apply "
            "it by (its rows are keyed by log position, _row); set index.primary_key");
      }
      std::string err =
          BatchOp(*b, i) == SLUICE_OP_DELETE ? "" : DecodeRow(source_schema, row, &decoded);
      if (!err.empty()) {
        Status c = pending_->rows.rows() > 0 ? Flush(0) : Status();
        if (!c.ok()) log::Error("app", c.message());
        return Internal("source row " + std::to_string(row_no) + " does not match the schema (" +
                        err + "); this is a bug in the source plugin");
      }
      if (pending_->rows.rows() == 0) oldest = Clock::now();
      pending_->rows.AddRow(BatchOp(*b, i), row);
    }
    if (b->row_count > 0) pending_->offset.assign(BatchOffset(*b, b->row_count - 1));
    stats_.rejected += b->rejected_rows;
    stats_.bytes_done = b->bytes_done;
    stats_.bytes_total = b->bytes_total;
    if (b->at_end) {
      std::string note(BatchNote(*b));
      if (pending_->rows.rows() > 0 || !at_end_committed) {
        SLUICE_RETURN_IF_ERROR(Flush(kCommitSourceAtEnd));
        at_end_committed = true;
      }
      stats_.at_end = true;
      Report(note.empty() ? IngestPhase::kCaughtUp : IngestPhase::kWaiting, note);
      // The input is final under --once: a source still waiting is stuck.
      if (options_.once && !note.empty()) return InvalidArgument(note);
      if (options_.once) break;
      SleepUnlessStopped(std::chrono::milliseconds(options_.poll_interval_ms));
      continue;
    }
    if (pending_->rows.rows() >= options_.commit_rows ||
        (pending_->rows.rows() > 0 && Clock::now() - oldest >= interval)) {
      SLUICE_RETURN_IF_ERROR(Flush(0));
      // The log's last commit no longer says the input ended: when the end
      // comes next with nothing pending, an empty commit must say so, or a
      // restarted server would never find the version complete.
      at_end_committed = false;
    }
  }
  if (pending_->rows.rows() > 0) SLUICE_RETURN_IF_ERROR(Flush(0));
  return Status();
}

}  // namespace sluice::host
