// Ingester: the app pipeline of one endpoint: reads its source from the
// offset committed in the latest version's log and appends rows to that log
// in commits (by size and by time), each commit atomic with the source
// offset it reached. Restarting resumes exactly after the last commit.
#ifndef SLUICE_HOST_PIPELINE_INGESTER_H_
#define SLUICE_HOST_PIPELINE_INGESTER_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "config/config.h"
#include "core/table_schema.h"
#include "pipeline/ingest_state.h"
#include "sluice/source.h"
#include "storage/version_log.h"

namespace sluice::host {

struct IngestOptions {
  bool once = false;                   // stop at the end of the input
  uint32_t batch_rows = 10000;         // rows per source call
  uint64_t commit_rows = 100000;       // commit when this many rows are pending
  uint32_t commit_interval_ms = 1000;  // ... or when the oldest pending row is this old
  uint32_t poll_interval_ms = 500;     // wait between polls at the end of the input
  // Told where the ingest stands: kRunning while rows flow, kCaughtUp at
  // the end of the input, kWaiting (with the source's note) when the source
  // says why it cannot go on. Called on the reading thread, on changes only.
  std::function<void(IngestPhase phase, const std::string& detail)> on_phase;
};

// Counters, readable from any thread while the ingester runs.
struct IngestStats {
  std::atomic<uint64_t> rows{0};      // committed rows (this run)
  std::atomic<uint64_t> rejected{0};  // rows the source skipped
  std::atomic<uint64_t> bytes_done{0};
  std::atomic<uint64_t> bytes_total{0};
  std::atomic<bool> at_end{false};
};

class Ingester {
 public:
  // `source` and `log` outlive the ingester. Counters go to *stats when
  // given (it outlives the ingester; e.g. kept across retries), else to
  // the ingester's own.
  Ingester(const EndpointConfig& endpoint, uint32_t version, const TableSchema& schema,
           SourcePlugin* source, std::shared_ptr<VersionLog> log, IngestOptions options,
           IngestStats* stats = nullptr);
  ~Ingester();
  Ingester(const Ingester&) = delete;
  Ingester& operator=(const Ingester&) = delete;

  // Runs until the input ends (once) or Stop(); commits what it holds
  // before returning. Returns the first error as the source or the log
  // reported it (callers name the endpoint): INVALID_ARGUMENT for a bad
  // row, ABORTED for a schema change, ... With `once`, an input that ends
  // with the source waiting (e.g. an incomplete last line) is an
  // INVALID_ARGUMENT carrying the source's note. Parsing and validation run
  // on the calling thread, durable log writes on a second one, so the two
  // overlap.
  Status Run();
  // Asks Run() to commit and return soon. Thread-safe.
  void Stop();

  const IngestStats& stats() const { return stats_; }
  const std::string& endpoint() const { return endpoint_.name; }

 private:
  // Rows of one commit waiting to be written, with the source offset after them.
  struct Pending {
    CommitBuilder rows;
    std::string offset;
    uint64_t flags = 0;
  };
  class CommitQueue;

  Status ReadLoop();
  void Report(IngestPhase phase, const std::string& detail = {});
  // Hands the pending commit to the writer thread.
  Status Flush(uint64_t flags);
  bool SleepUnlessStopped(std::chrono::milliseconds d);

  EndpointConfig endpoint_;
  uint32_t version_;
  TableSchema schema_;
  SourcePlugin* source_;
  std::shared_ptr<VersionLog> log_;
  IngestOptions options_;
  IngestStats own_stats_;
  IngestStats& stats_;
  std::unique_ptr<Pending> pending_;
  std::unique_ptr<CommitQueue> queue_;
  std::atomic<bool> stop_{false};
  IngestPhase reported_ = IngestPhase::kStarting;
  std::string reported_detail_;
  std::mutex mu_;
  std::condition_variable cv_;
};

}  // namespace sluice::host

#endif  // SLUICE_HOST_PIPELINE_INGESTER_H_
