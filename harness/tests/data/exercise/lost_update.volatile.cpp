// A participant's attempt at data_race/lost_update, used by harness/tests/exercise_test.cpp:
// volatile does not make ++ atomic: still a data race, still a lost update.
#include <thread>

#include "conclab/gate.hpp"
#include "conclab/invariant.hpp"

using conclab::fixture::Gate;

constexpr long kIncrements = 100000;
volatile long counter = 0;  // shared by both threads, guarded by nothing: the bug

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
