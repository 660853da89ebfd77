#include "http/worker_pool.h"

#include <pthread.h>

namespace sluice::rest::http {

WorkerPool::WorkerPool(size_t threads, size_t max_queue)
    : threads_(threads == 0 ? 1 : threads),
      max_queue_(max_queue),
      state_(std::make_shared<State>()) {}

WorkerPool::~WorkerPool() { Stop(std::chrono::steady_clock::time_point::max()); }

void WorkerPool::Start() {
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->alive = threads_;
  }
  for (size_t i = 0; i < threads_; ++i) {
    pool_.emplace_back(&WorkerPool::Loop, state_);
    ::pthread_setname_np(pool_.back().native_handle(), "sluice-rest-q");
  }
}

bool WorkerPool::Submit(std::function<void()> job) {
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (!state_->stop && state_->queue.size() < max_queue_) {
      state_->queue.push_back(std::move(job));
      state_->work.notify_one();
      return true;
    }
  }
  state_->rejected.fetch_add(1);
  return false;
}

size_t WorkerPool::queued() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->queue.size();
}

void WorkerPool::Loop(std::shared_ptr<State> state) {
  std::unique_lock<std::mutex> lock(state->mu);
  for (;;) {
    state->work.wait(lock, [&] { return state->stop || !state->queue.empty(); });
    if (state->queue.empty()) break;  // stopping
    std::function<void()> job = std::move(state->queue.front());
    state->queue.pop_front();
    state->running.fetch_add(1);
    lock.unlock();
    job();
    job = nullptr;  // what it holds goes before the count drops
    lock.lock();
    state->running.fetch_sub(1);
    state->idle.notify_all();
  }
  --state->alive;
  state->idle.notify_all();
}

size_t WorkerPool::Stop(std::chrono::steady_clock::time_point deadline,
                        const std::function<void(std::function<void()>&)>& dropped) {
  if (stopped_) return 0;
  stopped_ = true;
  std::deque<std::function<void()>> left;
  std::unique_lock<std::mutex> lock(state_->mu);
  state_->stop = true;
  left.swap(state_->queue);
  state_->work.notify_all();
  lock.unlock();
  if (dropped)
    for (auto& job : left) dropped(job);
  left.clear();
  lock.lock();
  auto all_exited = [&] { return state_->alive == 0; };
  bool done = true;
  if (deadline == std::chrono::steady_clock::time_point::max()) state_->idle.wait(lock, all_exited);
  else done = state_->idle.wait_until(lock, deadline, all_exited);
  size_t still = state_->alive;
  lock.unlock();
  for (std::thread& t : pool_) done ? t.join() : t.detach();
  pool_.clear();
  return done ? 0 : still;
}

}  // namespace sluice::rest::http
