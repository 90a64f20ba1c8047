// Contention: "it depends on the workload". Two workers (pinned, one per CPU), the same code run as two
// threads or two forked processes; each iteration is the whole job, creation and join included.
//  - false_sharing: each worker bumps its own counter, but the counters share a cache line. Threads
//    share the line; processes each get a private copy of the page (copy on write) and don't.
//    threads_padded is the fix: counters 64 bytes apart.
//  - global_lock: each worker takes a global mutex around a tiny critical section (a logger's or an
//    allocator's lock taken out of habit). Threads contend; each process has its own copy.
//  - results_back: the workers transform halves of a buffer the parent needs back. Threads write
//    it in place; processes send it through a pipe (one more copy and the syscalls), or write it
//    into a MAP_SHARED mapping they inherited (processes can share data).
#include <sys/mman.h>
#include <unistd.h>

#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "common.hpp"

namespace tradeoffs {
namespace {

constexpr int kWorkers = 2;
alignas(64) volatile long counters[kWorkers * 8];
std::mutex global_lock;
long global_count = 0;

// Runs work(i) for each worker i on a thread or in a forked child, worker i pinned to CPU i (so the
// two can run at the same time whenever the machine lets them), and waits for all.
void run_workers(bool processes, const std::function<void(int)>& work) {
  const bool pin = ::sysconf(_SC_NPROCESSORS_ONLN) >= kWorkers;
  auto worker = [&work, pin](int i) {
    if (pin) pin_to(i);
    work(i);
  };
  if (processes) {
    pid_t pids[kWorkers];
    for (int i = 0; i < kWorkers; ++i) pids[i] = fork_child([&worker, i] { return worker(i), 0; });
    for (pid_t pid : pids) reap(pid);
    return;
  }
  std::vector<std::thread> threads;
  for (int i = 0; i < kWorkers; ++i) threads.emplace_back(worker, i);
  for (auto& t : threads) t.join();
}

void FalseSharing(benchmark::State& state, bool processes, int stride) {
  const long iters = quick ? 2'000'000 : 20'000'000;
  for (auto _ : state)
    run_workers(processes, [&](int i) {
      for (long n = 0; n < iters; ++n) counters[i * stride] = counters[i * stride] + 1;
    });
  state.SetItemsProcessed(state.iterations() * iters * kWorkers);
}

void GlobalLock(benchmark::State& state, bool processes) {
  const long iters = quick ? 500'000 : 5'000'000;
  for (auto _ : state)
    run_workers(processes, [&](int) {
      for (long n = 0; n < iters; ++n) {
        std::lock_guard lock(global_lock);
        ++global_count;
      }
    });
  state.SetItemsProcessed(state.iterations() * iters * kWorkers);
}

enum Back { kInPlace, kPipe, kShared };

void transform(const unsigned char* in, unsigned char* out, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<unsigned char>(in[i] * 3 + 1);
}

void ResultsBack(benchmark::State& state, Back how) {
  const std::size_t bytes = (quick ? 8u : 64u) << 20, half = bytes / kWorkers, chunk = 64 << 10;
  std::vector<unsigned char> in(bytes, 7);
  unsigned char* out = static_cast<unsigned char*>(::mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                                                          (how == kShared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS, -1, 0));
  if (out == MAP_FAILED) std::abort();
  std::fill(out, out + bytes, 0);
  for (auto _ : state) {
    if (how != kPipe) {
      run_workers(how == kShared, [&](int i) { transform(in.data() + i * half, out + i * half, half); });
      continue;
    }
    int fds[kWorkers][2];
    pid_t pids[kWorkers];
    for (int i = 0; i < kWorkers; ++i) {
      if (::pipe(fds[i]) != 0) std::abort();
      pids[i] = fork_child([&, i] {
        std::vector<unsigned char> buffer(chunk);
        for (std::size_t off = 0; off < half; off += chunk) {
          transform(in.data() + i * half + off, buffer.data(), chunk);
          write_all(fds[i][1], buffer.data(), chunk);
        }
        return 0;
      });
      ::close(fds[i][1]);
    }
    for (int i = 0; i < kWorkers; ++i) {
      if (!read_all(fds[i][0], out + i * half, half)) std::abort();
      ::close(fds[i][0]);
      reap(pids[i]);
    }
  }
  if (out[bytes - 1] != 22) state.SkipWithError("the workers' results did not come back");
  ::munmap(out, bytes);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
}

}  // namespace

void register_benchmarks() {
  add("contention/false_sharing/threads", [](benchmark::State& s) { FalseSharing(s, false, 1); }, 5);
  add("contention/false_sharing/processes", [](benchmark::State& s) { FalseSharing(s, true, 1); }, 5);
  add("contention/false_sharing/threads_padded", [](benchmark::State& s) { FalseSharing(s, false, 8); }, 5);
  add("contention/global_lock/threads", [](benchmark::State& s) { GlobalLock(s, false); }, 5);
  add("contention/global_lock/processes", [](benchmark::State& s) { GlobalLock(s, true); }, 5);
  add("contention/results_back/threads", [](benchmark::State& s) { ResultsBack(s, kInPlace); }, 5);
  add("contention/results_back/processes_pipe", [](benchmark::State& s) { ResultsBack(s, kPipe); }, 5);
  add("contention/results_back/processes_shm", [](benchmark::State& s) { ResultsBack(s, kShared); }, 5);
}

}  // namespace tradeoffs
