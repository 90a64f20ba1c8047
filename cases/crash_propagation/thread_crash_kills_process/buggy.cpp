// Bug: worker 2 dereferences a null pointer. A fatal signal kills the whole process, not just the
//   thread that faulted, so the results the other three workers had already stored die with it.
// Symptom: SIGSEGV on every run, and not a single result is printed.
// Fix: a child process per worker; the parent keeps the three results and reports the death.
// Tools: release dies of SIGSEGV; ThreadSanitizer and ASan catch the signal, print
//   "SEGV on unknown address 0x000000000000" with the faulting stack, and exit non-zero.
#include <cstdio>
#include <optional>
#include <thread>
#include <vector>

#include "conclab/gate.hpp"
#include "conclab/invariant.hpp"

constexpr int kWorkers = 4;
constexpr int kCrashingWorker = 2;
constexpr long kShare = 1000000;  // numbers summed by each worker

// Worker 2's input never arrived. `volatile` hides the null from the optimizer, which could
// otherwise turn the (undefined) load into a trap instruction or delete it.
const long* volatile missing_input = nullptr;

// Sums the worker's share of the numbers. (The asan preset leaves UBSan's null check off, so
// ASan sees this fault as the SEGV it is: docs/design.md.)
long sum_share(int worker) {
  long sum = 0;
  for (long n = worker * kShare; n < (worker + 1) * kShare; ++n) sum += n;
  if (worker == kCrashingWorker) sum += *missing_input;  // SIGSEGV
  return sum;
}

std::optional<long> results[kWorkers];
conclab::fixture::Gate stored[kWorkers];  // opened once the worker's result is in `results`

int main() {
  std::vector<std::thread> threads;
  for (int worker = 0; worker < kWorkers; ++worker) {
    threads.emplace_back([worker] {
      if (worker == kCrashingWorker) {  // crash only once the others' work is done and stored
        for (int other = 0; other < kWorkers; ++other) {
          if (other != worker) stored[other].wait();
        }
      }
      results[worker] = sum_share(worker);
      stored[worker].open();
    });
  }
  for (std::thread& thread : threads) thread.join();
  int survivors = 0;
  for (int worker = 0; worker < kWorkers; ++worker) {
    if (!results[worker]) continue;
    std::printf("worker %d: sum = %ld\n", worker, *results[worker]);
    ++survivors;
  }
  return conclab::fixture::expect_eq(survivors, kWorkers - 1, "results that survive worker 2");
}
