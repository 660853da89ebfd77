// Progress of running ingests: on a terminal, one status line redrawn a few
// times a second; otherwise an INFO log event every `log_every` naming the
// endpoints whose rows or state changed since they were last logged (an
// idle endpoint is logged once, not forever). Rates are recent (the last
// few seconds), not lifetime averages; an endpoint whose ingest stopped
// says so instead of claiming progress.
#ifndef SLUICE_HOST_PIPELINE_PROGRESS_H_
#define SLUICE_HOST_PIPELINE_PROGRESS_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "pipeline/ingest_state.h"
#include "pipeline/ingester.h"
#include "util/human.h"

namespace sluice::host {

// One endpoint whose progress is shown. `stats` outlives the Progress.
struct ProgressSource {
  std::string name;
  const IngestStats* stats = nullptr;
};

class Progress {
 public:
  // `board` (may be null) tells each endpoint's ingest state; it outlives
  // the Progress object.
  Progress(std::vector<ProgressSource> sources, const IngestBoard* board, bool terminal,
           std::chrono::milliseconds log_every = std::chrono::seconds(10));
  ~Progress();  // stops, prints a final line on a terminal
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Takes a sample of every counter now (the thread does so every tick).
  void Sample();
  // One line describing every endpoint now (for tests and the final line).
  std::string Line() const;
  // The line of the endpoints that changed since the last call (rows or
  // state); "" when none did. Used for log events.
  std::string ChangedLine();

 private:
  struct Point {
    std::chrono::steady_clock::time_point at;
    uint64_t rows = 0, bytes = 0;
  };
  struct Track {
    std::deque<Point> points;  // the last few seconds
    uint64_t logged_rows = UINT64_MAX;
    std::string logged_state;
  };
  std::string Describe(size_t i) const;
  std::string StateOf(size_t i) const;
  void Run();

  std::vector<ProgressSource> sources_;
  const IngestBoard* board_;
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
