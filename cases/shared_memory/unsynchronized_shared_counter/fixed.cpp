// Bug: two pre-forked workers count the requests they serve in a statistics page they share
//   (mmap MAP_SHARED, set up before fork) with `++stats->served` on a plain long: a read, then a
//   write. Processes sharing memory interleave like threads: a stale write erases the other's work.
// Symptom: the total is short by exactly kRequests on every run (gates in the page force it).
// Fix: std::atomic<long> in the page, lock-free, so fetch_add is one indivisible instruction.
// Tools: no race report: TSan watches the threads of one process, never another process's accesses.
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <new>

#include "conclab/gate.hpp"
#include "conclab/invariant.hpp"

using conclab::fixture::Gate;

constexpr long kRequests = 100000;  // served by each worker

// One page shared by the supervisor and both workers: the counter and the schedule's gates.
struct Stats {
  std::atomic<long> served{0};  // requests served by all workers; every count is one atomic step
  Gate a_has_counted;           // worker A counted its first request
  Gate b_done;                  // worker B served all its requests
};

// Lock-free means no lock inside the atomic, only the CPU's atomic instruction on the shared
// memory itself: that works across processes. (A library lock would live in one process.)
static_assert(std::atomic<long>::is_always_lock_free);

// Serves `requests` requests, counting each. Given gates, it pauses right after its first count.
void serve(Stats* stats, long requests, Gate* opened_after_first_count,
           Gate* awaited_after_first_count) {
  for (long i = 0; i < requests; ++i) {
    stats->served.fetch_add(1, std::memory_order_relaxed);  // waitpid() publishes the total
    if (i == 0 && opened_after_first_count != nullptr) {
      opened_after_first_count->open();
      awaited_after_first_count->wait();
    }
  }
}

int main() {
  void* page =
      mmap(nullptr, sizeof(Stats), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) return 2;
  Stats* stats = new (page) Stats;  // before fork: all three processes map the same memory
  const pid_t a = fork();
  if (a == 0) {
    serve(stats, kRequests, &stats->a_has_counted, &stats->b_done);
    _exit(0);
  }
  const pid_t b = fork();
  if (b == 0) {
    stats->a_has_counted.wait();
    serve(stats, kRequests, nullptr, nullptr);
    stats->b_done.open();
    _exit(0);
  }
  waitpid(a, nullptr, 0);
  waitpid(b, nullptr, 0);
  const long served = stats->served.load();
  munmap(page, sizeof(Stats));
  return conclab::fixture::expect_eq(served, 2 * kRequests, "requests served");
}
