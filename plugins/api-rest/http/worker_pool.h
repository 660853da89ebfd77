// A bounded pool of threads for work that must not run on the event loops
// (queries): a fixed number of workers and a queue of limited depth.
// Admission is decided at once: Submit() refuses when the queue is full,
// so the caller can answer 503 instead of letting work pile up.
//
//   WorkerPool pool(/*threads=*/4, /*max_queue=*/64);
//   pool.Start();
//   if (!pool.Submit([job] { job->Run(); })) ...answer 503...
//   size_t stuck = pool.Stop(deadline);   // 0 when every job finished
#ifndef SLUICE_PLUGINS_API_REST_HTTP_WORKER_POOL_H_
#define SLUICE_PLUGINS_API_REST_HTTP_WORKER_POOL_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace sluice::rest::http {

class WorkerPool {
 public:
  WorkerPool(size_t threads, size_t max_queue);
  // Stops (waiting for running jobs without limit) if still running.
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Starts the threads. Once only.
  void Start();

  // Queues `job` to run on a worker thread. False, and `job` dropped, when
  // max_queue jobs are already waiting or the pool is stopping (each such
  // refusal is counted in rejected()). Thread-safe.
  bool Submit(std::function<void()> job);

  // Takes no more jobs, drops those still queued (calling `dropped` for
  // each, on this thread, if set) and waits until `deadline` for running
  // ones. Returns how many still run then: their threads are detached and
  // finish on their own (each job must keep alive what it uses). Idempotent.
  size_t Stop(std::chrono::steady_clock::time_point deadline,
              const std::function<void(std::function<void()>&)>& dropped = nullptr);

  size_t threads() const { return threads_; }
  size_t max_queue() const { return max_queue_; }
  size_t queued() const;
  size_t running() const { return state_->running.load(); }
  uint64_t rejected() const { return state_->rejected.load(); }

 private:
  struct State {
    std::mutex mu;
    std::condition_variable work;  // a job was queued, or stop
    std::condition_variable idle;  // a thread finished a job or exited
    std::deque<std::function<void()>> queue;
    bool stop = false;
    size_t alive = 0;  // threads not yet exited
    std::atomic<size_t> running{0};
    std::atomic<uint64_t> rejected{0};
  };
  static void Loop(std::shared_ptr<State> state);

  const size_t threads_;
  const size_t max_queue_;
  std::shared_ptr<State> state_;
  std::vector<std::thread> pool_;
  bool stopped_ = false;
};

}  // namespace sluice::rest::http

#endif  // SLUICE_PLUGINS_API_REST_HTTP_WORKER_POOL_H_
