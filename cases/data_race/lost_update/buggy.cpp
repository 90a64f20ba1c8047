// Bug: two threads do `++counter` on a plain long; each increment is a read then a write, and
//   nothing stops the other thread from writing in between. Symptom: updates are lost, the final
//   count is short (here by exactly kIncrements: gates force the worst interleaving on every run).
// Fix: make the read-modify-write one indivisible step (std::atomic<long>::fetch_add).
// Tools: release and ASan print CONCLAB_WRONG_RESULT (ASan does not look at races);
//   ThreadSanitizer reports a data race in increment().
#include <thread>

#include "conclab/gate.hpp"
#include "conclab/invariant.hpp"

using conclab::fixture::Gate;

constexpr long kIncrements = 100000;
long counter = 0;  // shared by both threads, guarded by nothing: the bug

Gate a_has_read;  // thread A holds a copy of the counter and has not written it back yet
Gate b_done;      // thread B finished all its increments

// Adds one to the counter `times` times, as `++counter` does: read, add, write back.
// Given gates, the first increment pauses between its read and its write.
void increment(long times, Gate* opened_after_first_read, Gate* awaited_before_first_write) {
  for (long i = 0; i < times; ++i) {
    const long seen = counter;
    if (i == 0 && opened_after_first_read != nullptr) {
      opened_after_first_read->open();
      awaited_before_first_write->wait();
    }
    counter = seen + 1;  // after the pause, this overwrites all of B's work with a stale value
  }
}

int main() {
  std::thread a([] { increment(kIncrements, &a_has_read, &b_done); });
  std::thread b([] {
    a_has_read.wait();
    increment(kIncrements, nullptr, nullptr);
    b_done.open();
  });
  a.join();
  b.join();
  return conclab::fixture::expect_eq(counter, 2 * kIncrements, "counter");
}
