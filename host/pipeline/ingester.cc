#include "pipeline/ingester.h"

#include <algorithm>
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
    note_ = std::move(info.note);  // the batch points at it until the next call
    *out = builder_.batch(info.rejected_rows, info.at_end, info.bytes_done, info.bytes_total,
                          note_.empty() ? nullptr : note_.c_str());
    return Status();
  }
  SourceReader& reader() { return *reader_; }
  // An empty row offset continues a transaction (ABI 1.2); from older
  // plugins it is a plain offset ("from the start").
  bool MarksTransactions() const { return client_ == nullptr || client_->MarksTransactions(); }

 private:
  std::unique_ptr<SourceReader> reader_;
  client::SourceReaderClient* client_;
  RowBatchBuilder builder_;
  std::string note_;
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
  // The writer's first error, if any (it stops at it).
  Status Error() {
    std::lock_guard<std::mutex> lock(mu_);
    return error_;
  }
  // The source offset of the newest commit written since the last call, if any.
  bool TakeCommitted(std::string* offset) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!committed_new_) return false;
    committed_new_ = false;
    offset->swap(committed_);
    return true;
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
        committed_.swap(p->offset);
        committed_new_ = true;
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
  std::string committed_;  // source offset of the newest commit written
  bool committed_new_ = false;
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
  SLUICE_RETURN_IF_ERROR(source_->OpenScopedReader(ReaderScope{endpoint_.name, version_},
                                                   endpoint_.table, endpoint_.options,
                                                   source_schema, cp.source_offset, &reader));
  BatchSource batches(std::move(reader));
  const bool transactions = batches.MarksTransactions();
  queue_ = std::make_unique<CommitQueue>(log_.get(), &stats_);
  log::Info("app", "ingesting",
            {{"endpoint", endpoint_.name},
             {"version", std::to_string(version_)},
             {"log_end", std::to_string(log_->end())},
             {"resume", cp.source_offset.empty() ? "start" : "checkpoint"}});
  // Tells the reader what the writer thread has made durable, or returns
  // the writer's error: a commit that failed at the end of the input is
  // noticed while the ingest follows it, not only at the next rows.
  auto ack = [&] {
    SLUICE_RETURN_IF_ERROR(queue_->Error());
    std::string offset;
    if (!queue_->TakeCommitted(&offset)) return Status();
    return batches.reader().Committed(offset);
  };
  bool can_wait = true;  // the reader waits for data itself (ABI 1.2)
  std::vector<Value> decoded;
  Clock::time_point oldest{};
  const auto interval = std::chrono::milliseconds(options_.commit_interval_ms);
  uint64_t row_no = 0;
  // Rows of pending_ up to the last one with a resume point: only those
  // may be committed. Rows with an empty offset continue a transaction
  // (ABI 1.2), which is committed whole or not at all.
  size_t marked = 0;
  // Commits the rows of whole transactions in pending_ (before an error or a stop).
  auto flush_marked = [&] {
    if (marked == 0) return Status();
    pending_->rows.Truncate(marked);
    marked = 0;
    return Flush(0);
  };
  while (!stop_) {
    SLUICE_RETURN_IF_ERROR(ack());
    // Damage found since the log was opened (VersionLog's background check)
    // stops the ingest before it appends after it.
    SLUICE_RETURN_IF_ERROR(log_->damage());
    const sluice_row_batch* b = nullptr;
    Status s = batches.Next(options_.batch_rows, &b);
    if (!s.ok()) {
      Status c = flush_marked();  // keep the good rows read before the error
      if (!c.ok()) log::Error("app", c.message());
      return s;
    }
    if (b->row_count > 0) Report(IngestPhase::kRunning);
    const size_t before = pending_->rows.rows();
    int64_t last_marked = -1;  // last row of the batch with a resume point
    for (uint32_t i = 0; i < b->row_count; ++i, ++row_no) {
      std::string_view row = BatchRow(*b, i);
      Status bad;
      if (schema_.row_key && BatchOp(*b, i) != SLUICE_OP_INSERT) {
        bad = FailedPrecondition(
            "the source sent an update or delete, but the endpoint has no primary key to apply "
            "it by (its rows are keyed by log position, _row); set index.primary_key");
      } else if (std::string err = BatchOp(*b, i) == SLUICE_OP_DELETE
                                       ? ""
                                       : DecodeRow(source_schema, row, &decoded);
                 !err.empty()) {
        bad = Internal("source row " + std::to_string(row_no) + " does not match the schema (" +
                       err + "); this is a bug in the source plugin");
      }
      if (!bad.ok()) {
        if (last_marked >= 0) {
          marked = before + static_cast<size_t>(last_marked) + 1;
          pending_->offset.assign(BatchOffset(*b, static_cast<uint32_t>(last_marked)));
        }
        Status c = flush_marked();
        if (!c.ok()) log::Error("app", c.message());
        return bad;
      }
      if (pending_->rows.rows() == 0) oldest = Clock::now();
      pending_->rows.AddRow(BatchOp(*b, i), row);
      if (!transactions || !BatchOffset(*b, i).empty()) last_marked = i;
    }
    if (last_marked >= 0) {
      marked = before + static_cast<size_t>(last_marked) + 1;
      pending_->offset.assign(BatchOffset(*b, static_cast<uint32_t>(last_marked)));
    }
    const bool resumable = marked == pending_->rows.rows();
    stats_.rejected += b->rejected_rows;
    stats_.bytes_done = b->bytes_done;
    stats_.bytes_total = b->bytes_total;
    if (b->at_end && resumable) {
      std::string note(BatchNote(*b));
      if (pending_->rows.rows() > 0 || !at_end_committed) {
        SLUICE_RETURN_IF_ERROR(Flush(kCommitSourceAtEnd));
        marked = 0;
        at_end_committed = true;
      }
      stats_.at_end = true;
      Report(note.empty() ? IngestPhase::kCaughtUp : IngestPhase::kWaiting, note);
      // The input is final under --once: a source still waiting is stuck.
      if (options_.once && !note.empty()) return InvalidArgument(note);
      if (options_.once) break;
      if (can_wait) {
        // The reader returns once data may be there; the timeout bounds
        // how long a stop waits for it.
        Status w = batches.reader().Wait(std::min<uint32_t>(options_.poll_interval_ms, 200));
        if (w.code() == Code::kUnimplemented) can_wait = false;
        else if (!w.ok()) return w;
      }
      if (!can_wait) SleepUnlessStopped(std::chrono::milliseconds(options_.poll_interval_ms));
      continue;
    }
    if (resumable && (pending_->rows.rows() >= options_.commit_rows ||
                      (pending_->rows.rows() > 0 && Clock::now() - oldest >= interval))) {
      SLUICE_RETURN_IF_ERROR(Flush(0));
      marked = 0;
      // The log's last commit no longer says the input ended: when the end
      // comes next with nothing pending, an empty commit must say so, or a
      // restarted server would never find the version complete.
      at_end_committed = false;
    }
  }
  // Rows of an unfinished transaction are not committed: the source
  // delivers them again after the restart.
  SLUICE_RETURN_IF_ERROR(flush_marked());
  SLUICE_RETURN_IF_ERROR(queue_->Close().WithContext("endpoint " + endpoint_.name));
  return ack();
}

}  // namespace sluice::host
