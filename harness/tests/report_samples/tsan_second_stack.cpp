// TSan data race whose culprit shows only in the second stack: enqueue() bumps `pending` without
// the pool's lock; the worker reads it under the lock later. TSan prints the worker's read first
// (the current access) and enqueue's write as the previous one (race_report_test.cpp).
#include <atomic>
#include <mutex>
#include <thread>

struct Pool {
  std::mutex lock;
  int pending = 0;
  std::atomic<bool> queued{false};  // relaxed: orders the two accesses without TSan seeing it
};

__attribute__((noinline)) void enqueue(Pool& pool) {
  pool.pending++;  // the bug: the lock was removed from here
  pool.queued.store(true, std::memory_order_relaxed);
}

__attribute__((noinline)) int worker(Pool& pool) {
  while (!pool.queued.load(std::memory_order_relaxed)) {
  }
  std::lock_guard guard(pool.lock);
  return pool.pending;
}

int main() {
  auto* pool = new Pool;
  int seen = 0;
  std::thread consumer([&] { seen = worker(*pool); });
  std::thread producer([&] { enqueue(*pool); });
  producer.join();
  consumer.join();
  delete pool;
  return seen == 1 ? 0 : 1;
}
