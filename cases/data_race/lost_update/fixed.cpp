// Bug (fixed here): two threads did `++counter` on a plain long, so one thread's write could
//   overwrite the other's updates. Symptom was a short count; now it is always 2 * kIncrements.
// Fix: std::atomic<long>::fetch_add reads, adds and writes as one indivisible step, so there is
//   no gap between read and write left for the other thread; the same gates still pause thread A.
// Tools: release, ASan and ThreadSanitizer all report nothing.
#include <atomic>
#include <thread>

#include "conclab/gate.hpp"
#include "conclab/invariant.hpp"

using conclab::fixture::Gate;

constexpr long kIncrements = 100000;
std::atomic<long> counter{0};  // shared by both threads; every update is one atomic step

Gate a_has_incremented;  // thread A did its first increment
Gate b_done;             // thread B finished all its increments

// Adds one to the counter `times` times. Given gates, it pauses right after its first increment.
void increment(long times, Gate* opened_after_first_increment,
               Gate* awaited_after_first_increment) {
  for (long i = 0; i < times; ++i) {
    // Relaxed suffices: no other data is published through the counter, and join() makes the
    // final value visible to main.
    counter.fetch_add(1, std::memory_order_relaxed);
    if (i == 0 && opened_after_first_increment != nullptr) {
      opened_after_first_increment->open();
      awaited_after_first_increment->wait();
    }
  }
}

int main() {
  std::thread a([] { increment(kIncrements, &a_has_incremented, &b_done); });
  std::thread b([] {
    a_has_incremented.wait();
    increment(kIncrements, nullptr, nullptr);
    b_done.open();
  });
  a.join();
  b.join();
  return conclab::fixture::expect_eq(counter.load(), 2 * kIncrements, "counter");
}
