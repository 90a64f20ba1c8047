// Bug: a task running on a one-worker ThreadPool submits a subtask to the same pool and blocks
//   on its future. The subtask is queued behind the task that waits for it, and the only worker
//   is busy waiting: nobody will ever run it. No mutex is held: the cycle runs through the queue.
// Symptom: hangs on every run; no schedule is needed.
// Fix: block only outside the pool: main, not a pool task, runs parallel_sum() and waits.
// Tools: no detector names it: no lock is held while waiting and every access is ordered, so TSan
//   has nothing to report. conclab reports a hang: every thread waits on a future, no cycle shown.
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "conclab/annotations.hpp"
#include "conclab/invariant.hpp"

class ThreadPool {
 public:
  explicit ThreadPool(int workers) {
    for (int i = 0; i < workers; ++i) workers_.emplace_back([this] { work(); });
  }
  ~ThreadPool() {
    {
      std::lock_guard lock(m_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (std::thread& worker : workers_) worker.join();
  }

  template <class Task>
  std::future<std::invoke_result_t<Task>> submit(Task task) {
    // std::function must be copyable and a packaged_task is not: share it.
    auto job = std::make_shared<std::packaged_task<std::invoke_result_t<Task>()>>(std::move(task));
    {
      std::lock_guard lock(m_);
      queue_.emplace_back([job] { (*job)(); });
    }
    wake_.notify_one();
    return job->get_future();
  }

 private:
  void work() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock lock(m_);
        conclab::fixture::assume_held(m_);  // for tsa: libc++'s unique_lock is not annotated
        wake_.wait(lock, [this]() CONCLAB_REQUIRES(m_) { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stopping, and nothing left to do
        job = std::move(queue_.front());
        queue_.pop_front();
      }
      job();
    }
  }

  std::mutex m_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_ CONCLAB_GUARDED_BY(m_);
  bool stopping_ CONCLAB_GUARDED_BY(m_) = false;
  std::vector<std::thread> workers_;  // last: the workers start once the rest is built
};

long sum_range(long from, long to) {
  long sum = 0;
  for (long n = from; n <= to; ++n) sum += n;
  return sum;
}

// Sums 1..n: the upper half on the pool, the lower half here, then waits for the upper half.
long parallel_sum(ThreadPool& pool, long n) {
  std::future<long> upper = pool.submit([n] { return sum_range(n / 2 + 1, n); });
  const long lower = sum_range(1, n / 2);
  return lower + upper.get();  // on a pool worker: blocks the worker the upper half needs
}

int main() {
  ThreadPool pool(1);
  std::future<long> total = pool.submit([&pool] { return parallel_sum(pool, 1000); });
  return conclab::fixture::expect_eq(total.get(), 500500, "sum of 1..1000");
}
