// Progress of running ingesters: on a terminal, one status line redrawn a
// few times a second (rows, bytes, rows/s, ETA when the input size is
// known); otherwise an INFO log event every `log_every`.
#ifndef SLUICE_HOST_PIPELINE_PROGRESS_H_
#define SLUICE_HOST_PIPELINE_PROGRESS_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "pipeline/ingester.h"
#include "util/human.h"

namespace sluice::host {

class Progress {
 public:
  // `ingesters` outlive the Progress object.
  Progress(std::vector<const Ingester*> ingesters, bool terminal,
           std::chrono::milliseconds log_every = std::chrono::seconds(10));
  ~Progress();  // stops, prints a final line on a terminal
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // One line describing every ingester now (for tests and the final line).
  std::string Line(double elapsed_s) const;

 private:
  void Run();
  std::vector<const Ingester*> ingesters_;
  bool terminal_;
  std::chrono::milliseconds log_every_;
  std::chrono::steady_clock::time_point start_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace sluice::host

#endif  // SLUICE_HOST_PIPELINE_PROGRESS_H_
