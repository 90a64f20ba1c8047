// A lock-order deadlock between a global mutex and a heap one, beside a ticking thread: the hang
// explainer names the global by its symbol, the other as heap, and every frame by file and line.
#include <chrono>
#include <latch>
#include <mutex>
#include <thread>

namespace bank {
std::mutex ledger_lock;
}

int main() {
  std::thread([] {
    for (;;) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }).detach();
  auto* account_lock = new std::mutex;
  std::latch both_hold_one(2);
  std::thread post([&] {
    std::lock_guard ledger(bank::ledger_lock);
    both_hold_one.arrive_and_wait();
    std::lock_guard account(*account_lock);  // waits for audit
  });
  std::thread audit([&] {
    std::lock_guard account(*account_lock);
    both_hold_one.arrive_and_wait();
    std::lock_guard ledger(bank::ledger_lock);  // waits for post
  });
  post.join();
  audit.join();
}
