#include "pipeline/ingester.h"

#include <vector>

#include "sluice/row.h"
#include "util/log.h"

namespace sluice::host {

using Clock = std::chrono::steady_clock;

Ingester::Ingester(const EndpointConfig& endpoint, uint32_t version, const TableSchema& schema,
                   SourcePlugin* source, std::shared_ptr<VersionLog> log, IngestOptions options)
    : endpoint_(endpoint),
      version_(version),
      schema_(schema),
      source_(source),
      log_(std::move(log)),
      options_(options) {}

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

Status Ingester::Commit(uint64_t flags) {
  Status s = log_->Commit(pending_, pending_offset_, flags);
  if (!s.ok()) return s.WithContext("endpoint " + endpoint_.name);
  stats_.rows += pending_.rows();
  pending_.Clear();
  return Status();
}

Status Ingester::Run() {
  const std::string where = "endpoint " + endpoint_.name + " v" + std::to_string(version_);
  Checkpoint cp = log_->checkpoint();
  pending_offset_ = cp.source_offset;
  bool at_end_committed = (cp.flags & kCommitSourceAtEnd) != 0;
  std::unique_ptr<SourceReader> reader;
  SLUICE_RETURN_IF_ERROR(source_->OpenReader(endpoint_.table, endpoint_.options, schema_.schema,
                                             cp.source_offset, &reader)
                             .WithContext(where + ": open source table \"" + endpoint_.table + "\""));
  log::Info("app", "ingesting", {{"endpoint", endpoint_.name}, {"version", std::to_string(version_)},
                                 {"log_end", std::to_string(log_->end())},
                                 {"resume", cp.source_offset.empty() ? "start" : "checkpoint"}});
  RowBatchBuilder batch;
  std::vector<Value> decoded;
  Clock::time_point oldest{};
  const auto interval = std::chrono::milliseconds(options_.commit_interval_ms);
  uint64_t row_no = 0;
  while (!stop_) {
    batch.Clear();
    BatchInfo info;
    Status s = reader->Next(options_.batch_rows, &batch, &info);
    if (!s.ok()) {
      Status c = pending_.rows() > 0 ? Commit(0) : Status();  // keep the good rows read before it
      if (!c.ok()) log::Error("app", c.message());
      return s.WithContext(where);
    }
    const sluice_row_batch* b = batch.batch();
    for (uint32_t i = 0; i < b->row_count; ++i, ++row_no) {
      std::string err = DecodeRow(schema_.schema, BatchRow(*b, i), &decoded);
      if (!err.empty() && BatchOp(*b, i) != SLUICE_OP_DELETE) {
        Status c = pending_.rows() > 0 ? Commit(0) : Status();
        if (!c.ok()) log::Error("app", c.message());
        return InvalidArgument(where + ": source row " + std::to_string(row_no) +
                               " does not match the schema (" + err +
                               "); this is a bug in the source plugin");
      }
      if (pending_.rows() == 0) oldest = Clock::now();
      pending_.AddRow(BatchOp(*b, i), BatchRow(*b, i));
      pending_offset_.assign(BatchOffset(*b, i));
    }
    stats_.rejected += info.rejected_rows;
    stats_.bytes_done = info.bytes_done;
    stats_.bytes_total = info.bytes_total;
    if (info.at_end) {
      if (pending_.rows() > 0 || !at_end_committed) {
        SLUICE_RETURN_IF_ERROR(Commit(kCommitSourceAtEnd));
        at_end_committed = true;
      }
      stats_.at_end = true;
      if (options_.once) break;
      SleepUnlessStopped(std::chrono::milliseconds(options_.poll_interval_ms));
      continue;
    }
    if (pending_.rows() >= options_.commit_rows ||
        (pending_.rows() > 0 && Clock::now() - oldest >= interval))
      SLUICE_RETURN_IF_ERROR(Commit(0));
  }
  if (pending_.rows() > 0) SLUICE_RETURN_IF_ERROR(Commit(0));
  log::Info("app", "ingest stopped", {{"endpoint", endpoint_.name},
                                      {"rows", std::to_string(stats_.rows.load())},
                                      {"rejected", std::to_string(stats_.rejected.load())}});
  return Status();
}

}  // namespace sluice::host
