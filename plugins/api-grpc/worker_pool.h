// A fixed set of threads running submitted tasks in order of submission.
//
//   WorkerPool pool(4);
//   pool.Submit([] { ... });
//   pool.Stop();   // runs what is queued, then joins
#ifndef SLUICE_PLUGINS_API_GRPC_WORKER_POOL_H_
#define SLUICE_PLUGINS_API_GRPC_WORKER_POOL_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace sluice::grpcapi {

class WorkerPool {
 public:
  // Starts `threads` (>= 1) threads.
  explicit WorkerPool(int threads);
  // Stop().
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `task`; false (task dropped) once Stop() began. Thread-safe.
  bool Submit(std::function<void()> task);
  // Runs every queued task, then joins the threads. Idempotent; must not be
  // called from a task.
  void Stop();

 private:
  void Run();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;  // guarded by mu_
  bool stopping_ = false;                    // guarded by mu_
  std::vector<std::thread> threads_;
};

}  // namespace sluice::grpcapi

#endif  // SLUICE_PLUGINS_API_GRPC_WORKER_POOL_H_
