// Progress of long-running work (ingests, cache builds): on a terminal, one
// status line redrawn a few times a second; otherwise an INFO log event
// every `log_every` naming the sources whose rows or state changed since
// they were last logged (an idle source is logged once, not forever). Rates
// are recent (the last few seconds), not lifetime averages; a source whose
// work stopped says so instead of claiming progress. A source that
// finishes (e.g. a cache build that caught up) gets one final line and is
// dropped. One Progress shows every kind of work of a process.
#ifndef SLUICE_HOST_PIPELINE_PROGRESS_H_
#define SLUICE_HOST_PIPELINE_PROGRESS_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "pipeline/ingest_state.h"
#include "pipeline/ingester.h"

namespace sluice::host {

// What a source reports at one moment.
struct ProgressSample {
  enum class Unit { kBytes, kRecords };
  uint64_t rows = 0;  // rows done (this run)
  // Work done and to do for the ETA, in `unit`; total 0 = unknown.
  uint64_t done = 0, total = 0;
  Unit unit = Unit::kBytes;
  uint64_t rejected = 0;  // rows skipped
  bool at_end = false;    // caught up with its input
  // Why the work does not progress ("failed: ...", "waiting: ..."); "" while
  // it runs. A state that does not start with "waiting" replaces the rates.
  std::string state;
  bool finished = false;  // done for good: a final line, then the source is dropped
  bool gone = false;      // what it watched no longer exists: dropped silently
};

// One source shown. `sample` is called on the progress thread without any
// lock of the Progress held; it must be thread-safe.
struct ProgressSource {
  std::string name;
  std::function<ProgressSample()> sample;
};

// The source of one endpoint's ingest: its counters (`stats` outlives the
// Progress) and its state on `board` (may be null; outlives the Progress).
ProgressSource IngestProgressSource(const std::string& endpoint, const IngestStats* stats,
                                    const IngestBoard* board);

class Progress {
 public:
  Progress(std::vector<ProgressSource> sources, bool terminal,
           std::chrono::milliseconds log_every = std::chrono::seconds(10));
  ~Progress();  // stops, prints a final line on a terminal
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Shows one more source (replacing one of the same name). Thread-safe.
  void Add(ProgressSource source);
  // Samples every source now (the thread does so every tick); drops the
  // sources that finished or are gone and returns the final line of each
  // finished one that made progress while shown. `now` is for tests.
  std::vector<std::string> Sample(
      std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now());
  // One line describing every source now (for tests and the final line).
  std::string Line() const;
  // The line of the sources that changed since the last call (rows or
  // state); "" when none did. Used for log events.
  std::string ChangedLine();

 private:
  struct Point {
    std::chrono::steady_clock::time_point at;
    uint64_t rows = 0, done = 0;
  };
  struct Track {
    ProgressSource source;
    ProgressSample last;       // the latest sample
    std::deque<Point> points;  // the last few seconds
    uint64_t first_rows = UINT64_MAX;
    uint64_t logged_rows = UINT64_MAX;
    std::string logged_state;
  };
  static std::string Describe(const Track& t);
  void Run();

  bool terminal_;
  std::chrono::milliseconds log_every_;
  mutable std::mutex mu_;  // guards tracks_, stop_
  std::vector<Track> tracks_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace sluice::host

#endif  // SLUICE_HOST_PIPELINE_PROGRESS_H_
