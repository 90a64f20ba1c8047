// Crash isolation. Two workers process units of work (100 us of CPU each) and commit their results
// every 8 units (a flush, a checkpoint); the progress counters live on a MAP_SHARED page the
// supervisor (this process) reads. One worker dereferences a null pointer after a varying number
// of units.
//  - processes: each worker is a process; the supervisor notices the death (waitpid) and forks a
//    replacement. The other worker never stops. Lost: the dead worker's uncommitted units.
//  - threads: the workers are threads of one child process; the crash takes the process down.
//    The supervisor notices and starts a new process with both threads. Lost: every worker's
//    uncommitted units (and whatever else that process held in memory).
// Iteration time (manual) = crash to replacement working; counters: notice_us (crash to waitpid
// returning), lost_units per crash.
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>
#include <vector>

#include "common.hpp"

namespace tradeoffs {
namespace {

constexpr int kWorkers = 2, kBatch = 8;
constexpr std::int64_t kUnitNs = 100'000;

struct Board {
  std::atomic<std::uint64_t> started[kWorkers], committed[kWorkers];
  std::atomic<std::int64_t> crash_ns;
  std::atomic<std::uint32_t> working;  // workers that began working this round
  std::atomic<std::uint32_t> stop;
};

void wait_working(Board& board, std::uint32_t count) {
  for (std::uint32_t seen; (seen = board.working.load()) < count;) futex_wait(board.working, seen);
}

// One worker's loop, once `together` workers have begun; the victim crashes once it has started
// `crash_at` units.
void work(Board& board, int w, long crash_at, std::uint32_t together) {
  board.working.fetch_add(1);
  futex_wake(board.working, INT32_MAX);
  wait_working(board, together);
  for (long unit = 0; board.stop.load() == 0; ++unit) {
    board.started[w].fetch_add(1);
    busy_for(kUnitNs);
    if (unit + 1 == crash_at) {
      board.crash_ns.store(now_ns());
      *static_cast<volatile int*>(nullptr) = 1;  // the crash
    }
    if ((unit + 1) % kBatch == 0) board.committed[w].store(board.started[w].load());
  }
  board.committed[w].store(board.started[w].load());
}

// A process running the workers as threads; victim -1: nobody crashes.
pid_t threaded_process(Board& board, int victim, long crash_at) {
  return fork_child([&board, victim, crash_at] {
    std::vector<std::thread> threads;
    for (int w = 0; w < kWorkers; ++w)
      threads.emplace_back(work, std::ref(board), w, w == victim ? crash_at : -1, victim < 0 ? 0 : kWorkers);
    for (auto& t : threads) t.join();
    return 0;
  });
}

pid_t worker_process(Board& board, int w, long crash_at, std::uint32_t together) {
  return fork_child([&board, w, crash_at, together] { return work(board, w, crash_at, together), 0; });
}

void Crash(benchmark::State& state, bool processes) {
  auto* board = new (::mmap(nullptr, sizeof(Board), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0)) Board{};
  double notice_us = 0, lost = 0;
  long round = 0;
  for (auto _ : state) {
    const long crash_at = 16 + round++ % kBatch;  // a different point of the batch each time
    for (int w = 0; w < kWorkers; ++w) board->started[w] = 0, board->committed[w] = 0;
    board->working = 0, board->stop = 0;
    std::vector<pid_t> pids;
    if (processes)
      for (int w = 0; w < kWorkers; ++w) pids.push_back(worker_process(*board, w, w == 0 ? crash_at : -1, kWorkers));
    else
      pids.push_back(threaded_process(*board, 0, crash_at));
    wait_working(*board, kWorkers);
    int status = 0;
    const pid_t dead = ::waitpid(pids[0], &status, 0);
    const std::int64_t noticed = now_ns();
    if (dead != pids[0] || !WIFSIGNALED(status)) std::abort();
    const std::int64_t crashed = board->crash_ns.load();
    for (int w = 0; w < (processes ? 1 : kWorkers); ++w)
      lost += static_cast<double>(board->started[w] - board->committed[w]);
    pids[0] = processes ? worker_process(*board, 0, -1, 0) : threaded_process(*board, -1, 0);
    wait_working(*board, processes ? kWorkers + 1 : 2 * kWorkers);  // the survivor, if any, never stopped
    const std::int64_t replaced = now_ns();
    board->stop = 1;
    for (pid_t pid : pids) reap(pid);
    notice_us += static_cast<double>(noticed - crashed) / 1e3;
    state.SetIterationTime(static_cast<double>(replaced - crashed) / 1e9);
  }
  state.counters["notice_us"] = benchmark::Counter(notice_us, benchmark::Counter::kAvgIterations);
  state.counters["lost_units"] = benchmark::Counter(lost, benchmark::Counter::kAvgIterations);
  ::munmap(board, sizeof(Board));
}

}  // namespace

void register_benchmarks() {
  const int rounds = quick ? 4 : 40;
  add("crash/processes", [](benchmark::State& s) { Crash(s, true); }, 5, rounds, true);
  add("crash/threads", [](benchmark::State& s) { Crash(s, false); }, 5, rounds, true);
}

}  // namespace tradeoffs
