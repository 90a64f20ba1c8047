// TSan data race, then two threads busy for good: a test suite whose later tests would still be
// running when a CPU-time limit ends it (limits_test.cpp).
#include <atomic>
#include <thread>

int shared = 0;
std::atomic<bool> written{false};  // relaxed: orders the two accesses without TSan seeing it

void spin() {
  volatile unsigned long turns = 0;
  for (;;) turns = turns + 1;
}

int main() {
  std::thread writer([] {
    shared = 1;
    written.store(true, std::memory_order_relaxed);
    spin();
  });
  while (!written.load(std::memory_order_relaxed)) {
  }
  shared = 2;
  spin();
}
