// Bug: two threads do `++counter` on a plain long; each increment is a read then a write, and
//   nothing stops the other thread from writing in between. Symptom: updates are lost, the final
//   count is short (here by exactly kIncrements: gates force the worst interleaving on every run).
// Fix: make the read-modify-write one indivisible step (std::atomic<long>::fetch_add).
// Tools: release and ASan print CONCLAB_WRONG_RESULT (ASan does not look at races);
//   ThreadSanitizer reports a data race in increment().
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
