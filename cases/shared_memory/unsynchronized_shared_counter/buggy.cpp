// Bug: two pre-forked workers count the requests they serve in a statistics page they share
//   (mmap MAP_SHARED, set up before fork) with `++stats->served` on a plain long: a read, then a
//   write. Processes sharing memory interleave like threads: a stale write erases the other's work.
// Symptom: the total is short by exactly kRequests on every run (gates in the page force it).
// Fix: std::atomic<long> in the page, lock-free, so fetch_add is one indivisible instruction.
// Tools: no race report: TSan watches the threads of one process, never another process's accesses.
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <new>

#include "conclab/gate.hpp"
#include "conclab/invariant.hpp"

using conclab::fixture::Gate;

constexpr long kRequests = 100000;  // served by each worker

// One page shared by the supervisor and both workers: the counter and the schedule's gates.
struct Stats {
  long served = 0;  // requests served by all workers, guarded by nothing: the bug
  Gate a_has_read;  // worker A holds a copy of `served` and has not written it back yet
  Gate b_done;      // worker B served all its requests
};

// Serves `requests` requests, counting each as `++served` does: read, add, write back.
// Given gates, the first count pauses between its read and its write.
void serve(Stats* stats, long requests, Gate* opened_after_first_read,
           Gate* awaited_before_first_write) {
  for (long i = 0; i < requests; ++i) {
    const long seen = stats->served;
    if (i == 0 && opened_after_first_read != nullptr) {
      opened_after_first_read->open();
      awaited_before_first_write->wait();
    }
    stats->served = seen + 1;  // after the pause: overwrites all of B's counts with a stale value
  }
}

int main() {
  void* page =
      mmap(nullptr, sizeof(Stats), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) return 2;
  Stats* stats = new (page) Stats;  // before fork: all three processes map the same memory
  const pid_t a = fork();
  if (a == 0) {
    serve(stats, kRequests, &stats->a_has_read, &stats->b_done);
    _exit(0);
  }
  const pid_t b = fork();
  if (b == 0) {
    stats->a_has_read.wait();
    serve(stats, kRequests, nullptr, nullptr);
    stats->b_done.open();
    _exit(0);
  }
  waitpid(a, nullptr, 0);
  waitpid(b, nullptr, 0);
  const long served = stats->served;
  munmap(page, sizeof(Stats));
  return conclab::fixture::expect_eq(served, 2 * kRequests, "requests served");
}
