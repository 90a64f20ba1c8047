// Bug: restock() locks the shelf, then the ledger; audit() the ledger, then the shelf. Running at
//   once on two workers of a four-worker pool, each holds one and waits forever for the other (ABBA).
// Symptom: hangs on every run (gates make both tasks hold their first lock before either goes
//   on), while the two idle workers go on waking every 100 ms to poll the queue.
// Fix: std::scoped_lock takes both locks in one step, in both tasks: no lock order to invert.
// Tools: no detector reports a deadlock that never ends; conclab's hang explainer finds the two
//   workers' cycle while the others poll: a deadlock under release, TSan and ASan.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "conclab/annotations.hpp"
#include "conclab/gate.hpp"
#include "conclab/invariant.hpp"

using namespace std::chrono_literals;

// Workers taking tasks from one queue; an idle one wakes every 100 ms to poll, as many pools do.
class ThreadPool {
 public:
  explicit ThreadPool(int workers) {
    for (int i = 0; i < workers; ++i) workers_.emplace_back([this] { work(); });
  }
  ~ThreadPool() {
    stopping_ = true;  // an idle worker sees it at its next poll
    for (std::thread& worker : workers_) worker.join();
  }
  std::future<void> submit(std::packaged_task<void()> task) {
    std::future<void> done = task.get_future();
    std::lock_guard lock(m_);
    queue_.push_back(std::move(task));
    queue_changed_.notify_one();
    return done;
  }

 private:
  void work() {
    for (;;) {
      std::unique_lock lock(m_);
      conclab::fixture::assume_held(m_);  // for tsa: libc++'s unique_lock is not annotated
      while (!stopping_ && queue_.empty()) queue_changed_.wait_for(lock, 100ms);  // polls stopping_
      if (queue_.empty()) return;  // stopping, and nothing left to do
      std::packaged_task<void()> task = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      task();
    }
  }

  std::mutex m_;
  std::condition_variable queue_changed_;
  std::deque<std::packaged_task<void()>> queue_ CONCLAB_GUARDED_BY(m_);
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> workers_;  // last: the workers start once the rest is built
};

std::mutex shelf_mutex, ledger_mutex;
int items_on_shelf CONCLAB_GUARDED_BY(shelf_mutex) = 100;
int items_in_ledger CONCLAB_GUARDED_BY(ledger_mutex) = 100;
int audited_difference = -1;  // written by audit(), read by main after its future

conclab::fixture::Gate restock_holds_one, audit_holds_one;

// Puts 10 items on the shelf and books them. Once it holds a lock it opens its gate and waits (at
// most a second) for the audit to hold one too: the interleaving that deadlocks.
void restock() {
  std::lock_guard shelf(shelf_mutex);
  restock_holds_one.open();
  audit_holds_one.wait(1s);
  std::lock_guard ledger(ledger_mutex);  // the audit holds it, and waits for the shelf
  items_on_shelf += 10;
  items_in_ledger += 10;
}

// Compares the shelf with the ledger, both locked so that no restock is seen half done.
void audit() {
  std::lock_guard ledger(ledger_mutex);
  audit_holds_one.open();
  restock_holds_one.wait(1s);
  std::lock_guard shelf(shelf_mutex);  // the restock holds it, and waits for the ledger
  audited_difference = items_on_shelf - items_in_ledger;
}

int main() {
  ThreadPool pool(4);
  std::future<void> restocked = pool.submit(std::packaged_task<void()>(restock));
  std::future<void> audited = pool.submit(std::packaged_task<void()>(audit));
  restocked.get();
  audited.get();
  if (int failed = conclab::fixture::expect_eq(audited_difference, 0, "shelf minus ledger")) return failed;
  std::lock_guard shelf(shelf_mutex);
  return conclab::fixture::expect_eq(items_on_shelf, 110, "items on the shelf");
}
